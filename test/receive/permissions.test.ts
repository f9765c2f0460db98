// Which keys may create_receive (PAYMENTS WRITE, in scope) and which may not — and a refusal
// writes nothing. Every kind of caller (missing, bad, revoked and expired credentials, keys without
// PAYMENTS, keys of another environment or team, a wallet-scoped key in and out of its wallet,
// sessions) × create_receive is in the matrix of test/graphql/permissions.test.ts; here, the
// permissions and situations it does not show.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import { beforeAll, describe, expect, it } from "vitest";
import { createEnvironment } from "@/lib/environments/create-environment";
import { ASSET, CREATE_RECEIVE, fails, gql, mintKey, newSandbox, newTeam, newWallet, ok, rowCounts, type Perm, type Team } from "./helpers";

let team: Team;
let environmentId: string;
let walletA: string;

beforeAll(async () => {
  team = await newTeam("Permissions");
  environmentId = (await newSandbox(team)).id;
  walletA = (await newWallet(team, environmentId, ASSET.BTC, "A")).id;
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

  it("a wallet-scoped key cannot create wallets, even with WALLETS WRITE (FORBIDDEN)", async () => {
    const key = await mintKey(team, environmentId, [{ resource: "WALLETS", level: "WRITE" }], walletA);
    const before = await rowCounts();
    fails(
      await gql(`mutation($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`, { input: { name: "x", environment_id: environmentId, asset_id: ASSET.BTC } }, key),
      "FORBIDDEN",
    );
    expect(await rowCounts()).toEqual(before);
  });

  it("a wallet-scoped key with every permission: create_receive and reads in its wallet only, no environment-level writes", async () => {
    const walletB = (await newWallet(team, environmentId, ASSET.BTC, "B")).id;
    const all: Perm[] = (["ENVIRONMENTS", "WALLETS", "PAYMENTS", "WEBHOOKS"] as const).map((resource) => ({ resource, level: "WRITE" }));
    const key = await mintKey(team, environmentId, all, walletA);
    const mine = ok(await gql(CREATE_RECEIVE, { input: input(walletA) }, key)).payment.transaction.create_receive;
    expect(mine.wallet_id).toBe(walletA);
    await refused(key, walletB, "NOT_FOUND");
    // Another wallet's transaction, and a transaction list filtered by it: NOT_FOUND.
    const theirs = ok(await gql(CREATE_RECEIVE, { input: input(walletB) }, await mintKey(team, environmentId))).payment.transaction.create_receive;
    fails(await gql(`query($id: String!) { payment { transaction { find_one(id: $id) { id } } } }`, { id: theirs.id }, key), "NOT_FOUND");
    fails(await gql(`query($input: ListTransactionsInput!) { payment { transaction { find_many(input: $input) { list { id } } } } }`, { input: { wallet_id: walletB } }, key), "NOT_FOUND");
    const listed = ok(await gql(`query($input: ListTransactionsInput!) { payment { transaction { find_many(input: $input) { list { wallet_id } } } } }`, { input: { environment_id: environmentId } }, key));
    expect(listed.payment.transaction.find_many.list.every((t: { wallet_id: string }) => t.wallet_id === walletA)).toBe(true);
    // Environment-level writes: FORBIDDEN, nothing written.
    const before = await rowCounts();
    fails(await gql(`mutation { payment { environment { create(input: { name: "x", type: SANDBOX }) { id } } } }`, null, key), "FORBIDDEN");
    fails(await gql(`mutation($id: String!) { payment { environment { delete(id: $id) } } }`, { id: environmentId }, key), "FORBIDDEN");
    fails(await gql(`mutation($id: String!) { payment { wallet { delete(id: $id) } } }`, { id: walletA }, key), "FORBIDDEN");
    expect(await rowCounts()).toEqual(before);
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
});
