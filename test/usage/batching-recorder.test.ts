/**
 * The local recorder: rows go out in batches, a batch storage refuses goes to the spool file, and once storage
 * answers again the spool is written, each row exactly once, before the recorder writes to storage again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchingRecorder } from '../../lib/usage/batching-recorder.js';
import { CounterWriter } from '../../lib/usage/counter-writer.js';
import type { UsageItem } from '../../lib/usage/counters.js';
import { FileSpool, type SequencedItem } from '../../lib/usage/file-spool.js';
import { UsageStore } from '../../lib/usage/store.js';
import { makeTempDir, silentLog, startTestStorage, type TestStorage } from '../storage/helpers.js';

let storage: TestStorage;
let usage: UsageStore;

beforeAll(async () => {
  storage = await startTestStorage();
  usage = new UsageStore(storage.stores.dynamodb, storage.stores.tables);
});

afterAll(async () => {
  await storage.close();
});

function item(project: string, id: string): UsageItem {
  const at = '2026-12-02T10:00:00.000Z';
  return {
    id,
    at,
    sk: `${at}#${id}`,
    project_id: project,
    key_id: 'key_1',
    model: 'm',
    provider: 'openai',
    provider_model: 'm',
    status: 200,
    stream: false,
    input_tokens: 3,
    output_tokens: 2,
    cached_input_tokens: 0,
    cache_write_tokens: 0,
    cost_usd: null,
    priced: false,
    latency_ms: 1,
    ttft_ms: null,
    finish_reason: 'stop',
    error_code: null,
    endpoint: 'chat',
    usage_estimated: false,
  };
}

/** A writer that refuses while `down` is set, as storage that is unreachable does. */
class FlakyWriter extends CounterWriter {
  down = false;
  calls = 0;
  override async write(records: readonly SequencedItem[]): Promise<void> {
    this.calls++;
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await super.write(records);
  }
}

async function requests(project: string): Promise<number> {
  const counters = await usage.dailyCounters(project, ['2026-12-02']);
  return counters.reduce((sum, c) => sum + c.requests, 0);
}

describe('BatchingRecorder', () => {
  it('writes many rows in a few batches', async () => {
    const writer = new FlakyWriter(storage.stores.dynamodb, storage.stores.tables);
    const recorder = new BatchingRecorder({ writer, spool: new FileSpool(await makeTempDir()), log: silentLog });
    await Promise.all(Array.from({ length: 250 }, (_, i) => recorder.record(item('b1', `r${i}`))));
    expect(writer.calls).toBeLessThanOrEqual(4);
    expect((await usage.listRequests('b1', 1000)).data).toHaveLength(250);
    expect(await requests('b1')).toBe(250);
    await recorder.close();
  });

  it('spools while storage is down and writes every row exactly once when it is back', async () => {
    const dataDir = await makeTempDir();
    const writer = new FlakyWriter(storage.stores.dynamodb, storage.stores.tables);
    const recorder = new BatchingRecorder({ writer, spool: new FileSpool(dataDir), log: silentLog, retryMs: 20 });
    await recorder.record(item('b2', 'before'));
    writer.down = true;
    await Promise.all([recorder.record(item('b2', 'x1')), recorder.record(item('b2', 'x2'))]);
    await recorder.record(item('b2', 'x3'));
    expect(await new FileSpool(dataDir).isEmpty()).toBe(false);
    expect(await requests('b2')).toBe(1);
    writer.down = false;
    for (let i = 0; i < 100 && !(await new FileSpool(dataDir).isEmpty()); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await recorder.record(item('b2', 'after'));
    await recorder.close();
    expect(await requests('b2')).toBe(5);
    expect((await usage.listRequests('b2', 10)).data.map((row) => row.id).sort()).toEqual([
      'after',
      'before',
      'x1',
      'x2',
      'x3',
    ]);
  });

  it('writes what an earlier run spooled when it starts, once even if that run had written part of it', async () => {
    const dataDir = await makeTempDir();
    const records = [item('b3', 'a'), item('b3', 'b')].map((entry, seq) => ({ shard: 'old', seq, item: entry }));
    const writer = new CounterWriter(storage.stores.dynamodb, storage.stores.tables);
    await writer.write(records.slice(0, 1));
    await new FileSpool(dataDir).append(records);
    const recorder = new BatchingRecorder({ writer, spool: new FileSpool(dataDir), log: silentLog });
    await recorder.start();
    expect(await requests('b3')).toBe(2);
    expect(await new FileSpool(dataDir).isEmpty()).toBe(true);
    await recorder.close();
  });

  it('spools instead of queueing without bound when storage is slow', async () => {
    const dataDir = await makeTempDir();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const writer = new FlakyWriter(storage.stores.dynamodb, storage.stores.tables);
    const slow = Object.assign(writer, {
      write: async (records: readonly SequencedItem[]) => {
        await gate;
        await CounterWriter.prototype.write.call(writer, records);
      },
    });
    const recorder = new BatchingRecorder({
      writer: slow,
      spool: new FileSpool(dataDir),
      log: silentLog,
      maxBatch: 10,
      maxQueued: 20,
      retryMs: 10,
    });
    const recorded = Array.from({ length: 60 }, (_, i) => recorder.record(item('b4', `s${i}`)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await new FileSpool(dataDir).isEmpty()).toBe(false);
    release();
    await Promise.all(recorded);
    await recorder.close();
    expect(await requests('b4')).toBe(60);
  });
});
