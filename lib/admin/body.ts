/** Reading admin bodies: JSON first (400 `invalid_json`), then a zod schema whose first issue names the field. */
import type { ZodType, z } from 'zod';
import { badRequest } from '../core/errors.js';

/** The body as JSON; an empty body reads as `{}` so that all-optional bodies may be left out. */
export function parseJsonBody(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    throw badRequest('The request body is not valid JSON.', null, 'invalid_json');
  }
}

/** A zod path as a field reference: `models[0].id`. */
export function formatPath(path: readonly PropertyKey[]): string | null {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? null : out;
}

/** The 400 for a failed parse: `param` names the first offending field. Messages never quote the input. */
export function validationError(issues: readonly z.core.$ZodIssue[]): Error {
  const [issue] = issues;
  if (!issue) return badRequest('The request body is invalid.');
  if (issue.code === 'unrecognized_keys') {
    const param = formatPath([...issue.path, issue.keys[0] ?? '']);
    return badRequest(`Unknown field '${param}'.`, param);
  }
  const param = formatPath(issue.path);
  if (param === null) return badRequest(`The request body is invalid: ${issue.message}`);
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return badRequest(`Missing required field '${param}'.`, param);
  }
  return badRequest(`Invalid '${param}': ${issue.message}`, param);
}

/** The body, checked against `schema`; the body must be a JSON object. */
export function readBody<T>(body: string | undefined, schema: ZodType<T>): T {
  const value = parseJsonBody(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.');
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error.issues);
  return parsed.data;
}
