/**
 * The admin API's HTTP shapes and its one error renderer: every admin error leaves as OpenAI's envelope
 * `{"error": {"message", "type", "param", "code"}}` (CONTRACT.md §3).
 */
import { GatewayError, toErrorBody, toGatewayError } from '../core/errors.js';
import { log } from '../core/log.js';
import type { Stores } from '../storage/types.js';

export interface AdminRequest {
  method: string;
  /** The path without query string, e.g. `/admin/projects/proj_…/keys`. */
  path: string;
  query: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  /** The body as text (already base64-decoded by the host). */
  body?: string;
}

export interface AdminResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface AdminDeps {
  stores: Stores;
  /** Required as a bearer token when set (local mode); unset in AWS, where the Function URL's IAM auth guards. */
  adminToken?: string;
}

/** Answers carry new keys: nothing may cache them. */
const BASE_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function json(status: number, body: unknown, headers: Record<string, string> = {}): AdminResponse {
  return { status, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * Renders any error. One that is not a GatewayError becomes an opaque 500 for the caller; it and any other 5xx are
 * logged through the gateway's logger, with the request's method and path and the error's cause chain.
 */
export function errorResponse(
  error: unknown,
  headers: Record<string, string> = {},
  req?: Pick<AdminRequest, 'method' | 'path'>,
): AdminResponse {
  const gatewayError = toGatewayError(error);
  if (!(error instanceof GatewayError) || gatewayError.status >= 500) {
    log.error('admin request failed', {
      method: req?.method,
      path: req?.path,
      status: gatewayError.status,
      error: error instanceof Error ? error : { type: typeof error },
    });
  }
  return json(gatewayError.status, toErrorBody(gatewayError), headers);
}

export function methodNotAllowed(method: string, allowed: readonly string[]): GatewayError {
  return new GatewayError({
    status: 405,
    type: 'invalid_request_error',
    code: 'method_not_allowed',
    message: `Method ${method} is not allowed here; use ${allowed.join(' or ')}.`,
  });
}

/** A header by name, whatever its case (Function URLs lower-case names; other hosts may not). */
export function header(headers: Record<string, string | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
