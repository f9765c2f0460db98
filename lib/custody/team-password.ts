import "server-only";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Prisma } from "../generated/prisma/client";
import { requireMaster, type Actor } from "../auth/actor";
import { hashPassword, verifyAgainstDummy, verifyPassword } from "../auth/password";
import { LOCKOUT_MAX_FAILURES, LOCKOUT_WINDOW_MS } from "../accounts/authenticate";
import { AppError, forbidden } from "../errors";
import { parseInput } from "../validation";

/**
 * The team password of Rails' client-held custody (issue 14, DESIGN.md §6). The password never
 * reaches Boltrail: clients derive `masterKey` = Argon2id(password, team id) and
 * `masterPasswordHash` = Argon2id(masterKey, password) (lib/custody/envelope.ts) and send only the
 * latter, as `password_hash`. Boltrail keeps its own slow hash of it (argon2id, the verifier) and
 * the team's symmetric key as the client encrypted it under the master key, which it cannot read.
 *
 * Every check counts: ten failures for a team within 15 minutes lock its password checks for 15
 * minutes from the tenth (as login does for an account). Checks of one team are serialised, so
 * parallel guesses cannot slip past the limit.
 */

/** How long a master's successful check_team_password proves the current password for a change. */
export const CHANGE_PROOF_MS = 10 * 60 * 1000;

/** 32 bytes as hex: what Argon2id gives clients. Anything else is not a password_hash. */
const PasswordHash = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{64}$/, "must be the 64 hex characters of the Argon2id master password hash (see the team password envelope), not the password itself")
  .transform((s) => s.toLowerCase());

/** A NIP-44 v2 payload: base64 whose first byte is the version 2, at least 99 bytes (version, nonce, 32-byte padded text with its length, MAC). */
export function nip44Payload(max: number) {
  return z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((s) => {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) return false;
      const bytes = Buffer.from(s, "base64");
      return bytes.length >= 99 && bytes[0] === 2;
    }, "must be a NIP-44 v2 payload (base64, version 2), encrypted in the client");
}

const StoreInput = z.object({
  encrypted_symmetric_key: nip44Payload(1_024),
  password_hash: PasswordHash,
});

export type TeamPasswordView = { isSet: boolean; encryptedSymmetricKey: string | null; setAt: Date | null };

/** Whether the actor's team has a password, with the encrypted symmetric key (opaque; clients need it to decrypt macaroons or re-wrap it). */
export async function teamPasswordView(actor: Actor): Promise<TeamPasswordView> {
  const team = await db.team.findUnique({ where: { id: actor.teamId }, select: { passwordVerifier: true, encryptedSymmetricKey: true, passwordSetAt: true } });
  return { isSet: !!team?.passwordVerifier, encryptedSymmetricKey: team?.encryptedSymmetricKey ?? null, setAt: team?.passwordSetAt ?? null };
}

type Tx = Prisma.TransactionClient;
type Caller = { userId: string | null; keyId: string | null };
const callerOf = (actor: Actor): Caller => (actor.kind === "user" ? { userId: actor.userId, keyId: null } : { userId: null, keyId: actor.keyId });

/** Refuses while the team is locked out; otherwise nothing. */
async function refuseWhileLocked(tx: Tx, teamId: string): Promise<void> {
  const now = Date.now();
  const since = new Date(now - LOCKOUT_WINDOW_MS);
  const lastSuccess = await tx.teamPasswordAttempt.findFirst({ where: { teamId, success: true, createdAt: { gt: since } }, orderBy: { createdAt: "desc" }, select: { createdAt: true } });
  const failures = await tx.teamPasswordAttempt.findMany({
    where: { teamId, success: false, createdAt: { gt: lastSuccess?.createdAt ?? since } },
    orderBy: { createdAt: "desc" },
    take: LOCKOUT_MAX_FAILURES,
    select: { createdAt: true },
  });
  if (failures.length >= LOCKOUT_MAX_FAILURES) {
    const unlockAt = failures[LOCKOUT_MAX_FAILURES - 1].createdAt.getTime() + LOCKOUT_WINDOW_MS;
    const minutes = Math.max(1, Math.ceil((unlockAt - now) / 60_000));
    throw new AppError("RATE_LIMITED", `Too many wrong team passwords: checks of this team's password are locked for ${minutes} more minute${minutes === 1 ? "" : "s"}. Try again later.`);
  }
}

/**
 * Checks a password_hash against the team's verifier inside `tx` (which holds the team's lock),
 * recording the attempt. Refuses with FORBIDDEN naming the password when it is missing or wrong,
 * when the team has none yet, or RATE_LIMITED while locked out. The failed attempt is committed
 * even though the refusal follows (see verifyTeamPassword).
 */
async function checkInTx(tx: Tx, teamId: string, caller: Caller, raw: unknown, field: string): Promise<{ ok: true; attemptId: string } | { ok: false; reason: "unset" | "missing" | "wrong"; error: AppError }> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"team-password:" + teamId}))`;
  await refuseWhileLocked(tx, teamId);
  const team = await tx.team.findUnique({ where: { id: teamId }, select: { passwordVerifier: true } });
  if (!team?.passwordVerifier) {
    return { ok: false, reason: "unset", error: forbidden("This team has no team password yet: the team's master sets one in Settings → Team (user.store_team_password_and_keys) and stores the node's admin macaroon") };
  }
  const parsed = typeof raw === "string" ? PasswordHash.safeParse(raw) : null;
  if (!parsed) {
    return { ok: false, reason: "missing", error: forbidden(`${field}: the team password is required: derive password_hash from the team password (Argon2id master password hash) and pass it`) };
  }
  const ok = parsed.success ? await verifyPassword(team.passwordVerifier, parsed.data) : (await verifyAgainstDummy("x"), false);
  const attempt = await tx.teamPasswordAttempt.create({ data: { teamId, ...caller, success: ok }, select: { id: true } });
  if (!ok) return { ok: false, reason: "wrong", error: forbidden(`${field}: wrong team password: the password_hash does not match this team's password`) };
  return { ok: true, attemptId: attempt.id };
}

/** Verifies a password_hash for the actor's team (counting toward the lockout); throws FORBIDDEN or RATE_LIMITED. */
export async function verifyTeamPassword(actor: Actor, raw: unknown, field = "password_hash"): Promise<void> {
  const result = await db.$transaction((tx) => checkInTx(tx, actor.teamId, callerOf(actor), raw, field), { timeout: 15_000, maxWait: 15_000 });
  if (!result.ok) throw result.error;
}

/**
 * user.check_team_password: whether password_hash is the team's. A wrong one is `success: false`
 * (and counts toward the lockout). A master's success also proves the current password for
 * store_team_password_and_keys within CHANGE_PROOF_MS, once.
 */
export async function checkTeamPassword(actor: Actor, raw: unknown): Promise<boolean> {
  const result = await db.$transaction((tx) => checkInTx(tx, actor.teamId, callerOf(actor), raw, "password_hash"), { timeout: 15_000, maxWait: 15_000 });
  if (result.ok) return true;
  if (result.reason !== "wrong") throw result.error;
  return false;
}

/**
 * user.store_team_password_and_keys (master only): sets the team password — its password_hash
 * (stored only as Boltrail's own argon2id verifier) and the symmetric key the client encrypted
 * under the new master key. When a password is already set, changing it needs the current one
 * proven first: a successful check_team_password by this master within the last 10 minutes,
 * used once. The symmetric key itself does not change (the client re-wraps it), so the stored
 * admin macaroons stay readable.
 */
export async function storeTeamPasswordAndKeys(actor: Actor, raw: unknown): Promise<TeamPasswordView> {
  requireMaster(actor, "set the team password");
  const input = parseInput(StoreInput, raw, "");
  const verifier = await hashPassword(input.password_hash);
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${"team-password:" + actor.teamId}))`;
      const team = await tx.team.findUniqueOrThrow({ where: { id: actor.teamId }, select: { passwordVerifier: true } });
      if (team.passwordVerifier) {
        const proof = await tx.teamPasswordAttempt.findFirst({
          where: { teamId: actor.teamId, userId: actor.userId, success: true, consumedAt: null, createdAt: { gt: new Date(Date.now() - CHANGE_PROOF_MS) } },
          orderBy: { createdAt: "desc" },
          select: { id: true },
        });
        if (!proof) {
          throw forbidden("This team already has a password: prove the current one first (user.check_team_password with its password_hash, then store the new one within 10 minutes)");
        }
        await tx.teamPasswordAttempt.update({ where: { id: proof.id }, data: { consumedAt: new Date() } });
      }
      const now = new Date();
      await tx.team.update({ where: { id: actor.teamId }, data: { passwordVerifier: verifier, encryptedSymmetricKey: input.encrypted_symmetric_key, passwordSetAt: now } });
      await tx.auditLog.create({
        data: { teamId: actor.teamId, actorUserId: actor.userId, action: team.passwordVerifier ? "team.password.change" : "team.password.set", targetType: "team", targetId: actor.teamId, details: {} },
      });
      return { isSet: true, encryptedSymmetricKey: input.encrypted_symmetric_key, setAt: now };
    },
    { timeout: 15_000, maxWait: 15_000 },
  );
}
