/** Drives handleAdmin as a host would, and records every response so tests can search them for secrets. */
import { type AdminResponse, handleAdmin } from '../../lib/admin/index.js';
import type { Stores } from '../../lib/storage/types.js';

export interface AdminReply extends AdminResponse {
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON answers are inspected freely in tests
  json: any;
}

export interface AdminClientOptions {
  adminToken?: string;
  /** Headers sent with every call (e.g. the Authorization header). */
  headers?: Record<string, string>;
}

export function adminClient(stores: Stores, options: AdminClientOptions = {}) {
  const bodies: string[] = [];
  async function call(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<AdminReply> {
    const response = await handleAdmin(
      {
        method,
        path,
        query: {},
        headers: { ...options.headers, ...headers },
        body: body === undefined || typeof body === 'string' ? body : JSON.stringify(body),
      },
      { stores, adminToken: options.adminToken },
    );
    bodies.push(response.body);
    return { ...response, json: JSON.parse(response.body) };
  }
  return { call, bodies };
}

/** Asserts an OpenAI error envelope with the given status, and returns its `error` object. */
export function expectError(reply: AdminReply, status: number) {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.body}`);
  const error = reply.json?.error;
  if (!error || typeof error.message !== 'string' || typeof error.type !== 'string') {
    throw new Error(`not an OpenAI error envelope: ${reply.body}`);
  }
  if (!('param' in error) || !('code' in error)) throw new Error(`envelope lacks param or code: ${reply.body}`);
  return error as { message: string; type: string; param: string | null; code: string | null };
}
