/**
 * `POST /v1/embeddings` on Bedrock through `InvokeModel`, whose body is each model family's own:
 * - Amazon Titan Text Embeddings: one `inputText` a call; v2 takes `dimensions` (256, 512, 1024) and `normalize`,
 *   and answers `embedding` with `inputTextTokenCount`.
 * - Cohere Embed: up to 96 `texts` a call with an `input_type` (`search_document` unless the caller sends one) and
 *   `embedding_types: ["float"]`; v4 takes `output_dimension`. The answer is `embeddings` as a list of vectors
 *   (`embeddings_floats`) or by type (`embeddings_by_type`), with no token count in the body: Bedrock's
 *   `x-amzn-bedrock-input-token-count` response header carries it.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
 */
import * as z from 'zod';
import { type EmbeddingRequest, isTextInput } from '../../core/embeddings.js';
import { badRequest } from '../../core/errors.js';
import { invalidResponse } from '../shared/http-errors.js';

export type EmbeddingFamily =
  | { kind: 'titan'; version: 1 | 2 }
  | { kind: 'cohere'; version: 3 | 4; nativeDimensions?: number };

/** What a call on this family takes at most. */
export const BATCH_SIZE: Readonly<Record<EmbeddingFamily['kind'], number>> = { titan: 1, cohere: 96 };

export const TITAN_V2_DIMENSIONS = [256, 512, 1024] as const;
export const COHERE_V4_DIMENSIONS = [256, 512, 1024, 1536] as const;

/** The embedding family of a Bedrock model id (foundation model or inference profile); undefined if none. */
export function embeddingFamily(model: string): EmbeddingFamily | undefined {
  if (/(^|[./])amazon\.titan-embed-text-v2/.test(model)) return { kind: 'titan', version: 2 };
  if (/(^|[./])amazon\.titan-embed-(text-v1|g1-text)/.test(model)) return { kind: 'titan', version: 1 };
  if (/(^|[./])cohere\.embed-v4/.test(model)) return { kind: 'cohere', version: 4 };
  if (/(^|[./])cohere\.embed-[a-z]+-light-v3/.test(model)) return { kind: 'cohere', version: 3, nativeDimensions: 384 };
  if (/(^|[./])cohere\.embed-[a-z]+-v3/.test(model)) return { kind: 'cohere', version: 3, nativeDimensions: 1024 };
  return undefined;
}

/** 400 naming `model` for a Bedrock model that has no embeddings, and `input` for token arrays. */
export function checkEmbeddingRequest(req: EmbeddingRequest): { family: EmbeddingFamily; texts: string[] } {
  const family = embeddingFamily(req.model);
  if (!family) {
    throw badRequest(
      `The Bedrock model '${req.model}' cannot embed: use an Amazon Titan Text Embeddings or Cohere Embed model.`,
      'model',
      'model_cannot_embed',
    );
  }
  if (!isTextInput(req.input)) {
    throw badRequest("Bedrock embeds text: send 'input' as a string or an array of strings.", 'input');
  }
  checkDimensions(family, req.dimensions);
  return { family, texts: req.input };
}

function checkDimensions(family: EmbeddingFamily, dimensions: number | undefined): void {
  if (dimensions === undefined) return;
  const allowed: readonly number[] =
    family.kind === 'titan'
      ? family.version === 2
        ? TITAN_V2_DIMENSIONS
        : [1536]
      : family.version === 4
        ? COHERE_V4_DIMENSIONS
        : [family.nativeDimensions ?? 1024];
  if (allowed.includes(dimensions)) return;
  throw badRequest(`This Bedrock model takes 'dimensions' of ${allowed.join(', ')} only.`, 'dimensions');
}

/** The InvokeModel body for one batch of texts; fields with no place in it are recorded as ignored. */
export function toInvokeBody(
  req: EmbeddingRequest,
  family: EmbeddingFamily,
  texts: string[],
  ignore: (field: string) => void,
): Record<string, unknown> {
  const { normalize, input_type: inputType, truncate, ...rest } = req.extra;
  if (req.user !== undefined) ignore('user');
  for (const field of Object.keys(rest)) ignore(field);
  if (family.kind === 'titan') {
    if (inputType !== undefined) ignore('input_type');
    if (truncate !== undefined) ignore('truncate');
    if (family.version === 1) {
      if (normalize !== undefined) ignore('normalize');
      return { inputText: texts[0] };
    }
    const body: Record<string, unknown> = {
      inputText: texts[0],
      normalize: typeof normalize === 'boolean' ? normalize : true,
    };
    if (req.dimensions !== undefined) body.dimensions = req.dimensions;
    return body;
  }
  if (normalize !== undefined) ignore('normalize');
  const body: Record<string, unknown> = {
    texts,
    input_type: typeof inputType === 'string' ? inputType : 'search_document',
    embedding_types: ['float'],
  };
  if (typeof truncate === 'string') body.truncate = truncate;
  if (family.version === 4 && req.dimensions !== undefined) body.output_dimension = req.dimensions;
  return body;
}

const vectors = z.array(z.array(z.number()));
const titanResponse = z.looseObject({
  embedding: z.array(z.number()),
  inputTextTokenCount: z.number().int().min(0).nullish(),
});
const cohereResponse = z.looseObject({
  embeddings: z.union([vectors, z.looseObject({ float: vectors })]),
});

export interface BedrockEmbeddings {
  vectors: number[][];
  inputTokens?: number;
}

/** An InvokeModel answer for `count` texts; anything else is a 502. */
export function fromInvokeEmbedding(family: EmbeddingFamily, raw: unknown, count: number): BedrockEmbeddings {
  if (family.kind === 'titan') {
    const parsed = titanResponse.safeParse(raw);
    if (!parsed.success) throw invalidResponse('Bedrock', parsed.error);
    const out: BedrockEmbeddings = { vectors: [parsed.data.embedding] };
    if (typeof parsed.data.inputTextTokenCount === 'number') out.inputTokens = parsed.data.inputTextTokenCount;
    return out;
  }
  const parsed = cohereResponse.safeParse(raw);
  if (!parsed.success) throw invalidResponse('Bedrock', parsed.error);
  const { embeddings } = parsed.data;
  const list = Array.isArray(embeddings) ? embeddings : embeddings.float;
  if (list.length !== count)
    throw invalidResponse('Bedrock', new Error(`expected ${count} embeddings, got ${list.length}`));
  return { vectors: list };
}

export function parseInvokeJson(bytes: Uint8Array | undefined): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw invalidResponse('Bedrock', error);
  }
}

/** Bedrock's own count of a call's input tokens, from its response header; undefined when absent. */
export function inputTokensHeader(headers: Record<string, string | undefined>): number | undefined {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'x-amzn-bedrock-input-token-count');
  const tokens = Number(entry?.[1]);
  return entry?.[1] !== undefined && Number.isInteger(tokens) && tokens >= 0 ? tokens : undefined;
}
