/** The Bedrock ChatModel's `stream`, and errors before and during a stream, against the Bedrock simulator. */
import { describe, expect, it } from 'vitest';
import { bedrockError, converse, eventStream, routeOf, textFrames } from '../../../simulators/bedrock.js';
import { fixture, frames, testContext } from './helpers.js';
import { AKID, ask, CLAUDE, collect, collectUntilError, SECRET, text, useBedrockSimulator } from './model-setup.js';

const bedrock = useBedrockSimulator();

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
    ['ModelNotReadyException', 429, 503, 'model_not_ready'],
    ['ServiceQuotaExceededException', 400, 429, 'rate_limit_exceeded'],
  ])('maps %s (HTTP %i) to %i %s', async (type, upstreamStatus, status, code) => {
    bedrock.sim.script(bedrockError(upstreamStatus, type, `${type}: simulated`));
    await expect(bedrock.model.complete(ask('Hi'), testContext().ctx)).rejects.toMatchObject({ status, code });
  });

  it('passes a validation message on to the caller', async () => {
    bedrock.sim.script(
      bedrockError(400, 'ValidationException', 'The maximum tokens you requested exceeds the model limit.'),
    );
    await expect(bedrock.model.complete(ask('Hi'), testContext().ctx)).rejects.toMatchObject({
      status: 400,
      message: 'The maximum tokens you requested exceeds the model limit.',
    });
  });

  it('maps the same errors before a stream starts', async () => {
    bedrock.sim.script(bedrockError(429, 'ThrottlingException', 'Too many requests'));
    const { chunks, error } = await collectUntilError(bedrock.model.stream(ask('Hi'), testContext().ctx));
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ status: 429 });
  });

  it.each([
    ['throttlingException', 429, 'rate_limit_exceeded'],
    ['modelStreamErrorException', 502, 'model_stream_error'],
    ['internalServerException', 502, 'upstream_error'],
    ['validationException', 400, 'validation_error'],
    ['serviceUnavailableException', 503, 'provider_overloaded'],
  ])('turns a mid-stream %s into a %i error after the chunks already sent', async (exception, status, code) => {
    bedrock.sim.script(
      eventStream([
        ...frames('stream-exception.eventstream.json').slice(0, 2),
        { exception, message: `${exception}: simulated` },
      ]),
    );
    const { chunks, error } = await collectUntilError(bedrock.model.stream(ask('Hi'), testContext().ctx));
    expect(text(chunks)).toBe('Elemental');
    expect(error).toMatchObject({ status, code });
  });

  it('fails a stream the connection dropped in the middle of', async () => {
    bedrock.sim.script(eventStream(textFrames(['a', 'b', 'c']), { dropAfter: 3 }));
    const { error } = await collectUntilError(bedrock.model.stream(ask('Hi'), testContext().ctx));
    expect(error).toMatchObject({ status: 502 });
  });

  it('never shows the credential’s keys in an error', async () => {
    const apiKeyModel = await bedrock.modelFor({
      access_key_id: undefined,
      secret_access_key: undefined,
      api_key: 'ABSK-secret',
    });
    const errors: unknown[] = [];
    for (const [status, type] of [
      [403, 'AccessDeniedException'],
      [403, 'UnrecognizedClientException'],
      [400, 'ValidationException'],
      [500, 'InternalServerException'],
    ] as const) {
      bedrock.sim.script(bedrockError(status, type, 'The security token included in the request is invalid.'));
      errors.push(await bedrock.model.complete(ask('Hi'), testContext().ctx).catch((error: unknown) => error));
      bedrock.sim.script(bedrockError(status, type, 'The security token included in the request is invalid.'));
      errors.push(await apiKeyModel.complete(ask('Hi'), testContext().ctx).catch((error: unknown) => error));
    }
    for (const error of errors) {
      const rendered = JSON.stringify(error) + String(error) + String((error as Error).stack);
      for (const secret of [AKID, SECRET, 'ABSK-secret']) expect(rendered).not.toContain(secret);
    }
  });
});

describe('stream', () => {
  it('streams text from ConverseStream and ends with usage that counts cache reads and writes', async () => {
    bedrock.sim.script(eventStream(frames('stream-text.eventstream.json')));
    const chunks = await collect(bedrock.model.stream(ask('Hi'), testContext().ctx));
    expect(routeOf(bedrock.sim.lastRequest!)).toEqual({ modelId: CLAUDE, operation: 'converse-stream' });
    expect(text(chunks)).toBe('Elemental Hotel by 8 Storey Hike.');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
    expect(chunks.at(-1)).toEqual({
      choices: [],
      usage: { inputTokens: 2094, outputTokens: 9, cacheReadTokens: 1536, cacheWriteTokens: 528 },
    });
  });

  it('streams tool calls with OpenAI indices', async () => {
    bedrock.sim.script(eventStream(frames('stream-tool-use.eventstream.json')));
    const tools = [{ type: 'function' as const, function: { name: 'top_song', parameters: { type: 'object' } } }];
    const chunks = await collect(bedrock.model.stream(ask('Songs?', { tools }), testContext().ctx));
    const calls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(calls.filter((call) => call.id).map((call) => [call.index, call.id, call.function?.name])).toEqual([
      [0, 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', 'top_song'],
      [1, 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A', 'top_song'],
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps streamed stop reason %s to finish_reason %s', async (stopReason, finishReason) => {
    bedrock.sim.script(eventStream(textFrames(['x'], { stopReason })));
    const chunks = await collect(bedrock.model.stream(ask('Hi'), testContext().ctx));
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('asks Converse and replays the answer for a family without streaming tool use', async () => {
    bedrock.sim.script(converse(fixture('converse-response-tool-use.json')));
    const tools = [{ type: 'function' as const, function: { name: 'top_song' } }];
    const chunks = await collect(
      bedrock.model.stream(ask('Songs?', { model: 'meta.llama3-1-70b-instruct-v1:0', tools }), testContext().ctx),
    );
    expect(routeOf(bedrock.sim.lastRequest!).operation).toBe('converse');
    const calls = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(calls.map((call) => call.index)).toEqual([0, 1]);
    expect(chunks.at(-1)?.usage).toMatchObject({ inputTokens: 385, outputTokens: 112 });
  });

  // What an aborted call throws, if anything, is the pipeline's to decide (lib/gateway/call.ts): it must stop, and let go of Bedrock.
  it('stops reading and closes the connection when the call is aborted mid-stream', async () => {
    const hold = new Promise<void>(() => {});
    bedrock.sim.script(
      eventStream(textFrames(['first', 'never']), { beforeEach: (index) => (index >= 2 ? hold : Promise.resolve()) }),
    );
    const controller = new AbortController();
    const reason = new Error('client went away');
    const stream = bedrock.model.stream(ask('Hi'), testContext(controller.signal).ctx);
    const received: string[] = [];
    await (async () => {
      for await (const chunk of stream) {
        received.push(chunk.choices[0]?.delta.content ?? '');
        if (received.includes('first')) controller.abort(reason);
      }
    })().catch(() => {});
    expect(received).not.toContain('never');
    await expect.poll(() => bedrock.sim.lastRequest?.aborted).toBe(true);
  });

  it('aborts a call still waiting for its first byte', async () => {
    bedrock.sim.script(eventStream(textFrames(['late']), { firstByteDelayMs: 10_000 }));
    const controller = new AbortController();
    const reason = new Error('first-byte timeout');
    const pending = collect(bedrock.model.stream(ask('Hi'), testContext(controller.signal).ctx));
    await expect.poll(() => bedrock.sim.requests.length).toBe(1);
    controller.abort(reason);
    await expect(pending).rejects.toThrow();
    await expect.poll(() => bedrock.sim.lastRequest?.aborted).toBe(true);
  });
});
