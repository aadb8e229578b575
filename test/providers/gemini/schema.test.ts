import { describe, expect, it } from 'vitest';
import { toGeminiSchema } from '../../../lib/providers/gemini/schema.js';

const PARAM = 'tools[0].function.parameters';

describe('toGeminiSchema', () => {
  it('uppercases types and keeps the keywords Gemini takes', () => {
    const schema = {
      type: 'object',
      title: 'Weather query',
      description: 'Where and how',
      properties: {
        city: { type: 'string', description: 'City name', minLength: 1, maxLength: 80, pattern: '^[A-Za-z ]+$' },
        days: { type: 'integer', minimum: 1, maximum: 14, format: 'int32', default: 3 },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 0, maxItems: 5 },
        when: { type: 'string', format: 'date-time', example: '2025-01-01T00:00:00Z' },
      },
      required: ['city'],
    };
    expect(toGeminiSchema(schema, PARAM)).toEqual({
      type: 'OBJECT',
      title: 'Weather query',
      description: 'Where and how',
      properties: {
        city: { type: 'STRING', description: 'City name', minLength: '1', maxLength: '80', pattern: '^[A-Za-z ]+$' },
        days: { type: 'INTEGER', minimum: 1, maximum: 14, format: 'int32', default: 3 },
        unit: { type: 'STRING', enum: ['celsius', 'fahrenheit'] },
        tags: { type: 'ARRAY', items: { type: 'STRING' }, minItems: '0', maxItems: '5' },
        when: { type: 'STRING', format: 'date-time', example: '2025-01-01T00:00:00Z' },
      },
      required: ['city'],
    });
  });

  it('drops keywords Gemini refuses: additionalProperties, $schema, $id, not, uniqueItems, multipleOf, …', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: 'https://example.com/weather',
      $comment: 'internal',
      type: 'object',
      additionalProperties: false,
      patternProperties: { '^x-': { type: 'string' } },
      properties: {
        ids: { type: 'array', items: { type: 'integer', multipleOf: 2 }, uniqueItems: true, contains: { const: 4 } },
        name: { type: 'string', not: { const: 'admin' }, readOnly: true, deprecated: true, contentEncoding: 'base64' },
      },
      if: { properties: { name: { const: 'x' } } },
      // `then` spelled through JSON: a literal `then` key reads as a thenable to linters.
      ...JSON.parse('{"then": {"required": ["ids"]}, "else": {"required": ["name"]}}'),
    };
    expect(toGeminiSchema(schema, PARAM)).toEqual({
      type: 'OBJECT',
      properties: { ids: { type: 'ARRAY', items: { type: 'INTEGER' } }, name: { type: 'STRING' } },
    });
  });

  it('drops string formats the Gemini API rejects, keeping date-time and enum', () => {
    const out = toGeminiSchema(
      {
        type: 'object',
        properties: {
          email: { type: 'string', format: 'email' },
          link: { type: 'string', format: 'uri' },
          at: { type: 'string', format: 'date-time' },
          ratio: { type: 'number', format: 'double' },
          count: { type: 'integer', format: 'uint8' },
        },
      },
      PARAM,
    );
    expect(out.properties).toEqual({
      email: { type: 'STRING' },
      link: { type: 'STRING' },
      at: { type: 'STRING', format: 'date-time' },
      ratio: { type: 'NUMBER', format: 'double' },
      count: { type: 'INTEGER' },
    });
  });

  it('turns a nullable type list into nullable, and several types into anyOf', () => {
    const out = toGeminiSchema(
      {
        type: 'object',
        properties: {
          note: { type: ['string', 'null'], description: 'optional note' },
          value: { type: ['string', 'number'] },
        },
      },
      PARAM,
    );
    expect(out.properties?.note).toEqual({ type: 'STRING', nullable: true, description: 'optional note' });
    expect(out.properties?.value).toEqual({ anyOf: [{ type: 'STRING' }, { type: 'NUMBER' }] });
  });

  it('turns oneOf into anyOf and never sends type beside anyOf', () => {
    const out = toGeminiSchema(
      { type: 'object', oneOf: [{ type: 'object', properties: { a: { type: 'string' } } }, { type: 'string' }] },
      PARAM,
    );
    expect(out).toEqual({
      anyOf: [{ type: 'OBJECT', properties: { a: { type: 'STRING' } } }, { type: 'STRING' }],
    });
  });

  it('collapses `X | null` unions (as zod and pydantic write them) into a nullable X', () => {
    const out = toGeminiSchema(
      { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }], description: 'maybe a list' },
      PARAM,
    );
    expect(out).toEqual({ type: 'ARRAY', items: { type: 'STRING' }, nullable: true, description: 'maybe a list' });
  });

  it('inlines local $ref definitions, keeping siblings', () => {
    const schema = {
      type: 'object',
      properties: {
        home: { $ref: '#/$defs/Address', description: 'Home address' },
        work: { $ref: '#/definitions/Address' },
      },
      $defs: { Address: { type: 'object', properties: { street: { type: 'string' } }, required: ['street'] } },
      definitions: { Address: { type: 'object', properties: { city: { type: 'string' } } } },
    };
    expect(toGeminiSchema(schema, PARAM).properties).toEqual({
      home: {
        type: 'OBJECT',
        description: 'Home address',
        properties: { street: { type: 'STRING' } },
        required: ['street'],
      },
      work: { type: 'OBJECT', properties: { city: { type: 'STRING' } } },
    });
  });

  it('stops a recursive $ref at a plain object instead of looping', () => {
    const schema = {
      $ref: '#/$defs/Node',
      $defs: {
        Node: {
          type: 'object',
          properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/$defs/Node' } } },
        },
      },
    };
    expect(toGeminiSchema(schema, PARAM)).toEqual({
      type: 'OBJECT',
      properties: { name: { type: 'STRING' }, children: { type: 'ARRAY', items: { type: 'OBJECT' } } },
    });
  });

  it('refuses a $ref it cannot resolve, naming the field', () => {
    expect(() => toGeminiSchema({ $ref: 'https://example.com/schema.json' }, PARAM)).toThrow(
      expect.objectContaining({ status: 400, param: PARAM }),
    );
  });

  it('merges allOf into one schema', () => {
    const out = toGeminiSchema(
      {
        allOf: [
          { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
          { properties: { b: { type: 'boolean' } }, required: ['b'] },
        ],
      },
      PARAM,
    );
    expect(out).toEqual({
      type: 'OBJECT',
      properties: { a: { type: 'STRING' }, b: { type: 'BOOLEAN' } },
      required: ['a', 'b'],
    });
  });

  it('makes string consts one-value enums and moves non-string enums into the description', () => {
    const out = toGeminiSchema(
      {
        type: 'object',
        properties: {
          kind: { const: 'circle' },
          size: { type: 'integer', enum: [1, 2, 3], description: 'Size' },
          mode: { enum: ['on', 'off', null] },
        },
      },
      PARAM,
    );
    expect(out.properties).toEqual({
      kind: { type: 'STRING', enum: ['circle'] },
      size: { type: 'INTEGER', description: 'Size Allowed values: 1, 2, 3.' },
      mode: { type: 'STRING', enum: ['on', 'off'], nullable: true },
    });
  });

  it('leaves out empty properties and required names with no property', () => {
    const out = toGeminiSchema(
      {
        type: 'object',
        properties: { options: { type: 'object', properties: {} }, id: { type: 'string' } },
        required: ['id', 'ghost'],
      },
      PARAM,
    );
    expect(out).toEqual({
      type: 'OBJECT',
      properties: { options: { type: 'OBJECT' }, id: { type: 'STRING' } },
      required: ['id'],
    });
  });

  it('maps exclusive bounds to plain bounds and examples to example', () => {
    expect(
      toGeminiSchema({ type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, examples: [0.5, 0.7] }, PARAM),
    ).toEqual({
      type: 'NUMBER',
      minimum: 0,
      maximum: 1,
      example: 0.5,
    });
  });

  it('infers OBJECT and ARRAY when type is left out', () => {
    expect(toGeminiSchema({ properties: { a: { items: { type: 'string' } } } }, PARAM)).toEqual({
      type: 'OBJECT',
      properties: { a: { type: 'ARRAY', items: { type: 'STRING' } } },
    });
  });

  it('treats a type named like a prototype key as unknown, never a crash', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(toGeminiSchema({ type, format: 'date-time' }, 'tools[0].function.parameters')).toEqual({});
    }
  });
});
