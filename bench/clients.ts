/**
 * One request, timed, four ways: the official openai SDK or raw `fetch` (undici, keep-alive), non-streaming or
 * streaming. The same functions time the direct calls to the simulator and the calls through the gateway.
 */
import OpenAI from 'openai';

export interface Target {
  name: string;
  /** OpenAI base URL, ending in /v1. */
  baseURL: string;
  apiKey: string;
  model: string;
  /** Sent with every request (Portkey takes its provider and upstream this way). */
  headers?: Record<string, string>;
}

export interface Timing {
  /** Request sent to response fully read. */
  totalMs: number;
  /** Streams only: request sent to the first chunk with non-empty content. */
  ttftMs?: number;
}

export type Call = () => Promise<Timing>;

const MESSAGES = [{ role: 'user' as const, content: 'Benchmark: answer with twenty words.' }];

export function sdkClient(target: Target): OpenAI {
  return new OpenAI({
    baseURL: target.baseURL,
    apiKey: target.apiKey,
    maxRetries: 0,
    timeout: 30_000,
    defaultHeaders: target.headers,
  });
}

export function sdkComplete(client: OpenAI, target: Target): Call {
  return async () => {
    const started = performance.now();
    const completion = await client.chat.completions.create({ model: target.model, messages: MESSAGES });
    if (!completion.choices[0]?.message.content) throw new Error(`${target.name}: empty completion`);
    return { totalMs: performance.now() - started };
  };
}

export function sdkStream(client: OpenAI, target: Target): Call {
  return async () => {
    const started = performance.now();
    let ttftMs: number | undefined;
    const stream = await client.chat.completions.create({
      model: target.model,
      messages: MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      if (ttftMs === undefined && chunk.choices[0]?.delta.content) ttftMs = performance.now() - started;
    }
    if (ttftMs === undefined) throw new Error(`${target.name}: stream without content`);
    return { totalMs: performance.now() - started, ttftMs };
  };
}

function post(target: Target, stream: boolean): Promise<Response> {
  const body = stream
    ? { model: target.model, messages: MESSAGES, stream: true, stream_options: { include_usage: true } }
    : { model: target.model, messages: MESSAGES };
  return fetch(`${target.baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json', ...target.headers },
    body: JSON.stringify(body),
  });
}

export function fetchComplete(target: Target): Call {
  return async () => {
    const started = performance.now();
    const response = await post(target, false);
    const payload = (await response.json()) as { choices?: { message?: { content?: string } }[] };
    if (!response.ok || !payload.choices?.[0]?.message?.content) {
      throw new Error(`${target.name}: ${response.status} ${JSON.stringify(payload)}`);
    }
    return { totalMs: performance.now() - started };
  };
}

const FIRST_CONTENT = /"content":"[^"]/;

export function fetchStream(target: Target): Call {
  return async () => {
    const started = performance.now();
    const response = await post(target, true);
    if (!response.ok || !response.body) throw new Error(`${target.name}: ${response.status}`);
    let ttftMs: number | undefined;
    let seen = '';
    const decoder = new TextDecoder();
    for await (const bytes of response.body) {
      if (ttftMs !== undefined) continue;
      // Only the text up to the first content delta is kept: the search stays cheap for the rest of the stream.
      seen += decoder.decode(bytes as Uint8Array, { stream: true });
      if (FIRST_CONTENT.test(seen)) ttftMs = performance.now() - started;
    }
    if (ttftMs === undefined) throw new Error(`${target.name}: stream without content`);
    return { totalMs: performance.now() - started, ttftMs };
  };
}

/** Runs `call` `warmup` times untimed, then `n` times one after another. */
export async function serial(call: Call, n: number, warmup: number): Promise<Timing[]> {
  for (let i = 0; i < warmup; i++) await call();
  const timings: Timing[] = [];
  for (let i = 0; i < n; i++) timings.push(await call());
  return timings;
}

/** `n` calls by `concurrency` workers; returns requests per second and each call's timing. */
export async function concurrent(
  call: Call,
  n: number,
  concurrency: number,
): Promise<{ rps: number; timings: Timing[] }> {
  const timings: Timing[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < n) {
      next += 1;
      timings.push(await call());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: (n / (performance.now() - started)) * 1000, timings };
}
