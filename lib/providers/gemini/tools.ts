/**
 * OpenAI `tools` / `tool_choice` → Gemini `tools[].functionDeclarations` / `toolConfig.functionCallingConfig`.
 * @see https://ai.google.dev/gemini-api/docs/function-calling
 * @see https://ai.google.dev/api/caching#FunctionCallingConfig
 */
import { badRequest } from '../../core/errors.js';
import type { FunctionTool, ToolChoice } from '../../core/types.js';
import { toGeminiSchema } from './schema.js';
import type { GeminiConfig, GeminiFunctionDeclaration, GeminiToolConfig } from './wire.js';

/** Function tools → one Gemini tool holding every declaration. `strict` has no counterpart and is dropped. */
export function toGeminiTools(tools: readonly FunctionTool[]): GeminiConfig['tools'] {
  const declarations = tools.map((tool, index): GeminiFunctionDeclaration => {
    if (tool.type !== 'function') {
      throw badRequest(`Gemini only takes function tools, not '${String(tool.type)}'.`, `tools[${index}].type`);
    }
    const { name, description, parameters } = tool.function;
    const declaration: GeminiFunctionDeclaration = { name };
    if (description) declaration.description = description;
    const schema = parameters ? toGeminiSchema(parameters, `tools[${index}].function.parameters`) : undefined;
    // A function without arguments must leave `parameters` out: an OBJECT with no properties is a 400.
    if (schema?.properties) declaration.parameters = schema;
    return declaration;
  });
  return [{ functionDeclarations: declarations }];
}

/**
 * `auto` → AUTO, `none` → NONE, `required` → ANY, a named function → ANY limited to that name.
 * @see https://ai.google.dev/gemini-api/docs/function-calling#function_calling_modes
 */
export function toToolConfig(choice: ToolChoice, tools: readonly FunctionTool[]): GeminiToolConfig {
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  const name = choice.function?.name;
  if (!tools.some((tool) => tool.function.name === name)) {
    throw badRequest(`tool_choice names the function '${String(name)}', which is not in tools.`, 'tool_choice');
  }
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
}
