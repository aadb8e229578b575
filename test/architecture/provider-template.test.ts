/**
 * The provider template (docs/providers.md): every folder in lib/providers/ but `shared` has the same files, each
 * exporting the same names, a simulator in simulators/ and tests in test/providers/<name>/. Read from the source
 * text, so a new provider folder is checked without being listed here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PROVIDERS = join(ROOT, 'lib', 'providers');

/** Each template file and a pattern for what it must export. */
const TEMPLATE: Readonly<Record<string, RegExp>> = {
  'index.ts': /export const \w+Factory\b/,
  'credentials.ts': /export const \w+CredentialSchema\b/,
  'client.ts': /export (?:async )?function createClient\(/,
  'model.ts': /export class \w+ChatModel implements ChatModel\b/,
  'request.ts': /export (?:async )?function toRequest\(/,
  'response.ts': /export function toChatResult\(/,
  'stream.ts': /export function createStreamConverter\([^)]*\): StreamConverter\b/,
  'usage.ts': /export function toUsage\(/,
  'finish-reason.ts': /export function mapFinishReason\(/,
  'errors.ts': /export function mapError\(\s*error: unknown,\s*info: \w*ErrorContext\s*\): GatewayError/,
};

const folders = readdirSync(PROVIDERS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => entry.name);

describe('the provider template', () => {
  it('finds the provider folders', () => {
    expect(folders).toEqual(expect.arrayContaining(['anthropic', 'bedrock', 'gemini', 'openai']));
  });

  describe.each(folders)('lib/providers/%s', (name) => {
    it.each(Object.entries(TEMPLATE))('has %s with its export', (file, exported) => {
      const path = join(PROVIDERS, name, file);
      expect(existsSync(path), `${name}/${file} is missing`).toBe(true);
      expect(readFileSync(path, 'utf8')).toMatch(exported);
    });

    it('is registered, simulated and tested', () => {
      expect(readFileSync(join(PROVIDERS, 'registry.ts'), 'utf8')).toContain(`from './${name}/index.js'`);
      expect(existsSync(join(ROOT, 'simulators', `${name}.ts`)), `simulators/${name}.ts`).toBe(true);
      expect(existsSync(join(ROOT, 'test', 'providers', name)), `test/providers/${name}/`).toBe(true);
    });
  });
});
