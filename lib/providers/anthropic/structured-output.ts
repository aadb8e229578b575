/**
 * `response_format: json_schema` → Anthropic's structured outputs (`output_config.format`) on the Claude models that
 * have them; older models keep the forced-tool answer of tools.ts. Newer models need this: from Claude Opus 5.5 and
 * Fable 5.1 on, forcing a tool is a 400, so the forced-tool trick cannot carry a schema there.
 * @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs
 */
import { badRequest } from '../../core/errors.js';
import type { ChatRequest, JsonSchema } from '../../core/types.js';
import type { AnthropicOutputFormat } from './wire.js';

/**
 * Rewrites a JSON Schema into the subset structured outputs accept (objects closed, unsupported constraints moved
 * into descriptions): the SDK's `transformJSONSchema`, passed in so this module does not load the SDK.
 */
export type StrictSchemaTransform = (schema: JsonSchema) => JsonSchema;

/** The first Claude generation with structured outputs (Sonnet 4.5, Haiku 4.5, Opus 4.5). */
const FIRST_VERSION = 4.5;

/**
 * `claude-<family>-<major>[-<minor>][-<yyyymmdd>]`, the naming of Claude 4 and later (`claude-sonnet-4-5-20250929`,
 * `claude-opus-5-5`, `claude-sonnet-4-20250514`); Claude 3.x ids (`claude-3-7-sonnet-…`) do not match.
 */
const MODEL_ID = /^claude-[a-z]+-(\d+)(?:-(\d{1,2}))?(?:-\d{8})?$/;

/** True when the model takes `output_config.format`: Claude 4.5 and later. */
export function takesStructuredOutputs(model: string): boolean {
  const match = MODEL_ID.exec(model.toLowerCase());
  if (!match) return false;
  const version = Number(match[1]) + Number(match[2] ?? 0) / 10;
  return version >= FIRST_VERSION;
}

/**
 * The `output_config.format` for the request, or undefined when the request has no JSON schema, the model predates
 * structured outputs, or no transform is available. A schema the transform cannot express (no `type` and no
 * `anyOf`/`enum`/`const`) is a 400 naming the field.
 */
export function structuredOutputFormat(
  req: ChatRequest,
  transform: StrictSchemaTransform | undefined,
): AnthropicOutputFormat | undefined {
  const format = req.response_format;
  if (!transform || format?.type !== 'json_schema' || !takesStructuredOutputs(req.model)) return undefined;
  const schema = format.json_schema.schema ?? { type: 'object', properties: {} };
  try {
    return { type: 'json_schema', schema: transform(schema) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unsupported schema';
    throw badRequest(
      `response_format.json_schema.schema cannot be used with Claude's structured outputs: ${reason}.`,
      'response_format.json_schema.schema',
    );
  }
}
