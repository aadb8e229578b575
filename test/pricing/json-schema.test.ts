import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../lib/catalog.js';
import { type Schema, validateJsonSchema } from '../../lib/pricing/json-schema.js';

const schema = JSON.parse(readFileSync(new URL('../../models_data.schema.json', import.meta.url), 'utf8')) as Schema;

/** The first catalog entry, deep-copied, with one change. */
function entryWith(change: (entry: Record<string, unknown>) => void): unknown[] {
  const entry = structuredClone(catalog[0]) as unknown as Record<string, unknown>;
  change(entry);
  return [entry];
}

const period = (entry: Record<string, unknown>) => (entry.price as Record<string, unknown>[])[0]!;

describe('validateJsonSchema against models_data.schema.json', () => {
  it('accepts a well-formed entry', () => {
    expect(validateJsonSchema([catalog[0]], schema)).toEqual([]);
  });

  it('rejects a negative price', () => {
    const errors = validateJsonSchema(
      entryWith((entry) => {
        period(entry).per_output_token = -1;
      }),
      schema,
    );
    expect(errors).toEqual(['/0/price/0/per_output_token: -1 is below 0']);
  });

  it('rejects a valid_from that is not an ISO day', () => {
    const errors = validateJsonSchema(
      entryWith((entry) => {
        period(entry).valid_from = '2025-13-01';
      }),
      schema,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\/0\/price\/0\/valid_from: '2025-13-01' does not match/);
  });

  it('rejects a period without valid_from, an unknown field and an unknown capability', () => {
    const errors = validateJsonSchema(
      entryWith((entry) => {
        delete period(entry).valid_from;
        entry.prices = [];
        entry.capabilities = ['tools', 'telepathy'];
      }),
      schema,
    );
    expect(errors).toEqual([
      "/0/price/0: missing required property 'valid_from'",
      '/0/capabilities/1: "telepathy" is not one of ["tools","json_schema","reasoning","system","vision"]',
      "/0: unknown property 'prices'",
    ]);
  });

  it('rejects wrong types, duplicate aliases and non-integer limits', () => {
    const errors = validateJsonSchema(
      entryWith((entry) => {
        entry.model = 42;
        entry.aliases = ['a', 'a'];
        entry.limits = { max_context_size: 1.5 };
      }),
      schema,
    );
    expect(errors).toEqual([
      '/0/model: expected string, got integer',
      '/0/aliases: items are not unique',
      '/0/limits/max_context_size: expected integer, got number',
    ]);
  });

  it('rejects a catalog that is not a list', () => {
    expect(validateJsonSchema({}, schema)).toEqual(['/: expected array, got object']);
  });

  it('reports a schema keyword it does not enforce instead of ignoring it', () => {
    expect(validateJsonSchema(3, { type: 'integer', maximum: 2 })).toEqual(["schema at /: unsupported 'maximum'"]);
  });
});
