import type { ConverseRequest, InferenceConfiguration } from '@aws-sdk/client-bedrock-runtime';
import { badRequest } from '../../core/errors.js';
import type { CallContext, ChatRequest } from '../../core/types.js';
import { reportDroppedHints } from '../shared/dropped-hints.js';
import type { FamilyTraits } from './family.js';
import { convertMessages } from './messages.js';
import { convertTools } from './tools.js';

/**
 * Fields that only steer the answer and have no Converse equivalent: dropped and listed in `x-gateway-ignored`.
 * (`metadata` is not `requestMetadata`: Bedrock's keys and values are far narrower than OpenAI's.)
 */
const DROPPED_HINTS = [
  'seed',
  'user',
  'metadata',
  'frequency_penalty',
  'presence_penalty',
  'logit_bias',
  'service_tier',
  'store',
  'reasoning_effort',
] as const;

/**
 * Converts a ChatRequest into a Converse / ConverseStream request (both take the same body).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */
export async function toRequest(
  req: ChatRequest,
  ctx: Pick<CallContext, 'ignore' | 'signal'>,
  traits: FamilyTraits,
): Promise<ConverseRequest> {
  rejectUnsupported(req);
  reportDroppedHints(req, DROPPED_HINTS, ctx);
  const toolConfig = convertTools(req, traits, ctx);
  const { system, messages } = await convertMessages(req.messages, {
    model: req.model,
    traits,
    toolBlocks: toolConfig !== undefined,
    signal: ctx.signal,
  });
  const inferenceConfig = toInferenceConfig(req);
  return {
    modelId: req.model,
    messages,
    ...(system ? { system } : {}),
    ...(inferenceConfig ? { inferenceConfig } : {}),
    ...(toolConfig ? { toolConfig } : {}),
  };
}

/** Fields that change what the answer is and that Converse cannot honour: a 400 naming them (CONTRACT.md §2). */
function rejectUnsupported(req: ChatRequest): void {
  if (typeof req.n === 'number' && req.n > 1) {
    throw badRequest('Bedrock returns one choice per request; n must be 1.', 'n');
  }
  if (req.logprobs) throw badRequest('Bedrock does not return log probabilities.', 'logprobs');
  if (typeof req.top_logprobs === 'number' && req.top_logprobs > 0) {
    throw badRequest('Bedrock does not return log probabilities.', 'top_logprobs');
  }
}

/**
 * `max_completion_tokens` (or the older `max_tokens`), `temperature`, `top_p`, `stop` → `inferenceConfig`.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html
 */
export function toInferenceConfig(req: ChatRequest): InferenceConfiguration | undefined {
  const config: InferenceConfiguration = {};
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (typeof maxTokens === 'number') config.maxTokens = maxTokens;
  if (typeof req.temperature === 'number') config.temperature = req.temperature;
  if (typeof req.top_p === 'number') config.topP = req.top_p;
  const stop = typeof req.stop === 'string' ? [req.stop] : (req.stop ?? []);
  // Bedrock rejects empty stop sequences; OpenAI ignores them.
  const stopSequences = stop.filter((sequence) => sequence !== '');
  if (stopSequences.length > 0) config.stopSequences = stopSequences;
  return Object.keys(config).length > 0 ? config : undefined;
}
