// CPU time of the processes under test, from /proc (Linux; elsewhere every figure is null): the
// server (the launcher's process group: launcher + the server (scripts/server.ts)), the embedded PostgreSQL (its
// postmaster and every backend) and this process. Snapshot before and after a run; the difference
// tells which process the work cost and whether the machine's cores were saturated.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

type Stat = { pid: number; ppid: number; pgrp: number; ticks: number };

async function readStat(pid: number): Promise<Stat | null> {
  try {
    const text = await fs.readFile(`/proc/${pid}/stat`, "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" "); // from field 3 (state)
    return { pid, ppid: Number(fields[1]), pgrp: Number(fields[2]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

async function allStats(): Promise<Stat[]> {
  const entries = await fs.readdir("/proc").catch(() => [] as string[]);
  const stats = await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map((e) => readStat(Number(e))));
  return stats.filter((s): s is Stat => s !== null);
}

async function cmdline(pid: number): Promise<string[]> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0");
  } catch {
    return [];
  }
}

/** Ticks per pid of each group at one moment. */
export type CpuSnapshot = { server: Map<number, number>; postgres: Map<number, number> | null; harness: number; wall: number } | null;

/** CPU time used so far by the server's process group, PostgreSQL on `pgPort` (postmaster and backends), and this process. */
export async function cpuSnapshot(serverPgrp: number, pgPort: number): Promise<CpuSnapshot> {
  if (process.platform !== "linux") return null;
  const stats = await allStats();
  if (!stats.length) return null;
  let postmaster: number | undefined;
  for (const s of stats) {
    const args = await cmdline(s.pid);
    if (args[0]?.endsWith("/postgres") && args.includes("-p") && args[args.indexOf("-p") + 1] === String(pgPort)) {
      postmaster = s.pid;
      break;
    }
  }
  const byPid = (list: Stat[]) => new Map(list.map((s) => [s.pid, s.ticks]));
  const usage = process.cpuUsage();
  return {
    server: byPid(stats.filter((s) => s.pgrp === serverPgrp)),
    postgres: postmaster === undefined ? null : byPid(stats.filter((s) => s.pid === postmaster || s.ppid === postmaster)),
    harness: (usage.user + usage.system) / 1e6,
    wall: performance.now() / 1000,
  };
}

export type CpuUse = { wallSeconds: number; serverSeconds: number; postgresSeconds: number; harnessSeconds: number };

/**
 * CPU seconds between two snapshots. A process that started in between counts in full; one that
 * exited in between (a closed database connection) is left out, so the figures can only be low.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse | null {
  if (!before || !after) return null;
  const hz = clockTicks();
  const delta = (a: Map<number, number> | null, b: Map<number, number> | null) => {
    if (!a || !b) return Number.NaN;
    let ticks = 0;
    for (const [pid, t] of b) ticks += t - (a.get(pid) ?? 0);
    return ticks / hz;
  };
  return {
    wallSeconds: after.wall - before.wall,
    serverSeconds: delta(before.server, after.server),
    postgresSeconds: delta(before.postgres, after.postgres),
    harnessSeconds: after.harness - before.harness,
  };
}
