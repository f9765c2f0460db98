import "server-only";
import { db, isUniqueViolation } from "@/lib/db";
import { ownHost } from "../lnurl/own-host";
import { AppError, badInput, notFound } from "../errors";
import type { Actor } from "../auth/actor";
import { recordAudit } from "../audit";
import { assertEnvironmentInKeyScope, assertWalletInKeyScope, authorize, environmentScope, refuseWalletScopedKey, scopedWalletId } from "../auth/permissions";
import { assertEnvironmentVisible } from "../environments/visible";
import { checkId, parseInput } from "../validation";
import { CreateWalletInput, LightningAddressInput } from "./schemas";
import { toWalletView, WALLET_SELECT, type WalletView } from "./wallet-view";

export async function createWallet(actor: Actor, raw: unknown): Promise<WalletView> {
  authorize(actor, "WALLETS", "WRITE");
  refuseWalletScopedKey(actor, "create wallets");
  const input = parseInput(CreateWalletInput, raw, "input");
  assertEnvironmentInKeyScope(actor, input.environment_id);
  const environment = await db.environment.findFirst({ where: { id: input.environment_id, teamId: actor.teamId }, select: { id: true } });
  if (!environment) throw notFound("Environment");
  const asset = await db.asset.findUnique({ where: { id: input.asset_id }, select: { id: true } });
  if (!asset) throw badInput("input.asset_id", "no asset with this id; list them with `taproot_assets { list { id symbol } }`");
  const row = await db.$transaction(async (tx) => {
    const created = await tx.wallet.create({ data: { name: input.name, environmentId: environment.id, assetId: asset.id }, select: WALLET_SELECT });
    await recordAudit(tx, actor, "wallet.created", { type: "wallet", id: created.id }, { name: input.name, asset: created.asset.symbol });
    return created;
  });
  return toWalletView(row);
}

/** One wallet in the actor's scope (team, key environment, key wallet), or NOT_FOUND. */
export async function findWallet(actor: Actor, id: string): Promise<WalletView> {
  authorize(actor, "WALLETS", "READ");
  assertWalletInKeyScope(actor, checkId(id, "Wallet"));
  const row = await db.wallet.findFirst({
    where: { id: checkId(id, "Wallet"), environment: environmentScope(actor) },
    select: WALLET_SELECT,
  });
  if (!row) throw notFound("Wallet");
  return toWalletView(row);
}

/** Full wallet records of an environment (dashboard). */
export async function listWalletViews(actor: Actor, environmentId: string): Promise<WalletView[]> {
  authorize(actor, "WALLETS", "READ");
  await assertEnvironmentVisible(actor, checkId(environmentId, "Environment"));
  const rows = await db.wallet.findMany({
    where: {
      environmentId: checkId(environmentId, "Environment"),
      environment: { teamId: actor.teamId },
      ...(scopedWalletId(actor) ? { id: scopedWalletId(actor)! } : {}),
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: WALLET_SELECT,
  });
  return rows.map(toWalletView);
}

/**
 * Deletes a wallet with its transactions (and the keys scoped to it and endpoints bound to it;
 * the schema cascades, and pending jobs of its transactions find nothing and end). A SANDBOX
 * wallet goes whatever its (fake) balance (DESIGN.md §4); a LIVE one is refused while it holds a
 * balance or has pending transactions. Not by a wallet-scoped key: it acts inside its wallet.
 */
export async function deleteWallet(actor: Actor, id: string): Promise<true> {
  authorize(actor, "WALLETS", "WRITE");
  const wallet = await findWallet(actor, id);
  refuseWalletScopedKey(actor, "delete wallets");
  await db.$transaction(async (tx) => {
    const [locked] = await tx.$queryRaw<{ received: bigint; sent: bigint; reserved: bigint; type: string }[]>`
      SELECT w.received, w.sent, w.reserved, e.type::text AS type FROM wallets w JOIN environments e ON e.id = w."environmentId" WHERE w.id = ${wallet.id} FOR UPDATE OF w`;
    if (!locked) throw notFound("Wallet");
    if (locked.type === "SANDBOX") {
      await tx.wallet.delete({ where: { id: wallet.id } });
      await recordAudit(tx, actor, "wallet.deleted", { type: "wallet", id: wallet.id }, { name: wallet.name });
      return;
    }
    if (locked.received - locked.sent !== BigInt(0) || locked.reserved !== BigInt(0)) {
      throw new AppError("CONFLICT", "id: this wallet still holds a balance; move the funds out before deleting it", { field: "id", detail: "This wallet still holds a balance; move the funds out before deleting it" });
    }
    const pending = await tx.transaction.count({ where: { walletId: wallet.id, status: "PENDING" } });
    if (pending > 0) {
      throw new AppError("CONFLICT", `id: this wallet has ${pending} pending transaction(s); wait until they settle or expire`, { field: "id", detail: `This wallet has ${pending} pending transaction(s); wait until they settle or expire` });
    }
    await tx.wallet.delete({ where: { id: wallet.id } });
    await recordAudit(tx, actor, "wallet.deleted", { type: "wallet", id: wallet.id }, { name: wallet.name });
  });
  return true;
}

/** Names of Lightning Addresses kept for the instance itself. */
const RESERVED_NAMES = new Set(["admin", "root", "support", "postmaster", "abuse", "security", "webmaster", "hostmaster", "noreply", "no-reply", "boltrail"]);

/**
 * Gives a wallet the Lightning Address `name@<host of APP_URL>` (LUD-16), or removes it (`name`
 * null or empty). Names are unique per instance, `[a-z0-9._-]`, 1–64 characters, starting and
 * ending with a letter or digit. Only BTC wallets: a Lightning Address is paid in sats.
 */
export async function setLightningAddress(actor: Actor, id: string, rawName: string | null): Promise<WalletView> {
  authorize(actor, "WALLETS", "WRITE");
  const wallet = await findWallet(actor, id);
  const name = rawName === null ? "" : String(rawName).trim().toLowerCase();
  if (name !== "") {
    parseInput(LightningAddressInput, { name });
    if (RESERVED_NAMES.has(name)) throw badInput("name", `"${name}" is reserved; choose another name`);
    if (wallet.asset.type !== "BASE_ASSET") throw badInput("name", `a Lightning Address receives sats, so only BTC wallets can have one (this is a ${wallet.asset.symbol} wallet)`);
  }
  try {
    const row = await db.$transaction(async (tx) => {
      const updated = await tx.wallet.update({ where: { id: wallet.id }, data: { lightningAddress: name === "" ? null : name }, select: WALLET_SELECT });
      await recordAudit(tx, actor, name === "" ? "wallet.lightning_address_removed" : "wallet.lightning_address_set", { type: "wallet", id: wallet.id }, { name: name || wallet.lightningAddress });
      return updated;
    });
    return toWalletView(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw badInput("name", `${name}@${ownHost()} is already taken; choose another name`);
    throw err;
  }
}
