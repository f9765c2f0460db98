#!/usr/bin/env node
// `prisma generate`, safe to run anywhere (it is the package's `postinstall`).
//
// The Prisma 6.19 CLI refuses to run without DATABASE_URL even though `generate` never connects,
// so a placeholder is supplied when it is unset. CHECKPOINT_DISABLE stops its telemetry lookups
// (there is no network here). See docs/decisions/001-prisma-js-engine.md.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const bin = path.join(root, "node_modules", ".bin", process.platform === "win32" ? "prisma.cmd" : "prisma");

if (!existsSync(bin)) {
  console.error(`prisma-generate: ${bin} not found; install dependencies first (npm install).`);
  process.exit(1);
}

const env = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL || "postgres://placeholder@127.0.0.1:1/none",
  CHECKPOINT_DISABLE: "1",
};

const result = spawnSync(bin, ["generate", ...process.argv.slice(2)], {
  cwd: root,
  env,
  stdio: "inherit",
  shell: process.platform === "win32",
});

if (result.error) {
  console.error(`prisma-generate: could not run prisma: ${result.error.message}`);
  process.exit(1);
}
if (result.status !== 0) {
  console.error(
    `prisma-generate: \`prisma generate\` failed (${result.signal ? `signal ${result.signal}` : `exit code ${result.status}`}).`,
  );
  process.exit(result.status || 1);
}
