import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CallContext } from '../../../lib/core/types.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/gemini/', import.meta.url));

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${name}`, 'utf8')) as T;
}

/** The `data:` payloads of a recorded SSE stream (Gemini separates events with CRLF CRLF). */
export function sseFixture(name: string): unknown[] {
  return readFileSync(`${FIXTURES}${name}`, 'utf8')
    .split(/\r?\n\r?\n/)
    .map((event) => event.trim())
    .filter((event) => event.startsWith('data:'))
    .map((event) => JSON.parse(event.slice('data:'.length)));
}

export interface TestContext extends CallContext {
  ignored: string[];
}

export function testContext(overrides: Partial<CallContext> = {}): TestContext {
  const ignored: string[] = [];
  return {
    signal: new AbortController().signal,
    requestId: 'req_test',
    projectId: 'proj_test',
    ignore: (field) => ignored.push(field),
    ignored,
    ...overrides,
  };
}
