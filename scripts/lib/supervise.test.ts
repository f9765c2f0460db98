// superviseServerProcesses (the primary of `npm start` when WEB_CONCURRENCY > 1), run for real:
// a primary process forks server processes that share one port through node:cluster. The
// fixture's server processes answer with their pid and BOLTRAIL_PROCESS / WORKER_IN_APP, exit
// on /crash, and a FAIL_BEFORE_LISTEN variable makes them exit before they listen.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURE = `
import cluster from "node:cluster";
import http from "node:http";
import { superviseServerProcesses } from ${JSON.stringify(path.join(here, "supervise.ts"))};
const count = Number(process.env.COUNT);
if (cluster.isPrimary) {
  superviseServerProcesses({ count, log: (m) => console.log("[primary] " + m) });
} else {
  if (process.env.FAIL_BEFORE_LISTEN) process.exit(7);
  const server = http.createServer((req, res) => {
    if (req.url === "/crash") { res.end("bye"); setTimeout(() => process.exit(3), 10); return; }
    res.setHeader("connection", "close");
    res.end(JSON.stringify({ pid: process.pid, slot: process.env.BOLTRAIL_PROCESS, workerInApp: process.env.WORKER_IN_APP ?? null }));
  });
  server.listen(Number(process.env.PORT));
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}
`;

type Answer = { pid: number; slot: string; workerInApp: string | null };
const running: ChildProcess[] = [];

afterEach(() => {
  for (const child of running.splice(0)) child.kill("SIGKILL");
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startPrimary(env: Record<string, string>) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "boltrail-supervise-"));
  const file = path.join(dir, "fixture.ts");
  await fs.writeFile(file, FIXTURE);
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", file], {
    cwd: path.join(here, "..", ".."),
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, port, exited, output: () => output };
}

function get(port: number, pathname = "/"): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: pathname, agent: false }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

/** Answers of `n` requests, each on a new connection, once the port answers at all. */
async function answers(port: number, n: number): Promise<Answer[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await get(port);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const out: Answer[] = [];
  for (let i = 0; i < n; i++) out.push(JSON.parse(await get(port)) as Answer);
  return out;
}

/** Waits until `n` distinct server processes have answered; returns them by pid. */
async function untilProcesses(port: number, n: number, exclude: number[] = []): Promise<Map<number, Answer>> {
  const seen = new Map<number, Answer>();
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    for (const a of await answers(port, 6)) if (!exclude.includes(a.pid)) seen.set(a.pid, a);
    if (seen.size >= n) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`only ${seen.size} of ${n} server processes answered`);
}

describe("superviseServerProcesses", () => {
  it("forks `count` processes sharing the port; only the first runs the in-app worker", async () => {
    const primary = await startPrimary({ COUNT: "3" });
    const seen = await untilProcesses(primary.port, 3);
    const bySlot = new Map([...seen.values()].map((a) => [a.slot, a]));
    expect([...bySlot.keys()].sort()).toEqual(["1/3", "2/3", "3/3"]);
    expect(bySlot.get("1/3")!.workerInApp).toBeNull();
    expect(bySlot.get("2/3")!.workerInApp).toBe("false");
    expect(bySlot.get("3/3")!.workerInApp).toBe("false");
    expect(seen.has(primary.child.pid!)).toBe(false); // the primary serves nothing itself
  });

  it("WORKER_IN_APP=false stays off in every process", async () => {
    const primary = await startPrimary({ COUNT: "2", WORKER_IN_APP: "false" });
    const seen = await untilProcesses(primary.port, 2);
    expect([...seen.values()].map((a) => a.workerInApp)).toEqual(["false", "false"]);
  });

  it("replaces a process that dies while serving, in the same slot", async () => {
    const primary = await startPrimary({ COUNT: "2" });
    const before = await untilProcesses(primary.port, 2);
    await get(primary.port, "/crash").catch(() => {});
    const deadline = Date.now() + 20_000;
    let after = before;
    while ([...after.keys()].every((pid) => before.has(pid)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      after = await untilProcesses(primary.port, 2);
    }
    const newcomers = [...after.values()].filter((a) => !before.has(a.pid));
    expect(newcomers).toHaveLength(1);
    expect([...after.values()].map((a) => a.slot).sort()).toEqual(["1/2", "2/2"]);
    expect(primary.output()).toMatch(/server process \d exited \(code 3\); starting a new one/);
  }, 60_000);

  it("stops everything with the exit code when a process dies before it ever served", async () => {
    const primary = await startPrimary({ COUNT: "2", FAIL_BEFORE_LISTEN: "1" });
    expect(await primary.exited).toBe(7);
    expect(primary.output()).toMatch(/exited \(code 7\) before serving; stopping/);
  });

  it("SIGTERM stops every process, then the primary exits 0", async () => {
    const primary = await startPrimary({ COUNT: "2" });
    const seen = await untilProcesses(primary.port, 2);
    primary.child.kill("SIGTERM");
    expect(await primary.exited).toBe(0);
    for (const pid of seen.keys()) expect(() => process.kill(pid, 0)).toThrow();
  });
});
