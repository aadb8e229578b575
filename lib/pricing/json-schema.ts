/**
 * A validator for the JSON Schema subset `models_data.schema.json` uses (draft 2020-12 keywords: `type`, `enum`,
 * `required`, `properties`, `additionalProperties: false`, `items`, `minItems`, `uniqueItems`, `minLength`,
 * `pattern`, `minimum`, local `$ref`). A keyword outside the subset is reported, never silently ignored, so the
 * schema cannot grow a rule this checker does not enforce. Used by the catalog test and `npm run catalog:check`.
 * @see https://json-schema.org/draft/2020-12/json-schema-validation
 */

export type Schema = { [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs']);
const KEYWORDS = new Set([
  'type',
  'enum',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minItems',
  'uniqueItems',
  'minLength',
  'pattern',
  'minimum',
  '$ref',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Schema | undefined)?.[part];
  if (!node || typeof node !== 'object') throw new Error(`unresolved $ref ${ref}`);
  return node as Schema;
}

function checkObject(value: Record<string, unknown>, schema: Schema, root: Schema, path: string, errors: string[]) {
  for (const key of (schema.required as string[] | undefined) ?? []) {
    if (!(key in value)) errors.push(`${path}: missing required property '${key}'`);
  }
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  for (const [key, child] of Object.entries(value)) {
    if (key in properties) check(child, properties[key]!, root, `${path}/${key}`, errors);
    else if (schema.additionalProperties === false) errors.push(`${path}: unknown property '${key}'`);
  }
}

function checkArray(value: unknown[], schema: Schema, root: Schema, path: string, errors: string[]) {
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
    errors.push(`${path}: fewer than ${schema.minItems} items`);
  }
  if (schema.uniqueItems === true) {
    const seen = new Set(value.map((item) => JSON.stringify(item)));
    if (seen.size !== value.length) errors.push(`${path}: items are not unique`);
  }
  if (!schema.items) return;
  for (const [index, item] of value.entries()) check(item, schema.items as Schema, root, `${path}/${index}`, errors);
}

function check(value: unknown, schema: Schema, root: Schema, path: string, errors: string[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!KEYWORDS.has(keyword) && !ANNOTATIONS.has(keyword)) {
      errors.push(`schema at ${path || '/'}: unsupported '${keyword}'`);
    }
  }
  if (typeof schema.$ref === 'string') check(value, resolveRef(root, schema.$ref), root, path, errors);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => hasType(value, type))) {
      errors.push(`${path || '/'}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
      return;
    }
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value)) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'number' && typeof schema.minimum === 'number' && value < schema.minimum) {
    errors.push(`${path}: ${value} is below ${schema.minimum}`);
  }
  if (typeof value === 'string') {
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) errors.push(`${path}: too short`);
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${path}: '${value}' does not match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) checkArray(value, schema, root, path, errors);
  else if (value && typeof value === 'object')
    checkObject(value as Record<string, unknown>, schema, root, path, errors);
}

/** Every way `value` breaks `schema`, as `<JSON pointer>: <problem>` lines; empty when it conforms. */
export function validateJsonSchema(value: unknown, schema: Schema): string[] {
  const errors: string[] = [];
  check(value, schema, schema, '', errors);
  return errors;
}
