/**
 * `POST /v1/embeddings` on the OpenAI family (OpenAI, Azure, built-in and custom compatible services): OpenAI's
 * own request, so the conversion is a pass-through with the encoding always explicit. The openai SDK, when
 * `encoding_format` is absent, asks for base64 and decodes it; given one, it returns the answer as it came, which is
 * what the gateway wants: OpenAI and Azure are asked for base64 (see `base64Embeddings` in model.ts), which goes to
 * a base64 caller untouched and is decoded by the gateway for a float caller; compatible servers get the caller's
 * encoding, and those that ignore `encoding_format` and answer numbers are read just as well.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */
import * as z from 'zod';
import type { EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.js';
import { invalidResponse } from '../shared/http-errors.js';

export function toEmbeddingBody(req: EmbeddingRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    ...req.extra,
    model: req.model,
    input: req.input,
    encoding_format: req.encoding,
  };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  if (req.user !== undefined) body.user = req.user;
  return body;
}

/** A loop rather than `z.array(z.number())`: a request's vectors hold millions of numbers. */
const isVector = (value: unknown): value is number[] | string =>
  typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'number'));

const wireEmbeddingsSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      index: z.number().int().min(0).nullish(),
      embedding: z.custom<number[] | string>(isVector, 'expected an array of numbers or a base64 string'),
    }),
  ),
  usage: z.looseObject({ prompt_tokens: z.number().int().min(0).nullish() }).nullish(),
});

/** The answer's vectors in input order (by `index`, as OpenAI numbers them); a short or odd answer is a 502. */
export function fromEmbeddingResponse(raw: unknown, inputs: number, provider: string): EmbeddingResult {
  const parsed = wireEmbeddingsSchema.safeParse(raw);
  if (!parsed.success) throw invalidResponse(provider, parsed.error);
  const vectors: (number[] | string | undefined)[] = Array.from({ length: inputs }, () => undefined);
  parsed.data.data.forEach((item, position) => {
    const index = item.index ?? position;
    if (index < inputs) vectors[index] = item.embedding;
  });
  if (parsed.data.data.length !== inputs || vectors.includes(undefined)) {
    throw invalidResponse(provider, new Error(`expected ${inputs} embeddings, got ${parsed.data.data.length}`));
  }
  const result: EmbeddingResult = { vectors: vectors as (number[] | string)[] };
  const tokens = parsed.data.usage?.prompt_tokens;
  if (typeof tokens === 'number') result.inputTokens = tokens;
  return result;
}
