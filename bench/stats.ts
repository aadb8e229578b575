/** Percentiles and plain-text tables for the benchmark report. */

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    mean,
  };
}

export const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '-');
export const ratio = (through: number, direct: number) =>
  Number.isFinite(through / direct) && direct > 0 ? `${(through / direct).toFixed(2)}x` : '-';
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** Left-aligned first column, right-aligned numbers, two spaces between columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
        .join('  '),
    )
    .join('\n');
}

/** The same rows as a Markdown table (first row the header; `|` in cells escaped). */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const cell = (value: string) => value.trim().replaceAll('|', '\\|') || ' ';
  const line = (row: readonly string[]) => `| ${row.map(cell).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header!), `|${header!.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body.map(line)].join(
    '\n',
  );
}
