// `npm run bench -- [name…]`: runs the named benchmarks (all when none is named), one after the
// other, each on a throwaway server of its own; prints their tables, writes
// bench/results/<name>-<timestamp>.json per benchmark, and exits non-zero when a benchmark
// misses its target or fails (errors under load, a failed sanity check, a crash).
//
// A benchmark is a module bench/<name>.ts whose default export is a `Benchmark`
// (bench/lib/benchmark.ts); add it to BENCHMARKS below.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { formatTable, type Benchmark, type BenchmarkReport, type TargetOutcome } from "./lib/benchmark.ts";
import { PROJECT_ROOT } from "./lib/server.ts";

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  auth: async () => (await import("./auth.ts")).default,
  receive: async () => (await import("./receive.ts")).default,
  list: async () => (await import("./list.ts")).default,
  webhooks: async () => (await import("./webhooks.ts")).default,
  send: async () => (await import("./send.ts")).default,
  live: async () => (await import("./live.ts")).default,
  "bundle-size": async () => (await import("./bundle-size.ts")).default,
};

const RESULTS_DIR = path.join(PROJECT_ROOT, "bench", "results");

const log = (message: string) => console.log(message);

function usage(): string {
  return `usage: npm run bench -- [${Object.keys(BENCHMARKS).join("|")}]…   (no name: all)`;
}

function gitCommit(): string | null {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: PROJECT_ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: PROJECT_ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${commit} (with uncommitted changes)` : commit;
  } catch {
    return null;
  }
}

const timestamp = (date: Date) => date.toISOString().replace(/[:.]/g, "-");

type Outcome = {
  name: string;
  status: "TARGET MET" | "TARGET MISSED" | "FAILED";
  detail: string;
  /** One line per target when the benchmark has several. */
  targetLines?: string[];
  file?: string;
};

const targetLine = (t: TargetOutcome) =>
  `${t.met ? "TARGET MET" : "TARGET MISSED"}: ${t.description}: measured ${t.value.toFixed(3)}`;

async function runOne(name: string): Promise<Outcome> {
  const benchmark = await BENCHMARKS[name]();
  const startedAt = new Date();
  // The code measured is the code at the start (the server is built from it), not at the end.
  const commit = gitCommit();
  log(`\n=== ${benchmark.name}: ${benchmark.description} ===`);

  let report: BenchmarkReport | undefined;
  let failure: string | undefined;
  try {
    report = await benchmark.run({ log });
  } catch (error) {
    failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  const finishedAt = new Date();

  if (report) {
    for (const { title, table } of report.tables) log(`\n${benchmark.name} — ${title}\n${formatTable(table)}`);
    if (report.notes.length) log(`\nNotes:\n${report.notes.map((n) => `  - ${n}`).join("\n")}`);
    if (report.problems.length) log(`\nProblems:\n${report.problems.map((p) => `  - ${p}`).join("\n")}`);
    if (report.targets?.length) log(`\nTargets:\n${report.targets.map((t) => `  ${targetLine(t)}`).join("\n")}`);
  }

  let status: Outcome["status"];
  let detail: string;
  if (!report) {
    status = "FAILED";
    detail = failure ?? "no report";
  } else if (report.problems.length) {
    status = "FAILED";
    detail = `${report.problems.length} problem(s) under load (see above); measured ${report.target.value.toFixed(3)} for ${report.target.description}`;
  } else {
    status = report.target.met ? "TARGET MET" : "TARGET MISSED";
    detail = `${report.target.description}: measured ${report.target.value.toFixed(3)}`;
  }

  await fs.mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${benchmark.name}-${timestamp(startedAt)}.json`);
  const json = {
    benchmark: benchmark.name,
    description: benchmark.description,
    status,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    machine: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
      loadAverage: os.loadavg(),
    },
    commit,
    target: report?.target ?? null,
    targets: report?.targets ?? null,
    problems: report?.problems ?? [],
    notes: report?.notes ?? [],
    error: failure ?? null,
    ...(report?.data ?? {}),
  };
  await fs.writeFile(file, JSON.stringify(json, null, 2) + "\n");
  const targetLines = report?.targets?.length ? report.targets.map(targetLine) : undefined;
  return { name: benchmark.name, status, detail, targetLines, file: path.relative(PROJECT_ROOT, file) };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  if (args.includes("--help") || args.includes("-h")) {
    log(usage());
    return 0;
  }
  const unknown = args.filter((name) => !(name in BENCHMARKS));
  if (unknown.length) {
    console.error(`unknown benchmark${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}\n${usage()}`);
    return 2;
  }
  const names = args.length ? [...new Set(args)] : Object.keys(BENCHMARKS);

  const outcomes: Outcome[] = [];
  for (const name of names) outcomes.push(await runOne(name));

  log("\n=== Summary ===");
  for (const o of outcomes) {
    log(`${o.status}: ${o.name} — ${o.detail.split("\n")[0]}`);
    if (o.status === "FAILED" && o.detail.includes("\n")) log(o.detail);
    for (const line of o.targetLines ?? []) log(`  ${line}`);
    if (o.file) log(`  results: ${o.file}`);
  }
  return outcomes.every((o) => o.status === "TARGET MET") ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
