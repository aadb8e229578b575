/**
 * A budgeted request's reservation (CONTRACT.md §4, "Budgets are hard limits"): before each provider is tried, the
 * worst-case cost of calling it — the input as estimated plus the output ceiling, at that model's price — is held
 * in the key's month ledger (lib/usage/budget.ts); when the request ends the reservation becomes the actual cost.
 * Keys without `budget_usd` never get here: no extra round trip for them.
 */
import type { CatalogEntry, PricePeriod } from '../catalog.js';
import { GatewayError } from '../core/errors.js';
import type { ChatRequest } from '../core/types.js';
import { cost } from '../pricing/index.js';
import type { KeyRecord } from '../storage/types.js';
import { BudgetExceeded, type BudgetLedger, type BudgetScope } from '../usage/budget.js';
import { monthOf } from '../usage/store.js';
import { type CostUnits, unitsToUsd, usdToUnits } from '../usage/units.js';
import { log } from './log.js';

/** The output ceiling when neither the request nor the catalog gives one (CONTRACT.md §4). */
export const DEFAULT_OUTPUT_CEILING = 4096;

export function outputCeiling(request: ChatRequest, entry: CatalogEntry | undefined): number {
  return (
    positiveOrUndefined(request.max_completion_tokens) ??
    positiveOrUndefined(request.max_tokens) ??
    positiveOrUndefined(entry?.limits?.max_output_tokens) ??
    DEFAULT_OUTPUT_CEILING
  );
}

function positiveOrUndefined(value: number | null | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The most a call can cost: every input token uncached, and the whole output ceiling. */
export function worstCaseUnits(inputTokens: number, outputTokens: number, price: PricePeriod): CostUnits {
  return usdToUnits(cost({ inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 }, price) ?? 0);
}

export function modelNotPriced(model: string, param: string): GatewayError {
  return new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'model_not_priced',
    param,
    message: `This key has a budget, and the model '${model}' has no known price, so its cost cannot be held to the budget. Use a priced model or a key without a budget.`,
  });
}

export function budgetExceeded(budgetUsd: number, remainingUnits: CostUnits, neededUnits: CostUnits): GatewayError {
  const remaining = unitsToUsd(remainingUnits);
  const needed = unitsToUsd(neededUnits);
  return new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'budget_exceeded',
    message:
      remainingUnits <= 0
        ? `This key has spent its budget of ${budgetUsd} USD for this month.`
        : `This key has ${remaining} USD left of its ${budgetUsd} USD budget for this month (spent and in flight), and this request may cost up to ${needed} USD. A lower max_tokens (or max_completion_tokens) may fit.`,
  });
}

export function storageUnavailable(cause: unknown): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'storage_unavailable',
    message: "This key's budget cannot be checked right now (storage is unreachable). Try again shortly.",
    retryAfterMs: 5_000,
    cause,
  });
}

/** One request's hold on its key's budget, moved from model to model as fallbacks are tried. */
export class RequestBudget {
  private heldUnits: CostUnits = 0;
  readonly scope: BudgetScope;
  private readonly budgetUnits: CostUnits;

  constructor(
    private readonly ledger: BudgetLedger,
    private readonly key: KeyRecord & { budget_usd: number },
    at: Date,
  ) {
    this.scope = { projectId: key.project_id, keyId: key.id, month: monthOf(at) };
    this.budgetUnits = usdToUnits(key.budget_usd);
  }

  get reservedUnits(): CostUnits {
    return this.heldUnits;
  }

  /** Holds `units` for the model about to be tried (replacing the previous model's hold). */
  async hold(units: CostUnits): Promise<void> {
    const delta = units - this.heldUnits;
    try {
      await this.ledger.reserve(this.scope, delta, this.budgetUnits);
    } catch (error) {
      if (error instanceof BudgetExceeded) throw budgetExceeded(this.key.budget_usd, error.remainingUnits, units);
      throw storageUnavailable(error);
    }
    this.heldUnits = units;
  }

  /**
   * Turns the hold into the actual cost. False when storage did not answer: the caller then leaves the release to
   * whoever derives counters from the usage row (it carries `budget_reserved_units`).
   */
  async settle(actualUnits: CostUnits): Promise<boolean> {
    if (this.heldUnits === 0 && actualUnits === 0) return true;
    try {
      await this.ledger.settle(this.scope, this.heldUnits, actualUnits);
      return true;
    } catch (error) {
      log.warn('could not settle a budget reservation now; the usage row carries it', {
        keyId: this.scope.keyId,
        error,
      });
      return false;
    }
  }
}
