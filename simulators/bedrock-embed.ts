/**
 * InvokeModel on Bedrock's embedding models, for the Bedrock simulator (./bedrock.ts), in each family's own body:
 * - Titan Text Embeddings v2 `{inputText, dimensions?, normalize?, embeddingTypes?}` → `{embedding,
 *   inputTextTokenCount, embeddingsByType}`; `dimensions` 256, 512 or 1024 (v1 takes `inputText` only).
 * - Cohere Embed `{texts (1–96), input_type, truncate?, embedding_types?, output_dimension? (v4)}` →
 *   `{id, texts, embeddings: [[…]], response_type: "embeddings_floats"}`, or with `embedding_types`
 *   `{…, embeddings: {float: [[…]]}, response_type: "embeddings_by_type"}`.
 * Every answer carries Bedrock's `x-amzn-bedrock-input-token-count` header; bad bodies get a ValidationException.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-titan-embed-text.html
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-embed.html
 */
import { type Reply, sendJson } from './base.js';
import { bedrockError, routeOf } from './bedrock.js';
import { simulatedEmbedding, simulatedTokens } from './embedding-vectors.js';

const COHERE_INPUT_TYPES = new Set(['search_document', 'search_query', 'classification', 'clustering']);

function answer(res: Parameters<Reply>[1], body: unknown, inputTokens: number): void {
  sendJson(res, 200, body, {
    'x-amzn-requestid': `sim-embed-${inputTokens}`,
    'x-amzn-bedrock-input-token-count': String(inputTokens),
    'x-amzn-bedrock-invocation-latency': '42',
  });
}

/** Answers InvokeModel for Titan and Cohere embedding model ids; any other model is a ValidationException. */
export function invokeEmbedding(): Reply {
  return (req, res) => {
    const { modelId, operation } = routeOf(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const invalid = (message: string) => bedrockError(400, 'ValidationException', message)(req, res);
    if (operation !== 'invoke') return invalid(`Embedding models do not support ${operation}.`);
    if (/amazon\.titan-embed-text/.test(modelId)) {
      const v2 = modelId.includes('-v2');
      if (typeof body.inputText !== 'string' || body.inputText.length === 0) {
        return invalid(
          'Malformed input request: #: required key [inputText] not found, please reformat your input and try again.',
        );
      }
      const extra = Object.keys(body).filter(
        (key) => !['inputText', ...(v2 ? ['dimensions', 'normalize', 'embeddingTypes'] : [])].includes(key),
      );
      if (extra.length > 0) return invalid(`Malformed input request: #: extraneous key [${extra[0]}] is not permitted`);
      const dimensions = body.dimensions ?? (v2 ? 1024 : 1536);
      if (v2 && ![256, 512, 1024].includes(dimensions as number)) {
        return invalid(`Malformed input request: #/dimensions: ${String(dimensions)} is not a valid enum value`);
      }
      const embedding = simulatedEmbedding(body.inputText, dimensions as number);
      const tokens = simulatedTokens(body.inputText);
      return answer(res, { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens }, tokens);
    }
    if (/cohere\.embed-/.test(modelId)) {
      const texts = body.texts;
      if (!Array.isArray(texts) || texts.length === 0 || texts.some((text) => typeof text !== 'string')) {
        return invalid('Malformed input request: #/texts: expected type: JSONArray of strings');
      }
      if (texts.length > 96) {
        return invalid(`Malformed input request: #/texts: expected maximum item count: 96, found: ${texts.length}`);
      }
      if (!COHERE_INPUT_TYPES.has(body.input_type as string)) {
        return invalid('Malformed input request: #/input_type: required key [input_type] not found or not valid');
      }
      const v4 = modelId.includes('embed-v4');
      if (body.output_dimension !== undefined && !v4) {
        return invalid('Malformed input request: #: extraneous key [output_dimension] is not permitted');
      }
      const size =
        (body.output_dimension as number | undefined) ?? (v4 ? 1536 : modelId.includes('light') ? 384 : 1024);
      const vectors = (texts as string[]).map((text) => simulatedEmbedding(text, size));
      const tokens = (texts as string[]).reduce((sum, text) => sum + simulatedTokens(text), 0);
      const byType = Array.isArray(body.embedding_types);
      return answer(
        res,
        {
          id: `sim-cohere-${texts.length}`,
          texts,
          embeddings: byType ? { float: vectors } : vectors,
          response_type: byType ? 'embeddings_by_type' : 'embeddings_floats',
        },
        tokens,
      );
    }
    return invalid(`The model ${modelId} does not support embeddings.`);
  };
}
