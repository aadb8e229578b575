import * as z from 'zod';
import { notFound } from '../core/errors.js';
import type { KeyRecord } from '../storage/types.js';
import { accountingSettled } from '../usage/settled.js';
import { readBody } from './body.js';
import { type AdminResponse, json } from './http.js';
import { loadProject } from './projects.js';
import type { RouteContext } from './routes.js';
import { requireUsageStore } from './usage.js';

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/** ISO 8601, as a date-time with a zone (`Z` or an offset) or a date (midnight UTC); stored normalised to UTC. */
const expiresAtSchema = z
  .string()
  .refine((value) => isoDateTime.safeParse(value).success || isoDate.safeParse(value).success, {
    message: 'must be an ISO 8601 date-time with a time zone, e.g. 2030-01-31T00:00:00Z',
    abort: true,
  })
  .transform((value) => new Date(value).toISOString())
  .refine((value) => Date.parse(value) > Date.now(), { message: 'must be in the future' });

/** A key's settings, for POST (absent or null: unset) and PATCH (absent: unchanged; null: cleared). */
const keySettingsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).nullish(),
  expires_at: expiresAtSchema.nullish(),
  // A ceiling far above any real budget, so the ledger's units (1e-10 USD) stay within DynamoDB's 38 digits.
  budget_usd: z.number().min(0).max(1_000_000_000).nullish(),
  rpm: z.number().int().positive().nullish(),
  // `provider/model` patterns with `*` (CONTRACT.md §5); characters of model names only, so a pattern is never code.
  models: z
    .array(
      z
        .string()
        .min(1)
        .max(300)
        .regex(/^[A-Za-z0-9._:/@*-]+$/, 'must be a provider/model pattern, e.g. openai/*'),
    )
    .max(100)
    .nullish(),
});

/** A key as listed: never its hash, never the key. */
export function keyView(record: KeyRecord) {
  return {
    id: record.id,
    prefix: record.prefix,
    name: record.name,
    created_at: record.created_at,
    expires_at: record.expires_at,
    budget_usd: record.budget_usd,
    rpm: record.rpm,
    models: record.models ?? null,
    revoked_at: record.revoked_at,
    last_used_at: record.last_used_at,
  };
}

export async function createKey({ req, params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const body = readBody(req.body, keySettingsSchema);
  const { record, key } = await stores.keys.create(project.id, {
    name: body.name ?? null,
    expires_at: body.expires_at ?? null,
    budget_usd: body.budget_usd ?? null,
    rpm: body.rpm ?? null,
    models: body.models ?? null,
  });
  // A new key has neither been revoked nor used: the answer is its view without those two, and the key, once.
  const { id, revoked_at: _revoked, last_used_at: _used, ...settings } = keyView(record);
  return json(201, { id, key, ...settings });
}

/** Keys with this month's spend (CONTRACT.md §5), read from each key's month counter. */
export async function listKeys({ params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const records = await stores.keys.list(project.id);
  await accountingSettled();
  const usage = requireUsageStore(stores);
  const now = new Date();
  const spends = await Promise.all(records.map((record) => usage.monthSpendUsd(project.id, record.id, now)));
  return json(200, { data: records.map((record, i) => ({ ...keyView(record), month_spend_usd: spends[i] })) });
}

/** `PATCH …/keys/{key_id}`: name, expiry, limits and scope; the key itself never changes. */
export async function updateKey({ req, params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const keyId = params.key_id ?? '';
  const changes = readBody(req.body, keySettingsSchema);
  const updated = await stores.keys.update(project.id, keyId, changes);
  if (!updated) throw notFound(`Key '${keyId}' not found in project '${project.id}'.`, 'key_not_found');
  return json(200, keyView(updated));
}

/** Revokes a key; revoking it again answers the same (the first revocation time stays). */
export async function revokeKey({ params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const keyId = params.key_id ?? '';
  const revoked = await stores.keys.revoke(project.id, keyId);
  if (!revoked) throw notFound(`Key '${keyId}' not found in project '${project.id}'.`, 'key_not_found');
  return json(200, { id: revoked.id, revoked: true, revoked_at: revoked.revoked_at });
}
