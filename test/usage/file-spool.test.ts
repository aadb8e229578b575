import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { UsageItem } from '../../lib/usage/counters.js';
import { FileSpool, type SequencedItem } from '../../lib/usage/file-spool.js';
import { makeTempDir } from '../storage/helpers.js';

const record = (seq: number): SequencedItem => ({ shard: 's', seq, item: { id: `r${seq}` } as UsageItem });

describe('FileSpool', () => {
  it('hands records back in the order they were spooled and then forgets them', async () => {
    const spool = new FileSpool(await makeTempDir());
    await spool.append([record(0), record(1)]);
    await spool.append([record(2)]);
    const seen: number[] = [];
    expect(await spool.drain(async (records) => void seen.push(...records.map((r) => r.seq)), 2)).toBe(3);
    expect(seen).toEqual([0, 1, 2]);
    expect(await spool.isEmpty()).toBe(true);
  });

  it('keeps a file whose records could not all be written, and rows spooled meanwhile after it', async () => {
    const spool = new FileSpool(await makeTempDir());
    await spool.append([record(0), record(1)]);
    await expect(
      spool.drain(async () => {
        throw new Error('storage down');
      }),
    ).rejects.toThrow('storage down');
    await spool.append([record(2)]);
    const seen: number[] = [];
    await spool.drain(async (records) => void seen.push(...records.map((r) => r.seq)));
    expect(seen).toEqual([0, 1, 2]);
  });

  it('skips a line torn by a crash in the middle of an append', async () => {
    const dir = await makeTempDir();
    const spool = new FileSpool(dir);
    await spool.append([record(0)]);
    await appendFile(join(dir, 'spool', 'active.jsonl'), '{"shard":"s","seq":1,"ite');
    const seen: number[] = [];
    await spool.drain(async (records) => void seen.push(...records.map((r) => r.seq)));
    expect(seen).toEqual([0]);
    expect(await readdir(join(dir, 'spool'))).toEqual([]);
  });
});
