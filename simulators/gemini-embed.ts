/**
 * The embedding methods of the Gemini simulator (./gemini.ts), as @google/genai's `models.embedContent` calls them:
 *   Gemini API  …/models/{model}:batchEmbedContents  `{requests: [{model, content: {parts: [{text}]}, outputDimensionality?}]}`
 *               → `{embeddings: [{values}]}`; at most 100 requests, each naming the path's model.
 *   Vertex AI   …/publishers/google/models/{model}:predict  `{instances: [{content}], parameters: {outputDimensionality?}}`
 *               → `{predictions: [{embeddings: {values, statistics: {token_count, truncated}}}], metadata}`; at
 *               most 250 instances, and gemini-embedding-001 one.
 *   Vertex AI   …:embedContent  `{content: {parts: [{text}]}, embedContentConfig?}` (the newer Gemini models)
 *               → `{embedding: {values}, usageMetadata: {promptTokenCount}, truncated}`.
 * Errors are Google's `{"error": {"code", "message", "status"}}`.
 * @see https://ai.google.dev/api/embeddings
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/text-embeddings-api
 */
import { type RecordedRequest, type Reply, type SimResponse, sendJson } from './base.js';
import { simulatedEmbedding, simulatedTokens } from './embedding-vectors.js';

export const EMBED_METHODS = ['batchEmbedContents', 'predict', 'embedContent'] as const;
export type EmbedMethod = (typeof EMBED_METHODS)[number];

/** gemini-embedding-001 answers 3072 numbers unless told fewer. */
export const GEMINI_EMBEDDING_DIMENSIONS = 3072;

export interface GeminiEmbedOptions {
  /** Vector length without `outputDimensionality`. */
  dimensions?: number;
}

function googleError(res: SimResponse, code: number, status: string, message: string): void {
  sendJson(res, code, { error: { code, message, status } });
}

const METHOD_OF_PATH = /\/models\/([^/:]+):(batchEmbedContents|predict|embedContent)$/;

function textOf(content: unknown): string | undefined {
  const parts = (content as { parts?: { text?: unknown }[] } | undefined)?.parts;
  const text = parts?.map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
  return text ? text : undefined;
}

type Body = Record<string, unknown>;

function batchEmbed(res: SimResponse, model: string, body: Body, dimensions: number) {
  const requests = body.requests;
  if (!Array.isArray(requests) || requests.length === 0) {
    return googleError(res, 400, 'INVALID_ARGUMENT', '* BatchEmbedContentsRequest.requests: requests is not specified');
  }
  if (requests.length > 100) {
    return googleError(
      res,
      400,
      'INVALID_ARGUMENT',
      '* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch',
    );
  }
  const embeddings: { values: number[] }[] = [];
  for (const [i, request] of (requests as Body[]).entries()) {
    if (request.model !== `models/${model}`) {
      const message = `* BatchEmbedContentsRequest.requests[${i}].model: the model must be the batch's model (models/${model})`;
      return googleError(res, 400, 'INVALID_ARGUMENT', message);
    }
    const text = textOf(request.content);
    if (!text) {
      return googleError(res, 400, 'INVALID_ARGUMENT', `* BatchEmbedContentsRequest.requests[${i}].content: empty`);
    }
    const size = typeof request.outputDimensionality === 'number' ? request.outputDimensionality : dimensions;
    embeddings.push({ values: simulatedEmbedding(text, size) });
  }
  sendJson(res, 200, { embeddings });
}

function predict(res: SimResponse, model: string, body: Body, dimensions: number) {
  const instances = body.instances;
  if (!Array.isArray(instances) || instances.length === 0) {
    return googleError(res, 400, 'INVALID_ARGUMENT', 'instances must not be empty');
  }
  const limit = model === 'gemini-embedding-001' ? 1 : 250;
  if (instances.length > limit) {
    const message = `Unable to submit request because ${model} supports up to ${limit} instances per request, got ${instances.length}.`;
    return googleError(res, 400, 'INVALID_ARGUMENT', message);
  }
  const parameters = (body.parameters ?? {}) as { outputDimensionality?: unknown };
  const size = typeof parameters.outputDimensionality === 'number' ? parameters.outputDimensionality : dimensions;
  let characters = 0;
  const predictions = (instances as { content?: unknown }[]).map((instance) => {
    const text = typeof instance.content === 'string' ? instance.content : '';
    characters += text.replace(/\s/g, '').length;
    return {
      embeddings: {
        values: simulatedEmbedding(text, size),
        statistics: { truncated: false, token_count: simulatedTokens(text) },
      },
    };
  });
  sendJson(res, 200, { predictions, metadata: { billableCharacterCount: characters } });
}

function embedContent(res: SimResponse, body: Body, dimensions: number) {
  const text = textOf(body.content);
  if (!text) return googleError(res, 400, 'INVALID_ARGUMENT', 'content must have at least one text part');
  const config = (body.embedContentConfig ?? {}) as { outputDimensionality?: unknown };
  const size = typeof config.outputDimensionality === 'number' ? config.outputDimensionality : dimensions;
  const tokens = simulatedTokens(text);
  sendJson(res, 200, {
    embedding: { values: simulatedEmbedding(text, size) },
    usageMetadata: { promptTokenCount: tokens, totalTokenCount: tokens },
    truncated: false,
  });
}

/** Answers whichever embedding method the path names, as Google would. */
export function geminiEmbedReply(options: GeminiEmbedOptions = {}): Reply {
  const dimensions = options.dimensions ?? GEMINI_EMBEDDING_DIMENSIONS;
  return (req: RecordedRequest, res: SimResponse) => {
    const match = METHOD_OF_PATH.exec(req.path);
    if (!match) return googleError(res, 404, 'NOT_FOUND', `Requested entity was not found: ${req.path}`);
    const [, model, method] = match as unknown as [string, string, EmbedMethod];
    const body = (req.body ?? {}) as Body;
    if (method === 'batchEmbedContents') return batchEmbed(res, model, body, dimensions);
    if (method === 'predict') return predict(res, model, body, dimensions);
    return embedContent(res, body, dimensions);
  };
}
