/**
 * `POST /v1/embeddings` bodies → the canonical EmbeddingRequest, or a 400 naming the field (CONTRACT.md §5), with
 * OpenAI's own limits: `input` a non-empty string, an array of at most 2048 non-empty strings, or OpenAI's
 * pre-tokenised forms (an array of token ids, or an array of such arrays); `dimensions` a positive integer;
 * `encoding_format` `float` (the default) or `base64`. Fields the gateway does not model are kept for
 * OpenAI-compatible upstreams (`extra`).
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
import * as z from 'zod';
import type { EmbeddingRequest } from '../core/embeddings.js';
import { badRequest } from '../core/errors.js';
import { MAX_FALLBACK_MODELS, modelName, parseJsonBody, zodToBadRequest } from './validate.js';

/** OpenAI's cap on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048;

export interface ParsedEmbeddingRequest {
  /** `model` is the name as the caller wrote it; each attempt replaces it with the provider's own name. */
  request: EmbeddingRequest;
  fallbackModels: string[];
}

const KNOWN_FIELDS = new Set(['model', 'input', 'dimensions', 'encoding_format', 'user', 'models']);

let schema: z.ZodType<Record<string, unknown>> | undefined;

function embeddingRequestSchema(): z.ZodType<Record<string, unknown>> {
  schema ??= z.looseObject({
    model: modelName(),
    dimensions: z.number().int().min(1).nullish(),
    encoding_format: z.enum(['float', 'base64']).nullish(),
    user: z.string().nullish(),
    models: z.array(modelName()).max(MAX_FALLBACK_MODELS).nullish(),
  });
  return schema;
}

const isTokenId = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;

/** `input` in its four OpenAI forms, as a list of texts or a list of token arrays. */
export function parseEmbeddingInput(input: unknown): string[] | number[][] {
  const invalid = (detail: string) => badRequest(`Invalid value for 'input': ${detail}`, 'input');
  if (typeof input === 'string') {
    if (input.length === 0) throw invalid('it must not be empty.');
    return [input];
  }
  if (!Array.isArray(input) || input.length === 0) {
    throw invalid('send a non-empty string, an array of strings, or an array of token arrays.');
  }
  if (input.length > MAX_EMBEDDING_INPUTS) throw invalid(`at most ${MAX_EMBEDDING_INPUTS} inputs per request.`);
  if (input.every((item) => typeof item === 'string')) {
    const empty = input.findIndex((item) => item.length === 0);
    if (empty >= 0) throw badRequest(`Invalid value for 'input[${empty}]': it must not be empty.`, `input[${empty}]`);
    return input as string[];
  }
  if (input.every(isTokenId)) return [input as number[]];
  if (input.every((item) => Array.isArray(item) && item.length > 0 && item.every(isTokenId))) {
    return input as number[][];
  }
  throw invalid('an array must hold only strings, only token ids, or only non-empty arrays of token ids.');
}

export function parseEmbeddingRequest(body: string | undefined): ParsedEmbeddingRequest {
  const json = parseJsonBody(body, 'embeddings request');
  const parsed = embeddingRequestSchema().safeParse(json);
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  const fields = parsed.data as {
    model: string;
    dimensions?: number | null;
    encoding_format?: 'float' | 'base64' | null;
    user?: string | null;
    models?: string[] | null;
  };
  if (!('input' in json)) throw badRequest("Missing required parameter: 'input'.", 'input');
  const extra: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(json)) if (!KNOWN_FIELDS.has(field)) extra[field] = value;
  const request: EmbeddingRequest = {
    model: fields.model,
    input: parseEmbeddingInput(json.input),
    encoding: fields.encoding_format ?? 'float',
    extra,
  };
  if (fields.dimensions != null) request.dimensions = fields.dimensions;
  if (fields.user != null) request.user = fields.user;
  return { request, fallbackModels: fields.models ?? [] };
}
