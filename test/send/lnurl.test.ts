// Lightning Addresses both ways (LUD-06, LUD-09, LUD-12, LUD-16). Serving: a wallet's address,
// its pay request and its callback (a real invoice committing to the metadata), refusals and the
// rate limit. Paying: the bad-address table (every row refused, nothing written, no balance
// change), a real LNURL-pay round trip over HTTP between two servers, and this instance's own
// addresses resolved in-process.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "60000";
process.env.WEBHOOK_URL_ALLOWLIST = "127.0.0.1";
process.env.LNURL_TIMEOUT_MS = "400";
process.env.PORT = "3999";
delete process.env.APP_URL;

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { decodeInvoice, sha256Hex } from "@/lib/lightning/decode";
import { addressMetadata } from "@/lib/lnurl/protocol";
import { closeIdleConnections } from "@/lib/webhooks/safe-fetch";
import { ASSET, fails, gql, mintKey, newSandbox, newTeam, newWallet, ok, rowCounts, type Team } from "../receive/helpers";
import { CREATE_SEND, foreignInvoice, fund, ledger } from "./helpers";
import { boltrailLnurlServer, scriptedServer, type Reply, type TestServer } from "./servers";
import type { Json } from "../json";

const SET_ADDRESS = `mutation ($id: String!, $name: String) { payment { wallet { set_lightning_address(id: $id, name: $name) { id lightning_address } } } }`;

let payer: Team;
let payee: Team;
let payerKey: string;
let payeeKey: string;
let wallet: string;
let payeeWallet: string;
let boltrailB: TestServer;
const servers: TestServer[] = [];

beforeAll(async () => {
  payer = await newTeam("LNURL payer");
  payee = await newTeam("LNURL payee");
  const payerEnv = (await newSandbox(payer)).id;
  const payeeEnv = (await newSandbox(payee)).id;
  payerKey = await mintKey(payer, payerEnv);
  payeeKey = await mintKey(payee, payeeEnv);
  wallet = (await newWallet(payer, payerEnv)).id;
  payeeWallet = (await newWallet(payee, payeeEnv)).id;
  await fund(payer, wallet, "1000000");
  boltrailB = await boltrailLnurlServer();
  servers.push(boltrailB);
});

afterAll(async () => {
  closeIdleConnections();
  await Promise.all(servers.map((s) => s.close()));
});

const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 9)}`;
const getJson = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, cors: res.headers.get("access-control-allow-origin") };
};

describe("a wallet's Lightning Address (serving)", () => {
  it("is set through the extension mutation, then answers the LUD-06 pay request and issues invoices committing to its metadata", async () => {
    const name = uniqueName("shop");
    const set = ok(await gql<Json>(SET_ADDRESS, { id: payeeWallet, name: name.toUpperCase() }, payeeKey));
    expect(set).toEqual({ payment: { wallet: { set_lightning_address: { id: payeeWallet, lightning_address: `${name}@localhost:3999` } } } });

    const first = await getJson(`${boltrailB.origin}/.well-known/lnurlp/${name}`);
    const address = `${name}@${boltrailB.host}`;
    expect(first).toEqual({
      status: 200,
      cors: "*",
      body: { tag: "payRequest", callback: `${boltrailB.origin}/api/lnurlp/${name}/callback`, minSendable: 1000, maxSendable: 100_000_000_000, metadata: addressMetadata(address), commentAllowed: 255 },
    });
    expect(JSON.parse(first.body.metadata as string)).toEqual([
      ["text/plain", `Payment to ${address}`],
      ["text/identifier", address],
    ]);

    const second = await getJson(`${first.body.callback}?amount=21000&comment=${encodeURIComponent("thanks for the coffee")}`);
    expect(second.status).toBe(200);
    expect(second.body.successAction).toEqual({ tag: "message", message: `Paid to ${address}` });
    const decoded = decodeInvoice(second.body.pr as string);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.invoice.amountMsat).toBe(BigInt(21000));
    expect(decoded.invoice.descriptionHash).toBe(sha256Hex(first.body.metadata as string));
    const receive = await db.transaction.findFirstOrThrow({ where: { paymentHash: decoded.invoice.paymentHash } });
    expect(receive).toMatchObject({ walletId: payeeWallet, direction: "RECEIVE", status: "PENDING", amount: BigInt(21), description: `Payment to ${address}: thanks for the coffee` });
    expect(JSON.parse(receive.metadata!)).toEqual({ lightning_address: address, comment: "thanks for the coffee" });
  });

  it.each([
    ["a-", /start and end with a letter or digit/],
    ["with space", /May contain only/],
    ["ünïcode", /May contain only/],
    ["x".repeat(65), /at most 64/],
    ["admin", /reserved/],
  ])("refuses the name %j (BAD_USER_INPUT naming name), changing nothing", async (name, message) => {
    const before = await db.wallet.findUniqueOrThrow({ where: { id: payeeWallet }, select: { lightningAddress: true } });
    expect(fails(await gql(SET_ADDRESS, { id: payeeWallet, name }, payeeKey), "BAD_USER_INPUT", "name").message).toMatch(message);
    expect(await db.wallet.findUniqueOrThrow({ where: { id: payeeWallet }, select: { lightningAddress: true } })).toEqual(before);
  });

  it("refuses a name another wallet has, and a stablecoin wallet; removes an address with an empty name", async () => {
    const taken = uniqueName("taken");
    ok(await gql(SET_ADDRESS, { id: wallet, name: taken }, payerKey));
    expect(fails(await gql(SET_ADDRESS, { id: payeeWallet, name: taken }, payeeKey), "BAD_USER_INPUT", "name").message).toMatch(/already taken/);
    const usdt = (await newWallet(payee, (await db.wallet.findUniqueOrThrow({ where: { id: payeeWallet } })).environmentId, ASSET.USDT, "USDT")).id;
    expect(fails(await gql(SET_ADDRESS, { id: usdt, name: uniqueName("usdt") }, payeeKey), "BAD_USER_INPUT", "name").message).toMatch(/only BTC wallets/);
    expect(ok(await gql<Json>(SET_ADDRESS, { id: wallet, name: "" }, payerKey))).toEqual({ payment: { wallet: { set_lightning_address: { id: wallet, lightning_address: null } } } });
    expect((await getJson(`${boltrailB.origin}/.well-known/lnurlp/${taken}`)).status).toBe(404);
  });

  it("answers unknown names and bad callback parameters with {status: ERROR, reason} and writes nothing", async () => {
    const name = uniqueName("strict");
    ok(await gql(SET_ADDRESS, { id: payeeWallet, name }, payeeKey));
    const callback = `${boltrailB.origin}/api/lnurlp/${name}/callback`;
    const before = await rowCounts();
    const cases: [string, number, RegExp][] = [
      [`${boltrailB.origin}/.well-known/lnurlp/nobody-here`, 404, /no Lightning Address nobody-here@/],
      [`${boltrailB.origin}/api/lnurlp/nobody-here/callback?amount=1000`, 404, /no Lightning Address/],
      [callback, 400, /amount is required/],
      [`${callback}?amount=abc`, 400, /whole number of millisatoshis/],
      [`${callback}?amount=999`, 400, /between 1000 and 100000000000/],
      [`${callback}?amount=100000000001`, 400, /between/],
      [`${callback}?amount=1500`, 400, /multiple of 1000/],
      [`${callback}?amount=1000&comment=${"c".repeat(256)}`, 400, /at most 255/],
    ];
    for (const [url, status, reason] of cases) {
      const res = await getJson(url);
      expect(res.status, url).toBe(status);
      expect(res.body.status, url).toBe("ERROR");
      expect(res.body.reason, url).toMatch(reason);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("rate-limits the callback per address and client (429 with a reason), other clients unaffected", async () => {
    const name = uniqueName("limited");
    ok(await gql(SET_ADDRESS, { id: payeeWallet, name }, payeeKey));
    const callback = `${boltrailB.origin}/api/lnurlp/${name}/callback?amount=1000`;
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await getJson(callback, { "x-forwarded-for": "203.0.113.7" })).status);
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(200));
    expect(statuses[30]).toBe(429);
    // Another client (no X-Forwarded-For: the test server's socket address): not limited.
    const limited = await getJson(callback);
    expect(limited.status).toBe(200);
  });
});

describe("paying a Lightning Address", () => {
  type SendResult = { id: string; status: string; lightning_address: string | null; success_action: Json | null; counterpart_id: string | null; amount: { full_amount: string } };
  const send = (address: Record<string, unknown>) => gql<Json>(CREATE_SEND, { input: { wallet_id: wallet, address } }, payerKey);

  it("over HTTP to another server: pay request, callback, invoice checked, paid (here: an invoice of this instance's database, so both settle)", async () => {
    const name = uniqueName("roundtrip");
    ok(await gql(SET_ADDRESS, { id: payeeWallet, name }, payeeKey));
    const before = { payer: await ledger(wallet), payee: await ledger(payeeWallet) };
    const result = (ok(await send({ lightning_address: `${name}@${boltrailB.host}`, amount: "4321", comment: "order 99" })) as { payment: { transaction: { create_send: SendResult } } }).payment.transaction.create_send;
    expect(result).toMatchObject({ status: "COMPLETED", lightning_address: `${name}@${boltrailB.host}`, success_action: { tag: "message", message: `Paid to ${name}@${boltrailB.host}` }, amount: { full_amount: "4321" } });
    const receive = await db.transaction.findUniqueOrThrow({ where: { id: result.counterpart_id! } });
    expect(receive).toMatchObject({ walletId: payeeWallet, status: "COMPLETED", amount: BigInt(4321), description: `Payment to ${name}@${boltrailB.host}: order 99` });
    expect(await ledger(wallet)).toMatchObject({ sent: before.payer.sent + BigInt(4321) });
    expect(await ledger(payeeWallet)).toMatchObject({ received: before.payee.received + BigInt(4321) });
  });

  it("an address of this instance's own host is resolved in-process (no HTTP: localhost is not even allowlisted)", async () => {
    const name = uniqueName("local");
    ok(await gql(SET_ADDRESS, { id: payeeWallet, name }, payeeKey));
    const result = (ok(await send({ lightning_address: `${name}@localhost:3999`, amount: "1000" })) as { payment: { transaction: { create_send: SendResult } } }).payment.transaction.create_send;
    expect(result).toMatchObject({ status: "COMPLETED", lightning_address: `${name}@localhost:3999` });
  });

  it("an address served by another node: the invoice is paid like any other (pending, sandbox job)", async () => {
    const server = await payeeServer({});
    const result = (ok(await send({ lightning_address: `alice@${server.host}`, amount: "5000" })) as { payment: { transaction: { create_send: SendResult } } }).payment.transaction.create_send;
    expect(result).toMatchObject({ status: "PENDING", lightning_address: `alice@${server.host}`, success_action: { tag: "url", description: "Your receipt", url: "https://shop.example/receipt/1" } });
  });

  /** A payee server speaking LNURL-pay, with one thing changed per test. */
  async function payeeServer(options: { payRequest?: (origin: string) => Reply; callback?: (amountMsat: bigint, metadata: string) => Reply; metadata?: string }) {
    const metadata = options.metadata ?? JSON.stringify([["text/plain", "Alice's shop"]]);
    const server = await scriptedServer((path, query, origin) => {
      if (path.startsWith("/.well-known/lnurlp/")) {
        return options.payRequest?.(origin) ?? { body: { tag: "payRequest", callback: `${origin}/cb`, minSendable: 1000, maxSendable: 10_000_000, metadata, commentAllowed: 10 } };
      }
      const amount = BigInt(query.get("amount") ?? "0");
      return (
        options.callback?.(amount, metadata) ?? {
          body: {
            pr: foreignInvoice({ amountMsat: amount, descriptionHash: sha256Hex(metadata) }).paymentRequest,
            routes: [],
            successAction: { tag: "url", description: "Your receipt", url: "https://shop.example/receipt/1" },
          },
        }
      );
    });
    servers.push(server);
    return server;
  }

  const table: [string, () => Promise<Record<string, unknown>>, string, RegExp][] = [
    ["not an address", async () => ({ lightning_address: "not-an-address", amount: "1000" }), "input.address.lightning_address", /is not a Lightning Address/],
    ["an unknown domain", async () => ({ lightning_address: "bob@no-such-host.invalid", amount: "1000" }), "input.address.lightning_address", /could not be reached|cannot be reached/],
    ["localhost", async () => ({ lightning_address: "bob@localhost", amount: "1000" }), "input.address.lightning_address", /cannot be reached from here/],
    ["a private address", async () => ({ lightning_address: "bob@10.0.0.7", amount: "1000" }), "input.address.lightning_address", /cannot be reached from here/],
    ["the cloud metadata address", async () => ({ lightning_address: "bob@169.254.169.254", amount: "1000" }), "input.address.lightning_address", /cannot be reached from here/],
    ["IPv6 loopback", async () => ({ lightning_address: "bob@[::1]", amount: "1000" }), "input.address.lightning_address", /cannot be reached from here/],
    ["an internal name", async () => ({ lightning_address: "bob@vault.internal", amount: "1000" }), "input.address.lightning_address", /cannot be reached from here/],
    ["an amount that is not a number", async () => ({ lightning_address: "bob@example.com", amount: "1.5" }), "input.address.amount", /digits only/],
    [
      "an ERROR reply",
      async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: () => ({ status: 404, body: { status: "ERROR", reason: "No such user: bob" } }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /refused: No such user: bob/,
    ],
    [
      "an ERROR reply from the callback",
      async () => ({ lightning_address: `bob@${(await payeeServer({ callback: () => ({ body: { status: "ERROR", reason: "Shop closed" } }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /refused the payment: Shop closed/,
    ],
    [
      "an invoice for another amount",
      async () => ({ lightning_address: `bob@${(await payeeServer({ callback: (msat, md) => ({ body: { pr: foreignInvoice({ amountMsat: msat + BigInt(1000), descriptionHash: sha256Hex(md) }).paymentRequest } }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /returned an invoice for 1001000 msat instead of the 1000000 msat asked for/,
    ],
    [
      "an invoice whose description_hash is not the metadata's",
      async () => ({ lightning_address: `bob@${(await payeeServer({ callback: (msat) => ({ body: { pr: foreignInvoice({ amountMsat: msat, descriptionHash: sha256Hex("something else") }).paymentRequest } }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /description_hash is not the SHA-256 of its metadata/,
    ],
    [
      "an invoice that is not one",
      async () => ({ lightning_address: `bob@${(await payeeServer({ callback: () => ({ body: { pr: "lnbcrt1garbage" } }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /returned an invoice that/,
    ],
    ["over maxSendable", async () => ({ lightning_address: `bob@${(await payeeServer({})).host}`, amount: "10001" }), "input.address.amount", /accepts at most 10000 sats; 10001 sats is above that/],
    [
      "under minSendable",
      async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: (o) => ({ body: { tag: "payRequest", callback: `${o}/cb`, minSendable: 5_000_000, maxSendable: 9_000_000, metadata: "[]" } }) })).host}`, amount: "1000" }),
      "input.address.amount",
      /accepts at least 5000 sats; 1000 sats is below that/,
    ],
    ["a comment longer than allowed", async () => ({ lightning_address: `bob@${(await payeeServer({})).host}`, amount: "1000", comment: "x".repeat(11) }), "input.address.comment", /comments of at most 10 characters/],
    [
      "an oversized reply",
      async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: () => ({ raw: `{"tag":"payRequest","pad":"${"x".repeat(70_000)}"}`, body: null }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /more than 64 KB/,
    ],
    [
      "a slow reply",
      async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: (o) => ({ delayMs: 1500, body: { tag: "payRequest", callback: `${o}/cb`, minSendable: 1000, maxSendable: 10_000_000, metadata: "[]" } }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /did not answer within 400 ms/,
    ],
    [
      "a redirect (never followed)",
      async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: () => ({ status: 302, headers: { location: "http://10.0.0.1/" }, body: {} }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /answered HTTP 302/,
    ],
    ["not a pay request", async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: () => ({ body: { tag: "withdrawRequest" } }) })).host}`, amount: "1000" }), "input.address.lightning_address", /not "payRequest"/],
    ["not JSON", async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: () => ({ raw: "<html>hello</html>", body: null }) })).host}`, amount: "1000" }), "input.address.lightning_address", /did not answer with JSON/],
    [
      "a callback on a private address",
      async () => ({ lightning_address: `bob@${(await payeeServer({ payRequest: () => ({ body: { tag: "payRequest", callback: "http://10.0.0.1/cb", minSendable: 1000, maxSendable: 10_000_000, metadata: "[]" } }) })).host}`, amount: "1000" }),
      "input.address.lightning_address",
      /cannot be reached from here/,
    ],
  ];

  it.each(table)("%s: refused, nothing written, no balance change", async (_name, build, field, message) => {
    const address = await build();
    const before = { counts: await rowCounts(), payer: await ledger(wallet) };
    const error = fails(await send(address), "BAD_USER_INPUT", field);
    expect(error.message).toMatch(message);
    expect({ counts: await rowCounts(), payer: await ledger(wallet) }).toEqual(before);
  });
});
