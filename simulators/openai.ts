/**
 * An OpenAI Chat Completions simulator: answers `POST …/chat/completions` (OpenAI's `/v1/chat/completions`, a bare
 * `/chat/completions`, Azure's `/openai/deployments/<deployment>/chat/completions?api-version=…`, or any base URL a
 * compatible provider uses), as JSON or as SSE depending on the request body's `stream`, in OpenAI's wire shapes
 * (see test/fixtures/openai/). Streams end with `data: [DONE]`; the usage chunk (empty `choices`) is sent only when
 * the request asked for `stream_options.include_usage`, exactly like OpenAI.
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */
import {
  type Gate,
  type RecordedRequest,
  type Reply,
  type SimResponse,
  Simulator,
  sendJson,
  sleep,
  writeSse,
} from './base.js';
import { embeddingsReply, isEmbeddingsPath } from './openai-embeddings.js';

export interface UsageInput {
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
}

/** Timing and failure controls, for JSON and SSE replies alike (the SSE ones only apply to streams). */
export interface ReplyControls {
  /** Awaited before the response head is written: holds the first byte until a test lets it go. */
  beforeHead?: () => Promise<void>;
  firstByteDelayMs?: number;
  /** Delay between SSE events. */
  delayMs?: number;
  /** Awaited before each SSE event after the first: lets a test step the stream. */
  gate?: Gate;
  /** Destroy the connection after this many SSE events (a mid-stream drop). */
  dropAfter?: number;
  headers?: Record<string, string>;
}

export interface CompletionOptions extends ReplyControls {
  id?: string;
  /** Defaults to the request's `model`. */
  model?: string;
  finishReason?: string;
  usage?: UsageInput;
  /** Put usage on the last choice chunk instead of a chunk of its own, always, as some compatible servers do. */
  usageOnLastChoice?: boolean;
}

export interface ToolCallSpec {
  id?: string;
  name: string;
  arguments: string | Record<string, unknown>;
  /** How the arguments are streamed; by default in fragments of 8 characters. */
  argumentChunks?: string[];
}

export interface WireError {
  message: string;
  type?: string | null;
  param?: string | null;
  code?: string | number | null;
}

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  messages?: { role?: string; content?: unknown }[];
}

const CREATED = 1_753_343_173;
const FINGERPRINT = 'fp_sim0001';
let counter = 0;

/**
 * Starts a simulator whose default reply is the echo, and embeddings on `…/embeddings` (./openai-embeddings.ts);
 * `defaults` shape the echo (e.g. `delayMs` for a visible stream).
 */
export function startOpenAISimulator(defaults: CompletionOptions = {}): Promise<Simulator> {
  const echo = echoReply(defaults);
  const embeddings = embeddingsReply();
  return new Simulator((req, res) => (isEmbeddingsPath(req.path) ? embeddings(req, res) : echo(req, res))).start();
}

/** Echoes the last user message (`You said: …`), streamed word by word: the local demo's default answer. */
export function echoReply(options: CompletionOptions = {}): Reply {
  return chatRoute((req, res, body) => {
    const said = lastUserText(body);
    return sendText(req, res, body, said ? `You said: ${said}` : 'You said nothing.', options);
  });
}

/** A text answer; a list of strings sets the streamed pieces exactly. */
export function textReply(text: string | readonly string[], options: CompletionOptions = {}): Reply {
  return chatRoute((req, res, body) => sendText(req, res, body, text, options));
}

/** One or several tool calls, streamed as OpenAI does: a first delta with id/type/name, then argument fragments. */
export function toolCallsReply(calls: readonly ToolCallSpec[], options: CompletionOptions = {}): Reply {
  return chatRoute(async (req, res, body) => {
    const specs = calls.map((call) => ({
      id: call.id ?? nextId('call_sim'),
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      chunks: call.argumentChunks,
    }));
    const finish = options.finishReason ?? 'tool_calls';
    const usage = wireUsage(body, specs.length * 5, options.usage);
    if (!body.stream) {
      const tool_calls = specs.map(({ id, name, arguments: args }) => ({
        id,
        type: 'function',
        function: { name, arguments: args },
      }));
      const message = { role: 'assistant', content: null, tool_calls, refusal: null, annotations: [] };
      return sendCompletion(req, res, completion(body, options, message, finish, usage), options);
    }
    const deltas: Record<string, unknown>[] = [];
    specs.forEach((call, index) => {
      const first = { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
      deltas.push(
        index === 0
          ? { role: 'assistant', content: null, tool_calls: [first], refusal: null }
          : { tool_calls: [first] },
      );
      for (const fragment of call.chunks ?? splitEvery(call.arguments, 8)) {
        deltas.push({ tool_calls: [{ index, function: { arguments: fragment } }] });
      }
    });
    return sendChunks(req, res, body, deltas, finish, usage, options);
  });
}

/**
 * An HTTP error with OpenAI's body `{error: {message, type, param, code}}` and, when given, `retry-after`, on
 * chat completions and embeddings alike.
 */
export function errorReply(
  status: number,
  error: Partial<WireError> = {},
  options: ReplyControls & { retryAfter?: string | number; retryAfterMs?: string | number } = {},
): Reply {
  return chatRoute(async (req, res, body) => {
    if (!(await holdHead(req, options))) return;
    const headers: Record<string, string> = { 'x-request-id': nextId('req_sim'), ...options.headers };
    if (options.retryAfter !== undefined) headers['retry-after'] = String(options.retryAfter);
    if (options.retryAfterMs !== undefined) headers['retry-after-ms'] = String(options.retryAfterMs);
    sendJson(res, status, { error: { ...defaultError(status, req, body), ...error } }, headers);
  }, true);
}

/** A 200 stream that sends some text, then OpenAI's mid-stream `data: {"error": …}` event, and ends without [DONE]. */
export function streamErrorReply(
  error: Partial<WireError> = {},
  options: ReplyControls & { textBefore?: string } = {},
): Reply {
  return chatRoute(async (req, res, body) => {
    const pieces = splitWords(options.textBefore ?? 'Partial answer');
    const events: unknown[] = [chunk(body, {}, { role: 'assistant', content: '', refusal: null }, null)];
    for (const piece of pieces) events.push(chunk(body, {}, { content: piece }, null));
    const payload = {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      ...error,
    };
    events.push({ error: payload });
    await sendEvents(req, res, events, options);
  });
}

/** A body that is not valid JSON: a truncated completion, or a stream whose second event is not JSON. */
export function badJsonReply(options: ReplyControls = {}): Reply {
  return chatRoute(async (req, res, body) => {
    if (!body.stream) {
      if (!(await holdHead(req, options))) return;
      res.writeHead(200, { 'content-type': 'application/json', ...options.headers });
      res.end('{"id":"chatcmpl-bad","object":"chat.completion","choices":[{"index":0,');
      return;
    }
    const first = chunk(body, {}, { role: 'assistant', content: '' }, null);
    await sendEvents(req, res, [first, '{"id":"chatcmpl-bad","choices":[{"delta":'], options);
  });
}

/** Any JSON body with any status (e.g. a recorded fixture), whatever the request asked. */
export function jsonReply(status: number, payload: unknown, options: ReplyControls = {}): Reply {
  return chatRoute(async (req, res) => {
    if (await holdHead(req, options)) sendJson(res, status, payload, options.headers);
  });
}

/** Replays a recorded `*.sse.txt` (events separated by blank lines) as it is. */
export function rawSseReply(sse: string, options: ReplyControls = {}): Reply {
  const events = sse
    .split(/\n\n+/)
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data:'))
    .map((block) => block.replace(/^data:\s?/, ''));
  return chatRoute((req, res) => sendRawEvents(req, res, events, options));
}

/** Whether a path is a chat completions endpoint, under any base URL (`/v1`, Azure's deployments, a custom one). */
export function isChatPath(path: string): boolean {
  return path.endsWith('/chat/completions');
}

function chatRoute(
  handler: (req: RecordedRequest, res: SimResponse, body: ChatBody) => Promise<void> | void,
  alsoEmbeddings = false,
): Reply {
  return (req, res) => {
    const served = isChatPath(req.path) || (alsoEmbeddings && isEmbeddingsPath(req.path));
    if (req.method !== 'POST' || !served) {
      const message = `Invalid URL (${req.method} ${req.path})`;
      sendJson(res, 404, { error: { message, type: 'invalid_request_error', param: null, code: null } });
      return;
    }
    return handler(req, res, (req.body ?? {}) as ChatBody);
  };
}

function sendText(
  req: RecordedRequest,
  res: SimResponse,
  body: ChatBody,
  text: string | readonly string[],
  options: CompletionOptions,
): Promise<void> {
  const pieces = typeof text === 'string' ? splitWords(text) : [...text];
  const finish = options.finishReason ?? 'stop';
  const usage = wireUsage(body, pieces.length, options.usage);
  if (!body.stream) {
    const message = { role: 'assistant', content: pieces.join(''), refusal: null, annotations: [] };
    return sendCompletion(req, res, completion(body, options, message, finish, usage), options);
  }
  const deltas = [{ role: 'assistant', content: '', refusal: null }, ...pieces.map((content) => ({ content }))];
  return sendChunks(req, res, body, deltas, finish, usage, options);
}

async function sendCompletion(req: RecordedRequest, res: SimResponse, payload: unknown, options: ReplyControls) {
  if (await holdHead(req, options))
    sendJson(res, 200, payload, { 'x-request-id': nextId('req_sim'), ...options.headers });
}

function sendChunks(
  req: RecordedRequest,
  res: SimResponse,
  body: ChatBody,
  deltas: readonly Record<string, unknown>[],
  finish: string,
  usage: Record<string, unknown>,
  options: CompletionOptions,
): Promise<void> {
  const includeUsage = body.stream_options?.include_usage === true;
  const events: unknown[] = deltas.map((delta) => chunk(body, options, delta, null, includeUsage ? null : undefined));
  if (options.usageOnLastChoice) events.push(chunk(body, options, {}, finish, usage));
  else {
    events.push(chunk(body, options, {}, finish, includeUsage ? null : undefined));
    if (includeUsage) events.push({ ...chunk(body, options, {}, null, usage), choices: [] });
  }
  events.push('[DONE]');
  return sendEvents(req, res, events, options);
}

async function sendEvents(req: RecordedRequest, res: SimResponse, events: readonly unknown[], options: ReplyControls) {
  const raw = events.map((event) => (typeof event === 'string' ? event : JSON.stringify(event)));
  await sendRawEvents(req, res, raw, options);
}

async function sendRawEvents(req: RecordedRequest, res: SimResponse, events: string[], options: ReplyControls) {
  if (!(await holdHead(req, options))) return;
  const { gate, dropAfter } = options;
  // A drop must come after the events before it reached the socket, or the client would see none of them.
  let flushed: Promise<void> = Promise.resolve();
  const tracked: SimResponse = {
    writeHead: res.writeHead.bind(res),
    write: (chunk: string) => {
      flushed = new Promise<void>((resolve) => res.write(chunk, () => resolve()));
      return true;
    },
    end: res.end.bind(res),
    destroy: res.destroy.bind(res),
    on: res.on.bind(res),
    get headersSent() {
      return res.headersSent;
    },
    get writableFinished() {
      return res.writableFinished;
    },
  };
  await writeSse(req, tracked, events, {
    delayMs: options.delayMs,
    beforeEach: async (index) => {
      if (gate) await gate.wait();
      if (dropAfter !== undefined && index >= dropAfter) await flushed;
    },
    dropAfter,
    headers: { 'x-request-id': nextId('req_sim'), ...options.headers },
  });
}

/** Waits for the first byte to be allowed; false when the client went away meanwhile. */
async function holdHead(req: RecordedRequest, options: ReplyControls): Promise<boolean> {
  if (options.beforeHead) await options.beforeHead();
  if (options.firstByteDelayMs) await sleep(options.firstByteDelayMs);
  return !req.aborted;
}

function completion(body: ChatBody, options: CompletionOptions, message: unknown, finish: string, usage: unknown) {
  return {
    id: options.id ?? nextId('chatcmpl-sim'),
    object: 'chat.completion',
    created: CREATED,
    model: options.model ?? body.model ?? 'gpt-4o-mini',
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage,
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

/** One `chat.completion.chunk`; `usage` undefined leaves the key out (OpenAI without include_usage). */
function chunk(body: ChatBody, options: CompletionOptions, delta: unknown, finish: string | null, usage?: unknown) {
  return {
    id: options.id ?? 'chatcmpl-simstream',
    object: 'chat.completion.chunk',
    created: CREATED,
    model: options.model ?? body.model ?? 'gpt-4o-mini',
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(usage !== undefined ? { usage } : {}),
  };
}

function wireUsage(body: ChatBody, completionTokens: number, input: UsageInput = {}): Record<string, unknown> {
  const prompt = input.prompt_tokens ?? Math.max(1, splitWords(JSON.stringify(body.messages ?? [])).length);
  const completionCount = input.completion_tokens ?? completionTokens;
  return {
    prompt_tokens: prompt,
    completion_tokens: completionCount,
    total_tokens: prompt + completionCount,
    prompt_tokens_details: { cached_tokens: input.cached_tokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: input.reasoning_tokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

type ErrorTemplate = (key: string, model: string) => [message: string, type: string, code: string | null];

const DEFAULT_ERRORS: Record<number, ErrorTemplate> = {
  400: () => ['Invalid request.', 'invalid_request_error', null],
  // Echoes the key back, as an upstream might: the gateway must never pass this message on.
  401: (key) => [`Incorrect API key provided: ${key}.`, 'invalid_request_error', 'invalid_api_key'],
  404: (_key, model) => [
    `The model \`${model}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    'model_not_found',
  ],
  429: () => ['Rate limit reached for requests.', 'requests', 'rate_limit_exceeded'],
};

function defaultError(status: number, req: RecordedRequest, body: ChatBody): WireError {
  const key = String(req.headers.authorization ?? req.headers['api-key'] ?? '').replace(/^Bearer /, '');
  const template: ErrorTemplate =
    DEFAULT_ERRORS[status] ?? (() => ['The server had an error while processing your request.', 'server_error', null]);
  const [message, type, code] = template(key, body.model ?? '');
  return { message, type, param: null, code };
}

function lastUserText(body: ChatBody): string {
  const user = [...(body.messages ?? [])].reverse().find((message) => message.role === 'user');
  const content = user?.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: string; text?: string }) => (part.type === 'text' ? (part.text ?? '') : ''))
    .join(' ')
    .trim();
}

/** `Hello big world` → `Hello`, ` big`, ` world`: OpenAI's pieces carry their leading space. */
function splitWords(text: string): string[] {
  return text.match(/\s*\S+/g) ?? (text ? [text] : []);
}

function splitEvery(text: string, size: number): string[] {
  return text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
}

function nextId(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}`;
}
