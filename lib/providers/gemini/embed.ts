/**
 * `POST /v1/embeddings` on `gemini` and `vertex-ai` through @google/genai's `models.embedContent`, which picks the
 * wire call itself: the Gemini API's `:batchEmbedContents` (at most 100 requests a batch), Vertex AI's `:predict`
 * (`instances`; gemini-embedding-001 takes one a request, the text-embedding models 250) or `:embedContent` (one
 * content; the newer Gemini embedding models). `dimensions` is `outputDimensionality`. Token counts come from
 * Vertex's per-vector `statistics`; the Gemini API reports none, so the gateway estimates them.
 * @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/embeddings/get-text-embeddings#api_limits
 */
import type { EmbedContentParameters } from '@google/genai';
import * as z from 'zod';
import { type EmbeddingRequest, isTextInput } from '../../core/embeddings.js';
import { badRequest } from '../../core/errors.js';
import { invalidResponse } from '../shared/http-errors.js';
import { assertModelInPath } from '../shared/model-in-path.js';

/** The Gemini API's cap on `BatchEmbedContentsRequest.requests`. */
export const GEMINI_BATCH_LIMIT = 100;
/** Vertex AI's cap on `instances` per `:predict` for the text-embedding models. */
export const VERTEX_PREDICT_LIMIT = 250;

/** Texts per call: what the API takes for the model (the SDK sends one call per `embedContent`). */
export function geminiBatchSize(model: string, vertex: boolean): number {
  if (!vertex) return GEMINI_BATCH_LIMIT;
  const name = model.split('/').at(-1) ?? model;
  // gemini-embedding-001 on :predict, and every other Gemini model on :embedContent, take one input a call.
  if (name.includes('gemini') || model.includes('maas')) return 1;
  return VERTEX_PREDICT_LIMIT;
}

/** The SDK parameters for one batch of texts; fields Gemini has no place for are recorded as ignored. */
export function toEmbedParams(
  req: EmbeddingRequest,
  texts: string[],
  signal: AbortSignal,
  ignore: (field: string) => void,
): EmbedContentParameters {
  const config: NonNullable<EmbedContentParameters['config']> = { abortSignal: signal };
  if (req.dimensions !== undefined) config.outputDimensionality = req.dimensions;
  const { task_type: taskType, ...rest } = req.extra;
  if (typeof taskType === 'string') config.taskType = taskType;
  else if (taskType !== undefined) ignore('task_type');
  for (const field of Object.keys(rest)) ignore(field);
  if (req.user !== undefined) ignore('user');
  return { model: req.model, contents: texts, config };
}

/** The texts of a request, or 400 naming `input` for token arrays (Gemini takes text only). */
export function textsOf(req: EmbeddingRequest, provider: string): string[] {
  assertModelInPath(req.model, provider, 2);
  if (!isTextInput(req.input)) {
    throw badRequest(`${provider} embeds text: send 'input' as a string or an array of strings.`, 'input');
  }
  return req.input;
}

const embedResponseSchema = z.looseObject({
  embeddings: z.array(
    z.looseObject({
      values: z.array(z.number()),
      statistics: z.looseObject({ tokenCount: z.number().nullish() }).nullish(),
    }),
  ),
});

export interface GeminiEmbeddings {
  vectors: number[][];
  /** The sum of every vector's `statistics.tokenCount`, when each has one (Vertex AI). */
  inputTokens?: number;
}

/** The SDK's `EmbedContentResponse` for `count` texts; anything else is a 502. */
export function fromEmbedResponse(raw: unknown, count: number, provider: string): GeminiEmbeddings {
  const parsed = embedResponseSchema.safeParse(raw);
  if (!parsed.success) throw invalidResponse(provider, parsed.error);
  const { embeddings } = parsed.data;
  if (embeddings.length !== count) {
    throw invalidResponse(provider, new Error(`expected ${count} embeddings, got ${embeddings.length}`));
  }
  const out: GeminiEmbeddings = { vectors: embeddings.map((embedding) => embedding.values) };
  const counts = embeddings.map((embedding) => embedding.statistics?.tokenCount);
  if (counts.every((tokens) => typeof tokens === 'number')) {
    out.inputTokens = counts.reduce<number>((sum, tokens) => sum + (tokens ?? 0), 0);
  }
  return out;
}
