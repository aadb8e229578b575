/**
 * A loopback Anthropic Messages API (`POST /v1/messages`) for tests and the local demo. Answers JSON or SSE as the
 * request's `stream` asks, with Anthropic's real event sequence (`message_start`, `content_block_start`, `ping`,
 * `content_block_delta`, `content_block_stop`, `message_delta` with cumulative usage, `message_stop`) and its error
 * bodies. Every request must carry an API key (`x-api-key` or `Authorization: Bearer`) and `anthropic-version`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * @see https://docs.anthropic.com/en/api/errors
 */
import { type RecordedRequest, type Reply, Simulator, type SseOptions, sendJson, writeSse } from './base.js';

export interface SimUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export type SimBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'thinking'; thinking: string; signature: string };

export interface SimMessage {
  id?: string;
  /** Defaults to the model the request named. */
  model?: string;
  content: SimBlock[];
  /** Defaults to `tool_use` when a tool_use block is present, else `end_turn`. */
  stop_reason?: string;
  stop_sequence?: string | null;
  /** Counts left out are estimated from the request and reply (cache counts default to 0). */
  usage?: Partial<SimUsage>;
}

export interface SimStreamOptions extends SseOptions {
  /** Text deltas of this many characters (default: word by word). */
  chunkSize?: number;
  /** Ends the stream with an `event: error` after this many events. */
  errorAfter?: number;
  error?: { type: string; message: string };
}

export interface SimSseEvent {
  event: string;
  data: Record<string, unknown>;
}

type MessageSpec = SimMessage | ((req: RecordedRequest) => SimMessage);

let sequence = 0;
const nextId = (prefix: string) => `${prefix}_sim${String(++sequence).padStart(6, '0')}`;

/** Answers with `spec` as a Message (JSON) or as its stream of events (SSE), per the request's `stream`. */
export function messageReply(spec: MessageSpec, options: SimStreamOptions = {}): Reply {
  return async (req, res) => {
    const message = resolveMessage(typeof spec === 'function' ? spec(req) : spec, req);
    if (!isStreaming(req)) {
      if (options.firstByteDelayMs) await new Promise((resolve) => setTimeout(resolve, options.firstByteDelayMs));
      sendJson(res, 200, message, { 'request-id': nextId('req') });
      return;
    }
    let events: (SimSseEvent | { event: string; data: unknown })[] = streamEvents(message, options.chunkSize);
    if (options.errorAfter !== undefined) {
      const error = options.error ?? { type: 'overloaded_error', message: 'Overloaded' };
      events = [...events.slice(0, options.errorAfter), { event: 'error', data: { type: 'error', error } }];
    }
    await writeSse(req, res, events, { ...options, headers: { 'request-id': nextId('req'), ...options.headers } });
  };
}

export function textReply(text: string, extra: Omit<SimMessage, 'content'> = {}, options?: SimStreamOptions): Reply {
  return messageReply({ ...extra, content: [{ type: 'text', text }] }, options);
}

export function toolUseReply(
  calls: { id?: string; name: string; input: Record<string, unknown> }[],
  extra: Omit<SimMessage, 'content'> & { text?: string } = {},
  options?: SimStreamOptions,
): Reply {
  const blocks: SimBlock[] = extra.text ? [{ type: 'text', text: extra.text }] : [];
  for (const call of calls) blocks.push({ type: 'tool_use', id: call.id ?? nextId('toolu'), ...call });
  return messageReply({ ...extra, content: blocks }, options);
}

/** An HTTP error in Anthropic's body shape, e.g. `errorReply(529, 'overloaded_error', 'Overloaded')`. */
export function errorReply(status: number, type: string, message: string, headers: Record<string, string> = {}): Reply {
  return (_req, res) => {
    const requestId = nextId('req');
    sendJson(
      res,
      status,
      { type: 'error', error: { type, message }, request_id: requestId },
      {
        'request-id': requestId,
        ...headers,
      },
    );
  };
}

/** Any events, as given (e.g. a documented stream read from a fixture). */
export function rawSseReply(events: readonly { event?: string; data: unknown }[], options?: SseOptions): Reply {
  return (req, res) => writeSse(req, res, events, options);
}

/** The default reply: the last user text, echoed back. */
export const echoReply: Reply = messageReply((req) => ({ content: [{ type: 'text', text: lastUserText(req) }] }));

/** The event sequence Anthropic streams for a message; `message_delta` carries cumulative usage. */
export function streamEvents(message: WireMessage, chunkSize?: number): SimSseEvent[] {
  const { content, stop_reason, stop_sequence, usage, ...head } = message;
  const events: SimSseEvent[] = [
    ev('message_start', {
      message: { ...head, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
    }),
  ];
  content.forEach((block, index) => {
    events.push(ev('content_block_start', { index, content_block: emptyBlock(block) }));
    if (index === 0) events.push(ev('ping', {}));
    for (const delta of blockDeltas(block, chunkSize)) events.push(ev('content_block_delta', { index, delta }));
    events.push(ev('content_block_stop', { index }));
  });
  events.push(ev('message_delta', { delta: { stop_reason, stop_sequence }, usage }));
  events.push(ev('message_stop', {}));
  return events;
}

export class AnthropicSimulator extends Simulator {
  /** When set, any other API key gets Anthropic's 401. */
  constructor(readonly apiKey?: string) {
    super(echoReply);
    this.setDefault(echoReply);
  }

  /** The JSON body of the last request, typed loosely for assertions. */
  get lastBody(): Record<string, unknown> {
    return (this.lastRequest?.body ?? {}) as Record<string, unknown>;
  }

  override script(...replies: Reply[]): this {
    return super.script(...replies.map((reply) => this.guarded(reply)));
  }

  override setDefault(reply: Reply): this {
    return super.setDefault(this.guarded(reply));
  }

  /** Anthropic's own checks come before any scripted reply: auth, version header, route. */
  guarded(reply: Reply): Reply {
    return (req, res) => {
      const rejection = this.reject(req);
      if (rejection) return rejection(req, res);
      return reply(req, res);
    };
  }

  private reject(req: RecordedRequest): Reply | undefined {
    const key = apiKeyOf(req);
    if (!key || (this.apiKey !== undefined && key !== this.apiKey)) {
      return errorReply(401, 'authentication_error', 'invalid x-api-key');
    }
    if (!req.headers['anthropic-version']) {
      return errorReply(400, 'invalid_request_error', 'anthropic-version: header is required');
    }
    if (req.method !== 'POST' || req.path !== '/v1/messages') {
      return errorReply(404, 'not_found_error', 'Not found');
    }
    return undefined;
  }
}

export async function startAnthropicSimulator(options: { apiKey?: string } = {}): Promise<AnthropicSimulator> {
  return new AnthropicSimulator(options.apiKey).start();
}

/** The key as the SDK sent it: `x-api-key`, or `Authorization: Bearer` (SDK 1.x's default). */
export function apiKeyOf(req: RecordedRequest): string | undefined {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined;
}

/** A complete Message body as Anthropic returns it. */
export type WireMessage = ReturnType<typeof resolveMessage>;

function resolveMessage(spec: SimMessage, req: RecordedRequest) {
  const body = (req.body ?? {}) as { model?: string };
  const hasTool = spec.content.some((block) => block.type === 'tool_use');
  const replyText = spec.content.map((block) => (block.type === 'text' ? block.text : JSON.stringify(block))).join(' ');
  const usage: SimUsage = {
    input_tokens: spec.usage?.input_tokens ?? Math.max(1, wordCount(req.rawBody) >> 1),
    cache_creation_input_tokens: spec.usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: spec.usage?.cache_read_input_tokens ?? 0,
    output_tokens: spec.usage?.output_tokens ?? Math.max(1, wordCount(replyText)),
  };
  return {
    id: spec.id ?? nextId('msg'),
    type: 'message' as const,
    role: 'assistant' as const,
    model: spec.model ?? body.model ?? 'claude-sim',
    content: spec.content,
    stop_reason: spec.stop_reason ?? (hasTool ? 'tool_use' : 'end_turn'),
    stop_sequence: spec.stop_sequence ?? null,
    usage,
  };
}

function emptyBlock(block: SimBlock): Record<string, unknown> {
  if (block.type === 'text') return { type: 'text', text: '' };
  if (block.type === 'thinking') return { type: 'thinking', thinking: '', signature: '' };
  return { type: 'tool_use', id: block.id, name: block.name, input: {} };
}

function blockDeltas(block: SimBlock, chunkSize?: number): Record<string, unknown>[] {
  if (block.type === 'text') return pieces(block.text, chunkSize).map((text) => ({ type: 'text_delta', text }));
  if (block.type === 'thinking') {
    return [
      ...pieces(block.thinking, chunkSize).map((thinking) => ({ type: 'thinking_delta', thinking })),
      { type: 'signature_delta', signature: block.signature },
    ];
  }
  // Like Anthropic, the input JSON starts with an empty fragment and then arrives in slices.
  const json = JSON.stringify(block.input);
  return ['', ...slices(json, chunkSize ?? 12)].map((partial_json) => ({ type: 'input_json_delta', partial_json }));
}

function pieces(text: string, chunkSize?: number): string[] {
  if (chunkSize) return slices(text, chunkSize);
  return text.match(/\s*\S+/g) ?? (text ? [text] : []);
}

function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function ev(type: string, data: Record<string, unknown>): SimSseEvent {
  return { event: type, data: { type, ...data } };
}

function isStreaming(req: RecordedRequest): boolean {
  return (req.body as { stream?: unknown } | undefined)?.stream === true;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function lastUserText(req: RecordedRequest): string {
  const body = (req.body ?? {}) as { messages?: { role: string; content: unknown }[] };
  for (const message of [...(body.messages ?? [])].reverse()) {
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      const texts = message.content
        .filter((block): block is { type: 'text'; text: string } => block?.type === 'text')
        .map((block) => block.text);
      if (texts.length > 0) return texts.join('\n');
    }
  }
  return 'Hello!';
}
