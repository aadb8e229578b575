/**
 * OpenAI messages → Gemini `systemInstruction` and `contents`. System and developer messages (wherever they stand)
 * become the system instruction, since Gemini has no system turn; `assistant` is `model`; assistant `tool_calls`
 * are `functionCall` parts and each run of `tool` messages is one `user` turn of `functionResponse` parts, named
 * after the call their `tool_call_id` answers. Images: `data:` URLs and fetched `https:` URLs → `inlineData`,
 * `gs://` → `fileData`.
 * @see https://ai.google.dev/api/caching#Content
 * @see https://ai.google.dev/gemini-api/docs/function-calling#multi-turn
 */
import { badRequest } from '../../core/errors.js';
import type { ChatMessage, ContentPart, TextPart, ToolCall } from '../../core/types.js';
import { fetchImage, parseDataUrl } from '../shared/image-fetch.js';
import type { GeminiContent, GeminiPart } from './wire.js';

export interface ConvertedMessages {
  systemInstruction?: { parts: { text: string }[] };
  contents: GeminiContent[];
}

export interface MessageOptions {
  /** The Gemini model name: Gemini 3 and later need a thought signature on replayed function calls. */
  model: string;
  signal: AbortSignal;
}

/**
 * Google's documented stand-in for a thought signature the client no longer has: OpenAI's message shape has no
 * place to keep the real one, and Gemini 3 refuses a replayed `functionCall` without any.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/** Converts the conversation; image URLs are fetched concurrently. */
export async function toGeminiContents(
  messages: readonly ChatMessage[],
  options: MessageOptions,
): Promise<ConvertedMessages> {
  const system: { text: string }[] = [];
  const turns: { role: GeminiContent['role']; parts: Promise<GeminiPart>[] }[] = [];
  const callNames = new Map<string, string>();
  const needsSignature = needsThoughtSignature(options.model);
  // Aborts the other image fetches once one part fails: the whole request is a 400 by then.
  const failed = new AbortController();
  const signal = AbortSignal.any([options.signal, failed.signal]);

  const convert = (message: ChatMessage, i: number): void => {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textsOf(message.content).map((text) => ({ text })));
        return;
      case 'user':
        turns.push({ role: 'user', parts: userParts(message.content, i, signal) });
        return;
      case 'assistant': {
        const parts: GeminiPart[] = textsOf(message.content ?? []).map((text) => ({ text }));
        (message.tool_calls ?? []).forEach((call, j) => {
          callNames.set(call.id, call.function.name);
          const part: GeminiPart = { functionCall: { name: call.function.name, args: parseArguments(call, i, j) } };
          if (needsSignature) part.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
          parts.push(part);
        });
        // Gemini refuses a turn without parts; an empty assistant message says nothing anyway.
        if (parts.length > 0) turns.push({ role: 'model', parts: parts.map((part) => Promise.resolve(part)) });
        return;
      }
      case 'tool': {
        const name = callNames.get(message.tool_call_id);
        if (name === undefined) {
          throw badRequest(
            `tool_call_id '${message.tool_call_id}' does not match a tool call of an earlier assistant message.`,
            `messages[${i}].tool_call_id`,
          );
        }
        const part = Promise.resolve<GeminiPart>({
          functionResponse: { name, response: toFunctionResponse(textsOf(message.content).join('')) },
        });
        const previous = turns.at(-1);
        // Gemini wants all answers to one model turn's calls in a single turn.
        if (previous?.role === 'user' && messages[i - 1]?.role === 'tool') previous.parts.push(part);
        else turns.push({ role: 'user', parts: [part] });
        return;
      }
      default:
        throw badRequest(
          `Unknown message role '${String((message as { role: unknown }).role)}'.`,
          `messages[${i}].role`,
        );
    }
  };

  try {
    messages.forEach(convert);
    const contents = await Promise.all(
      turns.map(async (turn): Promise<GeminiContent> => ({ role: turn.role, parts: await Promise.all(turn.parts) })),
    );
    return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
  } catch (error) {
    failed.abort(error);
    for (const turn of turns) for (const part of turn.parts) part.catch(() => undefined);
    throw error;
  }
}

/** Gemini 3 and later (`gemini-3-pro-preview`, `gemini-3.1-flash`, …) validate thought signatures. */
export function needsThoughtSignature(model: string): boolean {
  const major = /gemini-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 3;
}

function textsOf(content: string | readonly TextPart[]): string[] {
  if (typeof content === 'string') return content.length > 0 ? [content] : [];
  return content.filter((part) => part.type === 'text' && part.text.length > 0).map((part) => part.text);
}

function userParts(content: string | readonly ContentPart[], i: number, signal: AbortSignal): Promise<GeminiPart>[] {
  if (typeof content === 'string') return [Promise.resolve({ text: content })];
  return content.map((part, j) => userPart(part, `messages[${i}].content[${j}]`, signal));
}

async function userPart(part: ContentPart, param: string, signal: AbortSignal): Promise<GeminiPart> {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'image_url':
      return imagePart(part.image_url.url, `${param}.image_url.url`, signal);
    case 'input_audio':
      // OpenAI's formats are `wav` and `mp3`; Gemini takes both as inline data.
      return { inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data } };
    case 'file': {
      const { file_data: fileData, file_id: fileId } = part.file;
      if (fileData) {
        const file = parseDataUrl(fileData, `${param}.file.file_data`);
        if (file) return { inlineData: { mimeType: file.mediaType, data: base64(file.data) } };
        throw badRequest('file_data must be a data: URL.', `${param}.file.file_data`);
      }
      const field = fileId ? `${param}.file.file_id` : `${param}.file`;
      throw badRequest('Gemini cannot read OpenAI file ids: send the file as file_data (a data: URL).', field);
    }
    default:
      throw badRequest(`Unknown content part type '${String((part as { type: unknown }).type)}'.`, `${param}.type`);
  }
}

async function imagePart(url: string, param: string, signal: AbortSignal): Promise<GeminiPart> {
  const inline = parseDataUrl(url, param);
  if (inline) return { inlineData: { mimeType: inline.mediaType, data: base64(inline.data) } };
  if (url.startsWith('gs://')) return { fileData: { mimeType: mimeTypeOf(url, param), fileUri: url } };
  const image = await fetchImage(url, { param, signal });
  return { inlineData: { mimeType: image.mediaType, data: base64(image.data) } };
}

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** `fileData` needs a MIME type and a `gs://` URL carries none but its extension. */
function mimeTypeOf(url: string, param: string): string {
  const extension = /\.([a-z0-9]+)$/i.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  const type = extension ? IMAGE_TYPES[extension] : undefined;
  if (!type) {
    throw badRequest('A gs:// image URL must end in .png, .jpg, .jpeg, .webp, .gif, .heic or .heif.', param);
  }
  return type;
}

function parseArguments(call: ToolCall, i: number, j: number): Record<string, unknown> {
  const text = call.function.arguments.trim();
  if (text === '') return {};
  let args: unknown;
  try {
    args = JSON.parse(text);
  } catch {
    args = undefined;
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw badRequest(
      'Tool call arguments must be a JSON object.',
      `messages[${i}].tool_calls[${j}].function.arguments`,
    );
  }
  return args as Record<string, unknown>;
}

/**
 * A tool's answer as Gemini's `response` object: a JSON object as it is, anything else under `output`, the key
 * Gemini's docs name for a function's output.
 * @see https://ai.google.dev/api/caching#FunctionResponse
 */
export function toFunctionResponse(content: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(content);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // not JSON: plain text output
  }
  return { output: content };
}

function base64(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}
