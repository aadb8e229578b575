/**
 * JSON Schema (as OpenAI callers write it for tools and `json_schema` response formats) → the OpenAPI 3.0 subset
 * Gemini takes as `Schema`. Gemini answers 400 to keywords outside that subset, so the conversion is a whitelist:
 * every keyword below is either carried over, rewritten into one Gemini has, or dropped for the reason given.
 *
 * Dropped, with why:
 * - `$schema`, `$id`, `$comment`, `$anchor`: metadata; `$schema` would also make the SDK send the schema as
 *   `parametersJsonSchema`, which older models refuse.
 * - `additionalProperties`, `patternProperties`, `propertyNames`, `unevaluatedProperties`, `dependentRequired`,
 *   `dependentSchemas`, `dependencies`: Gemini's object schema has only `properties` and `required`.
 * - `not`, `if` / `then` / `else`, `contains`, `minContains`, `maxContains`, `unevaluatedItems`, `prefixItems`:
 *   no counterpart; the model simply gets the looser schema.
 * - `uniqueItems`, `multipleOf`, `contentEncoding`, `contentMediaType`, `readOnly`, `writeOnly`, `deprecated`,
 *   `discriminator`: validation or documentation hints Gemini has no field for.
 * - `format` values other than `date-time`/`enum` (strings), `int32`/`int64` (integers), `float`/`double`
 *   (numbers): the Gemini API rejects the rest (e.g. `email`, `uri`).
 * - `enum` with non-string values: Gemini's enums are strings only; the values go into `description` instead.
 * - `const` that is not a string: same reason; a string `const` becomes a one-value `enum`.
 * - an empty `properties` map: Gemini answers 400 "should be non-empty for OBJECT type".
 *
 * Rewritten: `$ref` to `#/$defs/…` or `#/definitions/…` is inlined (a recursive reference stops at a plain
 * object); `oneOf` → `anyOf`; `allOf` is merged into one schema; `type: [..., "null"]` and `null` members of
 * `anyOf` → `nullable`; several types → `anyOf`; `exclusiveMinimum`/`exclusiveMaximum` (numbers) →
 * `minimum`/`maximum`; `examples` → `example` (the first); integer limits → strings (int64 in Google's JSON).
 * @see https://ai.google.dev/api/caching#Schema
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/Schema
 */
import { badRequest } from '../../core/errors.js';
import { own } from '../../core/own.js';
import type { JsonSchema } from '../../core/types.js';
import type { GeminiSchema } from './wire.js';

type SchemaType = NonNullable<GeminiSchema['type']>;

const TYPES: Readonly<Record<string, SchemaType>> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
};

const FORMATS: Readonly<Record<SchemaType, readonly string[]>> = {
  STRING: ['date-time', 'enum'],
  INTEGER: ['int32', 'int64'],
  NUMBER: ['float', 'double'],
  BOOLEAN: [],
  ARRAY: [],
  OBJECT: [],
};

const COUNTS = ['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties'] as const;

interface Walk {
  root: JsonSchema;
  param: string;
  refs: readonly string[];
}

/**
 * Converts a JSON Schema to Gemini's `Schema` (see the file comment for each keyword's fate).
 * @param param the request field the schema came from, named in a 400 for a reference that cannot be resolved.
 */
export function toGeminiSchema(schema: JsonSchema, param: string): GeminiSchema {
  return convert(schema, { root: schema, param, refs: [] });
}

function convert(input: unknown, walk: Walk): GeminiSchema {
  if (!isObject(input)) return {}; // `true` (anything goes); `false` cannot be expressed either way
  const schema = resolveRef(mergeAllOf(input), walk);
  if (schema === undefined) return { type: 'OBJECT' };
  const next: Walk = typeof input.$ref === 'string' ? { ...walk, refs: [...walk.refs, input.$ref] } : walk;
  const out: GeminiSchema = {};
  copyDocs(schema, out);

  const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).filter((t) => typeof t === 'string');
  if (types.includes('null')) out.nullable = true;
  const known = types
    .filter((t) => t !== 'null')
    .map((t) => own(TYPES, t as string))
    .filter((t) => t !== undefined);

  const union = [...asArray(schema.anyOf), ...asArray(schema.oneOf)];
  if (union.length > 0) {
    const members = union.filter((member) => !(isObject(member) && member.type === 'null'));
    if (members.length < union.length) out.nullable = true;
    // One non-null member (the usual `X | null`): no union left, the member is the schema.
    if (members.length === 1) return { ...convert(members[0], next), ...out, ...nullable(out) };
    out.anyOf = members.map((member) => convert(member, next));
    return out; // Gemini refuses `type` beside `anyOf`
  }
  if (known.length > 1) {
    out.anyOf = known.map((type) => convert({ ...schema, type: type.toLowerCase(), anyOf: undefined }, next));
    return { ...pick(out, ['description', 'title', 'nullable']), anyOf: out.anyOf };
  }

  const type = known[0] ?? (isObject(schema.properties) ? 'OBJECT' : schema.items !== undefined ? 'ARRAY' : undefined);
  if (type) out.type = type;
  if (typeof schema.format === 'string' && type && FORMATS[type].includes(schema.format)) out.format = schema.format;
  convertEnum(schema, out);
  for (const key of COUNTS) {
    if (typeof schema[key] === 'number') out[key] = String(schema[key]);
  }
  if (typeof schema.pattern === 'string') out.pattern = schema.pattern;
  const minimum = numberOf(schema.minimum) ?? numberOf(schema.exclusiveMinimum);
  const maximum = numberOf(schema.maximum) ?? numberOf(schema.exclusiveMaximum);
  if (minimum !== undefined) out.minimum = minimum;
  if (maximum !== undefined) out.maximum = maximum;

  if (schema.items !== undefined) {
    out.items = Array.isArray(schema.items)
      ? { anyOf: schema.items.map((item) => convert(item, next)) }
      : convert(schema.items, next);
  }
  if (isObject(schema.properties) && Object.keys(schema.properties).length > 0) {
    const properties: Record<string, GeminiSchema> = {};
    for (const [name, property] of Object.entries(schema.properties)) properties[name] = convert(property, next);
    out.properties = properties;
    // Gemini rejects a required name with no property behind it.
    const required = asArray(schema.required).filter((name): name is string => typeof name === 'string');
    const present = required.filter((name) => Object.hasOwn(properties, name));
    if (present.length > 0) out.required = present;
    if (Array.isArray(schema.propertyOrdering)) out.propertyOrdering = schema.propertyOrdering as string[];
  }
  return out;
}

function copyDocs(schema: JsonSchema, out: GeminiSchema): void {
  if (typeof schema.title === 'string') out.title = schema.title;
  if (typeof schema.description === 'string') out.description = schema.description;
  if (schema.default !== undefined) out.default = schema.default;
  if (schema.example !== undefined) out.example = schema.example;
  else if (Array.isArray(schema.examples) && schema.examples.length > 0) out.example = schema.examples[0];
}

function convertEnum(schema: JsonSchema, out: GeminiSchema): void {
  const values = Array.isArray(schema.enum) ? schema.enum : schema.const !== undefined ? [schema.const] : undefined;
  if (!values) return;
  if (values.includes(null)) out.nullable = true;
  const rest = values.filter((value) => value !== null);
  if (rest.length > 0 && rest.every((value) => typeof value === 'string')) {
    out.enum = rest as string[];
    if (!out.type) out.type = 'STRING';
    return;
  }
  if (rest.length > 0) {
    const listed = `Allowed values: ${rest.map((value) => JSON.stringify(value)).join(', ')}.`;
    out.description = out.description ? `${out.description} ${listed}` : listed;
  }
}

/** `allOf` members merged into their parent: properties and `required` unioned, other keywords last-wins. */
function mergeAllOf(schema: JsonSchema): JsonSchema {
  const members = asArray(schema.allOf).filter(isObject);
  if (members.length === 0) return schema;
  const { allOf: _allOf, ...rest } = schema;
  let merged: JsonSchema = rest;
  for (const member of members.map(mergeAllOf)) {
    merged = {
      ...merged,
      ...member,
      properties: {
        ...(isObject(merged.properties) ? merged.properties : {}),
        ...(isObject(member.properties) ? member.properties : {}),
      },
      required: [...asArray(merged.required), ...asArray(member.required)],
    };
  }
  return merged;
}

/** The schema a local `$ref` names (siblings of `$ref` kept); undefined when it would recurse into itself. */
function resolveRef(schema: JsonSchema, walk: Walk): JsonSchema | undefined {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  if (walk.refs.includes(ref)) return undefined;
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  const defs = match ? walk.root[match[1]!] : undefined;
  const target = match && isObject(defs) ? defs[decodePointer(match[2]!)] : ref === '#' ? walk.root : undefined;
  if (!isObject(target)) {
    throw badRequest(`The schema's $ref '${ref}' does not name a definition in the same schema.`, walk.param);
  }
  const { $ref: _ref, ...siblings } = schema;
  return { ...mergeAllOf(target), ...siblings };
}

function decodePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function nullable(out: GeminiSchema): GeminiSchema {
  return out.nullable ? { nullable: true } : {};
}

function pick(out: GeminiSchema, keys: readonly (keyof GeminiSchema)[]): GeminiSchema {
  return Object.fromEntries(keys.filter((key) => out[key] !== undefined).map((key) => [key, out[key]]));
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
