/**
 * OpenAI chat messages → Anthropic's `system` and alternating `messages`.
 * @see https://docs.anthropic.com/en/api/messages#body-messages
 */
import { badRequest } from '../../core/errors.js';
import type {
  AssistantMessage,
  ChatMessage,
  ContentPart,
  SystemMessage,
  TextPart,
  ToolMessage,
  UserMessage,
} from '../../core/types.js';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from './wire.js';

export interface ConvertedMessages {
  system: AnthropicTextBlock[];
  messages: AnthropicMessage[];
}

/**
 * Every `system` and `developer` message becomes a block of Anthropic's top-level `system`, in order, wherever it
 * stood (Claude has one system prompt, so a mid-conversation instruction moves to the front). `tool` messages become
 * `tool_result` blocks of a user turn; consecutive turns of one role are merged, so parallel tool results share one
 * user turn and precede any user text that follows them, as Anthropic requires.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-results-from-client-tools
 */
export function convertMessages(messages: readonly ChatMessage[]): ConvertedMessages {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  messages.forEach((message, i) => {
    if (isSystem(message)) {
      system.push(...textBlocks(message.content));
      return;
    }
    const turn = convertTurn(message, i);
    if (turn.content.length === 0) return;
    const last = turns.at(-1);
    if (last && last.role === turn.role) last.content.push(...turn.content);
    else turns.push(turn);
  });
  if (turns.length === 0) {
    throw badRequest('messages must include at least one user, assistant or tool message.', 'messages');
  }
  return { system, messages: turns };
}

function isSystem(message: ChatMessage): message is SystemMessage {
  return message.role === 'system' || message.role === 'developer';
}

function convertTurn(message: UserMessage | AssistantMessage | ToolMessage, i: number): AnthropicMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: userBlocks(message, i) };
    case 'assistant':
      return { role: 'assistant', content: assistantBlocks(message, i) };
    case 'tool':
      return { role: 'user', content: [toolResult(message)] };
  }
}

function userBlocks(message: UserMessage, i: number): AnthropicContentBlock[] {
  if (typeof message.content === 'string') return textBlocks(message.content);
  return message.content.flatMap((part, j) => userPart(part, `messages[${i}].content[${j}]`));
}

function userPart(part: ContentPart, param: string): AnthropicContentBlock[] {
  switch (part.type) {
    case 'text':
      return textBlocks(part.text);
    case 'image_url':
      return [imageBlock(part.image_url.url, `${param}.image_url.url`)];
    case 'input_audio':
      throw badRequest('Claude does not accept audio input.', param);
    case 'file':
      throw badRequest('File parts are not supported for Claude through this gateway.', param);
    default:
      throw badRequest('Unknown content part type.', `${param}.type`);
  }
}

const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'] as const;
type ImageType = (typeof IMAGE_TYPES)[number];
const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s;

/**
 * `data:` URLs become base64 sources; `http(s):` URLs become url sources, fetched by Anthropic itself.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision#url-based-image-example
 */
export function imageBlock(url: string, param: string): AnthropicImageBlock {
  if (url.startsWith('data:')) {
    const match = DATA_URL.exec(url);
    if (!match) throw badRequest('The image data URL must be base64 encoded (data:<type>;base64,<data>).', param);
    const mediaType = match[1]!.toLowerCase();
    if (!isImageType(mediaType)) {
      throw badRequest(`Claude accepts ${IMAGE_TYPES.join(', ')} images, not ${mediaType}.`, param);
    }
    return { type: 'image', source: { type: 'base64', media_type: mediaType, data: match[3]! } };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw badRequest('An image URL must be an https: URL or a base64 data: URL.', param);
}

function isImageType(value: string): value is ImageType {
  return (IMAGE_TYPES as readonly string[]).includes(value);
}

function assistantBlocks(message: AssistantMessage, i: number): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = message.content ? textBlocks(message.content) : [];
  // A refusal carried back in the history is what the assistant said; keep it as text when there is nothing else.
  if (blocks.length === 0 && message.refusal) blocks.push(...textBlocks(message.refusal));
  message.tool_calls?.forEach((call, k) => {
    blocks.push(toolUse(call.id, call.function.name, call.function.arguments, i, k));
  });
  return blocks;
}

function toolUse(id: string, name: string, args: string, i: number, k: number): AnthropicToolUseBlock {
  const param = `messages[${i}].tool_calls[${k}].function.arguments`;
  let input: unknown;
  try {
    input = args.trim() === '' ? {} : JSON.parse(args);
  } catch {
    throw badRequest(`The tool call arguments in messages[${i}] are not valid JSON.`, param);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw badRequest(`The tool call arguments in messages[${i}] must be a JSON object.`, param);
  }
  return { type: 'tool_use', id, name, input: input as Record<string, unknown> };
}

function toolResult(message: ToolMessage): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: message.tool_call_id };
  // Anthropic rejects empty text blocks; an empty result is sent with no content at all.
  if (typeof message.content === 'string') {
    if (message.content !== '') block.content = message.content;
  } else {
    const blocks = textBlocks(message.content);
    if (blocks.length > 0) block.content = blocks;
  }
  return block;
}

/** Text as blocks, skipping empty strings: Anthropic answers 400 to an empty text block. */
function textBlocks(content: string | readonly TextPart[]): AnthropicTextBlock[] {
  const texts = typeof content === 'string' ? [content] : content.map((part) => part.text);
  return texts.filter((text) => text !== '').map((text) => ({ type: 'text', text }));
}
