// The contract between bench/run.ts and a benchmark module (bench/<name>.ts, default export).

export type Table = { columns: string[]; rows: (string | number)[][] };

export type TargetOutcome = {
  /** Human-readable target, e.g. "auth req/s ÷ hello req/s ≥ 0.50". */
  description: string;
  /** The measured value compared with the threshold. */
  value: number;
  threshold: number;
  met: boolean;
};

export type BenchmarkReport = {
  /** Tables printed in order (e.g. per round, then the summary). */
  tables: { title: string; table: Table }[];
  /** The benchmark's target; with several (`targets`), met only when every one is met. */
  target: TargetOutcome;
  /** Each target of a benchmark that has more than one (printed one TARGET MET/MISSED line each). */
  targets?: TargetOutcome[];
  /**
   * Correctness problems (non-2xx, errors, wrong bodies…). Any problem fails the benchmark even
   * when the target is met: the figures of a run that errors are meaningless.
   */
  problems: string[];
  /** Notes printed after the tables (observations, not failures). */
  notes: string[];
  /** Everything else worth keeping in the JSON results (raw measurements, configuration…). */
  data: Record<string, unknown>;
};

export type BenchmarkContext = {
  log: (message: string) => void;
};

export type Benchmark = {
  name: string;
  /** One line: what is measured. */
  description: string;
  run(context: BenchmarkContext): Promise<BenchmarkReport>;
};

export function formatTable({ columns, rows }: Table): string {
  const cells = [columns, ...rows.map((row) => row.map(String))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  const line = (row: string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

/** A positive whole number from the environment, or `fallback` when unset. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return n;
}
