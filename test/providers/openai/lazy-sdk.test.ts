import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const folder = new URL('../../../lib/providers/openai/', import.meta.url);
const sources = readdirSync(folder)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => ({ name, text: readFileSync(new URL(name, folder), 'utf8') }));

describe('the openai SDK stays lazy', () => {
  it('is imported for types only at the top of every provider file', () => {
    expect(sources.length).toBeGreaterThan(5);
    for (const { name, text } of sources) {
      for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'openai[^']*';/gms)) {
        expect({ name, statement: match[0] }).toEqual({ name, statement: expect.stringMatching(/^import type/) });
      }
    }
  });

  it('is loaded at run time in one place, inside a function', () => {
    const loaders = sources.filter(({ text }) => text.includes("await import('openai')"));
    expect(loaders.map(({ name }) => name)).toEqual(['client.ts']);
  });
});
