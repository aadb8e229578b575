/**
 * The README's client snippets are the files in examples/, which `tsc --noEmit` type-checks with the rest of the
 * repository: this keeps the two the same, so a snippet in the README always compiles.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const examples = readdirSync(join(ROOT, 'examples')).filter((name) => name.endsWith('.ts'));

describe('README snippets', () => {
  it('has examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(4);
  });

  it.each(examples)('shows examples/%s verbatim in a ts block', (name) => {
    const code = readFileSync(join(ROOT, 'examples', name), 'utf8').trimEnd();
    expect(readme).toContain(`\`\`\`ts\n${code}\n\`\`\``);
  });
});
