/**
 * Step 7 of the pipeline: accounting, after the response has ended and before the handler returns, for every
 * outcome of an authenticated request (success, upstream error, validation error, client gone). One usage row and
 * the daily counters; a failed write is retried, then logged loudly — it never fails the caller's response.
 */
import type { Stores } from '../storage/types.js';
import type { UsageRow, UsageStore } from '../usage/store.js';
import { type CostUnits, unitsToUsd, usdToUnits } from '../usage/units.js';
import { log } from './log.js';
import type { RequestOutcome } from './outcome.js';
import { costOf } from './price.js';

const ATTEMPTS = 3;

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

async function withRetries(what: string, outcome: RequestOutcome, write: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      if (attempt >= ATTEMPTS) {
        log.error(`ACCOUNTING LOST: could not write ${what}`, {
          requestId: outcome.requestId,
          projectId: outcome.projectId,
          keyId: outcome.keyId,
          error,
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

export async function account(outcome: RequestOutcome, stores: Stores, usage: UsageStore): Promise<void> {
  if (!outcome.projectId || !outcome.keyId) return;
  const costUnits = outcomeCostUnits(outcome);
  const row = usageRow(outcome, costUnits);
  await Promise.all([
    withRetries('the usage row', outcome, () => usage.putRow(row, costUnits)),
    withRetries('the usage counters', outcome, () => usage.addToCounters(row, costUnits)),
    outcome.key
      ? stores.keys.touch(outcome.key, outcome.at).catch((error: unknown) => {
          log.warn('could not record the key use', { requestId: outcome.requestId, keyId: outcome.keyId, error });
        })
      : undefined,
  ]);
}
