import type { Json } from "../json";
// Strings that are not text (a NUL character, a lone UTF-16 surrogate) in any argument of any
// operation: BAD_USER_INPUT naming the field, nothing written, no internal error, no log. Before,
// 18 operations answered INTERNAL_SERVER_ERROR and logged PostgreSQL's "invalid byte sequence".
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ALL_WRITE, BTC_ASSET_ID, createEnvironment, createWalletRow, fails, gql, masterSession, send, type Session } from "./helpers";

let master: Session;
let envId: string;
let walletId: string;

beforeAll(async () => {
  master = await masterSession("Text inputs");
  envId = (await createEnvironment(master, "SANDBOX", "text")).id;
  walletId = (await createWalletRow(envId)).id;
});

const counts = async () => ({
  environments: await db.environment.count(),
  keys: await db.serviceApiKey.count(),
  wallets: await db.wallet.count(),
  transactions: await db.transaction.count(),
  endpoints: await db.webhookEndpoint.count(),
  audit: await db.auditLog.count(),
});

/** One operation with its variables; `poison` puts the bad string where the test says, `field` is what the error must name. */
type Case = { name: string; query: string; variables: (bad: string) => Record<string, Json>; field: string };

const CASES: Case[] = [
  { name: "environment.create name", query: `mutation ($input: CreatePaymentsEnvironmentInput!) { payment { environment { create(input: $input) { checkout_url } } } }`, variables: (b) => ({ input: { name: `a${b}`, type: "SANDBOX" } }), field: "input.name" },
  { name: "environment.find_one id", query: `query ($id: String!) { payment { environment { find_one(id: $id) { id } } } }`, variables: (b) => ({ id: `env${b}` }), field: "id" },
  { name: "environment.delete id", query: `mutation ($id: String!) { payment { environment { delete(id: $id) } } }`, variables: (b) => ({ id: `env${b}` }), field: "id" },
  { name: "wallet.create name", query: `mutation ($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`, variables: (b) => ({ input: { name: `w${b}`, asset_id: BTC_ASSET_ID, environment_id: envId } }), field: "input.name" },
  { name: "wallet.create environment_id", query: `mutation ($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`, variables: (b) => ({ input: { name: "w", asset_id: BTC_ASSET_ID, environment_id: `${envId}${b}` } }), field: "input.environment_id" },
  { name: "wallet.create asset_id", query: `mutation ($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`, variables: (b) => ({ input: { name: "w", asset_id: `${b}x`, environment_id: envId } }), field: "input.asset_id" },
  { name: "wallet.find_one id", query: `query ($id: String!) { payment { wallet { find_one(id: $id) { id } } } }`, variables: (b) => ({ id: `w${b}` }), field: "id" },
  { name: "wallet.list environment_id", query: `query ($id: String!) { payment { wallet { list(environment_id: $id) { id } } } }`, variables: (b) => ({ id: `e${b}` }), field: "id" },
  { name: "wallet.delete id", query: `mutation ($id: String!) { payment { wallet { delete(id: $id) } } }`, variables: (b) => ({ id: `w${b}` }), field: "id" },
  { name: "create_receive description", query: `mutation ($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id } } } }`, variables: (b) => ({ input: { wallet_id: walletId, amount: "1000", description: `d${b}` } }), field: "input.description" },
  { name: "create_receive metadata", query: `mutation ($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id } } } }`, variables: (b) => ({ input: { wallet_id: walletId, amount: "1000", metadata: `{"a":"${b}"}` } }), field: "input.metadata" },
  { name: "create_receive idempotency_key", query: `mutation ($input: CreateReceiveTransactionInput!) { payment { transaction { create_receive(input: $input) { id } } } }`, variables: (b) => ({ input: { wallet_id: walletId, amount: "1000", idempotency_key: `k${b}` } }), field: "input.idempotency_key" },
  { name: "create_send bolt11", query: `mutation ($input: CreateSendTransactionInput!) { payment { transaction { create_send(input: $input) { id } } } }`, variables: (b) => ({ input: { wallet_id: walletId, request: { bolt11: `lnbcrt1${b}` } } }), field: "input.request.bolt11" },
  { name: "create_send lightning_address", query: `mutation ($input: CreateSendTransactionInput!) { payment { transaction { create_send(input: $input) { id } } } }`, variables: (b) => ({ input: { wallet_id: walletId, address: { lightning_address: `a${b}@example.com`, amount: "10" } } }), field: "input.address.lightning_address" },
  { name: "transaction.find_one id", query: `query ($id: String!) { payment { transaction { find_one(id: $id) { id } } } }`, variables: (b) => ({ id: `tx_${b}` }), field: "id" },
  { name: "transaction.find_many wallet_id", query: `query ($input: ListTransactionsInput!) { payment { transaction { find_many(input: $input) { total_count } } } }`, variables: (b) => ({ input: { wallet_id: `w${b}` } }), field: "input.wallet_id" },
  { name: "transaction.find_many environment_id", query: `query ($input: ListTransactionsInput!) { payment { transaction { find_many(input: $input) { total_count } } } }`, variables: (b) => ({ input: { environment_id: `e${b}` } }), field: "input.environment_id" },
  { name: "webhook_endpoint.create url", query: `mutation ($input: CreateWebhookEndpointInput!) { payment { webhook_endpoint { create(input: $input) { secret } } } }`, variables: (b) => ({ input: { environment_id: envId, url: `https://example.com/${b}` } }), field: "input.url" },
  { name: "webhook_endpoint.create event_filters", query: `mutation ($input: CreateWebhookEndpointInput!) { payment { webhook_endpoint { create(input: $input) { secret } } } }`, variables: (b) => ({ input: { environment_id: envId, url: "https://example.com/hook", event_filters: ["payment.completed", `x${b}`] } }), field: "input.event_filters.1" },
  { name: "webhook_endpoint.rotate_secret id", query: `mutation ($id: String!) { payment { webhook_endpoint { rotate_secret(id: $id) { secret } } } }`, variables: (b) => ({ id: `wep_${b}` }), field: "id" },
  { name: "webhook_event.find_one id", query: `query ($id: String!) { payment { webhook_event { find_one(id: $id) { id } } } }`, variables: (b) => ({ id: `evt_${b}` }), field: "id" },
  { name: "service_api_key.create name", query: `mutation ($input: CreateServiceApiKeyInput!) { service_api_key { create(input: $input) { plaintext_key } } }`, variables: (b) => ({ input: { name: `k${b}`, environment_id: envId, permissions: ALL_WRITE } }), field: "input.name" },
  { name: "service_api_key.revoke id", query: `mutation ($id: String!) { service_api_key { revoke(id: $id) { id } } }`, variables: (b) => ({ id: `key${b}` }), field: "id" },
];

const BAD = { "a NUL character": "\u0000", "a lone high surrogate": "\ud800", "a lone low surrogate": "\udfff", "a reversed surrogate pair": "\udc00\ud800" };

describe("strings that are not text are BAD_USER_INPUT naming the field, in every operation", () => {
  for (const [what, bad] of Object.entries(BAD)) {
    for (const c of CASES) {
      it(`${what} in ${c.name}`, async () => {
        const before = await counts();
        const res = await gql(c.query, c.variables(bad), master.headers);
        const error = fails(res, "BAD_USER_INPUT", c.field);
        expect(error.message).toMatch(bad === "\u0000" ? /NUL/ : /surrogate/);
        expect(await counts()).toEqual(before);
      });
    }
  }

  it("in the document itself (not a variable): a lone surrogate is a parse error, a NUL names the argument", async () => {
    // graphql-js refuses a lone surrogate escape while parsing, with its own clear message.
    const escaped = await gql(`mutation { payment { environment { create(input: { name: "a\\ud800", type: SANDBOX }) { checkout_url } } } }`, null, master.headers);
    expect(fails(escaped, "GRAPHQL_PARSE_FAILED").message).toMatch(/Invalid Unicode escape/);
    const raw = await gql(`mutation { payment { environment { create(input: { name: "a\ud800", type: SANDBOX }) { checkout_url } } } }`, null, master.headers);
    expect(fails(raw, "GRAPHQL_PARSE_FAILED").message).toMatch(/Invalid character within String: U\+D800/);
    // A NUL escape parses (it is a character to GraphQL); the validation rule refuses it.
    const nul = `query { payment { transaction { find_one(id: "tx_\\u0000") { id } } } }`;
    fails(await gql(nul, null, master.headers), "BAD_USER_INPUT", "id");
  });

  it("a raw lone surrogate in the JSON body (not escaped) is refused the same way", async () => {
    // JSON.stringify escapes lone surrogates; write the body by hand with the raw code unit.
    const body = `{"query":"query ($id: String!) { payment { wallet { find_one(id: $id) { id } } } }","variables":{"id":"w\\ud800"}}`;
    const res = await send({ method: "POST", headers: { "content-type": "application/json", ...master.headers }, body });
    const parsed = JSON.parse(res.bodyText) as { errors: { extensions: { code: string; field: string } }[] };
    expect(parsed.errors.map((e) => [e.extensions.code, e.extensions.field])).toEqual([["BAD_USER_INPUT", "id"]]);
  });

  it("valid text outside the Basic Multilingual Plane (a surrogate pair) is accepted", async () => {
    const res = await gql(CASES[0].query, { input: { name: "café ☕ 𝄞 🙂", type: "SANDBOX" } }, master.headers);
    expect(res.body.errors).toBeUndefined();
  });
});
