/**
 * `GET /admin/projects/{project}/requests?limit=&cursor=&from=&to=` (CONTRACT.md §3): one row per request, newest
 * first, a page at a time. `cursor` is the opaque `next_cursor` of the page before; `next_cursor` is null on the
 * last page. `from`/`to` (UTC days, both included, read as `/usage` reads them) keep the rows of a period, as the
 * dashboard's period picker needs; without either, every row.
 */
import { badRequest } from '../core/errors.js';
import { accountingSettled } from '../usage/settled.js';
import { InvalidCursorError, type UsageRow } from '../usage/store.js';
import { type AdminResponse, json } from './http.js';
import { loadProject } from './projects.js';
import type { RouteContext } from './routes.js';
import { parsePeriod, queryParam, requireUsageStore } from './usage.js';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** `limit` as a whole number from 1 to 1000 written in digits (`10`, not `1e1` or `10.0`); absent: 100. */
export function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const limit = /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw badRequest(`Invalid 'limit': expected a whole number from 1 to ${MAX_LIMIT}.`, 'limit');
  }
  return limit;
}

/** A row as listed: the contract's fields in its order, then `stream`, `priced`, `endpoint` and `usage_estimated` (CONTRACT.md §4); the project is the path's. */
export function requestView(row: UsageRow) {
  return {
    id: row.id,
    at: row.at,
    key_id: row.key_id,
    model: row.model,
    provider: row.provider,
    provider_model: row.provider_model,
    status: row.status,
    input_tokens: row.input_tokens,
    output_tokens: row.output_tokens,
    cached_input_tokens: row.cached_input_tokens,
    cache_write_tokens: row.cache_write_tokens,
    cost_usd: row.cost_usd,
    latency_ms: row.latency_ms,
    ttft_ms: row.ttft_ms,
    finish_reason: row.finish_reason,
    error_code: row.error_code,
    stream: row.stream,
    priced: row.priced,
    endpoint: row.endpoint,
    usage_estimated: row.usage_estimated,
  };
}

export async function listRequests({ req, params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const limit = parseLimit(queryParam(req.query, 'limit'));
  const cursor = queryParam(req.query, 'cursor');
  const days =
    queryParam(req.query, 'from') !== undefined || queryParam(req.query, 'to') !== undefined
      ? parsePeriod(req.query, new Date())
      : undefined;
  try {
    await accountingSettled();
    const page = await requireUsageStore(stores).listRequests(project.id, limit, cursor, days);
    return json(200, { data: page.data.map(requestView), next_cursor: page.next_cursor });
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw badRequest("Invalid 'cursor': pass the next_cursor of a previous page as it is.", 'cursor');
    }
    throw error;
  }
}
