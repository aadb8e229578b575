/**
 * OpenAI `tools`, `tool_choice`, `parallel_tool_calls` and `response_format` → Anthropic `tools` and `tool_choice`.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 */

import type { ChatRequest, FunctionTool, JsonSchema, ToolChoice } from '../../core/types.js';
import { jsonResponseTool } from '../shared/json-response-tool.js';
import type { AnthropicTool, AnthropicToolChoice } from './wire.js';

export interface PreparedTools {
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  /** The forced JSON-response tool is in play: its call is the answer (see response.ts and stream.ts). */
  jsonMode: boolean;
}

/**
 * How `response_format` meets the caller's own tools where structured outputs do not carry it (models before Claude 4.5,
 * and `json_object`), so a format is a forced tool call:
 * - no tools, or `tool_choice: "none"`: the JSON tool is forced (`{type: "tool"}`); the caller's tools stay listed
 *   but cannot be called, which is what `none` asks;
 * - `tool_choice` `auto` or absent: the JSON tool joins the caller's and any tool is required (`{type: "any"}`), so
 *   Claude either calls one of the caller's tools or answers through the JSON tool, never in free text;
 * - `required` or a named tool: the caller wants a tool call, which has no content to format; the JSON tool is left out.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
 */
export function prepareTools(req: ChatRequest): PreparedTools {
  const tools = req.tools?.length ? req.tools.map(toAnthropicTool) : undefined;
  const disableParallel = req.parallel_tool_calls === false;
  const json = jsonResponseTool(req.response_format);
  const choice = req.tool_choice;

  if (json && (choice === undefined || choice === 'auto' || choice === 'none' || !tools)) {
    const jsonTool: AnthropicTool = {
      name: json.name,
      description: json.description,
      input_schema: objectSchema(json.inputSchema),
    };
    if (!tools || choice === 'none') {
      // One answer, so one call: a forced tool may otherwise be called more than once.
      const forced: AnthropicToolChoice = { type: 'tool', name: json.name, disable_parallel_tool_use: true };
      return { tools: [...(tools ?? []), jsonTool], tool_choice: forced, jsonMode: true };
    }
    return { tools: [...tools, jsonTool], tool_choice: withParallel({ type: 'any' }, disableParallel), jsonMode: true };
  }
  if (!tools) return { jsonMode: false };
  const mapped = mapToolChoice(choice) ?? (disableParallel ? { type: 'auto' } : undefined);
  return { tools, tool_choice: mapped ? withParallel(mapped, disableParallel) : undefined, jsonMode: false };
}

/** @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#specifying-client-tools */
export function toAnthropicTool(tool: FunctionTool): AnthropicTool {
  const { name, description, parameters } = tool.function;
  const anthropicTool: AnthropicTool = { name, input_schema: objectSchema(parameters) };
  if (description) anthropicTool.description = description;
  return anthropicTool;
}

/**
 * `auto` → `auto`, `none` → `none`, `required` → `any`, a named function → `tool`; absent stays absent (Anthropic's
 * default is `auto`).
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#forcing-tool-use
 */
export function mapToolChoice(choice: ToolChoice | undefined): AnthropicToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.function.name };
}

/**
 * `parallel_tool_calls: false` → `disable_parallel_tool_use: true`, which lives on the tool choice: with no choice
 * given it rides on an explicit `auto`. `none` has no such flag (no tool is called at all).
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#parallel-tool-use
 */
function withParallel(choice: AnthropicToolChoice, disable: boolean): AnthropicToolChoice {
  if (!disable || choice.type === 'none') return choice;
  return { ...choice, disable_parallel_tool_use: true };
}

/** Anthropic requires an object schema with `type: "object"`; a function without parameters takes an empty object. */
function objectSchema(schema: JsonSchema | undefined): AnthropicTool['input_schema'] {
  if (!schema) return { type: 'object', properties: {} };
  return { ...schema, type: 'object' };
}
