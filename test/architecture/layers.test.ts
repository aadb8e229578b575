/**
 * The layering of the source tree (STYLE.md: "a layer never reaches up"), read from the imports themselves: every
 * relative import in lib/ goes to the same folder or to a lower layer, no two folders import each other, and no
 * shipped code (lib, functions, local, infra, simulators) imports from test/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const THIS_FILE = fileURLToPath(import.meta.url);
const ROOT = resolve(dirname(THIS_FILE), '..', '..');

/** Bottom to top. A folder may import its own layer's files only inside itself, and any lower layer. */
const LAYERS: readonly (readonly string[])[] = [
  ['catalog.ts'],
  ['core'],
  ['tracing'],
  ['pricing', 'storage', 'providers'],
  ['usage'],
  ['gateway', 'admin'],
];

const IMPORT = /(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts|mjs)$/.test(entry.name)) out.push(path);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => resolve(dirname(file), (match[1] ?? match[2]) as string));
}

/** `lib/<folder>/…` → `<folder>`; a file directly in lib/ is its own unit (`catalog.ts`). */
function unitOf(path: string): string | undefined {
  const rel = relative(join(ROOT, 'lib'), path);
  if (rel.startsWith('..')) return undefined;
  const first = rel.split(sep)[0] as string;
  return rel.includes(sep) ? first : first.replace(/\.js$/, '.ts');
}

function layerOf(unit: string): number {
  const index = LAYERS.findIndex((layer) => layer.includes(unit));
  if (index < 0) throw new Error(`lib/${unit} has no layer: add it to LAYERS in ${relative(ROOT, THIS_FILE)}`);
  return index;
}

describe('the layers of lib/', () => {
  const edges: { from: string; to: string; file: string }[] = [];
  for (const file of sourceFiles(join(ROOT, 'lib'))) {
    const from = unitOf(file) as string;
    for (const target of importsOf(file)) {
      const to = unitOf(target);
      if (to && to !== from) edges.push({ from, to, file: relative(ROOT, file) });
    }
  }

  it('knows every folder of lib/', () => {
    for (const entry of readdirSync(join(ROOT, 'lib'))) expect(() => layerOf(entry)).not.toThrow();
  });

  it('imports only downwards', () => {
    const upward = edges
      .filter(({ from, to }) => layerOf(to) >= layerOf(from))
      .map(({ file, to }) => `${file} imports lib/${to}`);
    expect(upward).toEqual([]);
  });

  it('has no cycle between folders', () => {
    const pairs = new Set(edges.map(({ from, to }) => `${from}->${to}`));
    const cycles = [...pairs].filter((pair) => {
      const [from, to] = pair.split('->') as [string, string];
      return from < to && pairs.has(`${to}->${from}`);
    });
    expect(cycles).toEqual([]);
  });

  it('sees the imports it checks (the check is not vacuous)', () => {
    expect(edges.some(({ from, to }) => from === 'gateway' && to === 'providers')).toBe(true);
    expect(edges.some(({ from, to }) => from === 'providers' && to === 'core')).toBe(true);
  });
});

describe('shipped code', () => {
  it('never imports from test/', () => {
    const shipped = ['lib', 'functions', 'local', 'infra', 'simulators', 'bench'].flatMap((dir) =>
      sourceFiles(join(ROOT, dir)),
    );
    const intoTests = shipped.flatMap((file) =>
      importsOf(file)
        .filter((target) => relative(ROOT, target).split(sep)[0] === 'test')
        .map((target) => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`),
    );
    expect(intoTests).toEqual([]);
  });
});
