/**
 * The local server's durable spool (CONTRACT.md §4): usage rows that storage could not take, appended as JSON lines
 * to `<data dir>/spool/active.jsonl` and synced to disk before the request is considered accounted. A drain renames
 * the active file aside (new rows keep arriving in a fresh one), hands each file's records, oldest first, to a
 * writer in order, and deletes a file only once all of it was written. A crash mid-drain leaves the file for the
 * next drain: the writer is idempotent (rows are put by key, counters carry watermarks), so a record written twice
 * still counts once.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { UsageItem } from './counters.js';

/** A row with its place in its writer's sequence (./counter-writer.ts): what makes a replay count it once. */
export interface SequencedItem {
  shard: string;
  seq: number;
  item: UsageItem;
}

const ACTIVE = 'active.jsonl';
const PENDING = /^pending-\d{15}-\d{6}\.jsonl$/;

export class FileSpool {
  private readonly dir: string;
  /** Every file operation runs in this chain: appends and renames never interleave. */
  private chain: Promise<unknown> = Promise.resolve();
  private renamed = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'spool');
  }

  /** Appends records and syncs them to disk. */
  append(records: readonly SequencedItem[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
    return this.serial(async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const file = await open(join(this.dir, ACTIVE), 'a', 0o600);
      try {
        await file.writeFile(text);
        await file.datasync();
      } finally {
        await file.close();
      }
    });
  }

  /** True when nothing waits to be written. */
  async isEmpty(): Promise<boolean> {
    return (await this.files()).length === 0;
  }

  /**
   * Hands every spooled record, oldest file first and in file order, to `write` (in chunks of `chunkSize`);
   * deletes each file once all its records were written. Stops at the first failure (the file stays) and rethrows.
   * Answers how many records were written.
   */
  async drain(write: (records: SequencedItem[]) => Promise<void>, chunkSize = 100): Promise<number> {
    await this.serial(() => this.setActiveAside());
    let written = 0;
    for (const name of (await this.files()).filter((file) => PENDING.test(file))) {
      const path = join(this.dir, name);
      const records = parseLines(await readFile(path, 'utf8'));
      for (let start = 0; start < records.length; start += chunkSize) {
        await write(records.slice(start, start + chunkSize));
      }
      written += records.length;
      await rm(path, { force: true });
    }
    return written;
  }

  private async setActiveAside(): Promise<void> {
    const active = join(this.dir, ACTIVE);
    const size = await stat(active).then(
      (info) => info.size,
      () => 0,
    );
    if (size === 0) return;
    const stamp = String(Date.now()).padStart(15, '0');
    const counter = String(this.renamed++ % 1_000_000).padStart(6, '0');
    await rename(active, join(this.dir, `pending-${stamp}-${counter}.jsonl`));
  }

  private async files(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names.filter((name) => name === ACTIVE || PENDING.test(name)).sort();
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => {});
    return next;
  }
}

/** The records of a spool file; a line torn by a crash mid-append (the last one) is skipped. */
function parseLines(text: string): SequencedItem[] {
  const records: SequencedItem[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const record = JSON.parse(line) as SequencedItem;
      if (typeof record.shard === 'string' && typeof record.seq === 'number' && record.item) records.push(record);
    } catch {
      // A torn line was never acknowledged to anyone: its append had not synced.
    }
  }
  return records;
}
