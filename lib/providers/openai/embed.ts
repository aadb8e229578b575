/**
 * `POST /v1/embeddings` on the OpenAI family (OpenAI, Azure, built-in and custom compatible services): OpenAI's
 * own request, so the conversion is a pass-through with the encoding asked for explicitly. The openai SDK, when
 * `encoding_format` is absent, asks for base64 and decodes it; given one, it returns the answer as it came, which is
 * what the gateway wants (a base64 answer goes to a base64 caller without being decoded and encoded again).
 * Compatible servers that ignore `encoding_format` and answer numbers are read just as well.
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

const wireEmbeddingsSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      index: z.number().int().min(0).nullish(),
      embedding: z.union([z.array(z.number()), z.string()]),
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
