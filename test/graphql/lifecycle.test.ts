import type { Json } from "../json";
// API lifecycle dead ends found with Rails' published SDK (issue 12, finding 14): a sandbox a key
// creates joins that key's scope; sandboxes and sandbox wallets are deleted whatever their (fake)
// balance, LIVE ones only once empty; deleting keeps the ledger, other queries and the job worker
// whole; an out-of-scope wallet_id filter is NOT_FOUND, never an empty list.
process.env.SANDBOX_SETTLE_DELAY_MS = "3600000";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runSandboxSend, runSandboxSettle } from "@/lib/jobs/handlers";
import { exportTransactionsCsv } from "@/lib/transactions/export-csv";
import { transition } from "@/lib/transactions/lifecycle";
import {
  ALL_WRITE,
  FIND_MANY_ENVIRONMENTS,
  BTC_ASSET_ID,
  apiKey,
  createEnvironment,
  createWalletRow,
  fails,
  gql,
  masterSession,
  ok,
  type ApiKey,
  type Permission,
  type Session,
} from "./helpers";

type Any = Json;

const CREATE_SANDBOX = `mutation ($name: String!) { payment { environment { create(input: { name: $name, type: SANDBOX }) { id type } } } }`;
const FIND_ENV = `query ($id: String!) { payment { environment { find_one(id: $id) { id name type wallet_count } } } }`;
const DELETE_ENV = `mutation ($id: String!) { payment { environment { delete(id: $id) } } }`;
const DELETE_WALLET = `mutation ($id: String!) { payment { wallet { delete(id: $id) } } }`;
const CREATE_WALLET = `mutation ($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id environment_id } } } }`;
const LIST_WALLETS = `query ($env: String!) { payment { wallet { find_many { list(environment_id: $env) { id } } } } }`;
const CREATE_RECEIVE = `mutation ($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id payment_request } } } }`;
const CREATE_SEND = `mutation ($input: CreateSendTransactionInput!) { payment { transaction { create_send(input: $input) { id status } } } }`;
const FIND_TX = `query ($id: String!) { payment { transaction { find_one(id: $id) { id status wallet_id } } } }`;
const LIST_TX = `query ($input: ListTransactionsInput!) { payment { transaction { find_many(input: $input) { total_count list { id } } } } }`;
const LIST_EVENTS = `query ($input: ListWebhookEventsInput!) { payment { webhook_event { find_many(input: $input) { total_count list { id } } } } }`;
const CREATE_ENDPOINT = `mutation ($input: CreateWebhookEndpointInput!) { payment { webhook_endpoint { create(input: $input) { endpoint { id environment_id } } } } }`;
const LIST_ENDPOINTS = `query ($env: String!) { payment { webhook_endpoint { find_many { list(environment_id: $env) { id } } } } }`;

let master: Session;
let home: string;

beforeAll(async () => {
  master = await masterSession("Lifecycle");
  home = (await createEnvironment(master, "SANDBOX", "CI home")).id;
});

async function receive(headers: Record<string, string>, walletId: string, amount = "5000") {
  return ok(await gql<Any>(CREATE_RECEIVE, { input: { wallet_id: walletId, amount, description: "lifecycle" } }, headers)).payment.transaction.create_receive as {
    id: string;
    payment_request: string;
  };
}

/** A wallet of `environmentId` with `sats` received through a real, completed receive (ledger rows and all). */
async function fundedWallet(environmentId: string, sats = 5000) {
  const wallet = await createWalletRow(environmentId, { name: "funded" });
  const tx = await receive(master.headers, wallet.id, String(sats));
  await transition(tx.id, "COMPLETED");
  const row = await db.wallet.findUniqueOrThrow({ where: { id: wallet.id } });
  expect(row.received - row.sent).toBeGreaterThan(BigInt(0));
  return { wallet, tx };
}

describe("(a) a sandbox created by a key with ENVIRONMENTS WRITE joins that key's scope", () => {
  let creator: ApiKey;
  let created: string;

  beforeAll(async () => {
    creator = await apiKey(master, home, ALL_WRITE, { name: "CI" });
    created = ok(await gql<Any>(CREATE_SANDBOX, { name: "throwaway" }, creator.headers)).payment.environment.create.id;
  });

  it("find_many and find_one show it to the key that created it", async () => {
    const list = ok(await gql<Any>(FIND_MANY_ENVIRONMENTS, null, creator.headers)).payment.environment.find_many.list.map((e: { id: string }) => e.id);
    expect(list.sort()).toEqual([home, created].sort());
    expect(ok(await gql<Any>(FIND_ENV, { id: created }, creator.headers)).payment.environment.find_one).toMatchObject({ id: created, type: "SANDBOX", name: "throwaway" });
  });

  it("the key can use it: wallets, webhook endpoints, transactions and webhook events of it", async () => {
    const wallet = ok(await gql<Any>(CREATE_WALLET, { input: { name: "ci wallet", environment_id: created, asset_id: BTC_ASSET_ID } }, creator.headers)).payment.wallet.create;
    expect(wallet.environment_id).toBe(created);
    expect(ok(await gql<Any>(LIST_WALLETS, { env: created }, creator.headers)).payment.wallet.find_many.list).toEqual([{ id: wallet.id }]);
    const endpoint = ok(await gql<Any>(CREATE_ENDPOINT, { input: { environment_id: created, url: "https://8.8.8.8/ci" } }, creator.headers)).payment.webhook_endpoint.create.endpoint;
    expect(endpoint.environment_id).toBe(created);
    expect(ok(await gql<Any>(LIST_ENDPOINTS, { env: created }, creator.headers)).payment.webhook_endpoint.find_many.list).toEqual([{ id: endpoint.id }]);
    // Transactions of a wallet in it (made here with the master's session).
    const tx = await receive(master.headers, wallet.id);
    expect(ok(await gql<Any>(FIND_TX, { id: tx.id }, creator.headers)).payment.transaction.find_one).toMatchObject({ id: tx.id, wallet_id: wallet.id });
    const page = ok(await gql<Any>(LIST_TX, { input: { environment_id: created } }, creator.headers)).payment.transaction.find_many;
    expect(page).toEqual({ total_count: 1, list: [{ id: tx.id }] });
    // Without an environment filter: both environments of its scope.
    const all = ok(await gql<Any>(LIST_TX, { input: { page: { limit: 100, offset: 0 } } }, creator.headers)).payment.transaction.find_many;
    expect(all.list.map((t: { id: string }) => t.id)).toContain(tx.id);
    const events = ok(await gql<Any>(LIST_EVENTS, { input: { environment_id: created } }, creator.headers)).payment.webhook_event.find_many;
    expect(events.total_count).toBe(1);
    // The key itself issues invoices in it, and may pay from it (refused here for paying itself, not NOT_FOUND).
    const own = await receive(creator.headers, wallet.id, "1000");
    expect(own.payment_request).toMatch(/^lnbcrt/);
    const send = await gql<Any>(CREATE_SEND, { input: { wallet_id: wallet.id, request: { bolt11: own.payment_request } } }, creator.headers);
    expect(send.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("another key of the same environment (even with ENVIRONMENTS WRITE) does not see it, nor does another team", async () => {
    const sibling = await apiKey(master, home, ALL_WRITE, { name: "sibling" });
    fails(await gql(FIND_ENV, { id: created }, sibling.headers), "NOT_FOUND");
    fails(await gql(DELETE_ENV, { id: created }, sibling.headers), "NOT_FOUND");
    const list = ok(await gql<Any>(FIND_MANY_ENVIRONMENTS, null, sibling.headers)).payment.environment.find_many.list;
    expect(list.map((e: { id: string }) => e.id)).toEqual([home]);
    const other = await masterSession("Other");
    fails(await gql(FIND_ENV, { id: created }, other.headers), "NOT_FOUND");
  });

  it("the key deletes it (with the wallets, transactions and endpoints in it), then it is NOT_FOUND", async () => {
    const throwaway = ok(await gql<Any>(CREATE_SANDBOX, { name: "to drop" }, creator.headers)).payment.environment.create.id;
    const { wallet } = await fundedWallet(throwaway);
    expect(ok(await gql<Any>(DELETE_ENV, { id: throwaway }, creator.headers))).toEqual({ payment: { environment: { delete: true } } });
    expect(await db.environment.count({ where: { id: throwaway } })).toBe(0);
    expect(await db.wallet.count({ where: { id: wallet.id } })).toBe(0);
    fails(await gql(FIND_ENV, { id: throwaway }, creator.headers), "NOT_FOUND");
    // The key itself lives on in its own environment.
    expect(ok(await gql<Any>(FIND_ENV, { id: home }, creator.headers)).payment.environment.find_one.id).toBe(home);
  });

  it("a key that can only read environments cannot create one; a created sandbox keeps no key of another team in scope", async () => {
    const reader = await apiKey(master, home, [{ resource: "ENVIRONMENTS", level: "READ" }] as Permission[]);
    fails(await gql(CREATE_SANDBOX, { name: "nope" }, reader.headers), "FORBIDDEN");
    const row = await db.environment.findUniqueOrThrow({ where: { id: created }, select: { teamId: true, createdByKeyId: true } });
    expect(row).toEqual({ teamId: master.teamId, createdByKeyId: creator.id });
  });
});

describe("(b) deletes: sandboxes whatever their balance, LIVE only once empty; the ledger stays whole", () => {
  it("a sandbox environment whose wallets hold (fake) funds is deleted, by the master and by its own key", async () => {
    const byMaster = (await createEnvironment(master, "SANDBOX", "funded 1")).id;
    await fundedWallet(byMaster);
    expect(ok(await gql<Any>(DELETE_ENV, { id: byMaster }, master.headers)).payment.environment.delete).toBe(true);
    expect(await db.environment.count({ where: { id: byMaster } })).toBe(0);

    const byKey = (await createEnvironment(master, "SANDBOX", "funded 2")).id;
    await fundedWallet(byKey);
    const key = await apiKey(master, byKey, [{ resource: "ENVIRONMENTS", level: "WRITE" }]);
    expect(ok(await gql<Any>(DELETE_ENV, { id: byKey }, key.headers)).payment.environment.delete).toBe(true);
    expect(await db.environment.count({ where: { id: byKey } })).toBe(0);
  });

  it("a sandbox wallet holding funds, with a pending invoice, is deleted with its transactions", async () => {
    const { wallet, tx } = await fundedWallet(home);
    const pending = await receive(master.headers, wallet.id);
    expect(ok(await gql<Any>(DELETE_WALLET, { id: wallet.id }, master.headers)).payment.wallet.delete).toBe(true);
    expect(await db.wallet.count({ where: { id: wallet.id } })).toBe(0);
    expect(await db.transaction.count({ where: { id: { in: [tx.id, pending.id] } } })).toBe(0);
    fails(await gql(FIND_TX, { id: tx.id }, master.headers), "NOT_FOUND");
  });

  it("LIVE: an environment or wallet holding funds is refused (CONFLICT), and deleted once empty", async () => {
    const team = await masterSession("Live deletes");
    const live = await createEnvironment(team, "LIVE", "Production");
    const wallet = await createWalletRow(live.id, { name: "live", received: BigInt(1000) });
    fails(await gql(DELETE_ENV, { id: live.id }, team.headers), "CONFLICT", "id");
    fails(await gql(DELETE_WALLET, { id: wallet.id }, team.headers), "CONFLICT", "id");
    expect(await db.wallet.count({ where: { id: wallet.id } })).toBe(1);
    await db.wallet.update({ where: { id: wallet.id }, data: { sent: BigInt(1000) } });
    expect(ok(await gql<Any>(DELETE_ENV, { id: live.id }, team.headers)).payment.environment.delete).toBe(true);
    expect(await db.environment.count({ where: { id: live.id } })).toBe(0);
  });

  it("after a deleted sandbox's payments: the other side's ledger, other queries and the job worker are unaffected", async () => {
    const doomed = (await createEnvironment(master, "SANDBOX", "doomed")).id;
    const { wallet: payer } = await fundedWallet(doomed, 10_000);
    // The payer pays an invoice of a wallet in another environment (internal: settled at once).
    const payee = await createWalletRow(home, { name: "payee" });
    const invoice = await receive(master.headers, payee.id, "3000");
    const sent = ok(await gql<Any>(CREATE_SEND, { input: { wallet_id: payer.id, request: { bolt11: invoice.payment_request } } }, master.headers)).payment.transaction.create_send;
    expect(sent.status).toBe("COMPLETED");
    // A pending invoice of the doomed wallet leaves its settlement job behind.
    const pendingReceive = await receive(master.headers, payer.id);
    const jobs = await db.job.findMany({ where: { doneAt: null, type: { in: ["sandbox.settle", "sandbox.send"] } }, select: { type: true, payload: true } });
    const doomedJobs = jobs.filter((j) => (j.payload as { transactionId?: string }).transactionId === pendingReceive.id);
    expect(doomedJobs).toHaveLength(1);
    const payeeBefore = await db.wallet.findUniqueOrThrow({ where: { id: payee.id }, select: { received: true, sent: true } });

    expect(ok(await gql<Any>(DELETE_ENV, { id: doomed }, master.headers)).payment.environment.delete).toBe(true);

    // The payee keeps its money and its completed receive.
    expect(await db.wallet.findUniqueOrThrow({ where: { id: payee.id }, select: { received: true, sent: true } })).toEqual(payeeBefore);
    expect(ok(await gql<Any>(FIND_TX, { id: invoice.id }, master.headers)).payment.transaction.find_one).toMatchObject({ id: invoice.id, status: "COMPLETED" });
    // Team-wide lists still answer, without the deleted environment's rows.
    const all = ok(await gql<Any>(LIST_TX, { input: { page: { limit: 100, offset: 0 } } }, master.headers)).payment.transaction.find_many;
    expect(all.list.map((t: { id: string }) => t.id)).toContain(invoice.id);
    expect(all.list.map((t: { id: string }) => t.id)).not.toContain(sent.id);
    ok(await gql(LIST_EVENTS, { input: { environment_id: home } }, master.headers));
    // The worker's handlers find nothing to do for the vanished transactions, and do not throw.
    for (const job of doomedJobs) await expect((job.type === "sandbox.send" ? runSandboxSend : runSandboxSettle)(job.payload)).resolves.toBeUndefined();
    await expect(runSandboxSend({ transactionId: sent.id, behavior: "complete" })).resolves.toBeUndefined();
  });
});

describe("(c) an out-of-scope wallet_id filter is NOT_FOUND, not an empty list", () => {
  it("transaction find_many with another team's wallet, or a made-up one", async () => {
    const other = await masterSession("Other team");
    const otherEnv = await createEnvironment(other, "SANDBOX", "theirs");
    const theirs = await createWalletRow(otherEnv.id, { name: "theirs" });
    await receive(other.headers, theirs.id);
    fails(await gql(LIST_TX, { input: { wallet_id: theirs.id } }, master.headers), "NOT_FOUND");
    fails(await gql(LIST_TX, { input: { wallet_id: "00000000-0000-4000-8000-000000000000" } }, master.headers), "NOT_FOUND");
    const key = await apiKey(master, home, ALL_WRITE);
    fails(await gql(LIST_TX, { input: { wallet_id: theirs.id } }, key.headers), "NOT_FOUND");
    // Webhook events filtered by it, too.
    fails(await gql(LIST_EVENTS, { input: { environment_id: home, filter: { wallet_id: theirs.id } } }, master.headers), "NOT_FOUND");
    // A wallet of the caller's scope with nothing in it is an empty list.
    const mine = await createWalletRow(home, { name: "empty" });
    expect(ok(await gql<Any>(LIST_TX, { input: { wallet_id: mine.id } }, master.headers)).payment.transaction.find_many).toEqual({ total_count: 0, list: [] });
    // A key of another environment of the same team: NOT_FOUND for this environment's wallet.
    const elsewhere = await apiKey(master, (await createEnvironment(master, "SANDBOX", "elsewhere")).id, ALL_WRITE);
    fails(await gql(LIST_TX, { input: { wallet_id: mine.id } }, elsewhere.headers), "NOT_FOUND");
    // The dashboard's CSV export of the same filter: NOT_FOUND too, not an empty file.
    await expect(exportTransactionsCsv(master.actor, { wallet_id: theirs.id }).next()).rejects.toMatchObject({ code: "NOT_FOUND" });
    const header = await exportTransactionsCsv(master.actor, { wallet_id: mine.id }).next();
    expect(header.value).toMatch(/^id,created_at,/);
  });
});
