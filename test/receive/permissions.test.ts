// Which keys may create_receive (PAYMENTS WRITE, in scope) and which may not — and a refusal
// writes nothing.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { revokeApiKey } from "@/lib/api-keys/manage-api-keys";
import { sha256Hex } from "@/lib/crypto";
import { createEnvironment } from "@/lib/environments/create-environment";
import { ASSET, CREATE_RECEIVE, fails, gql, mintKey, newSandbox, newTeam, newWallet, ok, rowCounts, type Perm, type Team } from "./helpers";

let team: Team;
let environmentId: string;
let walletA: string;
let walletB: string;

beforeAll(async () => {
  team = await newTeam("Permissions");
  environmentId = (await newSandbox(team)).id;
  walletA = (await newWallet(team, environmentId, ASSET.BTC, "A")).id;
  walletB = (await newWallet(team, environmentId, ASSET.BTC, "B")).id;
});

const input = (walletId: string) => ({ wallet_id: walletId, amount: "1000", description: "perm" });

async function refused(key: string | Record<string, string> | undefined, walletId: string, code: string) {
  const before = await rowCounts();
  fails(await gql(CREATE_RECEIVE, { input: input(walletId) }, key), code);
  expect(await rowCounts()).toEqual(before);
}

describe("create_receive permissions", () => {
  it.each<[string, Perm[]]>([
    ["PAYMENTS READ", [{ resource: "PAYMENTS", level: "READ" }]],
    ["WALLETS WRITE", [{ resource: "WALLETS", level: "WRITE" }]],
    ["WEBHOOKS WRITE + ENVIRONMENTS WRITE", [{ resource: "WEBHOOKS", level: "WRITE" }, { resource: "ENVIRONMENTS", level: "WRITE" }]],
    ["WALLET_CREDENTIALS WRITE", [{ resource: "WALLET_CREDENTIALS", level: "WRITE" }]],
  ])("a %s key cannot create_receive (FORBIDDEN), nothing written", async (_, permissions) => {
    const key = await mintKey(team, environmentId, permissions);
    await refused(key, walletA, "FORBIDDEN");
    const error = (await gql(CREATE_RECEIVE, { input: input(walletA) }, key)).errors![0];
    expect(error.message).toContain("PAYMENTS WRITE");
  });

  it("a PAYMENTS READ key can still read the transactions it may not create", async () => {
    const writer = await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "WRITE" }]);
    const reader = await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "READ" }]);
    const created = ok(await gql(CREATE_RECEIVE, { input: input(walletA) }, writer)).payment.transaction.create_receive;
    const found = ok(await gql(`query($id: String!) { payment { transaction { find_one(id: $id) { id status } } } }`, { id: created.id }, reader));
    expect(found.payment.transaction.find_one).toEqual({ id: created.id, status: "PENDING" });
  });

  it("a PAYMENTS WRITE key (and nothing else) can create_receive", async () => {
    const key = await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "WRITE" }]);
    const before = await rowCounts();
    const created = ok(await gql(CREATE_RECEIVE, { input: input(walletA) }, key)).payment.transaction.create_receive;
    expect(created).toMatchObject({ status: "PENDING", wallet_id: walletA });
    const after = await rowCounts();
    expect(after.transactions).toBe(before.transactions + 1);
    expect(after.transactionEvents).toBe(before.transactionEvents + 1);
    expect(after.webhookEvents).toBe(before.webhookEvents + 1);
    expect(after.jobs).toBe(before.jobs + 1);
  });

  it("a PAYMENTS WRITE key cannot create or delete wallets (WALLETS is a separate resource)", async () => {
    const key = await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "WRITE" }]);
    const before = await rowCounts();
    fails(
      await gql(`mutation($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`, { input: { name: "x", environment_id: environmentId, asset_id: ASSET.BTC } }, key),
      "FORBIDDEN",
    );
    fails(await gql(`mutation($id: String!) { payment { wallet { delete(id: $id) } } }`, { id: walletB }, key), "FORBIDDEN");
    expect(await rowCounts()).toEqual(before);
  });

  it("a wallet-scoped key can create_receive into its wallet but not into another (NOT_FOUND)", async () => {
    const key = await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "WRITE" }], walletA);
    const created = ok(await gql(CREATE_RECEIVE, { input: input(walletA) }, key)).payment.transaction.create_receive;
    expect(created.wallet_id).toBe(walletA);
    await refused(key, walletB, "NOT_FOUND");
  });

  it("a wallet-scoped key cannot create wallets, even with WALLETS WRITE (FORBIDDEN)", async () => {
    const key = await mintKey(team, environmentId, [{ resource: "WALLETS", level: "WRITE" }], walletA);
    const before = await rowCounts();
    fails(
      await gql(`mutation($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`, { input: { name: "x", environment_id: environmentId, asset_id: ASSET.BTC } }, key),
      "FORBIDDEN",
    );
    expect(await rowCounts()).toEqual(before);
  });

  it("a key of another environment of the team cannot reach the wallet (NOT_FOUND)", async () => {
    const other = await newSandbox(team, "Other sandbox");
    const key = await mintKey(team, other.id, [{ resource: "PAYMENTS", level: "WRITE" }]);
    await refused(key, walletA, "NOT_FOUND");
  });

  it("a LIVE environment without an attached node cannot issue invoices (FORBIDDEN), nothing written", async () => {
    const { environment } = await createEnvironment(team.actor, { name: "Production", type: "LIVE" });
    const wallet = await newWallet(team, environment.id, ASSET.BTC, "Live");
    const key = await mintKey(team, environment.id, [{ resource: "PAYMENTS", level: "WRITE" }]);
    expect(key).toMatch(/^amb_live_/);
    await refused(key, wallet.id, "FORBIDDEN");
    // …and a sandbox key cannot reach the live wallet at all.
    await refused(await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "WRITE" }]), wallet.id, "NOT_FOUND");
  });

  it("no credentials → UNAUTHENTICATED; a malformed, unknown, revoked or expired key → UNAUTHENTICATED", async () => {
    await refused(undefined, walletA, "UNAUTHENTICATED");
    await refused("not-a-key", walletA, "UNAUTHENTICATED");
    await refused(`amb_test_${"A".repeat(43)}`, walletA, "UNAUTHENTICATED");
    const key = await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "WRITE" }]);
    const row = await db.serviceApiKey.findUniqueOrThrow({ where: { keyHash: sha256Hex(key) } });
    await db.serviceApiKey.update({ where: { id: row.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await refused(key, walletA, "UNAUTHENTICATED");
    const revoked = await mintKey(team, environmentId, [{ resource: "PAYMENTS", level: "WRITE" }]);
    ok(await gql(CREATE_RECEIVE, { input: input(walletA) }, revoked));
    await revokeApiKey(team.actor, (await db.serviceApiKey.findUniqueOrThrow({ where: { keyHash: sha256Hex(revoked) } })).id);
    await refused(revoked, walletA, "UNAUTHENTICATED");
  });
});
