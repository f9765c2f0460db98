/**
 * `npm run reset-password -- <email> [--set-password] [--disable-two-factor]`, run by the launcher
 * (scripts/boltrail.ts) once the database is ready, for the server's administrator:
 *
 *   - by default prints a one-time reset link for the account (valid 24 hours; opening it lets its
 *     owner choose a new password, which signs them out everywhere);
 *   - with --set-password sets the new password at once: typed twice at a hidden prompt, or read
 *     from stdin when that is not a terminal (`echo "$NEW" | npm run reset-password -- a@b.c
 *     --set-password`). Every session of the account ends;
 *   - with --disable-two-factor also turns the account's two-factor authentication off (someone who
 *     lost both their authenticator and their recovery codes).
 */
import { env } from "../lib/env.ts";
import { issueAdminResetLink, setPasswordAsAdmin } from "../lib/accounts/password-reset.ts";
import { AppError } from "../lib/errors.ts";

const USAGE = "usage: npm run reset-password -- <email> [--set-password] [--disable-two-factor]";

function fail(message: string): never {
  console.error(`[reset-password] ${message}`);
  process.exit(1);
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stdout.write(question);
    input.setRawMode(true);
    input.resume();
    input.setEncoding("utf8");
    let value = "";
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === "\r" || ch === "\n") {
          input.setRawMode(false);
          input.pause();
          input.off("data", onData);
          process.stdout.write("\n");
          return resolve(value);
        }
        if (ch === "\u0003") {
          input.setRawMode(false);
          process.stdout.write("\n");
          return reject(new Error("cancelled"));
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else value += ch;
      }
    };
    input.on("data", onData);
  });
}

async function readStdin(): Promise<string> {
  let data = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) data += chunk;
  return data.replace(/\r?\n$/, "");
}

async function newPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  const first = await promptHidden("New password: ");
  const second = await promptHidden("New password again: ");
  if (first !== second) fail("the two passwords differ; nothing was changed");
  return first;
}

async function main() {
  const args = process.argv.slice(2);
  const flags = new Set(args.filter((a) => a.startsWith("--")));
  const positional = args.filter((a) => !a.startsWith("--"));
  if (flags.has("--help")) {
    console.log(USAGE);
    return;
  }
  const unknown = [...flags].filter((f) => f !== "--set-password" && f !== "--disable-two-factor");
  if (unknown.length) fail(`unknown option ${unknown[0]}\n${USAGE}`);
  if (positional.length !== 1) fail(USAGE);
  const [email] = positional;
  const disableTwoFactor = flags.has("--disable-two-factor");
  env();
  try {
    if (flags.has("--set-password")) {
      const result = await setPasswordAsAdmin(email, await newPassword(), { disableTwoFactor });
      console.log(`Password of ${result.email} changed; ${result.endedSessions} session${result.endedSessions === 1 ? "" : "s"} signed out.${disableTwoFactor ? " Two-factor authentication is off." : ""}`);
    } else {
      const result = await issueAdminResetLink(email, { disableTwoFactor });
      console.log(`One-time password reset link for ${result.email} (valid until ${result.expiresAt.toISOString()}):`);
      console.log(result.link);
      if (disableTwoFactor) console.log("Two-factor authentication of this account is off.");
    }
  } catch (err) {
    if (err instanceof AppError) fail(err.message);
    throw err;
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)),
);
