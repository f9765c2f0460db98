// `npm run reset-password -- <email>`: the real command (scripts/boltrail.ts → scripts/reset-password.ts)
// against this file's database.
import { newMaster, PASSWORD, uniqueEmail, uniqueIp } from "./helpers";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { authenticate } from "@/lib/accounts/authenticate";
import { completePasswordReset } from "@/lib/accounts/password-reset";
import { resolveSessionUser } from "@/lib/auth/session";

const root = path.resolve(import.meta.dirname, "../..");
const dataDir = mkdtempSync(path.join(os.tmpdir(), "boltrail-cli-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Node.js 24, as npm scripts run it (the launcher refuses older ones). */
const node = Number(process.versions.node.split(".")[0]) >= 24 ? process.execPath : path.join(root, "node_modules", ".bin", "node");

/** The variables for the command, without the runner's NODE_ENV (the launcher then runs as in development, like `npm start` here). */
function withoutNodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name !== "NODE_ENV")) as unknown as NodeJS.ProcessEnv;
}

function resetPassword(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, ["--import", "tsx", "scripts/boltrail.ts", "reset-password", ...args], {
      cwd: root,
      env: withoutNodeEnv({ ...process.env, DATA_DIR: dataDir, APP_URL: "https://pay.example.test" }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("npm run reset-password", () => {
  it("uses Node.js 24", () => expect(existsSync(node)).toBe(true));

  it("prints a one-time link that resets the password", async () => {
    const master = await newMaster();
    const out = await resetPassword([master.email]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    const link = /https:\/\/pay\.example\.test\/reset-password\/([A-Za-z0-9_-]{43})/.exec(out.stdout);
    expect(link, out.stdout).not.toBeNull();
    expect(out.stdout).toContain(`One-time password reset link for ${master.email}`);
    await expect(completePasswordReset({ token: link![1], password: "cli link passphrase" })).resolves.toMatchObject({ endedSessions: 1 });
    await expect(authenticate({ email: master.email, password: "cli link passphrase" }, uniqueIp())).resolves.toMatchObject({ id: master.userId });
  }, 60_000);

  it("--set-password reads the password from stdin, sets it and ends every session; an unknown account fails", async () => {
    const master = await newMaster();
    const out = await resetPassword([master.email, "--set-password"], "piped in passphrase\n");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`Password of ${master.email} changed; 1 session signed out.`);
    expect(await resolveSessionUser(master.userId, 0, master.sessionId)).toBeNull();
    const ip = uniqueIp();
    await expect(authenticate({ email: master.email, password: "piped in passphrase" }, ip)).resolves.toMatchObject({ tokenVersion: 1 });
    await expect(authenticate({ email: master.email, password: PASSWORD }, ip)).rejects.toThrow();

    const weak = await resetPassword([master.email, "--set-password"], "short\n");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/password: Must be at least 10 characters/);

    const ghost = uniqueEmail("ghost");
    const unknown = await resetPassword([ghost]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`An account with the email ${ghost} not found`);
    const usage = await resetPassword([]);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/usage: npm run reset-password -- <email>/);
  }, 90_000);
});
