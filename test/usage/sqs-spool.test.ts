import { SendMessageBatchCommand, type SendMessageBatchCommandInput, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { UsageItem } from '../../lib/usage/counters.js';
import {
  decodeSpooledRow,
  encodeSpooledRow,
  MAX_MESSAGE_BYTES,
  SqsRowSpool,
  sqsRowSpoolFromEnv,
} from '../../lib/usage/sqs-spool.js';
import { usageItem } from '../helpers/usage-rows.js';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/llm-gateway-UsageSpool';

const sqs = mockClient(SQSClient);
const spool = () => new SqsRowSpool(new SQSClient({}), QUEUE_URL, { retryDelayMs: 0 });

afterEach(() => {
  sqs.reset();
});

function row(n: number, overrides: Partial<UsageItem> = {}): UsageItem {
  return usageItem({
    id: `req_${n}`,
    stream: true,
    cost_usd: 0.0000045,
    cost_units: 45_000,
    priced: true,
    ttft_ms: 4,
    ...overrides,
  });
}

const sent = (): SendMessageBatchCommandInput[] =>
  sqs.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input);

describe('SqsRowSpool', () => {
  it('sends each row as one message, at most ten to a SendMessageBatch', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const rows = Array.from({ length: 23 }, (_, i) => row(i));

    await spool().add(rows);

    const calls = sent();
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.QueueUrl === QUEUE_URL)).toBe(true);
    for (const call of calls) expect(new Set(call.Entries!.map((e) => e.Id)).size).toBe(call.Entries!.length);
    expect(calls.flatMap((c) => c.Entries!.map((e) => decodeSpooledRow(e.MessageBody!)))).toEqual(rows);
  });

  it('keeps a batch within 256 KiB', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });
    const big = 'x'.repeat(100 * 1024);
    const rows = Array.from({ length: 4 }, (_, i) => row(i, { finish_reason: big }));

    await spool().add(rows);

    expect(sent().map((c) => c.Entries!.length)).toEqual([2, 2]);
    for (const call of sent()) {
      const bytes = call.Entries!.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody!), 0);
      expect(bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
  });

  it('sends again only the entries SQS reports failed', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }] })
      .resolves({ Failed: [] });

    await spool().add([row(0), row(1), row(2)]);

    const [first, again] = sent();
    expect(first!.Entries).toHaveLength(3);
    expect(again!.Entries!.map((e) => decodeSpooledRow(e.MessageBody!).id)).toEqual(['req_1']);
  });

  it('throws when SQS still refuses a row after the last attempt', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', SenderFault: false, Code: 'InternalError' }] });

    await expect(spool().add([row(0)])).rejects.toThrow(
      /refused 1 of 1 usage rows after 3 attempt\(s\): InternalError/,
    );
    expect(sent()).toHaveLength(3);
  });

  it('throws at once on a sender fault, which no resend would mend', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents' }] });

    await expect(spool().add([row(0)])).rejects.toThrow(/InvalidMessageContents/);
    expect(sent()).toHaveLength(1);
  });

  it('refuses a row over the message limit without sending anything', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [] });

    await expect(spool().add([row(0), row(1, { finish_reason: 'x'.repeat(MAX_MESSAGE_BYTES) })])).rejects.toThrow(
      /req_1 is \d+ bytes/,
    );
    expect(sent()).toEqual([]);
  });

  it('lets an SQS error through (the SDK has already retried it)', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('throttled'), { name: 'RequestThrottled' }));

    await expect(spool().add([row(0)])).rejects.toThrow('throttled');
  });
});

// The suite shares one module graph per worker (vitest.config.ts): give the real client back to the next file.
afterAll(() => {
  sqs.restore();
});

describe('spooled messages', () => {
  it('escape the two characters SQS refuses in a body and read back as the same row', () => {
    const item = row(0, { error_code: 'odd\uFFFE\uFFFFcode' });
    const body = encodeSpooledRow(item);
    expect(body).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(decodeSpooledRow(body)).toEqual(item);
  });

  it('refuse a body that is not a usage row', () => {
    expect(() => decodeSpooledRow('{')).toThrow(SyntaxError);
    expect(() => decodeSpooledRow(JSON.stringify({ ...row(0), project_id: 7 }))).toThrow('project_id is not a string');
  });
});

describe('sqsRowSpoolFromEnv', () => {
  it('builds the spool once when USAGE_SPOOL_QUEUE_URL is set, and none without it', () => {
    expect(sqsRowSpoolFromEnv({})).toBeUndefined();
    const first = sqsRowSpoolFromEnv({ USAGE_SPOOL_QUEUE_URL: QUEUE_URL });
    expect(first).toBeInstanceOf(SqsRowSpool);
    expect(sqsRowSpoolFromEnv({ USAGE_SPOOL_QUEUE_URL: QUEUE_URL })).toBe(first);
  });
});
