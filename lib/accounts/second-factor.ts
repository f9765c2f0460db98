import "server-only";
import type { Tx } from "@/lib/db";
import { decryptSecret } from "../crypto";
import { hashRecoveryCode, newRecoveryCodes, normalizeCode } from "../auth/recovery-codes";
import { matchTotpStep } from "../auth/totp";

/**
 * Spends a second-factor code of `userId` inside the caller's transaction: a TOTP code of a time
 * step after the last one accepted (so a code works once, even within its window), or an unused
 * recovery code (marked used). Returns which kind matched, or null.
 */
export async function consumeSecondFactor(tx: Tx, userId: string, rawCode: unknown, now = Date.now()): Promise<"totp" | "recovery" | null> {
  if (typeof rawCode !== "string" || rawCode.length > 64) return null;
  const code = normalizeCode(rawCode);
  if (/^\d{6}$/.test(code)) {
    const [user] = await tx.$queryRaw<{ totpSecretEncrypted: string | null }[]>`
      SELECT "totpSecretEncrypted" FROM users WHERE id = ${userId} FOR UPDATE`;
    if (!user?.totpSecretEncrypted) return null;
    const step = matchTotpStep(decryptSecret(user.totpSecretEncrypted).toString("utf8"), code, now);
    if (step === null) return null;
    const updated = await tx.$executeRaw`
      UPDATE users SET "totpLastStep" = ${step} WHERE id = ${userId} AND ("totpLastStep" IS NULL OR "totpLastStep" < ${step})`;
    return updated === 1 ? "totp" : null;
  }
  if (!/^[a-z0-9]{10}$/.test(code)) return null;
  const { count } = await tx.recoveryCode.updateMany({ where: { userId, codeHash: hashRecoveryCode(code), usedAt: null }, data: { usedAt: new Date(now) } });
  return count === 1 ? "recovery" : null;
}

/** Removes a user's two-factor authentication: secret, pending enrolment, recovery codes. */
export async function turnOffTwoFactor(tx: Tx, userId: string): Promise<void> {
  await tx.user.update({ where: { id: userId }, data: { totpSecretEncrypted: null, totpPendingSecretEncrypted: null, totpEnabledAt: null, totpLastStep: null } });
  await tx.recoveryCode.deleteMany({ where: { userId } });
}

/** Replaces a user's recovery codes with ten new ones, returned once (only their hashes are kept). */
export async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((code) => ({ userId, codeHash: hashRecoveryCode(code) })) });
  return codes;
}
