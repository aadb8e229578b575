/**
 * functions/shared/traced-handler.ts with tracing on, as in Lambda: Powertools' middy middleware opens the handler
 * subsegment under the invocation's segment. Real X-Ray segments, no daemon (as in test/tracing).
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import xray from 'aws-xray-sdk-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracedHandler } from '../../../functions/shared/traced-handler.js';

type Sub = InstanceType<typeof xray.Subsegment> & {
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  fault?: boolean;
  error?: boolean;
};

const context = { functionName: 'admin', awsRequestId: 'req-1' } as Context;
const saved = { env: process.env.AWS_EXECUTION_ENV, handler: process.env._HANDLER };
let tracer: Tracer;

beforeAll(() => {
  // Powertools traces only inside Lambda, which it recognises by AWS_EXECUTION_ENV; _HANDLER names the subsegment.
  process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
  process.env._HANDLER = 'index.handler';
  tracer = new Tracer({ serviceName: 'gateway-admin-test', captureHTTPsRequests: false });
});

afterAll(() => {
  for (const [name, value] of [
    ['AWS_EXECUTION_ENV', saved.env],
    ['_HANDLER', saved.handler],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Runs `act` with a fresh segment as X-Ray's current one (its real context, as in Lambda); returns its subsegments. */
async function underSegment(act: () => Promise<unknown>): Promise<Sub[]> {
  const segment = new xray.Segment('admin-invocation');
  await tracer.provider.getNamespace().runPromise(async () => {
    tracer.setSegment(segment);
    await act();
  });
  return (segment.subsegments ?? []) as Sub[];
}

describe('tracedHandler', () => {
  it('answers through middy inside a closed ## index.handler subsegment, without the answer when told so', async () => {
    const handler = tracedHandler(
      async (event: { n: number }) => ({ doubled: event.n * 2, key: 'gw-secret' }),
      {
        captureResponse: false,
      },
      tracer,
    );
    let answer: unknown;
    const [sub, ...others] = await underSegment(async () => {
      answer = await handler({ n: 21 }, context);
    });
    expect(answer).toEqual({ doubled: 42, key: 'gw-secret' });
    expect(others).toEqual([]);
    expect(sub!.name).toBe('## index.handler');
    expect(sub!.isClosed()).toBe(true);
    expect(sub!.annotations).toMatchObject({ ColdStart: expect.any(Boolean), Service: 'gateway-admin-test' });
    expect(JSON.stringify(sub!.metadata ?? {})).not.toContain('gw-secret');
  });

  it('keeps the answer as metadata where asked, and records a thrown error before passing it on', async () => {
    const answering = tracedHandler(async () => ({ batchItemFailures: [] }), { captureResponse: true }, tracer);
    const [answered] = await underSegment(() => answering({}, context));
    expect(answered!.metadata?.['gateway-admin-test']).toEqual({ 'index.handler response': { batchItemFailures: [] } });

    const failing = tracedHandler(
      async () => {
        throw new Error('storage down');
      },
      { captureResponse: true },
      tracer,
    );
    let thrown: unknown;
    const [failed] = await underSegment(() => failing({}, context).catch((error: unknown) => (thrown = error)));
    expect(thrown).toMatchObject({ message: 'storage down' });
    expect(failed!.isClosed()).toBe(true);
    expect(failed!.fault || failed!.error).toBe(true);
  });

  it('is middy alone where this process does not trace', async () => {
    const handler = tracedHandler(async (event: { n: number }) => event.n + 1, { captureResponse: true }, undefined);
    expect(await handler({ n: 1 }, context)).toBe(2);
  });
});
