import { describe, expect, it } from 'vitest';
import { mapInBatches } from '../../../lib/providers/shared/batches.js';

describe('mapInBatches', () => {
  it('cuts at the batch size and puts results back in input order, whatever order calls finish in', async () => {
    const items = Array.from({ length: 10 }, (_, i) => i);
    const seen: number[][] = [];
    const out = await mapInBatches(items, 3, 4, async (batch, offset) => {
      seen.push(batch);
      // Later batches finish first.
      await new Promise((resolve) => setTimeout(resolve, (10 - offset) * 2));
      return batch.map((item) => item * 10);
    });
    expect(out).toEqual(items.map((item) => item * 10));
    expect(seen.map((batch) => batch.length).sort()).toEqual([1, 3, 3, 3]);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await mapInBatches(
      Array.from({ length: 20 }, (_, i) => i),
      1,
      3,
      async (batch) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        return batch;
      },
    );
    expect(most).toBe(3);
  });

  it('stops starting calls after a failure and throws it', async () => {
    const started: number[] = [];
    const failing = mapInBatches([0, 1, 2, 3, 4, 5], 1, 1, async (batch, offset) => {
      started.push(offset);
      if (offset === 1) throw new Error('upstream 429');
      return batch;
    });
    await expect(failing).rejects.toThrow('upstream 429');
    expect(started).toEqual([0, 1]);
  });
});
