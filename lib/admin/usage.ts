/**
 * `GET /admin/projects/{project}/usage?from=&to=&group_by=` (CONTRACT.md §3) and `…/usage/daily`: a project's
 * usage from the daily counters, one query per day of the range, summed in memory. `from`/`to` are UTC days, both included (default: the
 * 30 days ending today); `group_by` is `model` (the default: the contract names none), `provider`, `key` or `day`.
 */
import { badRequest } from '../core/errors.js';
import type { Stores } from '../storage/types.js';
import {
  aggregateDailyUsage,
  aggregateUsage,
  USAGE_GROUP_BYS,
  USAGE_SPLIT_BYS,
  type UsageGroupBy,
  type UsageSplitBy,
} from '../usage/aggregate.js';
import { addDays, daySpan, daysBetween, formatDay, parseDay } from '../usage/days.js';
import { usageStoreFor } from '../usage/for-stores.js';
import { accountingSettled } from '../usage/settled.js';
import type { UsageStore } from '../usage/store.js';
import { type AdminResponse, json } from './http.js';
import { loadProject } from './projects.js';
import type { RouteContext } from './routes.js';

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 366;
export const DEFAULT_GROUP_BY: UsageGroupBy = 'model';

export interface UsageQuery {
  from: string;
  to: string;
  group_by: UsageGroupBy;
}

/** A query parameter's value; an empty one (`?from=`) reads as absent, as most HTTP clients mean it. */
export function queryParam(query: Record<string, string | undefined>, name: string): string | undefined {
  const value = query[name];
  return value === undefined || value === '' ? undefined : value;
}

function day(value: string | undefined, param: 'from' | 'to'): string | undefined {
  if (value === undefined) return undefined;
  if (parseDay(value) === undefined) {
    throw badRequest(`Invalid '${param}': expected a date as YYYY-MM-DD (UTC).`, param, 'invalid_date');
  }
  return value;
}

function groupBy(value: string | undefined): UsageGroupBy {
  if (value === undefined) return DEFAULT_GROUP_BY;
  if ((USAGE_GROUP_BYS as readonly string[]).includes(value)) return value as UsageGroupBy;
  throw badRequest(`Invalid 'group_by': expected one of ${USAGE_GROUP_BYS.join(', ')}.`, 'group_by');
}

/**
 * The period with its defaults applied, or a 400 naming the parameter at fault. A missing `to` is today; a missing
 * `from` is 29 days before `to` (30 days in all). A range that runs backwards or spans more than 366 days names
 * `from`. Shared by every admin route that reads a period (`usage`, `usage/daily`, `latency`).
 */
export function parsePeriod(query: Record<string, string | undefined>, now: Date): { from: string; to: string } {
  const givenFrom = day(queryParam(query, 'from'), 'from');
  const to = day(queryParam(query, 'to'), 'to') ?? formatDay(now.getTime());
  const from = givenFrom ?? addDays(to, -(DEFAULT_RANGE_DAYS - 1));
  if (from > to) throw badRequest(`'from' (${from}) is after 'to' (${to}).`, 'from', 'invalid_date_range');
  const span = daySpan(from, to);
  if (span > MAX_RANGE_DAYS) {
    throw badRequest(
      `The range ${from}..${to} covers ${span} days; at most ${MAX_RANGE_DAYS} are allowed.`,
      'from',
      'invalid_date_range',
    );
  }
  return { from, to };
}

/** The usage query: the period and `group_by` (default `model`), or a 400 naming the parameter at fault. */
export function parseUsageQuery(query: Record<string, string | undefined>, now: Date): UsageQuery {
  return { ...parsePeriod(query, now), group_by: groupBy(queryParam(query, 'group_by')) };
}

function splitBy(value: string | undefined): UsageSplitBy {
  if (value === undefined) return 'model';
  if ((USAGE_SPLIT_BYS as readonly string[]).includes(value)) return value as UsageSplitBy;
  throw badRequest(`Invalid 'split_by': expected one of ${USAGE_SPLIT_BYS.join(', ')}.`, 'split_by');
}

/** The usage tables beside the admin stores; a deployment without them is a server fault, not the caller's. */
export function requireUsageStore(stores: Stores): UsageStore {
  const store = usageStoreFor(stores);
  if (!store) throw new Error('The admin stores carry no DynamoDB client for the usage tables.');
  return store;
}

export async function getUsage({ req, params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const query = parseUsageQuery(req.query, new Date());
  await accountingSettled();
  const counters = await requireUsageStore(stores).dailyCounters(project.id, daysBetween(query.from, query.to));
  return json(200, { ...query, ...aggregateUsage(counters, query.group_by) });
}

/**
 * `GET /admin/projects/{project}/usage/daily?from=&to=&split_by=`: the same counters per day × model (or provider,
 * or key), for a chart of spend per day split by model. Each cell is what `/usage` would answer for that day and
 * group; cells without requests are left out.
 */
export async function getDailyUsage({ req, params, stores }: RouteContext): Promise<AdminResponse> {
  const project = await loadProject(stores, params.project);
  const period = parsePeriod(req.query, new Date());
  const split = splitBy(queryParam(req.query, 'split_by'));
  await accountingSettled();
  const counters = await requireUsageStore(stores).dailyCounters(project.id, daysBetween(period.from, period.to));
  return json(200, { ...period, split_by: split, ...aggregateDailyUsage(counters, split) });
}
