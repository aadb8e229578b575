/**
 * Usage rows and counters in DynamoDB (DESIGN.md §4): one row per authenticated chat request in `usage`, and `ADD`
 * counters in `usage_daily` (per day × model × provider × key), plus two bookkeeping items there: a key's spend
 * this UTC month (budgets) and its requests this minute (rpm). dynalite has no transactions, so none are used.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isAwsError } from '../storage/aws-errors.js';
import { queryItems } from '../storage/read-pages.js';
import type { TableNames } from '../storage/tables.js';
import {
  COUNTER_NONE,
  counterDeltasOf,
  counterUpdate,
  monthSpendKey,
  type RequestCounts,
  type UsageItem,
} from './counters.js';
import { type CostUnits, unitsToUsd } from './units.js';

export { COUNTER_NONE };

/** One request's row, with the field names of CONTRACT.md §3 (`GET /admin/projects/{p}/requests`). */
export interface UsageRow {
  id: string;
  at: string;
  project_id: string;
  key_id: string;
  model: string | null;
  provider: string | null;
  provider_model: string | null;
  status: number;
  stream: boolean;
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  priced: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  finish_reason: string | null;
  error_code: string | null;
  /** Which API the request came through (CONTRACT.md §4). */
  endpoint: UsageEndpoint;
  /** True when the tokens are the gateway's estimate: the stream ended before the provider reported usage. */
  usage_estimated: boolean;
}

export const USAGE_ENDPOINTS = ['chat', 'responses', 'messages', 'embeddings'] as const;
export type UsageEndpoint = (typeof USAGE_ENDPOINTS)[number];

/** A daily counter item as the usage report reads it; `error_requests` is 0 in counters written before 2026-12-07. */
export interface DailyCounters extends RequestCounts {
  day: string;
  model: string;
  provider: string;
  key_id: string;
}

/** What a latency report reads of a row. */
export interface RowTiming {
  model: string | null;
  status: number;
  latency_ms: number;
  ttft_ms: number | null;
}

export interface RowTimings {
  rows: RowTiming[];
  /** False when the period held more rows than were read. */
  complete: boolean;
}

export interface RequestPage {
  data: UsageRow[];
  next_cursor: string | null;
}

/** Day queries in flight at once for a usage report (a year is 366 queries). */
const DAY_QUERY_CONCURRENCY = 8;

/** The row's sort key: time first so a query reads newest first; the id keeps two rows of one millisecond apart. */
export function usageSortKey(row: Pick<UsageRow, 'at' | 'id'>): string {
  return `${row.at}#${row.id}`;
}

export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export class UsageStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: Pick<TableNames, 'usage' | 'usageDaily'>,
    /** When set, rows carry `expires_at` (epoch seconds) this many days on, for the table's optional TTL. */
    private readonly rowTtlDays?: number,
  ) {}

  /** The row as stored: with its sort key, its cost in integer units and, when configured, its TTL. */
  itemOf(row: UsageRow, costUnits: CostUnits | null): UsageItem {
    const item: UsageItem = { ...row, sk: usageSortKey(row) };
    if (costUnits !== null) item.cost_units = costUnits;
    if (this.rowTtlDays && this.rowTtlDays > 0) {
      item.expires_at = Math.floor(Date.parse(row.at) / 1000) + Math.round(this.rowTtlDays * 86_400);
    }
    return item;
  }

  /**
   * Writes a row once: a row already there (a retry after an answer that was lost) is left alone, so the table's
   * stream sees one INSERT per request and the aggregator counts it once.
   */
  async putRow(row: UsageRow, costUnits: CostUnits | null): Promise<void> {
    await this.putItem(this.itemOf(row, costUnits));
  }

  async putItem(item: UsageItem): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tables.usage,
          Item: marshall(item, { removeUndefinedValues: true }),
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
    }
  }

  /**
   * Adds one request to its counters directly (tests and tools; the request path leaves counters to the
   * aggregator). Not idempotent: each call counts once more.
   */
  async addToCounters(row: UsageRow, costUnits: CostUnits | null): Promise<void> {
    await Promise.all(
      counterDeltasOf(this.itemOf(row, costUnits)).map((delta) => {
        const update = counterUpdate(delta);
        return this.client.send(
          new UpdateItemCommand({
            TableName: this.tables.usageDaily,
            Key: marshall(update.key),
            UpdateExpression: update.updateExpression,
            ExpressionAttributeNames: update.names,
            ExpressionAttributeValues: marshall(update.values),
          }),
        );
      }),
    );
  }

  /** The key's spend this UTC calendar month as the aggregated rows say, in USD. */
  async monthSpendUsd(projectId: string, keyId: string, at: Date): Promise<number> {
    const result = await this.client.send(
      new GetItemCommand({
        TableName: this.tables.usageDaily,
        Key: marshall(monthSpendKey(projectId, keyId, monthOf(at))),
        ConsistentRead: true,
      }),
    );
    const units = result.Item ? Number(unmarshall(result.Item).cost_units ?? 0) : 0;
    return unitsToUsd(units);
  }

  /** Counts one request in the key's current minute and returns the count so far (fixed one-minute windows). */
  async countRequestThisMinute(keyId: string, at: Date): Promise<number> {
    const minute = at.toISOString().slice(0, 16);
    const result = await this.client.send(
      new UpdateItemCommand({
        TableName: this.tables.usageDaily,
        Key: marshall({ pk: `rate#${keyId}`, sk: minute }),
        UpdateExpression: 'ADD requests :one SET expires_at = if_not_exists(expires_at, :expires)',
        ExpressionAttributeValues: marshall({ ':one': 1, ':expires': Math.floor(at.getTime() / 1000) + 3600 }),
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes ? unmarshall(result.Attributes).requests : 1);
  }

  /**
   * A project's rows, newest first, of the UTC days `days` spans (both included) when given. The cursor is opaque:
   * the last row's sort key, base64url. One row past the page
   * is read ahead, so `next_cursor` is null exactly when nothing follows (a page that ends the listing never hands
   * out a cursor to an empty page).
   */
  async listRequests(
    projectId: string,
    limit: number,
    cursor?: string,
    days?: { from: string; to: string },
  ): Promise<RequestPage> {
    // A sort key is `<ISO time>#<id>`: `T` starts a day's keys and `~` sorts after any of them.
    const range = days
      ? {
          condition: 'project_id = :p AND sk BETWEEN :from AND :to',
          values: { ':p': projectId, ':from': `${days.from}T`, ':to': `${days.to}T~` },
        }
      : { condition: 'project_id = :p', values: { ':p': projectId } };
    // The page and its look-ahead row, which says whether there is a next page.
    const items = await queryItems(
      this.client,
      {
        TableName: this.tables.usage,
        KeyConditionExpression: range.condition,
        ExpressionAttributeValues: marshall(range.values),
        ScanIndexForward: false,
      },
      { atMost: limit + 1, startAfter: cursor ? decodeCursor(cursor, projectId) : undefined },
    );
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return {
      data: page.map(toUsageRow),
      next_cursor: items.length > limit && last ? encodeCursor(String(last.sk)) : null,
    };
  }

  /**
   * The timings of a project's rows from `fromDay` to `toDay` (UTC, both included), newest first, at most `limit`:
   * one Query on the row's sort key (which starts with its time) projecting only what latency reports read.
   * `complete` is false when rows were left unread past the limit (the oldest ones).
   */
  async timingsBetween(projectId: string, fromDay: string, toDay: string, limit: number): Promise<RowTimings> {
    const items = await queryItems(
      this.client,
      {
        TableName: this.tables.usage,
        KeyConditionExpression: 'project_id = :p AND sk BETWEEN :from AND :to',
        // `status` is a DynamoDB reserved word, and so might any name be: every one goes through a placeholder.
        ProjectionExpression: '#model, #status, #latency, #ttft',
        ExpressionAttributeNames: {
          '#model': 'model',
          '#status': 'status',
          '#latency': 'latency_ms',
          '#ttft': 'ttft_ms',
        },
        // A sort key is `<ISO time>#<id>`: `T` starts a day's keys and `~` sorts after any of them.
        ExpressionAttributeValues: marshall({ ':p': projectId, ':from': `${fromDay}T`, ':to': `${toDay}T~` }),
        ScanIndexForward: false,
      },
      { atMost: limit + 1 },
    );
    const rows = items.slice(0, limit).map(
      (item): RowTiming => ({
        model: str(item.model),
        status: num(item.status),
        latency_ms: num(item.latency_ms),
        ttft_ms: typeof item.ttft_ms === 'number' ? item.ttft_ms : null,
      }),
    );
    return { rows, complete: items.length <= limit };
  }

  /**
   * Every counter item of a project for each day in `days`: one query per day (more only past 1 MB of counters in
   * a day), a few days at a time, in no particular order.
   */
  async dailyCounters(projectId: string, days: readonly string[]): Promise<DailyCounters[]> {
    const out: DailyCounters[] = [];
    let next = 0;
    const worker = async () => {
      while (next < days.length) {
        const day = days[next++]!;
        out.push(...(await this.countersOfDay(projectId, day)));
      }
    };
    await Promise.all(Array.from({ length: Math.min(DAY_QUERY_CONCURRENCY, days.length) }, worker));
    return out;
  }

  private async countersOfDay(projectId: string, day: string): Promise<DailyCounters[]> {
    const items = await queryItems(this.client, {
      TableName: this.tables.usageDaily,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: marshall({ ':pk': `${projectId}#${day}` }),
    });
    return items.map(toCounters);
  }
}

function encodeCursor(sk: string): string {
  return Buffer.from(JSON.stringify({ sk })).toString('base64url');
}

/** A row's sort key as `usageSortKey` makes it: anything else cannot be a cursor this store handed out. */
const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z#[^#\s]+$/;

function decodeCursor(cursor: string, projectId: string): Record<string, AttributeValue> {
  try {
    const { sk } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { sk?: unknown };
    if (typeof sk === 'string' && SORT_KEY.test(sk)) return marshall({ project_id: projectId, sk });
  } catch {
    // Falls through to the error below: a cursor is only ever one we handed out.
  }
  throw new InvalidCursorError();
}

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number(value ?? 0) || 0);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

function toUsageRow(item: Record<string, unknown>): UsageRow {
  return {
    id: String(item.id),
    at: String(item.at),
    project_id: String(item.project_id),
    key_id: String(item.key_id),
    model: str(item.model),
    provider: str(item.provider),
    provider_model: str(item.provider_model),
    status: num(item.status),
    stream: item.stream === true,
    input_tokens: num(item.input_tokens),
    output_tokens: num(item.output_tokens),
    cached_input_tokens: num(item.cached_input_tokens),
    cache_write_tokens: num(item.cache_write_tokens),
    cost_usd: typeof item.cost_units === 'number' ? unitsToUsd(item.cost_units) : null,
    priced: item.priced === true,
    latency_ms: num(item.latency_ms),
    ttft_ms: typeof item.ttft_ms === 'number' ? item.ttft_ms : null,
    finish_reason: str(item.finish_reason),
    error_code: str(item.error_code),
    endpoint: isEndpoint(item.endpoint) ? item.endpoint : 'chat',
    usage_estimated: item.usage_estimated === true,
  };
}

function isEndpoint(value: unknown): value is UsageEndpoint {
  return (USAGE_ENDPOINTS as readonly unknown[]).includes(value);
}

function toCounters(item: Record<string, unknown>): DailyCounters {
  return {
    day: String(item.day),
    model: String(item.model),
    provider: String(item.provider),
    key_id: String(item.key_id),
    requests: num(item.requests),
    input_tokens: num(item.input_tokens),
    output_tokens: num(item.output_tokens),
    cached_input_tokens: num(item.cached_input_tokens),
    cache_write_tokens: num(item.cache_write_tokens),
    cost_units: num(item.cost_units),
    unpriced_requests: num(item.unpriced_requests),
    estimated_requests: num(item.estimated_requests),
    error_requests: num(item.error_requests),
  };
}
