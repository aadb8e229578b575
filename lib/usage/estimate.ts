/**
 * The gateway's usage estimate (CONTRACT.md §4): the input tokens of a request, reserved against a budget before
 * the call, and the usage of a stream cut short before the provider reported it (a client that left, an upstream
 * error mid-stream). docs/metering.md states the rules and their expected error.
 */
import type { ChatChunk, ChatRequest, ChunkDelta, ContentPart, TextPart, Usage } from '../core/types.js';
import { EXACT_COUNT_CHARS, type TokenCounter } from './token-counter.js';

export { type TokenCounter, tokenCounterFor } from './token-counter.js';

/**
 * OpenAI's chat format costs 3 tokens per message (`<|start|>{role}<|message|>…<|end|>`), 1 more for a `name`,
 * and 3 that prime the reply (`<|start|>assistant<|message|>`).
 * @see https://github.com/openai/openai-cookbook/blob/main/examples/How_to_count_tokens_with_tiktoken.ipynb
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING_TOKENS = 3;

/**
 * Every image part, whatever its size or `detail`: OpenAI's high-detail cost of a 1024×1024 image (85 base + 170 for
 * each of 4 tiles of 512 px). Claude charges up to ~1,600 for its largest images, Gemini 258 per 768 px tile, OpenAI
 * 85 for `detail: "low"`.
 * @see https://platform.openai.com/docs/guides/images-vision#calculating-costs
 */
export const IMAGE_TOKENS = 85 + 170 * 4;

/** The framing of one tool call beyond its name and arguments (id, type, delimiters). */
export const TOOL_CALL_TOKENS = 4;

/**
 * Input tokens of a request as the model will see them: each message's role, name and text (every text part; an
 * assistant's tool calls' names and arguments; tool results), the chat format's framing, every image at
 * {@link IMAGE_TOKENS}, the tools' names, descriptions and parameter schemas, and the `response_format` schema, all
 * as JSON text. Audio and file parts are not counted. Bounded work: past {@link EXACT_COUNT_CHARS} of text the
 * counter samples.
 */
export function estimateInputTokens(request: ChatRequest, counter: TokenCounter): number {
  const texts: string[] = [];
  let tokens = REPLY_PRIMING_TOKENS;
  for (const message of listOf(request.messages)) {
    tokens += TOKENS_PER_MESSAGE;
    pushText(texts, message.role);
    if ('name' in message && typeof message.name === 'string') {
      tokens += TOKENS_PER_NAME;
      pushText(texts, message.name);
    }
    for (const part of partsOf(message.content)) {
      if (part.type === 'text') pushText(texts, part.text);
      else if (part.type === 'image_url') tokens += IMAGE_TOKENS;
    }
    if (message.role !== 'assistant') continue;
    pushText(texts, message.refusal);
    for (const call of listOf(message.tool_calls)) {
      tokens += TOOL_CALL_TOKENS;
      pushText(texts, call.function?.name);
      pushText(texts, call.function?.arguments);
    }
  }
  for (const tool of listOf(request.tools)) pushText(texts, jsonText(tool.function));
  if (request.response_format?.type === 'json_schema') pushText(texts, jsonText(request.response_format.json_schema));
  return tokens + countTexts(texts, counter);
}

/**
 * Input tokens of an embeddings request (CONTRACT.md §4, §5): each text counted on its own (an embedding model
 * sees no chat framing), a token array by its length. For the budget's reservation, and for providers that report
 * no count (the Gemini API, Cohere without Bedrock's header).
 */
export function estimateEmbeddingInputTokens(
  input: readonly (string | readonly number[])[],
  counter: TokenCounter,
): number {
  let tokens = 0;
  for (const item of input) tokens += typeof item === 'string' ? counter.count(item) : item.length;
  return tokens;
}

/** Characters of one kind kept before only the length is counted on (about 2 MB of UTF-16). */
export const MAX_KEPT_CHARS = 1 << 20;

/** Streamed fragments of one kind: pushed as they come, joined once when counted. */
class Fragments {
  readonly #parts: string[] = [];
  #kept = 0;
  chars = 0;

  push(text: unknown): void {
    if (typeof text !== 'string' || text.length === 0) return;
    this.chars += text.length;
    if (this.#kept >= MAX_KEPT_CHARS) return;
    this.#parts.push(text);
    this.#kept += text.length;
  }

  count(counter: TokenCounter): number {
    if (this.#kept === 0) return 0;
    const tokens = tokenCount(counter.count(this.#parts.join('')));
    return this.chars === this.#kept ? tokens : Math.ceil((tokens * this.chars) / this.#kept);
  }
}

/**
 * What a stream has carried so far: content (and refusal) text, reasoning text (`reasoning_content` as DeepSeek
 * sends it, `reasoning` as OpenRouter, Groq and vLLM do; both pass through the OpenAI-compatible converter), and each
 * tool call's name and argument fragments. Fragments are kept in arrays and joined once when counted; past
 * {@link MAX_KEPT_CHARS} a kind keeps only its length, and its count is extrapolated from what was kept.
 */
export class StreamedOutput {
  readonly #text = new Fragments();
  readonly #reasoning = new Fragments();
  readonly #toolText = new Fragments();
  /** Tool calls seen, by choice and call index. */
  readonly #toolCalls = new Set<string>();
  /** The last usage a chunk carried (possibly partial, such as Anthropic's `message_start`). */
  #reported: Usage | undefined;

  add(chunk: ChatChunk): void {
    if (chunk.usage) this.#reported = chunk.usage;
    for (const choice of listOf(chunk.choices)) {
      const delta = choice?.delta;
      if (!delta) continue;
      this.#text.push(delta.content);
      this.#text.push(delta.refusal);
      this.#reasoning.push(reasoningOf(delta));
      for (const call of listOf(delta.tool_calls)) {
        this.#toolCalls.add(`${choice.index}:${call.index}`);
        this.#toolText.push(call.function?.name);
        this.#toolText.push(call.function?.arguments);
      }
    }
  }

  /** True once any text, reasoning or tool call was streamed. */
  get hasContent(): boolean {
    return this.#text.chars > 0 || this.#reasoning.chars > 0 || this.#toolCalls.size > 0;
  }

  /** The usage of the last chunk that carried one, if any. */
  get reportedUsage(): Usage | undefined {
    return this.#reported;
  }

  /** Reasoning tokens alone (a part of {@link estimateTokens}). */
  estimateReasoningTokens(counter: TokenCounter): number {
    return this.#reasoning.count(counter);
  }

  /** Output tokens: text, reasoning and tool-call text, plus {@link TOOL_CALL_TOKENS} per tool call. */
  estimateTokens(counter: TokenCounter): number {
    return (
      this.#text.count(counter) +
      this.#reasoning.count(counter) +
      this.#toolText.count(counter) +
      this.#toolCalls.size * TOOL_CALL_TOKENS
    );
  }
}

/**
 * The usage of a stream that ended before the provider's final usage. Input: what the provider reported, when it
 * did so first (Anthropic's `message_start`; with its cache reads and writes), else `estimatedInputTokens`. Output:
 * the larger of the reported output and the estimate of what was streamed, so a stream that carried content never
 * costs nothing.
 */
export function estimatedUsage(
  reported: Usage | undefined,
  estimatedInputTokens: number,
  output: StreamedOutput,
  counter: TokenCounter,
): Usage {
  const reportedInput = tokenCount(reported?.inputTokens);
  const usage: Usage = {
    inputTokens: reportedInput > 0 ? reportedInput : tokenCount(estimatedInputTokens),
    outputTokens: Math.max(tokenCount(reported?.outputTokens), output.estimateTokens(counter)),
    cacheReadTokens: reportedInput > 0 ? tokenCount(reported?.cacheReadTokens) : 0,
    cacheWriteTokens: reportedInput > 0 ? tokenCount(reported?.cacheWriteTokens) : 0,
  };
  const reasoning = Math.max(tokenCount(reported?.reasoningTokens), output.estimateReasoningTokens(counter));
  if (reasoning > 0) usage.reasoningTokens = reasoning;
  return usage;
}

/** Reasoning text in a delta: fields the canonical type does not model but OpenAI-compatible upstreams send. */
function reasoningOf(delta: ChunkDelta): unknown {
  const extra = delta as ChunkDelta & { reasoning_content?: unknown; reasoning?: unknown };
  return typeof extra.reasoning_content === 'string' ? extra.reasoning_content : extra.reasoning;
}

/** Sums the counts of many texts; past the exact budget they are counted as one (sampled) text. */
function countTexts(texts: string[], counter: TokenCounter): number {
  let chars = 0;
  for (const text of texts) chars += text.length;
  if (chars > EXACT_COUNT_CHARS) return tokenCount(counter.count(texts.join('\n')));
  let tokens = 0;
  for (const text of texts) tokens += tokenCount(counter.count(text));
  return tokens;
}

function pushText(texts: string[], text: unknown): void {
  if (typeof text === 'string' && text.length > 0) texts.push(text);
}

function partsOf(content: unknown): Array<TextPart | ContentPart> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter((part) => part && typeof part === 'object') : [];
}

function listOf<T>(value: readonly T[] | null | undefined): readonly T[] {
  return Array.isArray(value) ? value : [];
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** A count as a usage field holds it: a non-negative integer, whatever a counter or provider returned. */
function tokenCount(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.ceil(value) : 0;
}
