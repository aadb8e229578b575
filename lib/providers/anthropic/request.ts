/**
 * ChatRequest (OpenAI Chat Completions) → Anthropic Messages request body.
 * @see https://docs.anthropic.com/en/api/messages
 */
import type { CallContext, ChatRequest } from '../../core/types.js';
import {
  type FieldTable,
  oneChoiceNoLogprobs,
  reject,
  rejectFields,
  renamedFields,
  reportDroppedFields,
} from '../shared/field-table.js';
import { convertMessages } from './messages.js';
import { type StrictSchemaTransform, structuredOutputFormat } from './structured-output.js';
import { prepareTools } from './tools.js';
import type { AnthropicRequest } from './wire.js';

/** Anthropic requires `max_tokens`; this is the default when neither the caller nor the catalog gives one. */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * The fields that need no conversion. Dropped: hints Claude has no equivalent for (`user` and
 * `parallel_tool_calls` are not among them: they map to `metadata.user_id` and `disable_parallel_tool_use`;
 * OpenAI's `metadata` tags stored completions, Anthropic's holds only `user_id`, so it is dropped).
 */
const FIELDS: FieldTable<AnthropicRequest> = {
  rename: { temperature: 'temperature', top_p: 'top_p' },
  drop: [
    'seed',
    'frequency_penalty',
    'presence_penalty',
    'logit_bias',
    'metadata',
    'service_tier',
    'store',
    'reasoning_effort',
  ],
  reject: [
    ...oneChoiceNoLogprobs('Claude'),
    // OpenAI's range is 0–2, Claude's 0–1: clamping would silently change the answer.
    reject('temperature', (temperature) => temperature > 1, 'Claude accepts a temperature between 0 and 1.'),
  ],
};

export interface PreparedRequest {
  body: AnthropicRequest;
  /** The forced JSON-response tool carries the answer (response_format json_schema / json_object). */
  jsonMode: boolean;
}

export interface RequestOptions {
  /** Given, a `json_schema` response format goes out as structured outputs on the models that have them. */
  strictSchema?: StrictSchemaTransform;
}

/** Builds the request body; throws a 400 naming the field for what Claude cannot honour. */
export function toRequest(
  req: ChatRequest,
  ctx: Pick<CallContext, 'ignore' | 'catalogEntry'>,
  options: RequestOptions = {},
): PreparedRequest {
  rejectFields(req, FIELDS);
  reportDroppedFields(req, FIELDS, ctx);

  const { system, messages } = convertMessages(req.messages);
  const outputFormat = structuredOutputFormat(req, options.strictSchema);
  // With structured outputs the schema is the model's own constraint: no JSON tool, the caller's tools as asked.
  const { tools, tool_choice, jsonMode } = prepareTools(outputFormat ? { ...req, response_format: undefined } : req);
  const body: AnthropicRequest = {
    model: req.model,
    max_tokens: maxTokens(req, ctx),
    messages,
    ...renamedFields(req, FIELDS),
  };
  if (system.length > 0) body.system = system;
  if (tools) body.tools = tools;
  if (tool_choice) body.tool_choice = tool_choice;
  const stop = stopSequences(req.stop);
  if (stop) body.stop_sequences = stop;
  if (req.user) body.metadata = { user_id: req.user };
  if (outputFormat) body.output_config = { format: outputFormat };
  return { body, jsonMode };
}

/**
 * `max_completion_tokens` (OpenAI's current name) wins over `max_tokens`; without either, the catalog's output limit
 * for the model, else 4096.
 */
function maxTokens(req: ChatRequest, ctx: Pick<CallContext, 'catalogEntry'>): number {
  return (
    req.max_completion_tokens ?? req.max_tokens ?? ctx.catalogEntry?.limits?.max_output_tokens ?? DEFAULT_MAX_TOKENS
  );
}

function stopSequences(stop: ChatRequest['stop']): string[] | undefined {
  if (stop == null) return undefined;
  const list = typeof stop === 'string' ? [stop] : stop;
  return list.length > 0 ? list : undefined;
}
