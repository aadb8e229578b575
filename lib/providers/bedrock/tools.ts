import type { Tool, ToolChoice, ToolConfiguration, ToolUseBlock } from '@aws-sdk/client-bedrock-runtime';
import { badRequest } from '../../core/errors.js';
import type { CallContext, ChatRequest, FunctionTool, JsonSchema } from '../../core/types.js';
import { jsonResponseTool } from '../shared/json-response-tool.js';
import type { FamilyTraits } from './family.js';

/** A JSON value as the SDK types it (Smithy's document type). */
export type BedrockDocument = NonNullable<ToolUseBlock['input']>;

/** The caller's JSON is already parsed and validated JSON: only its static type changes here. */
export function asDocument(value: JsonSchema | unknown): BedrockDocument {
  return value as BedrockDocument;
}

const EMPTY_OBJECT_SCHEMA: JsonSchema = { type: 'object', properties: {} };

/**
 * One OpenAI function tool as a Converse `toolSpec`. An empty description is left out: Bedrock rejects a blank one
 * (its minimum length is 1) where OpenAI accepts it.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolSpecification.html
 */
export function toToolSpec(name: string, description: string | undefined, schema: JsonSchema | undefined): Tool {
  return {
    toolSpec: {
      name,
      ...(description?.trim() ? { description } : {}),
      inputSchema: { json: asDocument(schema ?? EMPTY_OBJECT_SCHEMA) },
    },
  };
}

function userToolSpec(tool: FunctionTool): Tool {
  return toToolSpec(tool.function.name, tool.function.description, tool.function.parameters);
}

/**
 * Builds `toolConfig` from `tools`, `tool_choice` and `response_format`, or `undefined` when nothing is to be sent.
 *
 * - `tool_choice` or `parallel_tool_calls` without `tools` mean nothing: dropped (Bedrock would answer 400).
 * - `tool_choice: "none"`: Converse has no "none", so the tools are not sent at all.
 * - `required` → `any`, a named function → `tool`, `auto` → no `toolChoice` (the default, and the only form the
 *   families without forced tool choice accept).
 * - `response_format` `json_schema`/`json_object` → the shared forced tool; with the caller's own tools under `auto`,
 *   both are offered and `any` makes the model either call a tool or answer through the JSON tool.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ToolConfiguration.html
 */
export function convertTools(
  req: ChatRequest,
  traits: FamilyTraits,
  ctx: Pick<CallContext, 'ignore'>,
): ToolConfiguration | undefined {
  const hasTools = (req.tools?.length ?? 0) > 0;
  const choice = req.tool_choice;
  if (!hasTools) {
    if (choice !== undefined && choice !== null) ctx.ignore('tool_choice');
    if (req.parallel_tool_calls !== undefined && req.parallel_tool_calls !== null) ctx.ignore('parallel_tool_calls');
  }
  const userTools = hasTools && choice !== 'none' ? req.tools! : [];
  if (userTools.length > 0) {
    if (!traits.tools) throw badRequest(`The Bedrock model '${req.model}' does not support tools.`, 'tools');
    // Converse has no switch for parallel tool calls; models call several tools when they see fit.
    if (req.parallel_tool_calls === false) ctx.ignore('parallel_tool_calls');
    if (userTools.some((tool) => tool.function.strict)) ctx.ignore('tools[].function.strict');
  }
  const forced = forcedChoice(req, userTools, traits);
  const jsonTool = jsonResponseTool(req.response_format);
  if (jsonTool && !(traits.tools && traits.forcedToolChoice)) {
    throw badRequest(
      `The Bedrock model '${req.model}' cannot be made to answer in JSON (it cannot be forced to use a tool).`,
      'response_format',
    );
  }

  const tools = userTools.map(userToolSpec);
  let toolChoice: ToolChoice | undefined = forced;
  if (jsonTool && !forced) {
    tools.push(toToolSpec(jsonTool.name, jsonTool.description, jsonTool.inputSchema));
    toolChoice = userTools.length > 0 ? { any: {} } : { tool: { name: jsonTool.name } };
  }
  if (tools.length === 0) return undefined;
  return toolChoice ? { tools, toolChoice } : { tools };
}

function forcedChoice(req: ChatRequest, userTools: FunctionTool[], traits: FamilyTraits): ToolChoice | undefined {
  const choice = req.tool_choice;
  if (userTools.length === 0 || choice === undefined || choice === null || choice === 'auto') return undefined;
  if (!traits.forcedToolChoice) {
    throw badRequest(
      `The Bedrock model '${req.model}' cannot be forced to use a tool; use tool_choice "auto".`,
      'tool_choice',
    );
  }
  if (choice === 'required') return { any: {} };
  if (typeof choice === 'object') {
    const name = choice.function.name;
    if (!userTools.some((tool) => tool.function.name === name)) {
      throw badRequest(`tool_choice names the function '${name}', which is not in tools.`, 'tool_choice');
    }
    return { tool: { name } };
  }
  return undefined;
}
