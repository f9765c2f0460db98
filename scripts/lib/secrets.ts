/**
 * Secrets generated on first start when the operator did not set them (never in production):
 * kept in DATA_DIR/secrets.json (mode 600) so a second start reuses them.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const GENERATED = {
  AUTH_SECRET: () => randomBytes(32).toString("base64url"),
  APP_ENCRYPTION_KEY: () => randomBytes(32).toString("hex"),
} as const;

type Name = keyof typeof GENERATED;

/**
 * Fills the unset generated secrets of `target` from DATA_DIR/secrets.json, creating the file
 * when needed. Returns the names it filled in.
 */
export function ensureGeneratedSecrets(dataDir: string, target: Record<string, string | undefined>): Name[] {
  const missing = (Object.keys(GENERATED) as Name[]).filter((name) => !target[name]?.trim());
  if (missing.length === 0) return [];
  const file = path.join(dataDir, "secrets.json");
  let stored: Partial<Record<Name, string>> = {};
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, "utf8")) as Partial<Record<Name, string>>;
    } catch {
      throw new Error(`${file} is not valid JSON; fix it or remove it to generate new secrets (existing sessions and encrypted data would then be unreadable)`);
    }
  }
  let changed = false;
  for (const name of missing) {
    if (!stored[name]) {
      stored[name] = GENERATED[name]();
      changed = true;
    }
    target[name] = stored[name];
  }
  if (changed) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(stored, null, 2) + "\n", { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return missing;
}
