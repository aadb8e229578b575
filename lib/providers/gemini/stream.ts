/**
 * Gemini's `streamGenerateContent` (SSE, one `GenerateContentResponse` per event) → ChatChunks. Gemini sends each
 * function call whole, so each becomes one complete OpenAI tool-call delta (id, name and all arguments) with its
 * own `index`; text parts are content deltas; the finish reason comes on the candidate's last event. Usage is
 * repeated (cumulative) on every event: the last one is emitted once, after everything else.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
import type { ChatChunk, ChunkChoice, ChunkDelta } from '../../core/types.js';
import type { StreamConverter } from '../shared/stream-converter.js';
import { mapFinishReason } from './finish-reason.js';
import { blockedFinish, parseResponse, readParts, toolCallIds } from './response.js';
import { toUsage } from './usage.js';
import type { GeminiUsageMetadata } from './wire.js';

interface CandidateState {
  started: boolean;
  finished: boolean;
  toolCalls: number;
}

export function createStreamConverter(provider: string): StreamConverter {
  const candidates = new Map<number, CandidateState>();
  const nextId = toolCallIds();
  let usage: GeminiUsageMetadata | undefined;
  let id: string | undefined;

  const stateOf = (index: number): CandidateState => {
    let state = candidates.get(index);
    if (!state) {
      state = { started: false, finished: false, toolCalls: 0 };
      candidates.set(index, state);
    }
    return state;
  };

  const chunk = (choices: ChunkChoice[]): ChatChunk => (id ? { id, choices } : { choices });

  return {
    // No event is final: the stream's end is, and end() then sends what each candidate still owes.
    done: false,
    push(raw) {
      const response = parseResponse(raw, provider);
      if (response.responseId) id = response.responseId;
      if (response.usageMetadata) usage = response.usageMetadata;
      const list = response.candidates ?? [];
      if (list.length === 0 && response.promptFeedback?.blockReason) {
        const state = stateOf(0);
        state.started = true;
        state.finished = true;
        const reason = response.promptFeedback.blockReason;
        const delta: ChunkDelta = { role: 'assistant', refusal: `Gemini blocked the prompt (${reason}).` };
        return [chunk([{ index: 0, delta, finish_reason: blockedFinish(response) }])];
      }
      const choices: ChunkChoice[] = [];
      list.forEach((candidate, position) => {
        const index = candidate.index ?? position;
        const state = stateOf(index);
        if (state.finished) return;
        const { text, toolCalls } = readParts(candidate, nextId);
        const delta: ChunkDelta = {};
        if (!state.started) delta.role = 'assistant';
        if (text !== null) delta.content = text;
        if (toolCalls.length > 0) {
          delta.tool_calls = toolCalls.map((call) => ({ index: state.toolCalls++, ...call }));
        }
        const finish = candidate.finishReason ? mapFinishReason(candidate.finishReason, state.toolCalls > 0) : null;
        if (finish) state.finished = true;
        if (text === null && toolCalls.length === 0 && !finish && state.started) return;
        state.started = true;
        choices.push({ index, delta, finish_reason: finish });
      });
      return choices.length > 0 ? [chunk(choices)] : [];
    },

    end() {
      // A stream that ended without a finish reason (or without any candidate) still ends its choices.
      if (candidates.size === 0) stateOf(0);
      const open = [...candidates.entries()].filter(([, state]) => !state.finished);
      const out: ChatChunk[] = [];
      if (open.length > 0) {
        const choices = open.map(
          ([index, state]): ChunkChoice => ({
            index,
            delta: state.started ? {} : { role: 'assistant' },
            finish_reason: state.toolCalls > 0 ? 'tool_calls' : 'stop',
          }),
        );
        out.push(chunk(choices));
      }
      out.push({ ...chunk([]), usage: toUsage(usage) });
      return out;
    },
  };
}
