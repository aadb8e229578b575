/**
 * `npm run bench -- --write-docs`: the run's headline tables, with the date, the machine, Node's version and the
 * command, replace what stands between the two markers in docs/benchmarks.md (inserted before the first `## `
 * heading when the markers are missing). Nothing else in the file changes.
 */
import { readFile, writeFile } from 'node:fs/promises';

const BEGIN = '<!-- bench:latest:begin (written by `npm run bench -- --write-docs`; edits here are overwritten) -->';
const END = '<!-- bench:latest:end -->';

export async function writeLatest(docPath: string, markdown: string): Promise<void> {
  const text = await readFile(docPath, 'utf8').catch(() => '# Benchmarks\n');
  const block = `${BEGIN}\n${markdown.trim()}\n${END}`;
  const begin = text.indexOf('<!-- bench:latest:begin');
  const end = text.indexOf(END);
  let next: string;
  if (begin >= 0 && end > begin) next = `${text.slice(0, begin)}${block}${text.slice(end + END.length)}`;
  else {
    const heading = text.search(/^## /m);
    next =
      heading >= 0 ? `${text.slice(0, heading)}${block}\n\n${text.slice(heading)}` : `${text.trimEnd()}\n\n${block}\n`;
  }
  await writeFile(docPath, next);
}
