/**
 * Step 7 of the pipeline: accounting, after the response has ended and before the handler returns, for every
 * outcome of an authenticated request (success, upstream error, validation error, client gone). One usage row goes
 * to the recorder (one write, or a place in a batch); the counters are derived from rows elsewhere
 * (lib/usage/counters.ts). A budget reservation is settled here; `last_used_at` is written at most once a minute.
 */
import type { Stores } from '../storage/types.js';
import type { UsageItem } from '../usage/counters.js';
import type { Metering } from '../usage/recorder.js';
import type { UsageRow } from '../usage/store.js';
import { type CostUnits, unitsToUsd, usdToUnits } from '../usage/units.js';
import { log } from './log.js';
import type { RequestOutcome } from './outcome.js';
import { costOf } from './price.js';

/** The outcome's cost in USD, rounded to the 1e-10 USD the tables keep; null when the model has no price. */
export function outcomeCostUnits(outcome: RequestOutcome): CostUnits | null {
  const usd = costOf(outcome.usage, outcome.price);
  return usd === null ? null : usdToUnits(usd);
}

/** `x-gateway-cost-usd`: a plain decimal (no exponent), absent when the model has no price. */
export function costHeader(outcome: RequestOutcome): string | undefined {
  const units = outcomeCostUnits(outcome);
  if (units === null) return undefined;
  return unitsToUsd(units).toFixed(10).replace(/0+$/, '').replace(/\.$/, '');
}

export function usageRow(outcome: RequestOutcome, costUnits: CostUnits | null): UsageRow {
  const usage = outcome.usage;
  return {
    id: outcome.requestId,
    at: outcome.at.toISOString(),
    project_id: outcome.projectId ?? '',
    key_id: outcome.keyId ?? '',
    model: outcome.model ?? null,
    provider: outcome.provider ?? null,
    provider_model: outcome.providerModel ?? null,
    status: outcome.status,
    stream: outcome.stream,
    input_tokens: usage?.inputTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    cached_input_tokens: usage?.cacheReadTokens ?? 0,
    cache_write_tokens: usage?.cacheWriteTokens ?? 0,
    cost_usd: costUnits === null ? null : unitsToUsd(costUnits),
    priced: costUnits !== null,
    latency_ms: outcome.latencyMs,
    ttft_ms: outcome.ttftMs ?? null,
    finish_reason: outcome.finishReason ?? null,
    error_code: outcome.errorCode ?? null,
    endpoint: outcome.endpoint ?? 'chat',
    usage_estimated: outcome.usageEstimated === true,
  };
}

/**
 * The request's one line at info, for a person reading the logs: who, what, how it ended, what it cost and
 * how long it took. Never content, never the key itself: its id and the 8-character prefix the admin API shows.
 */
export function logRequest(row: UsageRow, keyPrefix: string | undefined): void {
  log.info('request', {
    requestId: row.id,
    projectId: row.project_id,
    keyId: row.key_id,
    keyPrefix,
    endpoint: row.endpoint,
    model: row.model,
    provider: row.provider,
    providerModel: row.provider_model,
    stream: row.stream,
    status: row.status,
    errorCode: row.error_code,
    finishReason: row.finish_reason,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cachedInputTokens: row.cached_input_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    costUsd: row.cost_usd,
    usageEstimated: row.usage_estimated,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
  });
}

export async function account(
  outcome: RequestOutcome,
  stores: Stores,
  metering: Pick<Metering, 'usage' | 'recorder'>,
): Promise<void> {
  if (!outcome.projectId || !outcome.keyId) return;
  const costUnits = outcomeCostUnits(outcome);
  const row = usageRow(outcome, costUnits);
  logRequest(row, outcome.key?.prefix);
  const item: UsageItem = metering.usage.itemOf(row, costUnits);
  const budget = outcome.budget;
  if (budget && !(await budget.settle(costUnits ?? 0))) item.budget_reserved_units = budget.reservedUnits;
  await Promise.all([
    metering.recorder.record(item),
    outcome.key
      ? stores.keys.touch(outcome.key, outcome.at).catch((error: unknown) => {
          log.warn('could not record the key use', { requestId: outcome.requestId, keyId: outcome.keyId, error });
        })
      : undefined,
  ]);
}
