// Rails' client-held custody (issue 14), end to end against the LND REST simulator, with a client
// written only from the reference schema and §1 (./rails-client.ts): team password set and
// changed, admin macaroon stored encrypted, node_permissions read with the password hash (wrong
// ones refused and counted toward a lockout; other scopes see nothing), the macaroon decrypted by
// the client, the payment made by the client on the node, and Boltrail following it by its hash:
// COMPLETED with the fee, FAILED with the reason, EXPIRED when never paid, and the outcome
// recorded even when Boltrail is down while the client pays.
process.env.NODE_URL_ALLOWLIST = "127.0.0.1";
process.env.LIVE_NETWORK = "regtest";
process.env.SEND_FEE_RESERVE_BPS = "50";
process.env.SEND_FEE_RESERVE_MIN_SATS = "10";

import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nip44 } from "nostr-tools";
import { db } from "@/lib/db";
import { connectionOf } from "@/lib/nodes/node-connection";
import { recoverLiveSends, runLiveSend } from "@/lib/nodes/send-payment";
import { reconcileNode } from "@/lib/nodes/subscriptions";
import { codes, createEnvironment, fails, gql, memberSession, ok } from "../graphql/helpers";
import { ASSET, mintKey, newWallet, rowCounts } from "../receive/helpers";
import { balanced, foreignInvoice, ledger } from "../send/helpers";
import { startLndSimulator, type LndSimulator } from "../lnd-sim/simulator";
import { attach, liveTeam, type LiveTeam } from "../live/helpers";
import { changeTeamPassword, createSend, deriveKeys, NODE_PERMISSIONS, payOnNode, prepareSend, setTeamPassword, storeAdminMacaroon, teamOf, type NodePermissionsData, type TeamKeys } from "./rails-client";

const PASSWORD = "  correct horse battery staple  ";
const STORE_MANAGEMENT = /* GraphQL */ `mutation ($input: StoreManagementCredentialsInput!) { credentials { store_management(input: $input) } }`;
const CHECK = /* GraphQL */ `mutation ($password_hash: String!) { user { check_team_password(password_hash: $password_hash) { success } } }`;
const RECEIVE = /* GraphQL */ `mutation ($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id payment_hash } } }
}`;
const FIND = /* GraphQL */ `query ($id: String!) { payment { transaction { find_one(id: $id) { id status fee error client_pays } } } }`;

let sim: LndSimulator;
let team: LiveTeam;
let nodeId: string;
let key: string;
let walletId: string;
let keys: TeamKeys;

const apiKey = () => ({ "x-api-key": key });
const row = (id: string) => db.transaction.findUniqueOrThrow({ where: { id } });
const randomHex = () => randomBytes(32).toString("hex");

/** An invoice of another node whose preimage the simulated network knows. */
function payable(amountSats: number, expirySeconds = 3600) {
  const preimage = randomHex();
  const paymentHash = createHash("sha256").update(Buffer.from(preimage, "hex")).digest("hex");
  const invoice = foreignInvoice({ network: "regtest", amountMsat: BigInt(amountSats * 1000), paymentHash, expirySeconds });
  sim.registerPreimage(preimage);
  return { ...invoice, preimage };
}

/** Runs the send's follow-up job until the send is no longer pending (as the worker would). */
async function followUntilFinal(transactionId: string, rounds = 10) {
  for (let i = 0; i < rounds; i++) {
    await runLiveSend({ transactionId }, { followMs: 2_000 });
    const tx = await row(transactionId);
    if (tx.status !== "PENDING") return tx;
  }
  return row(transactionId);
}

beforeAll(async () => {
  sim = await startLndSimulator({ network: "regtest", port: 0, alias: "dave", routingFeeMsat: 2_500 });
  team = await liveTeam("Custody team");
  nodeId = await attach(team, sim);
  key = await mintKey(team.master, team.environmentId);
  walletId = (await newWallet(team.master, team.environmentId, ASSET.BTC, "Live BTC")).id;
  const res = await gql<{ payment: { transaction: { create_receive: { id: string; payment_hash: string } } } }>(RECEIVE, { input: { wallet_id: walletId, amount: "200000" } }, apiKey());
  const receive = ok(res).payment.transaction.create_receive;
  sim.settleInvoice(receive.payment_hash);
  await reconcileNode(nodeId, connectionOf(await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } })));
  expect((await row(receive.id)).status).toBe("COMPLETED");
}, 60_000);
afterAll(async () => {
  await sim?.close();
});

describe("the team password (user.store_team_password_and_keys, check_team_password)", () => {
  it("is unset at first; node_permissions then says to set one", async () => {
    expect(await teamOf(team.master.headers)).toMatchObject({ encrypted_symmetric_key: null, password_hash: null });
    const error = fails(await gql(NODE_PERMISSIONS, { id: walletId, password_hash: randomHex() }, apiKey()), "FORBIDDEN");
    expect(error.message).toMatch(/no team password yet/);
  });

  it("is master only, and refuses what is not a password hash or a NIP-44 payload, naming the field", async () => {
    const member = await memberSession(team.master);
    const store = (vars: Record<string, unknown>, headers = team.master.headers) =>
      gql(`mutation ($e: String!, $p: String!) { user { store_team_password_and_keys(encrypted_symmetric_key: $e, password_hash: $p) { success } } }`, vars, headers);
    const envelope = nip44.v2.encrypt(randomHex(), randomBytes(32));
    expect(codes(await store({ e: envelope, p: randomHex() }, member.headers))).toEqual(["FORBIDDEN"]);
    expect(fails(await store({ e: envelope, p: "my password" }), "BAD_USER_INPUT", "password_hash").message).toMatch(/64 hex/);
    expect(fails(await store({ e: "not-base64!", p: randomHex() }), "BAD_USER_INPUT", "encrypted_symmetric_key").message).toMatch(/NIP-44 v2/);
    expect((await db.team.findUniqueOrThrow({ where: { id: team.master.teamId } })).passwordVerifier).toBeNull();
  });

  it("is set by the client's keys; the server keeps only its own verifier and the opaque envelope", async () => {
    const result = await setTeamPassword(team.master.headers, PASSWORD);
    keys = result;
    const shown = await teamOf(team.master.headers);
    expect(shown.password_hash).toBe("set");
    expect(shown.encrypted_symmetric_key).toBeTruthy();
    // The envelope opens with the master key only.
    expect(nip44.v2.decrypt(shown.encrypted_symmetric_key!, Buffer.from(keys.masterKey, "hex"))).toBe(result.symmetricKey);
    const stored = await db.team.findUniqueOrThrow({ where: { id: team.master.teamId } });
    expect(stored.passwordVerifier).toMatch(/^\$argon2id\$/);
    expect(stored.passwordVerifier).not.toContain(keys.masterPasswordHash);
    // Trimmed: the same keys with or without the spaces around the password.
    expect(deriveKeys(PASSWORD.trim(), team.master.teamId.toUpperCase())).toEqual({ masterKey: keys.masterKey, masterPasswordHash: keys.masterPasswordHash });
  }, 30_000);

  it("check_team_password: true for the password, false for another", async () => {
    expect(ok(await gql(CHECK, { password_hash: keys.masterPasswordHash }, team.master.headers))).toEqual({ user: { check_team_password: { success: true } } });
    expect(ok(await gql(CHECK, { password_hash: randomHex() }, team.master.headers))).toEqual({ user: { check_team_password: { success: false } } });
  });

  it("a change needs the current password proven first; the symmetric key survives it", async () => {
    const other = deriveKeys("another password", team.master.teamId);
    const envelope = nip44.v2.encrypt(randomHex(), Buffer.from(other.masterKey, "hex"));
    await db.teamPasswordAttempt.updateMany({ where: { teamId: team.master.teamId }, data: { consumedAt: new Date() } });
    const refused = await gql(`mutation ($e: String!, $p: String!) { user { store_team_password_and_keys(encrypted_symmetric_key: $e, password_hash: $p) { success } } }`, { e: envelope, p: other.masterPasswordHash }, team.master.headers);
    expect(fails(refused, "FORBIDDEN").message).toMatch(/prove the current one first/);

    const before = (await teamOf(team.master.headers)).encrypted_symmetric_key!;
    const symmetricKey = nip44.v2.decrypt(before, Buffer.from(keys.masterKey, "hex"));
    ok(await changeTeamPassword(team.master.headers, PASSWORD, "a brand new team password"));
    const next = deriveKeys("a brand new team password", team.master.teamId);
    expect(nip44.v2.decrypt((await teamOf(team.master.headers)).encrypted_symmetric_key!, Buffer.from(next.masterKey, "hex"))).toBe(symmetricKey);
    // And back, so the rest of the file uses PASSWORD.
    ok(await changeTeamPassword(team.master.headers, "a brand new team password", PASSWORD));
  }, 60_000);
});

describe("credentials", () => {
  it("store_admin stores the client's envelope for the node (master only); a malformed one is refused", async () => {
    const member = await memberSession(team.master);
    expect(codes(await storeAdminMacaroon(member.headers, keys, nodeId, sim.macaroons.admin))).toEqual(["FORBIDDEN"]);
    const bad = await gql(`mutation ($input: StoreAdminCredentialsInput!) { credentials { store_admin(input: $input) } }`, { input: { node_id: nodeId, encrypted_macaroon: sim.macaroons.admin, permissions: [] } }, team.master.headers);
    fails(bad, "BAD_USER_INPUT", "input.encrypted_macaroon");
    const res = await storeAdminMacaroon(team.master.headers, keys, nodeId, sim.macaroons.admin);
    expect(ok(res)).toEqual({ credentials: { store_admin: true } });
    const stored = await db.nodeAdminCredential.findFirstOrThrow({ where: { nodeId } });
    expect(stored.encryptedMacaroon).not.toContain(sim.macaroons.admin);
  });

  it("store_management checks the macaroon on the node before replacing it; one that can follow payments enables client-paid sends", async () => {
    const refused = await gql(STORE_MANAGEMENT, { input: { node_id: nodeId, macaroon: sim.macaroons.send } }, team.master.headers);
    expect(fails(refused, "BAD_USER_INPUT", "input.macaroon").message).toMatch(/invoices:read/);
    // The invoice macaroon the node was attached with cannot follow payments: client-paid sends are refused, writing nothing.
    const before = await rowCounts();
    const error = fails(await gql(`mutation ($input: CreateSendTransactionInput!) { payment { transaction { create_send(input: $input) { id } } } }`, { input: { wallet_id: walletId, request: { bolt11: payable(1000).paymentRequest } } }, apiKey()), "FORBIDDEN");
    expect(error.message).toMatch(/cannot follow payments \(offchain:read\).*store_management/);
    expect(await rowCounts()).toEqual(before);

    const management = sim.bakeMacaroon(["info:read", "invoices:read", "invoices:write", "offchain:read"]);
    expect(ok(await gql(STORE_MANAGEMENT, { input: { node_id: nodeId, macaroon: management } }, team.master.headers))).toEqual({ credentials: { store_management: true } });
    expect((await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } })).managementCanTrack).toBe(true);
  });
});

describe("node_permissions(password_hash)", () => {
  it("gives the envelope, node and certificate to a key proving the password; the client decrypts the admin macaroon", async () => {
    const perms = ok(await gql<NodePermissionsData>(NODE_PERMISSIONS, { id: walletId, password_hash: keys.masterPasswordHash }, apiKey())).payment.wallet.find_one.node_permissions;
    expect(perms.nodes).toHaveLength(1);
    expect(perms.nodes[0]).toMatchObject({ node_id: nodeId, network: "TESTNET", tls_cert: sim.certPem.trim(), sockets: { lnd: { rest: sim.url } } });
    const prepared = await prepareSend(apiKey(), walletId, PASSWORD, keys);
    expect(prepared.macaroonHex).toBe(sim.macaroons.admin);
  });

  it("a missing or wrong password_hash is FORBIDDEN naming the password", async () => {
    expect(fails(await gql(NODE_PERMISSIONS, { id: walletId }, apiKey()), "FORBIDDEN").message).toMatch(/password_hash: the team password is required/);
    expect(fails(await gql(NODE_PERMISSIONS, { id: walletId, password_hash: randomHex() }, apiKey()), "FORBIDDEN").message).toMatch(/wrong team password/);
    expect(fails(await gql(NODE_PERMISSIONS, { id: walletId, password_hash: "password" }, apiKey()), "FORBIDDEN").message).toMatch(/wrong team password/);
  });

  it("a key of another environment, or scoped to another wallet, or without WALLETS READ, sees nothing", async () => {
    const sandbox = await createEnvironment(team.master, "SANDBOX", "Other");
    const otherEnvKey = await mintKey(team.master, sandbox.id);
    expect(codes(await gql(NODE_PERMISSIONS, { id: walletId, password_hash: keys.masterPasswordHash }, { "x-api-key": otherEnvKey }))).toEqual(["NOT_FOUND"]);
    const second = (await newWallet(team.master, team.environmentId, ASSET.BTC, "Second")).id;
    const scoped = await mintKey(team.master, team.environmentId, [{ resource: "WALLETS", level: "READ" }], second);
    expect(codes(await gql(NODE_PERMISSIONS, { id: walletId, password_hash: keys.masterPasswordHash }, { "x-api-key": scoped }))).toEqual(["NOT_FOUND"]);
    expect(ok(await gql<NodePermissionsData>(NODE_PERMISSIONS, { id: second, password_hash: keys.masterPasswordHash }, { "x-api-key": scoped })).payment.wallet.find_one.node_permissions.nodes).toHaveLength(1);
    const noWallets = await mintKey(team.master, team.environmentId, [{ resource: "PAYMENTS", level: "WRITE" }]);
    expect(codes(await gql(NODE_PERMISSIONS, { id: walletId, password_hash: keys.masterPasswordHash }, { "x-api-key": noWallets }))).toEqual(["FORBIDDEN"]);
    const otherTeam = await liveTeam("Other custody team");
    const otherWallet = (await newWallet(otherTeam.master, otherTeam.environmentId, ASSET.BTC, "Theirs")).id;
    expect(codes(await gql(NODE_PERMISSIONS, { id: otherWallet, password_hash: keys.masterPasswordHash }, apiKey()))).toEqual(["NOT_FOUND"]);
  });
});

describe("live sends the client pays", () => {
  it("create_send returns PENDING with the payment_request; the client pays on the node; Boltrail records COMPLETED with the fee", async () => {
    const before = await ledger(walletId);
    const invoice = payable(30_000);
    const tx = await createSend(apiKey(), walletId, invoice.paymentRequest);
    expect(tx).toMatchObject({ status: "PENDING", payment_request: invoice.paymentRequest, payment_hash: invoice.paymentHash });
    expect((await row(tx.id)).clientPays).toBe(true);
    expect(await ledger(walletId)).toMatchObject({ reserved: before.reserved + BigInt(30_150) });
    // Before the client pays, Boltrail only looks: the node has not seen the payment.
    await runLiveSend({ transactionId: tx.id }, { followMs: 1_000 });
    expect((await row(tx.id)).status).toBe("PENDING");
    expect(sim.counters.SendPaymentV2 ?? 0).toBe(0);

    const node = await prepareSend(apiKey(), walletId, PASSWORD, keys);
    const paid = await payOnNode(node, tx.payment_request!);
    expect(paid.status).toBe("SUCCEEDED");
    const done = await followUntilFinal(tx.id);
    expect(done).toMatchObject({ status: "COMPLETED", fee: BigInt(3), reserved: BigInt(0), paymentPreimage: invoice.preimage });
    expect(ok(await gql(FIND, { id: tx.id }, apiKey()))).toEqual({ payment: { transaction: { find_one: { id: tx.id, status: "COMPLETED", fee: "3", error: null, client_pays: true } } } });
    expect(await ledger(walletId)).toMatchObject({ sent: before.sent + BigInt(30_003), reserved: before.reserved });
    const events = await db.webhookEvent.findMany({ where: { transactionId: tx.id }, orderBy: { createdAt: "asc" }, select: { eventType: true } });
    expect(events.map((e) => e.eventType)).toEqual(["payment.pending", "payment.completed"]);
    await balanced(walletId);

    // The SDK's replay: the same invoice again answers the COMPLETED send, so it is not paid twice.
    expect(await createSend(apiKey(), walletId, invoice.paymentRequest)).toMatchObject({ id: tx.id, status: "COMPLETED", fee: "3" });
  }, 60_000);

  it("the node fails the payment → FAILED with the reason, reserve released", async () => {
    const before = await ledger(walletId);
    const tx = await createSend(apiKey(), walletId, payable(5_000).paymentRequest);
    sim.failNextPayment("FAILURE_REASON_NO_ROUTE");
    const paid = await payOnNode(await prepareSend(apiKey(), walletId, PASSWORD, keys), tx.payment_request!);
    expect(paid).toMatchObject({ status: "FAILED", failure_reason: "FAILURE_REASON_NO_ROUTE" });
    const done = await followUntilFinal(tx.id);
    expect(done.status).toBe("FAILED");
    expect(done.error).toMatch(/no route/);
    expect(await ledger(walletId)).toEqual(before);
  }, 60_000);

  it("never paid → EXPIRED once the invoice has expired, reserve released", async () => {
    const before = await ledger(walletId);
    const tx = await createSend(apiKey(), walletId, payable(2_000, 2).paymentRequest);
    await runLiveSend({ transactionId: tx.id }, { followMs: 500 });
    expect((await row(tx.id)).status).toBe("PENDING");
    await new Promise((r) => setTimeout(r, 2_100));
    const done = await followUntilFinal(tx.id);
    expect(done.status).toBe("EXPIRED");
    expect(await ledger(walletId)).toEqual(before);
  }, 30_000);

  it("Boltrail down while the client pays: the outcome is still recorded after the restart", async () => {
    const tx = await createSend(apiKey(), walletId, payable(7_000).paymentRequest);
    sim.holdPayments(true);
    const node = await prepareSend(apiKey(), walletId, PASSWORD, keys);
    const paying = payOnNode(node, tx.payment_request!);
    // A run that dies while the payment is in flight (the process killed): nothing is booked.
    const crash = new AbortController();
    const run = runLiveSend({ transactionId: tx.id }, { signal: crash.signal, followMs: 5_000 });
    setTimeout(() => crash.abort(), 300);
    await run;
    expect((await row(tx.id)).status).toBe("PENDING");
    // The payment finishes while Boltrail is down; its pending jobs are gone with the process.
    sim.succeedPayment(tx.payment_hash, { feeMsat: 1_000 });
    sim.holdPayments(false);
    expect((await paying).status).toBe("SUCCEEDED");
    await db.job.deleteMany({ where: { type: "live.send", payload: { path: ["transactionId"], equals: tx.id } } });
    // Restart: recovery queues a job for every pending live send, which finds the outcome on the node.
    expect(await recoverLiveSends()).toBeGreaterThanOrEqual(1);
    const done = await followUntilFinal(tx.id);
    expect(done).toMatchObject({ status: "COMPLETED", fee: BigInt(1) });
    await balanced(walletId);
  }, 60_000);
});

describe("the lockout", () => {
  it("ten wrong password hashes lock the team's password checks; the right one is then refused too", async () => {
    const locked = await liveTeam("Lockout team");
    await setTeamPassword(locked.master.headers, "lockout team password");
    const lockedKeys = deriveKeys("lockout team password", locked.master.teamId);
    const lockedWallet = (await newWallet(locked.master, locked.environmentId, ASSET.BTC, "W")).id;
    const lockedKey = await mintKey(locked.master, locked.environmentId);
    for (let i = 0; i < 10; i++) {
      expect(codes(await gql(NODE_PERMISSIONS, { id: lockedWallet, password_hash: randomHex() }, { "x-api-key": lockedKey }))).toEqual(["FORBIDDEN"]);
    }
    const refused = await gql(NODE_PERMISSIONS, { id: lockedWallet, password_hash: lockedKeys.masterPasswordHash }, { "x-api-key": lockedKey });
    expect(fails(refused, "RATE_LIMITED").message).toMatch(/locked for 15 more minutes/);
    expect(codes(await gql(CHECK, { password_hash: lockedKeys.masterPasswordHash }, locked.master.headers))).toEqual(["RATE_LIMITED"]);
    // Another team is not affected.
    expect(ok(await gql(CHECK, { password_hash: keys.masterPasswordHash }, team.master.headers))).toEqual({ user: { check_team_password: { success: true } } });
  }, 60_000);
});
