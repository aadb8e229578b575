/**
 * A seeded, bounded fuzz of the local server (issue 13): random and hostile bodies, headers, model names, provider
 * names and admin inputs. Whatever comes in, the answer is in OpenAI's error envelope (or a success), never a 5xx
 * the gateway made itself, never a stack trace, and the server keeps answering. A failure prints its seed and case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261207);
const CASES = Number(process.env.FUZZ_CASES ?? 400);

let gateway: TestGateway;
let sim: Simulator;
let key: string;
let projectId: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    VLLORA_OPENAI_API_KEY: undefined,
    GATEWAY_RETRY_BACKOFF_MS: '1',
    GATEWAY_MAX_RETRIES: '0',
  });
  sim = await startOpenAISimulator();
  sim.setDefault(textReply('fuzzed'));
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('fuzz'));
  await gateway.putProvider(projectId, 'acme', { type: 'openai-compatible', base_url: `${sim.url}/v1` });
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

/** mulberry32: small, seeded, good enough to pick cases. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTILE_STRINGS = [
  '',
  ' ',
  '..',
  '../../etc/passwd',
  'azure/../../../openai/assistants?x=',
  '%2e%2e%2f',
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'prototype',
  '\u0000',
  '\u202e',
  '😀'.repeat(50),
  'x'.repeat(300),
  '<script>alert(1)</script>',
  "'; DROP TABLE keys; --",
  '$' + '{jndi:ldap://x}',
  'acme/m',
  'acme/llama-3',
  'openai/gpt-4o-mini',
  'gpt-4o-mini',
  'bedrock/anthropic.claude-3-haiku-20240307-v1:0',
  'gemini/gemini-2.0-flash',
  'acme/a:b',
  'NaN',
  '1e309',
];

function hostileValue(pick: () => number, depth = 0): unknown {
  const choice = Math.floor(pick() * (depth > 3 ? 8 : 11));
  switch (choice) {
    case 0:
      return null;
    case 1:
      return pick() < 0.5;
    case 2:
      return [0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, 4096, -0][Math.floor(pick() * 8)];
    case 3:
    case 4:
    case 5:
      return HOSTILE_STRINGS[Math.floor(pick() * HOSTILE_STRINGS.length)];
    case 6:
      return String.fromCharCode(...Array.from({ length: Math.floor(pick() * 20) }, () => Math.floor(pick() * 0xffff)));
    case 7:
      return {};
    case 8:
      return Array.from({ length: Math.floor(pick() * 4) }, () => hostileValue(pick, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(pick() * 4); i > 0; i--) {
        // An own property even for `__proto__`, as JSON.parse makes it.
        Object.defineProperty(object, asText(hostileValue(pick, 5)), {
          value: hostileValue(pick, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
  }
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

const CHAT_FIELDS = [
  'model',
  'messages',
  'models',
  'stream',
  'stream_options',
  'tools',
  'tool_choice',
  'response_format',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'n',
  'stop',
  'metadata',
  '__proto__',
  'constructor',
];

/** A chat body that is mostly well-formed, with one or two fields made hostile, or none at all. */
function chatBody(pick: () => number): string {
  const mode = pick();
  if (mode < 0.08) return asText(hostileValue(pick));
  if (mode < 0.12) return `{"model":"acme/m","messages":[${'['.repeat(Math.floor(pick() * 5000))}`;
  if (mode < 0.16) return `${'{"a":'.repeat(100 + Math.floor(pick() * 2000))}1${'}'.repeat(2000)}`;
  const body: Record<string, unknown> = {
    model: pick() < 0.6 ? 'acme/m' : hostileValue(pick),
    messages: pick() < 0.7 ? [{ role: 'user', content: 'hi' }] : hostileValue(pick),
  };
  for (let i = Math.floor(pick() * 3); i > 0; i--) {
    Object.defineProperty(body, CHAT_FIELDS[Math.floor(pick() * CHAT_FIELDS.length)]!, {
      value: hostileValue(pick),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return JSON.stringify(body);
}

/** Names the registry and the stores look up: prototype keys among them. */
const PROVIDER_NAMES = [
  'constructor',
  'valueof',
  'tostring',
  'openai',
  'azure',
  'anthropic',
  'gemini',
  'vertex-ai',
  'bedrock',
  'groq',
  'acme',
  'x',
];

const HEADER_VALUES = () => ['', 'Bearer', 'Bearer ', 'Basic x', `Bearer ${'a'.repeat(5000)}`, 'Bearer gw-forged'];

interface Case {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function nextCase(pick: () => number, adminToken: string): Case {
  const kind = pick();
  const auth = pick() < 0.85 ? `Bearer ${key}` : HEADER_VALUES()[Math.floor(pick() * HEADER_VALUES().length)]!;
  if (kind < 0.55) {
    return {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: {
        authorization: auth,
        'content-type': pick() < 0.9 ? 'application/json' : 'text/plain',
      },
      body: chatBody(pick),
    };
  }
  if (kind < 0.65) {
    const methods = ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
    const paths = ['/v1/models', '/v1/chat/completions', '/v1/../admin/projects', '/v1/models/%00', '/', '/v2/x'];
    return {
      method: methods[Math.floor(pick() * methods.length)]!,
      path: paths[Math.floor(pick() * paths.length)]!,
      headers: { authorization: auth },
    };
  }
  const adminAuth = pick() < 0.9 ? `Bearer ${adminToken}` : 'Bearer wrong';
  // encodeURIComponent refuses lone surrogates; the server gets their replacement character instead.
  const name =
    pick() < 0.6
      ? PROVIDER_NAMES[Math.floor(pick() * PROVIDER_NAMES.length)]!
      : encodeURIComponent(asText(hostileValue(pick)).replace(/[\uD800-\uDFFF]/g, '\uFFFD'));
  const targets: Case[] = [
    {
      method: 'PUT',
      path: `/admin/projects/${projectId}/providers/${name}`,
      headers: {},
      body: JSON.stringify(hostileValue(pick)),
    },
    {
      method: 'PUT',
      path: `/admin/projects/${projectId}/providers/${name}`,
      headers: {},
      body: JSON.stringify({ type: 'openai-compatible', base_url: hostileValue(pick), headers: hostileValue(pick) }),
    },
    { method: 'POST', path: '/admin/projects', headers: {}, body: JSON.stringify({ name: hostileValue(pick) }) },
    {
      method: 'POST',
      path: `/admin/projects/${projectId}/keys`,
      headers: {},
      body: JSON.stringify(hostileValue(pick)),
    },
    { method: 'GET', path: `/admin/projects/${name}/usage?from=${name}&group_by=${name}`, headers: {} },
    { method: 'GET', path: `/admin/projects/${projectId}/requests?limit=${name}&cursor=${name}`, headers: {} },
    { method: 'DELETE', path: `/admin/projects/${projectId}/keys/${name}`, headers: {} },
  ];
  const target = targets[Math.floor(pick() * targets.length)]!;
  return { ...target, headers: { authorization: adminAuth, 'content-type': 'application/json' } };
}

/** What an upstream failure may surface as: the gateway maps them, it does not make them. */
const MAPPED_UPSTREAM_CODES = new Set(['upstream_error', 'upstream_unreachable', 'provider_error', 'timeout']);

describe('fuzzing the local server', () => {
  it(`answers ${CASES} hostile requests in the envelope, with no 5xx of its own and no stack trace (seed ${SEED})`, async () => {
    const pick = random(SEED);
    const problems: string[] = [];
    for (let i = 0; i < CASES && problems.length < 5; i++) {
      const request = nextCase(pick, gateway.gateway.adminToken);
      let status: number;
      let text: string;
      try {
        const response = await fetch(`${gateway.url}${request.path}`, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(10_000),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        problems.push(`#${i} ${request.method} ${request.path}: no answer (${String(error)})`);
        continue;
      }
      const where = `#${i} ${request.method} ${request.path.slice(0, 80)} ${String(request.body).slice(0, 120)}`;
      if (/\bat .*\.(ts|js|mjs):\d+/.test(text) || /node:internal/.test(text)) problems.push(`${where}: stack trace`);
      if (status >= 200 && status < 300) continue;
      let parsed: { error?: { message?: unknown; type?: unknown; code?: unknown; param?: unknown } } | undefined;
      try {
        parsed = JSON.parse(text);
      } catch {
        // an SSE error or a non-JSON answer: judged below
      }
      const error = parsed?.error;
      if (!error || typeof error.message !== 'string' || typeof error.type !== 'string' || !('param' in error)) {
        problems.push(`${where}: ${status} not in the envelope: ${text.slice(0, 200)}`);
        continue;
      }
      const mappedUpstream = (status === 502 || status === 504) && MAPPED_UPSTREAM_CODES.has(String(error.code));
      if (status >= 500 && !mappedUpstream) problems.push(`${where}: ${status} ${text.slice(0, 200)}`);
    }
    expect(problems, `seed ${SEED}`).toEqual([]);
    // Still alive, and still serving.
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    const chat = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'acme/m', messages: [{ role: 'user', content: 'still there?' }] }),
    });
    expect(chat.status).toBe(200);
  }, 60_000);
});
