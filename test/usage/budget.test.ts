/**
 * The budget ledger against dynalite: reservations are conditional, so parallel requests cannot commit more than the
 * budget; settlement turns a reservation into the actual cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetExceeded, BudgetLedger } from '../../lib/usage/budget.js';
import { usdToUnits } from '../../lib/usage/units.js';
import { startTestStorage, type TestStorage } from '../storage/helpers.js';

let storage: TestStorage;
let ledger: BudgetLedger;

beforeAll(async () => {
  storage = await startTestStorage();
  ledger = new BudgetLedger(storage.stores.dynamodb, storage.stores.tables.usageDaily);
});

afterAll(async () => {
  await storage.close();
});

const scope = (keyId: string) => ({ projectId: 'p', keyId, month: '2026-12' });

describe('BudgetLedger', () => {
  it('lets parallel reservations commit at most the budget', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => ledger.reserve(scope('k1'), 30, 100)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(BudgetExceeded);
    expect((refused.reason as BudgetExceeded).remainingUnits).toBe(10);
    expect(await ledger.committed(scope('k1'))).toBe(90);
  });

  it('settles a reservation to the actual cost, which frees the rest', async () => {
    await ledger.reserve(scope('k2'), 80, 100);
    await expect(ledger.reserve(scope('k2'), 30, 100)).rejects.toBeInstanceOf(BudgetExceeded);
    await ledger.settle(scope('k2'), 80, 15);
    expect(await ledger.committed(scope('k2'))).toBe(15);
    await ledger.reserve(scope('k2'), 30, 100);
    expect(await ledger.committed(scope('k2'))).toBe(45);
  });

  it('refuses a reservation larger than the whole budget, and says what is left', async () => {
    await ledger.reserve(scope('k3'), 40, 100);
    await expect(ledger.reserve(scope('k3'), 150, 100)).rejects.toMatchObject({ remainingUnits: 60 });
  });

  it('always applies a smaller hold (a cheaper fallback), even over the budget', async () => {
    await ledger.reserve(scope('k4'), 100, 100);
    await ledger.reserve(scope('k4'), -60, 100);
    expect(await ledger.committed(scope('k4'))).toBe(40);
  });

  it("holds budgets of more than 2^53 units (about 900,000 USD), up to the admin API's ceiling", async () => {
    const billion = usdToUnits(1_000_000_000);
    await ledger.reserve(scope('k5'), usdToUnits(0.25), billion);
    await ledger.settle(scope('k5'), usdToUnits(0.25), usdToUnits(0.1));
    expect(await ledger.committed(scope('k5'))).toBe(usdToUnits(0.1));
    await expect(ledger.reserve(scope('k5'), billion, billion)).rejects.toBeInstanceOf(BudgetExceeded);
  });
});
