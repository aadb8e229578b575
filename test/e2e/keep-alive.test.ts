/**
 * SSE keep-alives through the local server (docs/architecture.md "Long streams"): a provider silent past the quiet
 * time gets the head committed and `: keep-alive` comments written until its first chunk and in idle gaps, on every
 * streaming endpoint; fallbacks still run behind them, and a failure after them is the stream's own error event. The
 * simulator holds its first byte on a gate the test opens only once it has read keep-alives, so no test waits on
 * the clock beyond the 20 ms quiet time.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate, type Simulator } from '../../simulators/base.js';
import { errorReply, startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { type ApiError, setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let sim: Simulator;
let key: string;
let projectId: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    ANTHROPIC_API_KEY: undefined,
    GATEWAY_RETRY_BACKOFF_MS: '1',
    GATEWAY_KEEPALIVE_AFTER_MS: '20',
    GATEWAY_KEEPALIVE_INTERVAL_MS: '20',
  });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('keep-alive'));
  for (const name of ['acme', 'backup'])
    await gateway.putProvider(projectId, name, {
      type: 'openai-compatible',
      base_url: `${sim.url}/v1`,
      models: [{ id: 'thinker', input_per_million: 1, output_per_million: 2 }],
    });
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

/** An open SSE response read as text, chunk by chunk, so a test can wait for what has arrived so far. */
class SseReader {
  text = '';
  private reader: ReadableStreamDefaultReader<Uint8Array>;
  private decoder = new TextDecoder();
  constructor(readonly response: Response) {
    if (!response.body) throw new Error('no body');
    this.reader = response.body.getReader();
  }
  /** Reads until `predicate` holds on the text so far; false when the stream ended first. */
  async until(predicate: (text: string) => boolean): Promise<boolean> {
    while (!predicate(this.text)) {
      const { done, value } = await this.reader.read();
      if (done) return false;
      this.text += this.decoder.decode(value, { stream: true });
    }
    return true;
  }
  async rest(): Promise<string> {
    await this.until(() => false);
    return this.text;
  }
}

const keepAlives = (text: string) => text.split(': keep-alive\n\n').length - 1;

/** The text deltas of a chat, Responses or Messages event stream, joined. */
function streamedText(sse: string): string {
  let text = '';
  for (const line of sse.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const event = JSON.parse(line.slice(6)) as {
      choices?: { delta?: { content?: string } }[];
      type?: string;
      delta?: string | { type?: string; text?: string };
    };
    text += event.choices?.[0]?.delta?.content ?? '';
    if (event.type === 'response.output_text.delta' && typeof event.delta === 'string') text += event.delta;
    if (typeof event.delta === 'object' && event.delta.type === 'text_delta') text += event.delta.text ?? '';
  }
  return text;
}

async function post(path: string, body: unknown): Promise<SseReader> {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return new SseReader(response);
}

async function rowFor(requestId: string | null): Promise<Record<string, unknown> | undefined> {
  const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
    'GET',
    `/admin/projects/${projectId}/requests?limit=20`,
  );
  return rows.body.data.find((row) => row.id === requestId);
}

describe('keep-alives before the first chunk', () => {
  it.each([
    ['/v1/chat/completions', { messages: user('think'), stream_options: { include_usage: true } }, 'data: [DONE]'],
    ['/v1/responses', { input: 'think' }, 'event: response.completed'],
    ['/v1/messages', { messages: user('think'), max_tokens: 100 }, 'event: message_stop'],
  ])('commits the head and writes comments on %s until the provider speaks', async (path, body, last) => {
    const gate = new Gate();
    sim.script(textReply('after a long thought', { beforeHead: () => gate.wait() }));
    const stream = await post(path, { model: 'acme/thinker', stream: true, ...body });
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    expect(await stream.until((text) => keepAlives(text) >= 2)).toBe(true);
    expect(stream.text.replaceAll(': keep-alive\n\n', '')).toBe('');
    gate.open();
    const text = await stream.rest();
    expect(streamedText(text)).toBe('after a long thought');
    expect(text).toContain(last);
    const row = await rowFor(stream.response.headers.get('x-request-id'));
    expect(row).toMatchObject({ status: 200, usage_estimated: false });
  });

  it('lets the official SDKs read a stream with keep-alives in it', async () => {
    const openaiGate = new Gate();
    sim.script(textReply(['kept ', 'alive'], { beforeHead: () => openaiGate.wait() }));
    const client = gateway.client(key);
    // The SDK resolves on the head, which only the keep-alives send before the gate opens.
    const stream = await client.chat.completions.create({ model: 'acme/thinker', messages: user('x'), stream: true });
    openaiGate.open();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('kept alive');

    const anthropicGate = new Gate();
    sim.script(textReply('claude-shaped', { beforeHead: () => anthropicGate.wait() }));
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 });
    const messages = anthropic.messages.stream({ model: 'acme/thinker', max_tokens: 50, messages: user('x') });
    await messages.withResponse();
    anthropicGate.open();
    const final = await messages.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'text', text: 'claude-shaped' });
  });
});

describe('behind the keep-alives', () => {
  it('still falls back to the next model, whose answer fills the committed stream', async () => {
    const gate = new Gate();
    sim.script(
      errorReply(503, { message: 'overloaded' }, { beforeHead: () => gate.wait() }),
      errorReply(503, { message: 'overloaded' }),
      errorReply(503, { message: 'overloaded' }),
      textReply('from the backup'),
    );
    const stream = await post('/v1/chat/completions', {
      model: 'acme/thinker',
      models: ['backup/thinker'],
      messages: user('x'),
      stream: true,
    });
    expect(await stream.until((text) => keepAlives(text) >= 1)).toBe(true);
    gate.open();
    const text = await stream.rest();
    expect(stream.response.status).toBe(200);
    expect(streamedText(text)).toBe('from the backup');
    expect(text).toContain('"model":"backup/thinker"');
    expect(text).toContain('data: [DONE]');
    const row = await rowFor(stream.response.headers.get('x-request-id'));
    expect(row).toMatchObject({ status: 200, provider: 'backup' });
  });

  it('turns a failure after the head into the stream error event, with the row keeping the status', async () => {
    const gate = new Gate();
    sim.script(
      errorReply(
        400,
        { message: 'context too long', code: 'context_length_exceeded' },
        { beforeHead: () => gate.wait() },
      ),
    );
    const client = gateway.client(key);
    const stream = await client.chat.completions.create({ model: 'acme/thinker', messages: user('x'), stream: true });
    gate.open();
    const error = await (async () => {
      for await (const _chunk of stream);
    })().then(
      () => undefined,
      (e: unknown) => e as ApiError,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error?.message).toContain('context too long');
    const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
      'GET',
      `/admin/projects/${projectId}/requests?limit=1`,
    );
    expect(rows.body.data[0]).toMatchObject({ status: 400, output_tokens: 0 });
  });

  it('fills an idle gap between two chunks', async () => {
    const gate = new Gate();
    gate.open(); // the head and the first chunk go at once; the second waits for the test
    sim.script(textReply(['before ', 'after'], { gate }));
    const stream = await post('/v1/chat/completions', { model: 'acme/thinker', messages: user('x'), stream: true });
    // A loaded machine may also take longer than the quiet time to the first chunk: count only what follows it.
    const afterFirstChunk = (text: string) => (text.includes('before ') ? text.slice(text.indexOf('before ')) : '');
    expect(await stream.until((text) => keepAlives(afterFirstChunk(text)) >= 1)).toBe(true);
    expect(stream.text.lastIndexOf(': keep-alive')).toBeGreaterThan(stream.text.indexOf('before '));
    for (let i = 0; i < 10; i++) gate.open();
    expect(streamedText(await stream.rest())).toBe('before after');
  });
});
