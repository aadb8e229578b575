/**
 * OpenAI's `POST …/embeddings` (OpenAI's `/v1/embeddings`, Azure's `/openai/deployments/<deployment>/embeddings`,
 * any compatible base URL): `input` as a string, strings, or token arrays, at most 2048; `dimensions` only on the
 * text-embedding-3 models and at most their native size; `encoding_format` `float` (the default when absent) or
 * `base64` (little-endian float32, as the openai SDK asks for by default). Errors in OpenAI's envelope.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
import type { RecordedRequest, Reply, SimResponse } from './base.js';
import { sendJson } from './base.js';
import { float32Base64, simulatedEmbedding, simulatedTokens } from './embedding-vectors.js';

export interface EmbeddingsReplyOptions {
  /** Vector length when the request sets no `dimensions`; by default the model's own (1536, or 3072 for -large). */
  dimensions?: number;
  /** `usage.prompt_tokens`; by default one per word. Null leaves `usage` out, as some compatible servers do. */
  promptTokens?: number | null;
  /** Answer numbers whatever `encoding_format` asked, as compatible servers that ignore it do. */
  alwaysFloat?: boolean;
  /** Awaited before the answer is written. */
  beforeHead?: () => Promise<void>;
}

interface EmbeddingsBody {
  model?: unknown;
  input?: unknown;
  dimensions?: unknown;
  encoding_format?: unknown;
}

export function isEmbeddingsPath(path: string): boolean {
  return path.endsWith('/embeddings');
}

function nativeDimensions(model: string): number {
  return /3-large/.test(model) ? 3072 : 1536;
}

function invalid(res: SimResponse, message: string, param: string | null): void {
  sendJson(res, 400, { error: { message, type: 'invalid_request_error', param, code: null } });
}

/** The texts of `input` (token arrays as their ids joined), or undefined when OpenAI would refuse it. */
function inputsOf(input: unknown): string[] | undefined {
  if (typeof input === 'string') return input ? [input] : undefined;
  if (!Array.isArray(input) || input.length === 0 || input.length > 2048) return undefined;
  if (input.every((item) => typeof item === 'string' && item.length > 0)) return input as string[];
  if (input.every((item) => Number.isInteger(item))) return [input.join(' ')];
  if (input.every((item) => Array.isArray(item) && item.length > 0)) return input.map((item) => item.join(' '));
  return undefined;
}

/** Embeddings for every input, in order, in the encoding asked for. */
export function embeddingsReply(options: EmbeddingsReplyOptions = {}): Reply {
  return async (req: RecordedRequest, res: SimResponse) => {
    if (req.method !== 'POST' || !isEmbeddingsPath(req.path)) {
      const message = `Invalid URL (${req.method} ${req.path})`;
      return sendJson(res, 404, { error: { message, type: 'invalid_request_error', param: null, code: null } });
    }
    const body = (req.body ?? {}) as EmbeddingsBody;
    const model = typeof body.model === 'string' ? body.model : 'text-embedding-3-small';
    const inputs = inputsOf(body.input);
    if (!inputs) return invalid(res, "'$.input' is invalid. Please check the API reference.", null);
    const encoding = body.encoding_format ?? 'float';
    if (encoding !== 'float' && encoding !== 'base64') {
      return invalid(res, `'${String(encoding)}' is not one of ['float', 'base64'] - 'encoding_format'`, null);
    }
    let dimensions = options.dimensions ?? nativeDimensions(model);
    if (body.dimensions !== undefined) {
      if (model.includes('ada-002')) return invalid(res, 'This model does not support specifying dimensions.', null);
      if (!Number.isInteger(body.dimensions) || (body.dimensions as number) < 1) {
        return invalid(res, `Invalid value for 'dimensions' = ${String(body.dimensions)}.`, 'dimensions');
      }
      dimensions = body.dimensions as number;
    }
    if (options.beforeHead) await options.beforeHead();
    if (req.aborted) return;
    const data = inputs.map((text, index) => {
      const vector = simulatedEmbedding(text, dimensions);
      const base64 = encoding === 'base64' && !options.alwaysFloat;
      return { object: 'embedding', index, embedding: base64 ? float32Base64(vector) : vector };
    });
    const tokens = options.promptTokens ?? inputs.reduce((sum, text) => sum + simulatedTokens(text), 0);
    const answer: Record<string, unknown> = { object: 'list', data, model };
    if (options.promptTokens !== null) answer.usage = { prompt_tokens: tokens, total_tokens: tokens };
    sendJson(res, 200, answer, { 'x-request-id': `req_sim_embed_${data.length}` });
  };
}
