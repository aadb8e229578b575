import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
// The X-Ray SDK Powertools itself uses (a dependency of @aws-lambda-powertools/tracer): real segments, no daemon.
import xray from 'aws-xray-sdk-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatChunk } from '../../lib/core/types.js';
import {
  captureAWSv3Client,
  tracer as processTracer,
  startProviderSpan,
  traceProviderCall,
  traceProviderStream,
} from '../../lib/tracing/index.js';

type Sub = InstanceType<typeof xray.Subsegment> & {
  annotations?: Record<string, unknown>;
  metadata?: Record<string, Record<string, unknown>>;
  in_progress?: boolean;
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
};

const info = { provider: 'openai', model: 'gpt-4o-mini', projectId: 'proj_123' };
const usage = { inputTokens: 12, outputTokens: 5, cacheReadTokens: 4, cacheWriteTokens: 0 };
const secretMessage = 'Incorrect API key provided: sk-live-SECRET123.';

/** A GatewayError-shaped failure, as lib/gateway throws them. */
function upstreamError(status: number, type: string, code: string): Error {
  return Object.assign(new Error(secretMessage), { name: 'GatewayError', status, type, code });
}

function chunk(content: string | undefined, withUsage = false): ChatChunk {
  return {
    choices: content === undefined ? [] : [{ index: 0, delta: { content }, finish_reason: null }],
    ...(withUsage ? { usage } : {}),
  };
}

// Powertools traces only inside Lambda, which it recognises by AWS_EXECUTION_ENV.
const savedEnv = process.env.AWS_EXECUTION_ENV;
let tracer: Tracer;
let segment: InstanceType<typeof xray.Segment>;

beforeAll(() => {
  process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs22.x';
  tracer = new Tracer({ serviceName: 'gateway-test', captureHTTPsRequests: false });
});

afterAll(() => {
  if (savedEnv === undefined) delete process.env.AWS_EXECUTION_ENV;
  else process.env.AWS_EXECUTION_ENV = savedEnv;
});

/** Runs `act` with a fresh segment as X-Ray's current one (its real context, as in Lambda); returns its subsegments. */
async function underSegment(act: () => Promise<void>): Promise<Sub[]> {
  segment = new xray.Segment('chat-test');
  await tracer.provider.getNamespace().runPromise(async () => {
    tracer.setSegment(segment);
    await act();
  });
  return (segment.subsegments ?? []) as Sub[];
}

describe('outside Lambda', () => {
  it('is off without even loading the tracer, and a span is a no-op', () => {
    expect(processTracer).toBeUndefined();
    const span = startProviderSpan(info);
    expect(span.recording).toBe(false);
    expect(() => span.end({ status: 200, usage })).not.toThrow();
  });

  it('leaves AWS SDK clients untouched', () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const before = client.middlewareStack.identify();
    expect(captureAWSv3Client(client)).toBe(client);
    expect(client.middlewareStack.identify()).toEqual(before);
  });
});

describe('startProviderSpan', () => {
  it('opens provider:<name> under the current segment, annotated, and keeps it open until end', async () => {
    let open: Sub | undefined;
    const [sub] = await underSegment(async () => {
      const span = startProviderSpan(info, { tracer });
      expect(span.recording).toBe(true);
      open = segment.subsegments?.[0] as Sub;
      expect(open.in_progress).toBe(true);
      span.end({ status: 200, usage, costUsd: 0.000042, ttftMs: 87 });
    });
    expect(sub).toBe(open);
    expect(sub!.name).toBe('provider:openai');
    expect(sub!.annotations).toEqual({ provider: 'openai', model: 'gpt-4o-mini', project_id: 'proj_123', status: 200 });
    expect(sub!.metadata).toEqual({
      gateway: { tokens: { input: 12, output: 5, cache_read: 4, cache_write: 0 }, cost_usd: 0.000042, ttft_ms: 87 },
    });
    expect(sub!.in_progress).toBeUndefined();
    expect(sub!.isClosed()).toBe(true);
    expect(sub!.error ?? sub!.fault ?? false).toBe(false);
  });

  it('counts only the first end', async () => {
    const [sub] = await underSegment(async () => {
      const span = startProviderSpan(info, { tracer });
      span.end({ status: 200 });
      span.end({ status: 502, error: upstreamError(502, 'upstream_error', 'bad_gateway') });
    });
    expect(sub!.annotations?.status).toBe(200);
    expect(sub!.fault).toBeUndefined();
  });

  it('keeps names X-Ray accepts for any custom provider name', async () => {
    const [sub] = await underSegment(async () =>
      startProviderSpan({ ...info, provider: 'my acme!*' }, { tracer }).end({ status: 200 }),
    );
    expect(sub!.name).toBe('provider:my acme__');
  });
});

describe('traceProviderCall', () => {
  it('closes the span on error with the status and the error kind, never its message', async () => {
    const error = upstreamError(429, 'rate_limit_error', 'rate_limit_exceeded');
    const [sub] = await underSegment(async () => {
      await expect(traceProviderCall(info, async () => Promise.reject(error), undefined, { tracer })).rejects.toBe(
        error,
      );
    });
    expect(sub!.isClosed()).toBe(true);
    expect(sub!.annotations?.status).toBe(429);
    expect(sub).toMatchObject({ throttle: true, error: true });
    expect(sub!.metadata?.gateway?.error).toEqual({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(JSON.stringify(segment)).not.toContain('SECRET123');
  });

  it('records what describe reads from the result', async () => {
    const [sub] = await underSegment(async () => {
      const value = await traceProviderCall(
        info,
        async () => ({ usage }),
        (result) => ({ usage: result.usage, costUsd: null }),
        {
          tracer,
        },
      );
      expect(value).toEqual({ usage });
    });
    expect(sub!.annotations?.status).toBe(200);
    expect(sub!.metadata?.gateway).toMatchObject({ tokens: { input: 12 }, cost_usd: 'unpriced' });
  });
});

describe('traceProviderStream', () => {
  it('keeps the span open while chunks flow and closes it at the end with usage, cost and TTFT', async () => {
    const seen: (boolean | undefined)[] = [];
    const [sub] = await underSegment(async () => {
      const stream = traceProviderStream(
        info,
        async function* () {
          yield chunk(undefined);
          yield chunk('Hel');
          yield chunk('lo');
          yield chunk(undefined, true);
        },
        { tracer, costUsd: (u) => u.inputTokens * 1e-6 },
      );
      for await (const _ of stream) seen.push((segment.subsegments?.[0] as Sub | undefined)?.in_progress);
    });
    expect(seen).toEqual([true, true, true, true]);
    expect(sub!.isClosed()).toBe(true);
    expect(sub!.annotations?.status).toBe(200);
    expect(sub!.metadata?.gateway).toMatchObject({ tokens: { input: 12, output: 5 }, cost_usd: 12e-6 });
    expect(typeof sub!.metadata?.gateway?.ttft_ms).toBe('number');
  });

  it('closes the span when the stream fails mid-way, keeping the usage seen so far', async () => {
    const received: string[] = [];
    const [sub] = await underSegment(async () => {
      const stream = traceProviderStream(
        info,
        async function* () {
          yield chunk('partial', true);
          throw upstreamError(502, 'upstream_error', 'upstream_error');
        },
        { tracer },
      );
      await expect(
        (async () => {
          for await (const c of stream) received.push(c.choices[0]?.delta.content ?? '');
        })(),
      ).rejects.toThrow(secretMessage);
    });
    expect(received).toEqual(['partial']);
    expect(sub!.isClosed()).toBe(true);
    expect(sub!.annotations?.status).toBe(502);
    expect(sub!.fault).toBe(true);
    expect(sub!.metadata?.gateway).toMatchObject({ tokens: { input: 12 }, error: { type: 'upstream_error' } });
  });

  it('closes the span as 499 when the consumer stops early, and stops the provider stream', async () => {
    let finished = false;
    const [sub] = await underSegment(async () => {
      const stream = traceProviderStream(
        info,
        async function* () {
          try {
            yield chunk('one');
            yield chunk('two');
          } finally {
            finished = true;
          }
        },
        { tracer },
      );
      for await (const _ of stream) break;
    });
    expect(finished).toBe(true);
    expect(sub!.isClosed()).toBe(true);
    expect(sub!.annotations?.status).toBe(499);
  });

  it('closes the span when opening the stream throws', async () => {
    const [sub] = await underSegment(async () => {
      const stream = traceProviderStream(
        info,
        () => {
          throw upstreamError(401, 'upstream_error', 'provider_auth_failed');
        },
        { tracer },
      );
      expect(() => stream[Symbol.asyncIterator]()).toThrow();
    });
    expect(sub!.isClosed()).toBe(true);
    expect(sub!.annotations?.status).toBe(401);
  });
});

describe('tracing failures', () => {
  it('never break the call: a subsegment that cannot be opened makes a no-op span', async () => {
    const getSegment = vi.spyOn(tracer, 'getSegment').mockImplementation(() => {
      throw new Error('no context');
    });
    try {
      expect(startProviderSpan(info, { tracer }).recording).toBe(false);
      await expect(traceProviderCall(info, async () => 'answer', undefined, { tracer })).resolves.toBe('answer');
    } finally {
      getSegment.mockRestore();
    }
  });

  it('never break the call: a subsegment that throws on every method still gets closed', async () => {
    const close = vi.fn();
    const failing = () => {
      throw new Error('x-ray down');
    };
    const sub = {
      addAnnotation: failing,
      addMetadata: failing,
      addErrorFlag: failing,
      addFaultFlag: failing,
      addThrottleFlag: failing,
      close,
    };
    vi.spyOn(tracer, 'getSegment').mockReturnValueOnce({ addNewSubsegment: () => sub } as never);
    await expect(
      traceProviderCall(
        info,
        async () => 'answer',
        () => ({ usage }),
        { tracer },
      ),
    ).resolves.toBe('answer');
    expect(close).toHaveBeenCalledOnce();
  });

  it('never break the call: a failing AWS client capture returns the client', () => {
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const throwing = {
      captureAWSv3Client: () => {
        throw new Error('patch failed');
      },
    } as unknown as Tracer;
    expect(captureAWSv3Client(client, throwing)).toBe(client);
  });

  it('instruments AWS SDK clients when tracing is on', () => {
    const client = captureAWSv3Client(new DynamoDBClient({ region: 'us-east-1' }), tracer);
    expect(client.middlewareStack.identify().some((name) => name.includes('XRaySDKInstrumentation'))).toBe(true);
  });
});
