/**
 * The OpenAI Chat Completions ingress (`POST /v1/chat/completions`): the canonical format itself, so parsing is
 * validation and rendering stamps the response identity (CONTRACT.md §2).
 * @see https://platform.openai.com/docs/api-reference/chat
 */
import { sseErrorEvent, toErrorBody } from '../../core/errors.js';
import { chunkBody, completionBody, SSE_DONE, sseEvent, usageChunkBody } from '../respond.js';
import { parseChatRequest } from '../validate.js';
import type { Ingress } from './types.js';

export const chatIngress: Ingress = {
  endpoint: 'chat',
  idPrefix: 'chatcmpl-',
  parse(body) {
    return { ...parseChatRequest(body), ignored: [] };
  },
  complete: completionBody,
  stream(identity, request) {
    const includeUsage = request.stream_options?.include_usage === true;
    return {
      chunk: (chunk) => (chunk.choices.length > 0 ? sseEvent(chunkBody(chunk, identity, includeUsage)) : ''),
      end: (usage) => (includeUsage && usage ? sseEvent(usageChunkBody(usage, identity)) : '') + SSE_DONE,
      error: sseErrorEvent,
    };
  },
  errorBody: toErrorBody,
};
