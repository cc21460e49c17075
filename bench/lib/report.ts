// What a benchmark hands back (table rows, budgets, raw numbers), the one table run.ts prints, and the JSON
// it writes, laid out the way biome formats JSON so `biome check bench` stays clean after a run.

export interface Row {
  bench: string;
  case: string;
  metric: string;
  taskgate: string;
  reference?: string;
  ratio?: string;
  budget?: string;
}

export interface Budget {
  bench: string;
  case: string;
  rule: string;
  met: boolean;
  detail: string;
}

export interface BenchResult {
  name: string;
  rows: Row[];
  budgets: Budget[];
  /** Raw numbers for the JSON file. */
  data: unknown;
}

export interface BenchOptions {
  full: boolean;
  /** In-flight tasks for the poll round (`--tasks=N`, default 10,000). */
  tasks: number;
  /** CPU lists for taskset: servers, and the load generator or simulators. */
  pinning: { server: string | null; helper: string | null };
}

export const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : 'n/a';

export function printTable(rows: Row[]): string {
  const columns = ['bench', 'case', 'metric', 'taskgate', 'reference', 'ratio', 'budget'] as const;
  const cells = rows.map((row) => columns.map((c) => row[c] ?? ''));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/**
 * JSON.stringify with 2 spaces, except that an array of plain values stays on one line when that line fits in
 * biome's 110 columns (`used`: the columns before the value, its key included, and after it, the comma).
 * Long lists of numbers would be filled by biome instead: the benchmarks summarise them before they get here.
 */
export function formatJson(value: unknown, indent = '', used = 0): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    if (value.every((v) => v === null || typeof v !== 'object') && used + flat.length <= 110) return flat;
    const items = value.map(
      (v, i) => inner + formatJson(v, inner, inner.length + (i < value.length - 1 ? 1 : 0)),
    );
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    const body = entries.map(([k, v], i) => {
      const head = `${inner}${JSON.stringify(k)}: `;
      return head + formatJson(v, inner, head.length + (i < entries.length - 1 ? 1 : 0));
    });
    return `{\n${body.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
