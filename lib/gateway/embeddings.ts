/**
 * `POST /v1/embeddings` (CONTRACT.md §5) through the same steps as chat: the key is authenticated and rate-limited
 * by the caller (./pipeline.ts), then the model and its `models` fallbacks are routed, scoped and priced (./plan.ts), a
 * budget holds the input estimate at the input price, and the provider's `embed` runs under the retries, fallbacks,
 * first-byte timeout and tracing span of every call (./call.ts). The answer is OpenAI's `list` of `embedding`
 * objects in the caller's encoding; one usage row (`endpoint: "embeddings"`, no output tokens) follows.
 * @see https://platform.openai.com/docs/api-reference/embeddings/object
 */

import { encodeVector } from '../core/embedding-vectors.js';
import type { EmbeddingRequest, EmbeddingResult } from '../core/embeddings.js';
import { badRequest } from '../core/errors.js';
import type { Usage } from '../core/types.js';
import { invalidResponse } from '../providers/shared/http-errors.js';
import type { KeyRecord } from '../storage/types.js';
import { estimateEmbeddingInputTokens } from '../usage/estimate.js';
import { costHeader } from './account.js';
import { type Attempt, withFallbacks } from './call.js';
import type { GatewayDeps } from './deps.js';
import { parseEmbeddingRequest } from './embeddings-request.js';
import { type ResponseSink, sendJson } from './http.js';
import { prepareModelCall } from './model-call.js';
import type { RequestOutcome } from './outcome.js';
import { assertEmbeds } from './plan.js';

export interface EmbeddingState {
  key: KeyRecord;
  headers: Record<string, string>;
  outcome: RequestOutcome;
  started: number;
}

export async function embeddings(
  body: string | undefined,
  sink: ResponseSink,
  deps: GatewayDeps,
  state: EmbeddingState,
): Promise<void> {
  const { headers, outcome } = state;
  const { request, fallbackModels } = parseEmbeddingRequest(body);
  outcome.model = request.model;
  const { routes, hooks, inputEstimate } = await prepareModelCall(deps, state, sink.closed, {
    models: [request.model, ...fallbackModels],
    assertServes: assertEmbeds,
    estimateInput: (counter) => estimateEmbeddingInputTokens(request.input, counter),
    // An embedding has no output: the worst case is the input at the input price.
    outputCeiling: () => 0,
  });
  const { value, attempt } = await withFallbacks<EmbeddingResult, EmbeddingRequest>(
    routes,
    request,
    deps.settings,
    hooks,
    embedOnce,
    (original, route) => ({ ...original, model: route.model }),
  );
  const reported = value.inputTokens;
  const inputTokens = reported ?? (await inputEstimate(attempt.route));
  const usage: Usage = { inputTokens, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  outcome.usage = usage;
  outcome.usageEstimated = reported === undefined;
  outcome.ttftMs = Math.round(performance.now() - state.started);
  outcome.span = attempt.span;
  if (attempt.ignored.size > 0) headers['x-gateway-ignored'] = [...attempt.ignored].join(',');
  if (reported === undefined) headers['x-gateway-estimated'] = 'true';
  const cost = costHeader(outcome);
  if (cost !== undefined) headers['x-gateway-cost-usd'] = cost;
  await sendJson(sink, 200, headers, embeddingListBody(value, inputTokens, request.encoding, attempt));
}

/** One provider call: a provider (or a model of it) that cannot embed is a 400 naming `model`. */
function embedOnce(attempt: Attempt<EmbeddingRequest>): Promise<EmbeddingResult> {
  const embed = attempt.model.embed?.bind(attempt.model);
  if (!embed) {
    throw badRequest(
      `The provider '${attempt.route.provider}' cannot create embeddings.`,
      'model',
      'model_cannot_embed',
    );
  }
  return embed(attempt.request, attempt.ctx);
}

/** OpenAI's answer: `data` in input order, `model` as the caller wrote it (or the fallback that answered). */
function embeddingListBody(
  result: EmbeddingResult,
  inputTokens: number,
  encoding: EmbeddingRequest['encoding'],
  attempt: Attempt<EmbeddingRequest>,
): Record<string, unknown> {
  const data = result.vectors.map((vector, index) => {
    const embedding = encodeVector(vector, encoding);
    if (embedding === undefined) {
      throw invalidResponse(attempt.route.provider, new Error(`embedding ${index} is not base64 of float32 values`));
    }
    return { object: 'embedding', index, embedding };
  });
  return {
    object: 'list',
    data,
    model: attempt.route.requested,
    usage: { prompt_tokens: inputTokens, total_tokens: inputTokens },
  };
}
