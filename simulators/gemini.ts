/**
 * A Gemini / Vertex AI simulator: `generateContent` (JSON) and `streamGenerateContent?alt=sse` (SSE) on both path
 * shapes the @google/genai SDK uses:
 *   Gemini API  /v1beta/models/{model}:{method}                                   (x-goog-api-key)
 *   Vertex AI   /v1beta1/projects/{p}/locations/{l}/publishers/google/models/{model}:{method}  (Bearer token)
 * Replies are written in Google's real shapes (candidates[].content.parts, finishReason, usageMetadata,
 * promptFeedback.blockReason, `{"error": {"code", "message", "status"}}`). Requests without the path's kind of
 * auth get Google's 403 / 401, unknown paths a 404. The default reply echoes the last user text.
 * @see https://ai.google.dev/api/generate-content
 */
import {
  type Gate,
  type RecordedRequest,
  type Reply,
  type SimResponse,
  Simulator,
  type SseOptions,
  sendJson,
  sleep,
  writeSse,
} from './base.js';
import { EMBED_METHODS, type EmbedMethod, geminiEmbedReply } from './gemini-embed.js';

export interface GeminiCall {
  api: 'gemini' | 'vertex';
  version: string;
  project?: string;
  location?: string;
  model: string;
  method: 'generateContent' | 'streamGenerateContent' | EmbedMethod;
  stream: boolean;
  /** The `x-goog-api-key` header (or `key` query parameter). */
  apiKey?: string;
  /** The token of `authorization: Bearer …`. */
  bearer?: string;
}

const GEMINI_PATH =
  /^\/(v1(?:alpha|beta)?)\/models\/([^/:]+):(generateContent|streamGenerateContent|batchEmbedContents|embedContent)$/;
const VERTEX_PATH =
  /^\/(v1(?:beta1)?)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|predict|embedContent)$/;

/** What a request was: which API, model and method, with which credential; undefined for an unknown path. */
export function parseCall(req: RecordedRequest): GeminiCall | undefined {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const apiKey = header('x-goog-api-key') ?? req.query.get('key') ?? undefined;
  const bearer = /^Bearer (.+)$/i.exec(header('authorization') ?? '')?.[1];
  const auth = { ...(apiKey ? { apiKey } : {}), ...(bearer ? { bearer } : {}) };
  const gemini = GEMINI_PATH.exec(req.path);
  if (gemini) {
    const method = gemini[3] as GeminiCall['method'];
    return {
      api: 'gemini',
      version: gemini[1]!,
      model: gemini[2]!,
      method,
      stream: method === 'streamGenerateContent',
      ...auth,
    };
  }
  const vertex = VERTEX_PATH.exec(req.path);
  if (vertex) {
    const method = vertex[5] as GeminiCall['method'];
    return {
      api: 'vertex',
      version: vertex[1]!,
      project: vertex[2]!,
      location: vertex[3]!,
      model: vertex[4]!,
      method,
      stream: method === 'streamGenerateContent',
      ...auth,
    };
  }
  return undefined;
}

export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** One answer, served as one JSON response or as a stream, whichever the request asked for. */
export interface GeminiTurn {
  text?: string;
  functionCalls?: { name: string; args: Record<string, unknown>; id?: string }[];
  /** Extra parts before the text (e.g. `{text, thought: true}`). */
  parts?: Record<string, unknown>[];
  finishReason?: string;
  usage?: GeminiUsage;
  /** A prompt blocked outright: no candidates, `promptFeedback.blockReason`. */
  blockReason?: string;
  /** Further candidates (`candidateCount` > 1), each as written on the wire. */
  extraCandidates?: Record<string, unknown>[];
  responseId?: string;
}

export interface GeminiReplyOptions extends SseOptions {
  /** Steps the stream: each event after the first waits for `gate.open()`. */
  gate?: Gate;
  /** How many pieces streamed text is cut into (default 3). */
  textPieces?: number;
}

const MODEL_VERSION = 'gemini-2.0-flash-001';

function usageMetadata(usage: GeminiUsage): Record<string, unknown> {
  const total = usage.promptTokenCount + usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0);
  return {
    ...usage,
    totalTokenCount: total,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.promptTokenCount }],
  };
}

function defaultUsage(req: RecordedRequest, text: string): GeminiUsage {
  const words = (value: string) => value.split(/\s+/).filter(Boolean).length;
  return { promptTokenCount: Math.max(1, words(req.rawBody)), candidatesTokenCount: Math.max(1, words(text)) };
}

function partsOf(turn: GeminiTurn): Record<string, unknown>[] {
  return [
    ...(turn.parts ?? []),
    ...(turn.text !== undefined ? [{ text: turn.text }] : []),
    ...(turn.functionCalls ?? []).map((call) => ({ functionCall: call })),
  ];
}

/** The whole answer as one `GenerateContentResponse`. */
export function responseBody(req: RecordedRequest, turn: GeminiTurn): Record<string, unknown> {
  const usage = turn.usage ?? defaultUsage(req, turn.text ?? '');
  const id = turn.responseId ?? 'sim-response-1';
  if (turn.blockReason) {
    return {
      promptFeedback: {
        blockReason: turn.blockReason,
        safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
      },
      usageMetadata: usageMetadata({ ...usage, candidatesTokenCount: 0 }),
      modelVersion: MODEL_VERSION,
      responseId: id,
    };
  }
  const candidate = {
    content: { parts: partsOf(turn), role: 'model' },
    finishReason: turn.finishReason ?? 'STOP',
    index: 0,
  };
  return {
    candidates: [candidate, ...(turn.extraCandidates ?? [])],
    usageMetadata: usageMetadata(usage),
    modelVersion: MODEL_VERSION,
    responseId: id,
  };
}

/** The answer as stream events: text in pieces, each function call whole, finish reason and full usage last. */
export function streamEvents(req: RecordedRequest, turn: GeminiTurn, textPieces = 3): Record<string, unknown>[] {
  const full = responseBody(req, turn);
  if (turn.blockReason) return [full];
  const usage = turn.usage ?? defaultUsage(req, turn.text ?? '');
  const partial = { promptTokenCount: usage.promptTokenCount, totalTokenCount: usage.promptTokenCount };
  const pieces: Record<string, unknown>[][] = (turn.parts ?? []).map((part) => [part]);
  if (turn.text !== undefined) pieces.push(...split(turn.text, textPieces).map((text) => [{ text }]));
  for (const call of turn.functionCalls ?? []) pieces.push([{ functionCall: call }]);
  if (pieces.length === 0) pieces.push([{ text: '' }]);
  const id = turn.responseId ?? 'sim-response-1';
  return pieces.map((parts, i) => {
    const last = i === pieces.length - 1;
    const candidate: Record<string, unknown> = { content: { parts, role: 'model' }, index: 0 };
    if (last) candidate.finishReason = turn.finishReason ?? 'STOP';
    return {
      candidates: last ? [candidate, ...(turn.extraCandidates ?? [])] : [candidate],
      usageMetadata: last ? usageMetadata(usage) : partial,
      modelVersion: MODEL_VERSION,
      responseId: id,
    };
  });
}

function split(text: string, pieces: number): string[] {
  const words = text.split(/(?<=\s)/);
  const size = Math.max(1, Math.ceil(words.length / pieces));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out.length > 0 ? out : [text];
}

/** Answers with `turn` (or what `turn(req)` returns), as JSON or SSE to match the request. */
export function geminiReply(
  turn: GeminiTurn | ((req: RecordedRequest) => GeminiTurn),
  options: GeminiReplyOptions = {},
): Reply {
  return async (req, res) => {
    const value = typeof turn === 'function' ? turn(req) : turn;
    if (parseCall(req)?.stream) {
      const { gate, textPieces, ...sse } = options;
      const beforeEach = gate ? () => gate.wait() : sse.beforeEach;
      await writeSse(
        req,
        res,
        streamEvents(req, value, textPieces).map((data) => ({ data })),
        { ...sse, ...(beforeEach ? { beforeEach } : {}) },
      );
      return;
    }
    if (options.firstByteDelayMs) await sleep(options.firstByteDelayMs);
    if (!req.aborted) sendJson(res, 200, responseBody(req, value), options.headers);
  };
}

/** Raw stream events, for shapes `geminiReply` does not make (e.g. an error event inside a 200 stream). */
export function geminiStreamEvents(events: readonly unknown[], options: SseOptions = {}): Reply {
  return (req, res) =>
    writeSse(
      req,
      res,
      events.map((data) => ({ data })),
      options,
    );
}

/** Google's error body, e.g. `geminiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { retryDelay: '7s' })`. */
export function geminiError(
  code: number,
  status: string,
  message: string,
  options: { retryDelay?: string; details?: Record<string, unknown>[]; headers?: Record<string, string> } = {},
): Reply {
  const details = [...(options.details ?? [])];
  if (options.retryDelay)
    details.push({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: options.retryDelay });
  const error = { code, message, status, ...(details.length > 0 ? { details } : {}) };
  return (_req, res) => sendJson(res, code, { error }, options.headers);
}

/** The last user text of a request, for the echo reply. */
export function lastUserText(req: RecordedRequest): string {
  const body = req.body as { contents?: { role?: string; parts?: { text?: string }[] }[] } | undefined;
  const user = [...(body?.contents ?? [])].reverse().find((content) => content.role === 'user');
  return (user?.parts ?? []).map((part) => part.text ?? '').join('');
}

export const echoReply: Reply = geminiReply((req) => ({ text: lastUserText(req) }));

/** Refuses what Google would refuse before any model runs: unknown paths, missing auth, no contents. */
function guard(reply: Reply): Reply {
  return (req: RecordedRequest, res: SimResponse) => {
    const call = parseCall(req);
    if (!call || req.method !== 'POST') {
      return geminiError(404, 'NOT_FOUND', `Requested entity was not found: ${req.path}`)(req, res);
    }
    if (call.api === 'gemini' && !call.apiKey) {
      return geminiError(403, 'PERMISSION_DENIED', "Method doesn't allow unregistered callers.")(req, res);
    }
    if (call.api === 'vertex' && !call.bearer) {
      return geminiError(401, 'UNAUTHENTICATED', 'Request is missing required authentication credential.')(req, res);
    }
    if ((EMBED_METHODS as readonly string[]).includes(call.method)) return reply(req, res);
    const contents = (req.body as { contents?: unknown[] } | undefined)?.contents;
    if (!Array.isArray(contents) || contents.length === 0) {
      return geminiError(
        400,
        'INVALID_ARGUMENT',
        '* GenerateContentRequest.contents: contents is not specified',
      )(req, res);
    }
    return reply(req, res);
  };
}

/** The echo for generate calls, embeddings (./gemini-embed.ts) for the embedding methods. */
const defaultReply: Reply = (req, res) => {
  const method = parseCall(req)?.method ?? '';
  return (EMBED_METHODS as readonly string[]).includes(method) ? geminiEmbedReply()(req, res) : echoReply(req, res);
};

export class GeminiSimulator extends Simulator {
  constructor() {
    super(guard(defaultReply));
  }

  override script(...replies: Reply[]): this {
    return super.script(...replies.map(guard));
  }

  override setDefault(reply: Reply): this {
    return super.setDefault(guard(reply));
  }

  /** The last request, parsed (API, model, method, credential). */
  get lastCall(): GeminiCall | undefined {
    return this.lastRequest ? parseCall(this.lastRequest) : undefined;
  }

  /** The last request's JSON body. */
  get lastBody(): Record<string, unknown> | undefined {
    return this.lastRequest?.body as Record<string, unknown> | undefined;
  }
}

export async function startGeminiSimulator(): Promise<GeminiSimulator> {
  return new GeminiSimulator().start();
}
