/**
 * The forced-tool trick for `response_format` on providers whose chat API has tools but no JSON mode (Anthropic's
 * Messages API, Bedrock's Converse API): offer one tool whose input schema is the wanted JSON, make the model call it,
 * and return the call's input as the message content. Provider-neutral: each provider wraps the description in its own
 * tool shape and decides how to force the call.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/tool-use/overview#json-mode
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/tool-use.html
 */
import { badRequest } from '../../core/errors.js';
import type { JsonSchema, ResponseFormat } from '../../core/types.js';

export const JSON_RESPONSE_TOOL_NAME = 'json_response';

export interface JsonResponseTool {
  name: string;
  description: string;
  inputSchema: JsonSchema;
}

/**
 * The tool that carries a `response_format`: `json_schema` uses the caller's schema, `json_object` an open object.
 * Undefined when the format needs no tool (absent or `text`). A schema whose root is not an object is a 400: tool
 * inputs are always objects (OpenAI's structured outputs demand the same).
 */
export function jsonResponseTool(format: ResponseFormat | undefined): JsonResponseTool | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return {
      name: JSON_RESPONSE_TOOL_NAME,
      description: 'Give your final answer by calling this tool: its input is the answer, a single JSON object.',
      inputSchema: { type: 'object', additionalProperties: true },
    };
  }
  const { name, description, schema } = format.json_schema;
  return {
    name: JSON_RESPONSE_TOOL_NAME,
    description:
      `Give your final answer by calling this tool: its input is the answer, a JSON object that follows the ` +
      `"${name}" schema.${description ? ` ${description}` : ''}`,
    inputSchema: objectRoot(schema),
  };
}

/** True when a tool call is the forced JSON-response tool (its input is the answer). */
export function isJsonResponseToolCall(name: string): boolean {
  return name === JSON_RESPONSE_TOOL_NAME;
}

function objectRoot(schema: JsonSchema | undefined): JsonSchema {
  if (!schema) return { type: 'object', additionalProperties: true };
  if (schema.type === undefined) return { type: 'object', ...schema };
  if (schema.type !== 'object') {
    throw badRequest(
      'response_format.json_schema.schema must describe an object at its root on this model.',
      'response_format.json_schema.schema',
    );
  }
  return schema;
}
