import * as z from 'zod';
import type { ChatChunk, ChatResult, ChunkDelta, FinishReason } from '../../core/types.js';
import { invalidResponse, streamCutOff } from '../shared/http-errors.js';
import { isJsonResponseToolCall } from '../shared/json-response-tool.js';
import type { StreamConverter } from '../shared/stream-converter.js';
import { finishReason } from './response.js';
import { bedrockUsageSchema, toUsage } from './usage.js';

/** One ConverseStream event: exactly one member is set. Exceptions never get here: the SDK throws them. */
const streamEventSchema = z.looseObject({
  messageStart: z.looseObject({ role: z.string().nullish() }).nullish(),
  contentBlockStart: z
    .looseObject({
      contentBlockIndex: z.number(),
      start: z.looseObject({ toolUse: z.looseObject({ toolUseId: z.string(), name: z.string() }).nullish() }).nullish(),
    })
    .nullish(),
  contentBlockDelta: z
    .looseObject({
      contentBlockIndex: z.number(),
      delta: z
        .looseObject({
          text: z.string().nullish(),
          toolUse: z.looseObject({ input: z.string().nullish() }).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  messageStop: z.looseObject({ stopReason: z.string().nullish() }).nullish(),
  metadata: z.looseObject({ usage: bedrockUsageSchema.nullish() }).nullish(),
});

type OpenBlock = { kind: 'tool'; index: number } | { kind: 'json' };

function chunk(delta: ChunkDelta, finish: FinishReason | null = null): ChatChunk {
  return { choices: [{ index: 0, delta, finish_reason: finish }] };
}

/**
 * Converts ConverseStream events into ChatChunks. Tool calls get OpenAI indices in the order their blocks start
 * (Bedrock's `contentBlockIndex` counts text blocks too); the first delta of a call carries `id`, `type` and `name`.
 * The forced JSON-answer tool streams its input as `content`. The finish reason comes with `messageStop`; usage only
 * with the final `metadata` event, as its own chunk. A stream that ends before `messageStop` is an error, not a
 * short answer.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html#API_runtime_ConverseStream_ResponseSyntax
 */
export function createStreamConverter(): StreamConverter {
  const blocks = new Map<number, OpenBlock>();
  let nextToolIndex = 0;
  let jsonAnswer = false;
  let stopped = false;
  return {
    done: false,
    push(raw) {
      const parsed = streamEventSchema.safeParse(raw);
      if (!parsed.success) throw invalidResponse('Bedrock', parsed.error);
      const event = parsed.data;
      if (event.messageStart) return [chunk({ role: 'assistant', content: '' })];
      if (event.contentBlockStart?.start?.toolUse) {
        const { toolUseId, name } = event.contentBlockStart.start.toolUse;
        if (isJsonResponseToolCall(name)) {
          blocks.set(event.contentBlockStart.contentBlockIndex, { kind: 'json' });
          jsonAnswer = true;
          return [];
        }
        const index = nextToolIndex++;
        blocks.set(event.contentBlockStart.contentBlockIndex, { kind: 'tool', index });
        return [chunk({ tool_calls: [{ index, id: toolUseId, type: 'function', function: { name, arguments: '' } }] })];
      }
      if (event.contentBlockDelta?.delta) {
        const { delta, contentBlockIndex } = event.contentBlockDelta;
        const block = blocks.get(contentBlockIndex);
        if (typeof delta.text === 'string' && delta.text !== '') return [chunk({ content: delta.text })];
        if (delta.toolUse?.input && block?.kind === 'json') return [chunk({ content: delta.toolUse.input })];
        if (delta.toolUse?.input && block?.kind === 'tool') {
          return [chunk({ tool_calls: [{ index: block.index, function: { arguments: delta.toolUse.input } }] })];
        }
        return [];
      }
      if (event.messageStop) {
        stopped = true;
        return [chunk({}, finishReason(event.messageStop.stopReason, jsonAnswer, nextToolIndex > 0))];
      }
      if (event.metadata) return [{ choices: [], usage: toUsage(event.metadata.usage) }];
      return [];
    },
    end() {
      if (!stopped) throw streamCutOff('Bedrock');
      return [];
    },
  };
}

/**
 * A complete answer replayed as chunks: for families that take tools through Converse but not ConverseStream, the
 * gateway asks Converse and still streams to the caller.
 */
export function resultToChunks(result: ChatResult): ChatChunk[] {
  const choice = result.choices[0];
  if (!choice) return [{ choices: [], usage: result.usage }];
  const chunks: ChatChunk[] = [chunk({ role: 'assistant', content: '' })];
  if (choice.message.content) chunks.push(chunk({ content: choice.message.content }));
  for (const [index, call] of (choice.message.tool_calls ?? []).entries()) {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: call.function }] }));
  }
  chunks.push(chunk({}, choice.finish_reason ?? 'stop'), { choices: [], usage: result.usage });
  return chunks;
}
