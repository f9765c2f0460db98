// Boltrail runs on Node.js 24 (issue 12 finding 15): npm puts node_modules/.bin first on PATH, and
// `npm install` puts Node.js 24 there (the `node` package), so the tests themselves run on it.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const major = (version: string) => Number(version.replace(/^v/, "").split(".")[0]);

describe("the Node.js runtime", () => {
  it("the tests run on Node.js 24 or later", () => {
    expect(major(process.version)).toBeGreaterThanOrEqual(24);
  });

  it("package.json installs Node.js 24 and says so in engines", () => {
    const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { dependencies: Record<string, string>; engines: { node: string } };
    expect(major(pkg.dependencies.node.replace(/^[\^~]/, ""))).toBe(24);
    expect(pkg.engines.node).toBe(">=24");
  });

  it("the launcher started on an older system Node.js refuses with a message that says what to do", async () => {
    // The system's own node (this machine ships 20), not the one npm put first on PATH.
    const older = ["/usr/bin/node", "/usr/local/bin/node"].find((candidate) => {
      try {
        readFileSync(candidate);
        return true;
      } catch {
        return false;
      }
    });
    if (!older) return; // a machine whose only Node.js is 24: nothing older to start it with
    const { stdout } = await promisify(execFile)(older, ["--version"]);
    if (major(stdout.trim()) >= 24) return;
    const run = promisify(execFile)(older, ["--import", "tsx", path.join(root, "scripts/boltrail.ts"), "migrate"], {
      cwd: root,
      env: { PATH: "/usr/bin:/bin", NODE_ENV: "development", DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" },
    });
    const failure = await run.then(() => null, (err: { code: number; stderr: string }) => err);
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(/needs Node\.js 24 or later; this is v\d+.*npm start/);
  });
});
