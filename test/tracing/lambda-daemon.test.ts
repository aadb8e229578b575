/**
 * The Lambda path end to end, without AWS: with Lambda's environment (as the runtime sets it for an invocation) the
 * X-Ray SDK runs in Lambda mode under the invocation's facade segment, and a closed `provider:<name>` subsegment is
 * sent at once to the X-Ray daemon, here a UDP socket on loopback standing in for the one Lambda runs.
 */
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TRACE_ID = '1-5759e988-bd862e3fe1be46a994272793';
const PARENT_ID = '53995c3f42cd8ad8';

let daemon: Socket;
const received: string[] = [];
const waiters: (() => void)[] = [];
const savedEnv = { ...process.env };
let tracing: typeof import('../../lib/tracing/index.js');

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    received.push(message.toString('utf8'));
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', () => resolve()));
  Object.assign(process.env, {
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: '/var/task',
    AWS_LAMBDA_FUNCTION_NAME: 'llm-gateway-chat',
    _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=${PARENT_ID};Sampled=1`,
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    POWERTOOLS_TRACER_CAPTURE_HTTPS_REQUESTS: 'false',
    _HANDLER: 'index.handler',
  });
  // The X-Ray SDK picks Lambda mode when it loads: only now.
  tracing = await import('../../lib/tracing/index.js');
});

afterAll(() => {
  process.env = savedEnv;
  daemon.close();
});

/** The next subsegment document the daemon receives (a UDP datagram: a JSON header line, then the document). */
function nextDocument(count: number): Promise<Record<string, unknown>> {
  const take = () => JSON.parse(received[count - 1]!.split('\n')[1]!) as Record<string, unknown>;
  if (received.length >= count) return Promise.resolve(take());
  return new Promise((resolve) => waiters.push(() => resolve(nextDocument(count))));
}

describe('in Lambda', () => {
  it('sends the closed provider subsegment to the daemon under the invocation trace', async () => {
    expect(tracing.tracer?.isTracingEnabled()).toBe(true);
    const stream = tracing.traceProviderStream(
      { provider: 'anthropic', model: 'claude-3-5-haiku', projectId: 'proj_9' },
      async function* () {
        yield { choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] };
        yield { choices: [], usage: { inputTokens: 9, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 3 } };
      },
    );
    for await (const _ of stream) {
      // drained
    }
    const document = await nextDocument(1);
    expect(document).toMatchObject({
      type: 'subsegment',
      name: 'provider:anthropic',
      trace_id: TRACE_ID,
      parent_id: PARENT_ID,
      annotations: { provider: 'anthropic', model: 'claude-3-5-haiku', project_id: 'proj_9', status: 200 },
      metadata: { gateway: { tokens: { input: 9, output: 2, cache_read: 0, cache_write: 3 } } },
    });
    expect(document.end_time).toEqual(expect.any(Number));
  });

  it('sends a failed call with its status and error kind, and nothing of the message', async () => {
    const failure = Object.assign(new Error('Incorrect API key provided: sk-ant-SECRET999'), {
      status: 502,
      type: 'upstream_error',
      code: 'provider_auth_failed',
    });
    const call = tracing.traceProviderCall({ provider: 'anthropic', model: 'm', projectId: 'proj_9' }, async () => {
      throw failure;
    });
    await expect(call).rejects.toBe(failure);
    const document = await nextDocument(2);
    expect(document).toMatchObject({ fault: true, annotations: { status: 502 } });
    expect(JSON.stringify(document)).not.toContain('SECRET999');
  });

  it('sends the handler subsegment of a middy-wrapped handler, annotated, without its answer', async () => {
    const { tracedHandler } = await import('../../functions/shared/traced-handler.js');
    const handler = tracedHandler(async () => ({ statusCode: 201, body: '{"key":"gw-SECRET-KEY"}' }), {
      captureResponse: false,
    });
    expect(await handler({}, { functionName: 'admin', awsRequestId: 'req-1' } as never)).toMatchObject({
      statusCode: 201,
    });
    const document = await nextDocument(3);
    expect(document).toMatchObject({
      type: 'subsegment',
      name: '## index.handler',
      trace_id: TRACE_ID,
      parent_id: PARENT_ID,
      annotations: { ColdStart: expect.any(Boolean), Service: 'llm-gateway' },
    });
    expect(JSON.stringify(document)).not.toContain('SECRET-KEY');
  });
});
