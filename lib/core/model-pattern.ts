/**
 * Key scopes (CONTRACT.md §5): a pattern such as `openai/*`, `anthropic/claude-*` or `acme/acme-large` matches a
 * whole routed `provider/model` id, `*` standing for any run of characters (none included). Matched by a linear
 * scan with backtracking to the last `*`, never by a regular expression built from user input.
 */
export function matchesModelPattern(pattern: string, id: string): boolean {
  let p = 0;
  let i = 0;
  let star = -1;
  let resume = 0;
  while (i < id.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === id[i]) {
      p++;
      i++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = i;
    } else if (star >= 0) {
      p = star + 1;
      i = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether a key whose scope is `patterns` may use `id`; no scope (`null`/absent) allows every model. */
export function scopeAllows(patterns: readonly string[] | null | undefined, id: string): boolean {
  return !patterns || patterns.some((pattern) => matchesModelPattern(pattern, id));
}
