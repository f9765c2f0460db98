/**
 * Decides whether the production build in .next is current: a hash of every input of the build,
 * written next to the build after `next build` succeeds.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const INPUT_DIRS = ["app", "components", "lib", "public", "prisma"];
const INPUT_FILES = [
  "package.json",
  "package-lock.json",
  "next.config.ts",
  "postcss.config.mjs",
  "tsconfig.json",
  "proxy.ts",
  "instrumentation.ts",
];
const SKIP = new Set(["node_modules", ".next", "generated", "migrations"]);
const distDir = () => process.env.BOLTRAIL_DIST_DIR || ".next";

function walk(dir: string, out: string[]) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (!entry.name.endsWith(".test.ts") && !entry.name.endsWith(".test.tsx")) out.push(full);
  }
}

export function computeBuildHash(root: string): string {
  const files: string[] = [];
  for (const dir of INPUT_DIRS) walk(path.join(root, dir), files);
  for (const file of INPUT_FILES) if (existsSync(path.join(root, file))) files.push(path.join(root, file));
  files.sort();
  const hash = createHash("sha256");
  for (const file of files) {
    if (!statSync(file).isFile()) continue;
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

const stampFile = (root: string) => path.join(root, distDir(), "boltrail-build-stamp");

export function isBuildCurrent(root: string): boolean {
  if (!existsSync(path.join(root, distDir(), "BUILD_ID")) || !existsSync(stampFile(root))) return false;
  return readFileSync(stampFile(root), "utf8").trim() === computeBuildHash(root);
}

export function writeBuildStamp(root: string, hash: string) {
  writeFileSync(stampFile(root), hash + "\n");
}
