import type { ContentBlock, ImageFormat, Message, SystemContentBlock } from '@aws-sdk/client-bedrock-runtime';
import { badRequest } from '../../core/errors.js';
import type { ChatMessage, ContentPart, TextPart } from '../../core/types.js';
import { fetchImage, parseDataUrl } from '../shared/image-fetch.js';
import type { FamilyTraits } from './family.js';
import { asDocument } from './tools.js';

export interface ConvertMessagesOptions {
  model: string;
  traits: FamilyTraits;
  /**
   * Whether `toolConfig` is sent. Bedrock rejects `toolUse`/`toolResult` blocks without it, so when it is not sent
   * (no tools, or `tool_choice: "none"`) past tool calls and results are written into the history as text.
   */
  toolBlocks: boolean;
  signal: AbortSignal;
}

export interface ConvertedMessages {
  system?: SystemContentBlock[];
  messages: Message[];
}

const IMAGE_FORMATS: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/**
 * Converts OpenAI messages to Converse `system` blocks and alternating `messages`: system and developer messages
 * become `system`; tool messages become `toolResult` blocks in a user turn; consecutive turns of one role are merged,
 * as Converse requires user and assistant to alternate.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html
 */
export async function convertMessages(
  messages: readonly ChatMessage[],
  options: ConvertMessagesOptions,
): Promise<ConvertedMessages> {
  const system: SystemContentBlock[] = [];
  const turns: Message[] = [];
  for (const [i, message] of messages.entries()) {
    switch (message.role) {
      case 'system':
      case 'developer':
        if (!options.traits.system) {
          throw badRequest(
            `The Bedrock model '${options.model}' does not accept system prompts.`,
            `messages[${i}].role`,
          );
        }
        system.push(...textBlocks(message.content));
        break;
      case 'user':
        turns.push({ role: 'user', content: await userContent(message.content, i, options) });
        break;
      case 'assistant': {
        const content: ContentBlock[] = textBlocks(message.content ?? null);
        for (const [j, call] of (message.tool_calls ?? []).entries()) {
          const input = parseArguments(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`);
          content.push(
            options.toolBlocks
              ? { toolUse: { toolUseId: call.id, name: call.function.name, input: asDocument(input) } }
              : { text: `[called tool ${call.function.name} (${call.id}) with ${JSON.stringify(input)}]` },
          );
        }
        turns.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const text = joinText(message.content);
        turns.push({
          role: 'user',
          content: [
            options.toolBlocks
              ? { toolResult: { toolUseId: message.tool_call_id, content: [{ text }] } }
              : { text: `[result of tool call ${message.tool_call_id}]: ${text}` },
          ],
        });
        break;
      }
    }
  }
  const merged = repairToolResults(mergeTurns(turns));
  return system.length > 0 ? { system, messages: merged } : { messages: merged };
}

/** Bedrock rejects blank text blocks, which OpenAI accepts (e.g. an assistant turn with `content: ""`). */
function textBlocks(content: string | readonly TextPart[] | null): { text: string }[] {
  if (content === null) return [];
  const texts = typeof content === 'string' ? [content] : content.map((part) => part.text);
  return texts.filter((text) => text.trim() !== '').map((text) => ({ text }));
}

function joinText(content: string | readonly TextPart[]): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

function parseArguments(args: string, param: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args);
  } catch {
    throw badRequest('Tool call arguments must be valid JSON.', param);
  }
}

async function userContent(
  content: string | readonly ContentPart[],
  i: number,
  options: ConvertMessagesOptions,
): Promise<ContentBlock[]> {
  if (typeof content === 'string') return textBlocks(content);
  const blocks = await Promise.all(
    content.map(async (part, j): Promise<ContentBlock | undefined> => {
      const param = `messages[${i}].content[${j}]`;
      switch (part.type) {
        case 'text':
          return part.text.trim() === '' ? undefined : { text: part.text };
        case 'image_url':
          if (!options.traits.images) {
            throw badRequest(`The Bedrock model '${options.model}' does not accept images.`, param);
          }
          return imageBlock(part.image_url.url, `${param}.image_url.url`, options.signal);
        default:
          throw badRequest(`Bedrock does not accept '${part.type}' content parts through this gateway.`, param);
      }
    }),
  );
  return blocks.filter((block): block is ContentBlock => block !== undefined);
}

/**
 * A `data:` URL is decoded in place; an `https:` URL goes through the shared SSRF-safe, size-capped fetcher.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ImageBlock.html
 */
async function imageBlock(url: string, param: string, signal: AbortSignal): Promise<ContentBlock> {
  const image = parseDataUrl(url, param) ?? (await fetchImage(url, { param, signal }));
  const format = IMAGE_FORMATS[image.mediaType.toLowerCase()];
  if (!format) {
    throw badRequest(`Bedrock accepts PNG, JPEG, GIF and WebP images, not '${image.mediaType}'.`, param);
  }
  return { image: { format, source: { bytes: image.data } } };
}

function mergeTurns(turns: readonly Message[]): Message[] {
  const merged: Message[] = [];
  for (const turn of turns) {
    if (!turn.content || turn.content.length === 0) continue;
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content = [...(last.content ?? []), ...turn.content];
    else merged.push({ role: turn.role, content: [...turn.content] });
  }
  return merged;
}

/**
 * Bedrock rejects a user turn with more `toolResult` blocks than the previous assistant turn has `toolUse` blocks
 * ("The number of toolResult blocks … exceeds the number of toolUse blocks of previous turn"). Clients produce that
 * with repeated results or results for calls trimmed from the history; such results are kept as text instead. Tool
 * results are also moved before the turn's other blocks, as Anthropic models require.
 */
function repairToolResults(turns: Message[]): Message[] {
  let previousCalls = new Set<string>();
  for (const turn of turns) {
    const content = turn.content ?? [];
    if (turn.role === 'assistant') {
      previousCalls = new Set(content.flatMap((block) => (block.toolUse?.toolUseId ? [block.toolUse.toolUseId] : [])));
      continue;
    }
    const answered = new Set<string>();
    const results: ContentBlock[] = [];
    const others: ContentBlock[] = [];
    for (const block of content) {
      const id = block.toolResult?.toolUseId;
      if (block.toolResult === undefined) others.push(block);
      else if (id !== undefined && previousCalls.has(id) && !answered.has(id)) {
        answered.add(id);
        results.push(block);
      } else {
        const text = (block.toolResult.content ?? []).map((part) => part.text ?? '').join('');
        others.push({ text: `[result of tool call ${id ?? 'unknown'}]: ${text}` });
      }
    }
    turn.content = [...results, ...others];
    previousCalls = new Set();
  }
  return turns;
}
