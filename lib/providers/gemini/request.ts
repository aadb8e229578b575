/**
 * ChatRequest → Gemini `generateContent` parameters (model, contents, config). The table `FIELDS` renames
 * `temperature`, `top_p` → `topP` and `seed`, drops the hints Gemini has no field for (reported through
 * `ctx.ignore`) and rejects `logprobs` and non-text output. Converted in code: `max_completion_tokens`/`max_tokens`
 * → `maxOutputTokens`, `stop` → `stopSequences`, `n` → `candidateCount`, `frequency_penalty`/`presence_penalty` →
 * `frequencyPenalty`/`presencePenalty` (only on models that take them), `reasoning_effort` → `thinkingConfig`,
 * `response_format` → `responseMimeType` (+ `responseSchema`), `tools`/`tool_choice` → see tools.ts.
 * @see https://ai.google.dev/api/generate-content#generationconfig
 */

import { hasCapability } from '../../catalog.js';
import { badRequest } from '../../core/errors.js';
import type { CallContext, ChatRequest } from '../../core/types.js';
import { type FieldTable, reject, rejectFields, renamedFields, reportDroppedFields } from '../shared/field-table.js';
import { assertModelInPath } from '../shared/model-in-path.js';
import { toGeminiContents } from './messages.js';
import { toGeminiSchema } from './schema.js';
import { toGeminiTools, toToolConfig } from './tools.js';
import type { GeminiConfig, GeminiRequest } from './wire.js';

/** The fields that need no conversion (CONTRACT.md §2); dropped ones are listed in `x-gateway-ignored`. */
const FIELDS: FieldTable<GeminiConfig> = {
  rename: { temperature: 'temperature', top_p: 'topP', seed: 'seed' },
  drop: [
    'top_logprobs',
    'user',
    'metadata',
    'parallel_tool_calls',
    'service_tier',
    'store',
    'logit_bias',
    'prediction',
    'prompt_cache_key',
    'safety_identifier',
    'verbosity',
  ],
  reject: [
    reject('logprobs', (logprobs) => logprobs, 'Gemini models served through this gateway do not return logprobs.'),
    reject(
      'modalities',
      (modalities) => Array.isArray(modalities) && modalities.some((modality) => modality !== 'text'),
      'Only text output is available from Gemini through this gateway.',
    ),
    reject('audio', () => true, 'Audio output is not available from Gemini through this gateway.'),
  ],
};

export async function toRequest(req: ChatRequest, ctx: CallContext): Promise<GeminiRequest> {
  // `publisher/model` on Vertex AI, `tunedModels/name` on the Gemini API: one `/` at most.
  assertModelInPath(req.model, 'Gemini', 2);
  checkSupported(req, ctx);
  const { systemInstruction, contents } = await toGeminiContents(req.messages, {
    model: req.model,
    signal: ctx.signal,
  });
  const config: GeminiConfig = renamedFields(req, FIELDS);
  if (systemInstruction) config.systemInstruction = systemInstruction;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (isSet(maxTokens)) config.maxOutputTokens = maxTokens;
  if (isSet(req.stop)) config.stopSequences = typeof req.stop === 'string' ? [req.stop] : req.stop;
  if (isSet(req.n) && req.n !== 1) config.candidateCount = req.n;
  applyPenalties(req, ctx, config);
  applyReasoningEffort(req, ctx, config);
  applyResponseFormat(req, config);
  if (req.tools && req.tools.length > 0) {
    config.tools = toGeminiTools(req.tools);
    if (req.tool_choice) config.toolConfig = toToolConfig(req.tool_choice, req.tools);
  }
  reportDroppedFields(req, FIELDS, ctx);
  return { model: req.model, contents, config };
}

/** What the catalog says the model cannot do; the table's rejections come first. */
function checkSupported(req: ChatRequest, ctx: CallContext): void {
  rejectFields(req, FIELDS);
  // The catalog says what a model cannot do; a model it does not know is given the benefit of the doubt.
  if (req.tools?.length && hasCapability(ctx.catalogEntry, 'tools') === false) {
    throw badRequest(`The model '${req.model}' does not support tools.`, 'tools');
  }
  if (req.response_format?.type === 'json_schema' && hasCapability(ctx.catalogEntry, 'json_schema') === false) {
    throw badRequest(`The model '${req.model}' does not support json_schema response formats.`, 'response_format');
  }
}

/** Gemini 2.5 and later answer 400 "Penalty is not enabled" to penalties; 1.5 and 2.0 take them. */
export function takesPenalties(model: string): boolean {
  return /gemini-(1\.5|2\.0)-/.test(model);
}

function applyPenalties(req: ChatRequest, ctx: CallContext, config: GeminiConfig): void {
  const penalties = [
    ['presence_penalty', 'presencePenalty'],
    ['frequency_penalty', 'frequencyPenalty'],
  ] as const;
  for (const [field, target] of penalties) {
    const value = req[field];
    if (!isSet(value)) continue;
    if (takesPenalties(req.model)) config[target] = value;
    else ctx.ignore(field);
  }
}

/** Google's own OpenAI-compatibility budgets for Gemini 2.5; Gemini 3 takes the level by name. */
const THINKING_BUDGETS: Readonly<Record<string, number>> = {
  none: 0,
  minimal: 1024,
  low: 1024,
  medium: 8192,
  high: 24576,
};

/**
 * `reasoning_effort` → `thinkingConfig`: a token budget on Gemini 2.5, a thinking level on Gemini 3 and later;
 * models without thinking drop it.
 * @see https://ai.google.dev/gemini-api/docs/openai#thinking
 */
function applyReasoningEffort(req: ChatRequest, ctx: CallContext, config: GeminiConfig): void {
  const effort = req.reasoning_effort;
  if (!isSet(effort)) return;
  const major = Number(/gemini-(\d+)/.exec(req.model)?.[1] ?? Number.NaN);
  if (/gemini-2\.5-/.test(req.model) && Object.hasOwn(THINKING_BUDGETS, effort)) {
    config.thinkingConfig = { thinkingBudget: THINKING_BUDGETS[effort] };
  } else if (major >= 3 && ['minimal', 'low', 'medium', 'high'].includes(effort)) {
    config.thinkingConfig = { thinkingLevel: effort.toUpperCase() };
  } else {
    ctx.ignore('reasoning_effort');
  }
}

/**
 * `json_object` → JSON output; `json_schema` → JSON output constrained by the converted schema.
 * @see https://ai.google.dev/gemini-api/docs/structured-output
 */
function applyResponseFormat(req: ChatRequest, config: GeminiConfig): void {
  const format = req.response_format;
  if (!format || format.type === 'text') return;
  config.responseMimeType = 'application/json';
  if (format.type === 'json_schema' && format.json_schema.schema) {
    config.responseSchema = toGeminiSchema(format.json_schema.schema, 'response_format.json_schema.schema');
  }
}

function isSet<T>(value: T | null | undefined): value is T {
  return value !== null && value !== undefined;
}
