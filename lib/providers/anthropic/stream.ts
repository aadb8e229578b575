/**
 * Anthropic stream events → ChatChunks: a small state machine over `message_start`, `content_block_start`,
 * `content_block_delta`, `content_block_stop`, `message_delta`, `message_stop`; `ping` and unknown events are skipped,
 * an `error` event throws.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import { GatewayError } from '../../core/errors.js';
import type { ChatChunk, ChunkDelta } from '../../core/types.js';
import { streamCutOff } from '../shared/http-errors.js';
import { isJsonResponseToolCall } from '../shared/json-response-tool.js';
import type { StreamConverter } from '../shared/stream-converter.js';
import { mapStreamErrorEvent } from './errors.js';
import { finishReason } from './response.js';
import { EMPTY_TOTALS, mergeUsage, totalsToUsage, type UsageTotals } from './usage.js';
import { parseBlock, parseDelta, parseStreamEvent } from './wire.js';

/** What an open content block turns into: content text, one OpenAI tool call, the JSON answer, or nothing. */
type OpenBlock =
  | { kind: 'text' }
  | { kind: 'tool'; toolIndex: number; sentArguments: boolean }
  | { kind: 'json'; sentContent: boolean }
  | { kind: 'skip' };

/**
 * One converter per stream. Tool calls are numbered in the order their blocks start (OpenAI `index`), independently
 * of Anthropic's block index, which also counts text and thinking blocks. Usage is the running total Anthropic
 * reports (each `message_delta` replaces, never adds to, what `message_start` said): the first chunk carries what
 * `message_start` knew, and the last chunk, with the finish reason, the final totals.
 */
export function createStreamConverter(options: { provider: string; jsonMode: boolean }): StreamConverter {
  const blocks = new Map<number, OpenBlock>();
  let id: string | undefined;
  let usage: UsageTotals = EMPTY_TOTALS;
  let stopReason: string | null | undefined;
  let toolCount = 0;
  let done = false;

  const chunk = (delta: ChunkDelta): ChatChunk => ({ id, choices: [{ index: 0, delta, finish_reason: null }] });

  function push(raw: unknown): ChatChunk[] {
    const event = parseStreamEvent(raw);
    if (!event || done) return [];
    switch (event.type) {
      case 'message_start':
        id = event.message.id;
        usage = mergeUsage(usage, event.message.usage);
        // The prompt's tokens are known now: a client that leaves mid-stream is still accounted for them.
        return [{ ...chunk({ role: 'assistant', content: '' }), usage: totalsToUsage(usage) }];
      case 'content_block_start':
        return startBlock(event.index, event.content_block);
      case 'content_block_delta':
        return blockDelta(event.index, event.delta);
      case 'content_block_stop':
        return stopBlock(event.index);
      case 'message_delta':
        stopReason = event.delta?.stop_reason ?? stopReason;
        usage = mergeUsage(usage, event.usage);
        return [];
      case 'message_stop': {
        done = true;
        const reason = finishReason(stopReason, options.jsonMode, toolCount > 0);
        return [{ id, choices: [{ index: 0, delta: {}, finish_reason: reason }], usage: totalsToUsage(usage) }];
      }
      case 'error':
        throw mapStreamErrorEvent(options.provider, event.error);
    }
  }

  function startBlock(index: number, raw: unknown): ChatChunk[] {
    const block = parseBlock(raw);
    if (block.type === 'text') {
      blocks.set(index, { kind: 'text' });
      return block.text ? [chunk({ content: block.text })] : [];
    }
    if (block.type !== 'tool_use') {
      blocks.set(index, { kind: 'skip' });
      return [];
    }
    if (options.jsonMode && isJsonResponseToolCall(block.name)) {
      blocks.set(index, { kind: 'json', sentContent: false });
      return [];
    }
    const toolIndex = toolCount++;
    blocks.set(index, { kind: 'tool', toolIndex, sentArguments: false });
    return [
      chunk({
        tool_calls: [
          { index: toolIndex, id: block.id, type: 'function', function: { name: block.name, arguments: '' } },
        ],
      }),
    ];
  }

  function blockDelta(index: number, raw: unknown): ChatChunk[] {
    const block = blocks.get(index);
    const delta = parseDelta(raw);
    if (!block) throw malformed(options.provider, `a delta for content block ${index}, which never started`);
    if (block.kind === 'text' && delta.type === 'text_delta' && delta.text) return [chunk({ content: delta.text })];
    if (delta.type !== 'input_json_delta' || !delta.partial_json) return [];
    if (block.kind === 'tool') {
      block.sentArguments = true;
      return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: delta.partial_json } }] })];
    }
    if (block.kind === 'json') {
      block.sentContent = true;
      return [chunk({ content: delta.partial_json })];
    }
    return [];
  }

  /** A tool called with no input streams no JSON at all; OpenAI clients parse `arguments`, so send `{}`. */
  function stopBlock(index: number): ChatChunk[] {
    const block = blocks.get(index);
    if (block?.kind === 'tool' && !block.sentArguments) {
      return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: '{}' } }] })];
    }
    if (block?.kind === 'json' && !block.sentContent) return [chunk({ content: '{}' })];
    return [];
  }

  return {
    push,
    /** Nothing is owed after `message_stop`; a stream that ends before it was cut off. */
    end() {
      if (!done) throw streamCutOff(options.provider);
      return [];
    },
    /** True once `message_stop` arrived. */
    get done() {
      return done;
    },
  };
}

function malformed(provider: string, what: string): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_error',
    message: `${provider} sent ${what}.`,
  });
}
