import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../../lib/core/errors.js';
import type { ChatChunk, ChatModel, ChatRequest } from '../../../lib/core/types.js';
import { openaiCompatibleFactory, openaiFactory } from '../../../lib/providers/openai/index.js';
import { Gate, type Simulator } from '../../../simulators/base.js';
import {
  badJsonReply,
  errorReply,
  startOpenAISimulator,
  streamErrorReply,
  textReply,
} from '../../../simulators/openai.js';
import { testContext } from './helpers.js';

let sim: Simulator;
let model: ChatModel;
const KEY = 'sk-test-failure-key';
beforeAll(async () => {
  sim = await startOpenAISimulator();
  model = await openaiFactory.create({ api_key: KEY, base_url: `${sim.url}/v1` }, { providerName: 'openai' });
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const request: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] };
const streaming: ChatRequest = { ...request, stream: true };

async function failure(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

/** Reads a stream until it fails; returns what arrived before the error, and the error. */
async function drainUntilError(stream: AsyncIterable<ChatChunk>): Promise<{ chunks: ChatChunk[]; error: unknown }> {
  const chunks: ChatChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  throw new Error('the stream ended without an error');
}

describe('upstream HTTP errors', () => {
  it('passes a 400 on with the provider’s message', async () => {
    sim.script(errorReply(400, { message: "Invalid value for 'temperature'.", param: 'temperature' }));
    const error = await failure(model.complete(request, testContext()));
    expect(error).toMatchObject({ status: 400, param: 'temperature', message: "Invalid value for 'temperature'." });
  });

  it('turns a 401 into 502 provider_auth_failed without the key', async () => {
    sim.script(errorReply(401));
    const error = await failure(model.complete(request, testContext()));
    expect(error).toMatchObject({ status: 502, code: 'provider_auth_failed' });
    expect(error.message).not.toContain(KEY);
  });

  it('turns a 404 into model_not_found', async () => {
    sim.script(errorReply(404));
    expect(await failure(model.complete(request, testContext()))).toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('turns a 429 with retry-after into a retryable 429 with retryAfterMs', async () => {
    sim.script(errorReply(429, {}, { retryAfter: 3 }));
    const error = await failure(model.complete(request, testContext()));
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 3000 });
    expect(sim.requests).toHaveLength(1);
  });

  it('turns a 500 into a retryable 502, on streams too, without retrying itself', async () => {
    sim.script(errorReply(500), errorReply(500));
    expect(await failure(model.complete(request, testContext()))).toMatchObject({ status: 502, retryable: true });
    const { chunks, error } = await drainUntilError(model.stream(streaming, testContext()));
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ status: 502, retryable: true });
    expect(sim.requests).toHaveLength(2);
  });
});

describe('broken answers', () => {
  it('raises a mid-stream error event with the provider’s code after the chunks before it', async () => {
    sim.script(streamErrorReply({ type: 'server_error' }, { textBefore: 'The answer' }));
    const { chunks, error } = await drainUntilError(model.stream(streaming, testContext()));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content).join('')).toBe('The answer');
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, type: 'upstream_error', code: 'server_error' });
  });

  it('throws a GatewayError from the iterator when the connection drops mid-stream', async () => {
    sim.script(textReply('one two three four five', { dropAfter: 3 }));
    const { chunks, error } = await drainUntilError(model.stream(streaming, testContext()));
    expect(chunks).toHaveLength(3);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
  });

  it('turns a body that is not JSON into a 502', async () => {
    sim.script(badJsonReply(), badJsonReply());
    expect(await failure(model.complete(request, testContext()))).toMatchObject({
      status: 502,
      code: 'upstream_error',
    });
    const { chunks, error } = await drainUntilError(model.stream(streaming, testContext()));
    expect(chunks).toHaveLength(1);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error' });
  });

  it('reports an unreachable upstream as 502 upstream_unreachable without its host', async () => {
    const port = await closedPort();
    const credential = { type: 'openai-compatible' as const, base_url: `http://127.0.0.1:${port}/v1` };
    const acme = await openaiCompatibleFactory.create(credential, { providerName: 'acme' });
    const error = await failure(acme.complete(request, testContext()));
    expect(error).toMatchObject({ status: 502, code: 'upstream_unreachable', retryable: true });
    expect(error.message).toContain('acme');
    expect(error.message).not.toContain(String(port));
  });
});

describe('cancellation', () => {
  // What an aborted call throws, if anything, is the pipeline's to decide (lib/gateway/call.ts): it must stop, and let go of the upstream.
  it('stops the upstream stream when the signal aborts', async () => {
    const gate = new Gate();
    sim.script(textReply('one two three four', { gate }));
    const controller = new AbortController();
    const iterator = model.stream(streaming, testContext(controller.signal))[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.choices[0]?.delta.role).toBe('assistant');
    const reason = new Error('client closed the connection');
    controller.abort(reason);
    const next = await iterator.next().catch(() => ({ done: true as const, value: undefined }));
    expect(next.done).toBe(true);
    await vi.waitFor(() => expect(sim.lastRequest?.aborted).toBe(true));
  });

  it('stops the upstream stream when the consumer stops reading', async () => {
    const gate = new Gate();
    sim.script(textReply('one two three four', { gate }));
    for await (const chunk of model.stream(streaming, testContext())) {
      expect(chunk.choices[0]?.delta.role).toBe('assistant');
      break;
    }
    await vi.waitFor(() => expect(sim.lastRequest?.aborted).toBe(true));
  });

  it('aborts a complete call still waiting for its first byte', async () => {
    const gate = new Gate();
    sim.script(textReply('late', { beforeHead: () => gate.wait() }));
    const controller = new AbortController();
    const pending = model.complete(request, testContext(controller.signal));
    await vi.waitFor(() => expect(sim.requests).toHaveLength(1));
    const reason = new Error('first-byte timeout');
    controller.abort(reason);
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(sim.lastRequest?.aborted).toBe(true));
    gate.open();
  });

  it('sends nothing when the signal had aborted before the call', async () => {
    const controller = new AbortController();
    const reason = new Error('already gone');
    controller.abort(reason);
    await expect(model.complete(request, testContext(controller.signal))).rejects.toThrow();
    expect(sim.requests).toHaveLength(0);
  });
});

/** A loopback port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
