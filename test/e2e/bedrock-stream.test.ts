/**
 * Bedrock end to end, streaming and errors: the official openai SDK through the local gateway against the Bedrock
 * simulator's binary event streams, and each Bedrock error class before and during a stream.
 */
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { bedrockError, eventStream, routeOf, textFrames } from '../../simulators/bedrock.js';
import { frames } from '../providers/bedrock/helpers.js';
import {
  type ApiError,
  type Chunk,
  collect,
  failure,
  MODEL,
  streamedText,
  topSong,
  useBedrockGateway,
  user,
} from './bedrock-setup.js';

const e2e = useBedrockGateway();

describe('streaming', () => {
  it('streams text and, with include_usage, usage counting cache reads and writes last', async () => {
    e2e.sim.script(eventStream(frames('stream-text.eventstream.json')));
    const stream = await e2e.client.chat.completions.create({
      model: MODEL,
      messages: user('Song?'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    expect(routeOf(e2e.sim.lastRequest!).operation).toBe('converse-stream');
    expect(streamedText(chunks)).toBe('Elemental Hotel by 8 Storey Hike.');
    expect(chunks.every((chunk) => chunk.model === MODEL)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 30 + 1536 + 528, completion_tokens: 9, total_tokens: 2103 });
    expect(last.usage?.prompt_tokens_details?.cached_tokens).toBe(1536);
    expect(chunks.slice(0, -1).some((chunk) => chunk.usage)).toBe(false);
  });

  it('streams tool calls with index, and id, type and name on the first delta of each', async () => {
    e2e.sim.script(eventStream(frames('stream-tool-use.eventstream.json')));
    const stream = await e2e.client.chat.completions.create({
      model: MODEL,
      messages: user('Top songs?'),
      tools: [topSong],
      stream: true,
    });
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { args: '' };
        if (delta.id) {
          expect(delta.type).toBe('function');
          call.id = delta.id;
          call.name = delta.function?.name;
        }
        call.args += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(Object.fromEntries(calls)).toEqual({
      0: { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', args: '{"sign": "WZPZ"}' },
      1: { id: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A', name: 'top_song', args: '{"sign": "WKRP"}' },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps streamed stop reason %s to finish_reason %s', async (stopReason, finishReason) => {
    e2e.sim.script(eventStream(textFrames(['x'], { stopReason })));
    const chunks = await collect(
      await e2e.client.chat.completions.create({ model: MODEL, messages: user('hi'), stream: true }),
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual([finishReason]);
  });
});

describe('errors', () => {
  it.each([
    ['ThrottlingException', 429, 429, 'rate_limit_exceeded'],
    ['ValidationException', 400, 400, 'validation_error'],
    ['AccessDeniedException', 403, 502, 'provider_auth_failed'],
    ['ResourceNotFoundException', 404, 404, 'model_not_found'],
    ['ServiceUnavailableException', 503, 503, 'provider_overloaded'],
    ['ModelTimeoutException', 408, 504, 'upstream_timeout'],
    ['InternalServerException', 500, 502, 'upstream_error'],
    ['ModelErrorException', 424, 502, 'model_error'],
  ])('maps %s (HTTP %i) to %i %s', async (type, upstreamStatus, status, code) => {
    e2e.sim.script(bedrockError(upstreamStatus, type, `${type} from the simulator`));
    const error = await failure(e2e.client.chat.completions.create({ model: MODEL, messages: user('hi') }));
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status, code });
    expect(error.headers?.get('x-gateway-provider')).toBe('bedrock');
  });

  it('passes a validation message on to the caller', async () => {
    e2e.sim.script(
      bedrockError(400, 'ValidationException', 'The maximum tokens you requested exceeds the model limit.'),
    );
    const error = await failure(e2e.client.chat.completions.create({ model: MODEL, messages: user('hi') }));
    expect(error.message).toContain('The maximum tokens you requested exceeds the model limit.');
  });

  it.each([
    ['throttlingException', 'rate_limit_exceeded'],
    ['modelStreamErrorException', 'model_stream_error'],
    ['internalServerException', 'upstream_error'],
  ])('ends a stream hit by a mid-stream %s with an error event the SDK raises', async (exception, code) => {
    e2e.sim.script(
      eventStream([...frames('stream-exception.eventstream.json').slice(0, 2), { exception, message: 'mid-stream' }]),
    );
    const stream = await e2e.client.chat.completions.create({ model: MODEL, messages: user('hi'), stream: true });
    const chunks: Chunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().then(
      () => undefined,
      (e: unknown) => e as ApiError,
    );
    expect(streamedText(chunks)).toBe('Elemental');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error?.error).toMatchObject({ type: 'upstream_error', code });
  });
});
