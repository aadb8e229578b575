import type { ConverseRequest, InferenceConfiguration } from '@aws-sdk/client-bedrock-runtime';
import type { CallContext, ChatRequest } from '../../core/types.js';
import {
  type FieldTable,
  oneChoiceNoLogprobs,
  rejectFields,
  renamedFields,
  reportDroppedFields,
} from '../shared/field-table.js';
import type { FamilyTraits } from './family.js';
import { convertMessages } from './messages.js';
import { convertTools } from './tools.js';

/**
 * The fields that need no conversion: renamed into `inferenceConfig`; dropped, the hints Converse has no equivalent
 * for (`metadata` is not `requestMetadata`: Bedrock's keys and values are far narrower than OpenAI's); rejected,
 * what would change the answer.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html
 */
const FIELDS: FieldTable<InferenceConfiguration> = {
  rename: { temperature: 'temperature', top_p: 'topP' },
  drop: [
    'seed',
    'user',
    'metadata',
    'frequency_penalty',
    'presence_penalty',
    'logit_bias',
    'service_tier',
    'store',
    'reasoning_effort',
  ],
  reject: oneChoiceNoLogprobs('Bedrock'),
};

/**
 * Converts a ChatRequest into a Converse / ConverseStream request (both take the same body).
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */
export async function toRequest(
  req: ChatRequest,
  ctx: Pick<CallContext, 'ignore' | 'signal'>,
  traits: FamilyTraits,
): Promise<ConverseRequest> {
  rejectFields(req, FIELDS);
  reportDroppedFields(req, FIELDS, ctx);
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

/**
 * `max_completion_tokens` (or the older `max_tokens`), `temperature`, `top_p`, `stop` → `inferenceConfig`.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InferenceConfiguration.html
 */
export function toInferenceConfig(req: ChatRequest): InferenceConfiguration | undefined {
  const config: InferenceConfiguration = renamedFields(req, FIELDS);
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (typeof maxTokens === 'number') config.maxTokens = maxTokens;
  const stop = typeof req.stop === 'string' ? [req.stop] : (req.stop ?? []);
  // Bedrock rejects empty stop sequences; OpenAI ignores them.
  const stopSequences = stop.filter((sequence) => sequence !== '');
  if (stopSequences.length > 0) config.stopSequences = stopSequences;
  return Object.keys(config).length > 0 ? config : undefined;
}
