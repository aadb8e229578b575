/**
 * The local server's recorder (DESIGN.md §4): rows wait at most `flushMs` (or until `maxBatch` are in) and go out
 * together — rows with BatchWriteItem, counters merged per item (./counter-writer.ts) — one batch at a time, so the
 * request path does no storage write at all. A row's `record` resolves once its batch is written or spooled, which
 * is what lets a read that follows an answer see its row (lib/usage/settled.ts waits for it).
 *
 * Failure: a batch that cannot be written goes to the file spool, and from then on batches go straight to the spool
 * in a new writer sequence, until a drain of the spool succeeds; then another new sequence starts. Each sequence is
 * thus written to storage in order, either live or from the spool, never both past a gap — which is what the
 * counters' watermarks need (./counter-writer.ts). Memory is bounded: past `maxQueued` rows waiting behind a slow
 * batch, they are spooled at once.
 */
import { randomBytes } from 'node:crypto';
import type { CounterWriter } from './counter-writer.js';
import type { UsageItem } from './counters.js';
import type { RecorderLog } from './direct-recorder.js';
import type { FileSpool, SequencedItem } from './file-spool.js';
import type { UsageRecorder } from './recorder.js';

export interface BatchingRecorderOptions {
  writer: CounterWriter;
  spool: FileSpool;
  log: RecorderLog;
  flushMs?: number;
  maxBatch?: number;
  maxQueued?: number;
  /** How often a spool that holds rows is tried again. */
  retryMs?: number;
}

interface Waiting {
  item: UsageItem;
  done: () => void;
}

const newShard = () => `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;

export class BatchingRecorder implements UsageRecorder {
  private readonly writer: CounterWriter;
  private readonly spool: FileSpool;
  private readonly log: RecorderLog;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxQueued: number;
  private readonly retryMs: number;
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private shard = newShard();
  private nextSeq = 0;
  /** Set while the spool holds rows of the current sequence: batches then go to the spool, in order. */
  private spooling = false;
  private closed = false;

  constructor(options: BatchingRecorderOptions) {
    this.writer = options.writer;
    this.spool = options.spool;
    this.log = options.log;
    this.flushMs = options.flushMs ?? 20;
    this.maxBatch = options.maxBatch ?? 100;
    this.maxQueued = options.maxQueued ?? 10_000;
    this.retryMs = options.retryMs ?? 1_000;
  }

  /** Writes what an earlier run spooled (start-up); rows are idempotent, so a partial earlier drain is harmless. */
  async start(): Promise<void> {
    if (await this.spool.isEmpty()) return;
    try {
      await this.drainSpool();
    } catch (error) {
      // Storage is not there yet: keep spooling, and keep trying.
      this.enterSpooling();
      throw error;
    }
  }

  record(item: UsageItem): Promise<void> {
    return new Promise<void>((done) => {
      this.queue.push({ item, done });
      if (this.queue.length > this.maxQueued && this.flushing) this.spill();
      else if (this.queue.length >= this.maxBatch || this.closed) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.flushMs);
    });
  }

  /**
   * Storage is too slow to keep up: what waits goes to the spool now, in a sequence of its own, so memory stays
   * bounded whatever the batch in flight turns out to do.
   */
  private spill(): void {
    const waiting = this.queue.splice(0);
    this.enterSpooling();
    const records = waiting.map(({ item }) => ({ shard: this.shard, seq: this.nextSeq++, item }));
    void this.appendToSpool(records).finally(() => {
      for (const entry of waiting) entry.done();
    });
  }

  /**
   * From here on, batches go to the spool in a new sequence: nothing in it will be written to storage past a gap,
   * and the sequence a failed batch belonged to receives no further live writes.
   */
  private enterSpooling(): void {
    if (this.spooling) return;
    this.spooling = true;
    this.shard = newShard();
    this.nextSeq = 0;
    this.scheduleRetry();
  }

  /** Resolves once every row recorded so far is written or spooled. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      this.kick();
      await this.flushing;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.flush();
    if (this.spooling) await this.drainSpool();
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flushAll().finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async flushAll(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const records = batch.map(({ item }) => ({ shard: this.shard, seq: this.nextSeq++, item }));
      await this.writeOrSpool(records);
      for (const waiting of batch) waiting.done();
    }
  }

  private async writeOrSpool(records: SequencedItem[]): Promise<void> {
    if (this.spooling) return this.appendToSpool(records);
    try {
      await this.writer.write(records);
      return;
    } catch (error) {
      this.log.warn('storage unreachable: usage rows go to the spool until it answers', {
        rows: records.length,
        error,
      });
    }
    this.enterSpooling();
    await this.appendToSpool(records);
  }

  private async appendToSpool(records: SequencedItem[]): Promise<void> {
    try {
      await this.spool.append(records);
    } catch (error) {
      this.log.error('ACCOUNTING LOST: could neither write nor spool usage rows', {
        requestIds: records.map((record) => record.item.id),
        error,
      });
    }
  }

  private scheduleRetry(): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => {
      void this.drainSpool().then(
        () => undefined,
        () => this.scheduleRetry(),
      );
    }, this.retryMs);
    this.retryTimer.unref();
  }

  /**
   * Writes the spool, oldest first, while no batch is being flushed; once it is empty, a new writer sequence begins
   * (the old one ended at the spool's last row) and batches go to storage again.
   */
  private async drainSpool(): Promise<void> {
    while (this.flushing) await this.flushing;
    const drained = (async () => {
      const written = await this.spool.drain((records) => this.writer.write(records));
      if (!(await this.spool.isEmpty())) throw new Error('spool not empty yet');
      this.spooling = false;
      this.shard = newShard();
      this.nextSeq = 0;
      if (written > 0) this.log.warn('storage answers again: spooled usage rows written', { rows: written });
    })();
    this.flushing = drained.catch(() => {});
    try {
      await drained;
    } finally {
      this.flushing = undefined;
      if (this.queue.length > 0) this.kick();
    }
  }
}
