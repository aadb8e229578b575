import * as z from 'zod';
import type { ProjectCredentials } from './types.js';

const storedCredentialSchema = z.looseObject({
  type: z.string(),
  credential: z.record(z.string(), z.unknown()),
  updated_at: z.string(),
});

const credentialMapSchema = z.record(z.string(), storedCredentialSchema);

/**
 * Parses a project's stored JSON map. Errors never quote the input: it holds secrets, and JSON.parse's own
 * messages include a slice of the text.
 */
export function parseCredentialMap(text: string, what: string): ProjectCredentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  const parsed = credentialMapSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${what} is not a map of provider credentials`);
  return parsed.data;
}

/** Runs tasks for the same key one after another (read-modify-write of one project's map), others in parallel. */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    try {
      return await result;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
