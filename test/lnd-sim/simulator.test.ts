// The LND REST simulator checked against LND's REST semantics, through a real HTTPS client that
// pins the simulator's self-signed certificate. BOLT11 invoices are read with light-bolt11-decoder
// (not the `bolt11` package that made them) and the payee key is recovered from the signature.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import https from "node:https";
import path from "node:path";
import { fileURLToPath } from "node:url";
import bolt11 from "bolt11";
import { decode } from "light-bolt11-decoder";
import secp256k1 from "secp256k1";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startControlServer, startLndSimulator, type LndNetwork, type LndSimulator } from "./simulator";
import { wordsToBytes } from "../receive/bolt11-independent";

let sim: LndSimulator;

beforeEach(async () => {
  sim = await startLndSimulator({ paymentDelayMs: 10 });
});

afterEach(async () => {
  await sim.close();
});

// ---------------------------------------------------------------------------------------------
// A small LND REST client
// ---------------------------------------------------------------------------------------------

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: Record<string, unknown> };

/** What a client needs of a simulator: its URL, certificate and macaroons (also of one in another process). */
type Target = Pick<LndSimulator, "url" | "certPem" | "macaroons">;

function call(
  method: string,
  urlPath: string,
  options: { body?: unknown; macaroon?: string | null; target?: Target; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const target = options.target ?? sim;
  const macaroon = options.macaroon === undefined ? target.macaroons.admin : options.macaroon;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${target.url}${urlPath}`,
      { method, ca: target.certPem, headers: { ...(macaroon === null ? {} : { "Grpc-Metadata-macaroon": macaroon }), ...options.headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(JSON.stringify(options.body));
    req.end();
  });
}

type StreamClient = {
  /** The next `{"result"}`/`{"error"}` object. */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves true if nothing arrives within ms. */
  quiet(ms?: number): Promise<boolean>;
  status(): Promise<number>;
  headers(): Promise<Record<string, string | string[] | undefined>>;
  /** Resolves with "end" (server ended the response) or "error" (connection destroyed). */
  closed: Promise<"end" | "error">;
  rawChunks: string[];
  abort(): void;
};

function openStream(
  method: string,
  urlPath: string,
  options: { body?: unknown; macaroon?: string; target?: Target; headers?: Record<string, string> } = {},
): StreamClient {
  const target = options.target ?? sim;
  const queue: Record<string, unknown>[] = [];
  const waiters: ((message: Record<string, unknown>) => void)[] = [];
  const rawChunks: string[] = [];
  let buffer = "";
  let resolveStatus!: (status: number) => void;
  const statusPromise = new Promise<number>((resolve) => (resolveStatus = resolve));
  let resolveHeaders!: (headers: Record<string, string | string[] | undefined>) => void;
  const headersPromise = new Promise<Record<string, string | string[] | undefined>>((resolve) => (resolveHeaders = resolve));
  let resolveClosed!: (how: "end" | "error") => void;
  const closed = new Promise<"end" | "error">((resolve) => (resolveClosed = resolve));
  const push = (message: Record<string, unknown>) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  };
  const req = https.request(
    `${target.url}${urlPath}`,
    { method, ca: target.certPem, headers: { "Grpc-Metadata-macaroon": options.macaroon ?? target.macaroons.admin, ...options.headers } },
    (res) => {
      resolveStatus(res.statusCode ?? 0);
      resolveHeaders(res.headers);
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        rawChunks.push(chunk);
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() !== "") push(JSON.parse(line) as Record<string, unknown>);
        }
      });
      res.on("end", () => resolveClosed("end"));
      res.on("error", () => resolveClosed("error"));
      res.on("aborted", () => resolveClosed("error"));
    },
  );
  req.on("error", () => resolveClosed("error"));
  req.on("close", () => resolveClosed("error"));
  if (options.body !== undefined) req.write(JSON.stringify(options.body));
  req.end();
  return {
    next(timeoutMs = 2_000) {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          reject(new Error(`no stream message within ${timeoutMs} ms`));
        }, timeoutMs);
        const waiter = (message: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(message);
        };
        waiters.push(waiter);
      });
    },
    async quiet(ms = 80) {
      if (queue.length > 0) return false;
      return new Promise((resolve) => {
        const waiter = (message: Record<string, unknown>) => {
          queue.unshift(message);
          clearTimeout(timer);
          resolve(false);
        };
        const timer = setTimeout(() => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          resolve(true);
        }, ms);
        waiters.push(waiter);
      });
    },
    status: () => statusPromise,
    headers: () => headersPromise,
    closed,
    rawChunks,
    abort: () => req.destroy(),
  };
}

const result = (message: Record<string, unknown>) => {
  if (!("result" in message)) throw new Error(`expected a result, got ${JSON.stringify(message)}`);
  return message.result as Record<string, unknown>;
};
const hexOf = (base64: unknown) => Buffer.from(String(base64), "base64").toString("hex");
const base64url = (hex: string) => Buffer.from(hex, "hex").toString("base64url") + "=";

async function addInvoice(body: Record<string, unknown> = { value: "1000", memo: "coffee" }, target: Target = sim) {
  const reply = await call("POST", "/v1/invoices", { body, target });
  expect(reply.status).toBe(200);
  return { ...(reply.json as { r_hash: string; payment_request: string; add_index: string; payment_addr: string }), hashHex: hexOf(reply.json.r_hash) };
}

const BOLT11_NETWORKS: Record<LndNetwork, { bech32: string; pubKeyHash: number; scriptHash: number; validWitnessVersions: number[] }> = {
  mainnet: { bech32: "bc", pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1] },
  testnet: { bech32: "tb", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  signet: { bech32: "tbs", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
  regtest: { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
};

/** An invoice of some other node, as a Boltrail user would ask it to pay. */
function foreignInvoice(options: { amountMsat?: bigint; network?: LndNetwork; expirySeconds?: number; timestamp?: number } = {}) {
  const preimage = randomBytes(32);
  const paymentHash = createHash("sha256").update(preimage).digest("hex");
  const unsigned = bolt11.encode({
    network: BOLT11_NETWORKS[options.network ?? "regtest"],
    ...(options.amountMsat !== undefined ? { millisatoshis: options.amountMsat.toString() } : {}),
    timestamp: options.timestamp ?? Math.floor(Date.now() / 1000),
    tags: [
      { tagName: "payment_hash", data: paymentHash },
      { tagName: "payment_secret", data: randomBytes(32).toString("hex") },
      { tagName: "description", data: "foreign" },
      { tagName: "expire_time", data: options.expirySeconds ?? 3600 },
      { tagName: "min_final_cltv_expiry", data: 40 },
    ],
  });
  const paymentRequest = bolt11.sign(unsigned, randomBytes(32)).paymentRequest!;
  return { paymentRequest, paymentHash, preimage: preimage.toString("hex") };
}

const CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** Recovers the payee key from a BOLT11 signature (sha256 of hrp ‖ data, zero-padded to bytes). */
function recoverPayee(paymentRequest: string): string {
  const lower = paymentRequest.toLowerCase();
  const separator = lower.lastIndexOf("1");
  const hrp = lower.slice(0, separator);
  const words = [...lower.slice(separator + 1, -6)].map((c) => CHARSET.indexOf(c));
  const signature = wordsToBytes(words.slice(-104));
  const signed = createHash("sha256").update(Buffer.concat([Buffer.from(hrp, "utf8"), wordsToBytes(words.slice(0, -104))])).digest();
  const pubkey = secp256k1.ecdsaRecover(signature.subarray(0, 64), signature[64], signed, true);
  return Buffer.from(pubkey).toString("hex");
}

function sections(paymentRequest: string): Record<string, unknown> {
  const decoded = decode(paymentRequest);
  return Object.fromEntries((decoded.sections as { name: string; value?: unknown }[]).map((s) => [s.name, s.value]));
}

// ---------------------------------------------------------------------------------------------

describe("GetInfo, TLS and ChannelBalance", () => {
  it("answers getinfo in LND's JSON shape over TLS pinned to the simulator's certificate", async () => {
    const reply = await call("GET", "/v1/getinfo");
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json");
    const info = reply.json;
    expect(info.identity_pubkey).toBe(sim.identityPubkey);
    expect(info.identity_pubkey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(info).toMatchObject({ alias: "lnd-sim", num_active_channels: 1, synced_to_chain: true, synced_to_graph: true, testnet: false, chains: [{ chain: "bitcoin", network: "regtest" }] });
    expect(typeof info.block_height).toBe("number");
    expect(info.best_header_timestamp).toMatch(/^\d+$/);
    expect(info.uris).toEqual([`${sim.identityPubkey}@127.0.0.1:9735`]);
    expect(String(info.version)).toMatch(/-beta/);

    sim.setSynced(false);
    sim.setNetwork("testnet");
    const later = (await call("GET", "/v1/getinfo")).json;
    expect(later).toMatchObject({ synced_to_chain: false, synced_to_graph: false, testnet: true, chains: [{ chain: "bitcoin", network: "testnet" }] });
  });

  it("is refused by a client that does not trust its certificate", async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = https.request(`${sim.url}/v1/getinfo`, { headers: { "Grpc-Metadata-macaroon": sim.macaroons.admin } }, () => resolve("accepted"));
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    expect(outcome).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
  });

  it("reports channel balances as {sat, msat} strings", async () => {
    sim.setChannelBalance({ local: 50_000, remote: 70_000 });
    const reply = await call("GET", "/v1/balance/channels");
    expect(reply.json).toMatchObject({
      balance: "50000",
      local_balance: { sat: "50000", msat: "50000000" },
      remote_balance: { sat: "70000", msat: "70000000" },
      unsettled_local_balance: { sat: "0", msat: "0" },
    });
  });

  it("answers slowly under setLatency and counts requests per RPC", async () => {
    sim.setLatency(150);
    const started = Date.now();
    await call("GET", "/v1/getinfo");
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sim.setLatency(0);
    await call("GET", "/v1/getinfo");
    await call("GET", "/v1/nothing");
    expect(sim.counters).toMatchObject({ GetInfo: 2, unknown: 1, total: 3 });
    sim.resetCounters();
    expect(sim.counters).toEqual({});
  });
});

describe("AddInvoice and LookupInvoice", () => {
  it("makes a real BOLT11 invoice signed by the node key", async () => {
    const invoice = await addInvoice({ value_msat: "150000", memo: "coffee", expiry: "600" });
    expect(Buffer.from(invoice.r_hash, "base64")).toHaveLength(32);
    expect(Buffer.from(invoice.payment_addr, "base64")).toHaveLength(32);
    expect(invoice.add_index).toBe("1");
    expect(invoice.payment_request).toMatch(/^lnbcrt1500n1/);

    const s = sections(invoice.payment_request);
    expect(s.amount).toBe("150000");
    expect(s.payment_hash).toBe(invoice.hashHex);
    expect(s.payment_secret).toBe(hexOf(invoice.payment_addr));
    expect(s.description).toBe("coffee");
    expect(s.expiry).toBe(600);
    expect(s.min_final_cltv_expiry).toBe(80);
    expect(recoverPayee(invoice.payment_request)).toBe(sim.identityPubkey);

    const looked = await call("GET", `/v1/invoice/${invoice.hashHex}`);
    expect(looked.status).toBe(200);
    const json = looked.json;
    expect(json).toMatchObject({
      memo: "coffee",
      r_hash: invoice.r_hash,
      value: "150",
      value_msat: "150000",
      settled: false,
      settle_date: "0",
      payment_request: invoice.payment_request,
      expiry: "600",
      cltv_expiry: "80",
      add_index: "1",
      settle_index: "0",
      amt_paid_sat: "0",
      amt_paid_msat: "0",
      state: "OPEN",
      payment_addr: invoice.payment_addr,
      htlcs: [],
      description_hash: "",
    });
    expect(createHash("sha256").update(Buffer.from(String(json.r_preimage), "base64")).digest("hex")).toBe(invoice.hashHex);
    expect(json.creation_date).toMatch(/^\d+$/);
  });

  it("commits to a description hash, defaults the expiry, and uses each network's prefix", async () => {
    const descriptionHash = createHash("sha256").update("a long lnurl metadata").digest();
    const hashed = await addInvoice({ value: "21", memo: "m", description_hash: descriptionHash.toString("base64") });
    const s = sections(hashed.payment_request);
    expect(s.description_hash).toBe(descriptionHash.toString("hex"));
    expect(s.description).toBeUndefined();
    expect(s.expiry).toBe(86_400);
    expect((await call("GET", `/v1/invoice/${hashed.hashHex}`)).json.description_hash).toBe(descriptionHash.toString("base64"));

    const amountless = await addInvoice({ memo: "tip" });
    expect(sections(amountless.payment_request).amount).toBeUndefined();

    for (const [network, prefix] of [["mainnet", "lnbc"], ["testnet", "lntb"], ["signet", "lntbs"], ["regtest", "lnbcrt"]] as const) {
      sim.setNetwork(network);
      const invoice = await addInvoice({ value: "1000" });
      expect(invoice.payment_request.startsWith(`${prefix}10u1`)).toBe(true);
      expect(recoverPayee(invoice.payment_request)).toBe(sim.identityPubkey);
    }
  });

  it("returns LND's errors for unknown hashes and bad requests", async () => {
    const missing = await call("GET", `/v1/invoice/${"ab".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ code: 5, message: "unable to locate invoice", details: [] });

    const short = await call("GET", "/v1/invoice/abcd");
    expect(short.status).toBe(500);
    expect(short.json).toEqual({ code: 2, message: "payment hash must be exactly 32 bytes, is instead 2", details: [] });

    const both = await call("POST", "/v1/invoices", { body: { value: "1", value_msat: "1000" } });
    expect(both.json).toEqual({ code: 2, message: "sat and msat arguments are mutually exclusive", details: [] });

    const badJson = await new Promise<Reply>((resolve, reject) => {
      const req = https.request(`${sim.url}/v1/invoices`, { method: "POST", ca: sim.certPem, headers: { "Grpc-Metadata-macaroon": sim.macaroons.admin } }, (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: JSON.parse(text) as Record<string, unknown> }));
      });
      req.on("error", reject);
      req.end("{not json");
    });
    expect(badJson.status).toBe(400);
    expect(badJson.json.code).toBe(3);
  });
});

describe("ListInvoices", () => {
  it("pages by add_index forwards and backwards, and filters pending ones", async () => {
    const created = [];
    for (let i = 0; i < 5; i++) created.push(await addInvoice({ value: String(100 + i), memo: `n${i}` }));
    sim.settleInvoice(created[1].hashHex);
    await call("POST", "/v2/invoices/cancel", { body: { payment_hash: created[2].r_hash } });

    const all = (await call("GET", "/v1/invoices")).json;
    expect((all.invoices as unknown[]).length).toBe(5);
    expect(all).toMatchObject({ first_index_offset: "1", last_index_offset: "5" });

    const page = (await call("GET", "/v1/invoices?index_offset=2&num_max_invoices=2")).json;
    expect((page.invoices as { add_index: string }[]).map((i) => i.add_index)).toEqual(["3", "4"]);
    expect(page).toMatchObject({ first_index_offset: "3", last_index_offset: "4" });

    const back = (await call("GET", "/v1/invoices?reversed=true&num_max_invoices=2")).json;
    expect((back.invoices as { add_index: string }[]).map((i) => i.add_index)).toEqual(["4", "5"]);
    const backFrom = (await call("GET", "/v1/invoices?reversed=true&index_offset=4&num_max_invoices=2")).json;
    expect((backFrom.invoices as { add_index: string }[]).map((i) => i.add_index)).toEqual(["2", "3"]);

    const pending = (await call("GET", "/v1/invoices?pending_only=true")).json;
    expect((pending.invoices as { add_index: string }[]).map((i) => i.add_index)).toEqual(["1", "4", "5"]);

    const empty = (await call("GET", "/v1/invoices?index_offset=5")).json;
    expect(empty).toEqual({ invoices: [], last_index_offset: "0", first_index_offset: "0" });
  });
});

describe("SubscribeInvoices", () => {
  it("replays adds with add_index > given and settles with settle_index > given, then streams live", async () => {
    const a = await addInvoice({ value: "10" }); // add_index 1
    const b = await addInvoice({ value: "20" }); // add_index 2
    const c = await addInvoice({ value: "30" }); // add_index 3
    sim.settleInvoice(a.hashHex); // settle_index 1
    sim.settleInvoice(c.hashHex); // settle_index 2

    const stream = openStream("GET", "/v1/invoices/subscribe?add_index=1&settle_index=1");
    expect(await stream.status()).toBe(200);
    const replay = [result(await stream.next()), result(await stream.next()), result(await stream.next())];
    expect(replay.map((i) => [i.add_index, i.state, i.settle_index])).toEqual([
      ["2", "OPEN", "0"],
      ["3", "SETTLED", "2"], // an add replay carries the invoice as it is now
      ["3", "SETTLED", "2"], // settle replay: settle_index 2 > 1
    ]);
    expect(replay[0].r_hash).toBe(b.r_hash);
    expect(await stream.quiet()).toBe(true);

    const d = await addInvoice({ value: "40" });
    const added = result(await stream.next());
    expect(added).toMatchObject({ r_hash: d.r_hash, state: "OPEN", add_index: "4" });
    sim.settleInvoice(b.hashHex, { amountMsat: 25_000 });
    const settled = result(await stream.next());
    expect(settled).toMatchObject({ r_hash: b.r_hash, state: "SETTLED", settled: true, settle_index: "3", amt_paid_msat: "25000", amt_paid_sat: "25" });
    expect(settled.settle_date).not.toBe("0");
    expect((settled.htlcs as { state: string }[])[0].state).toBe("SETTLED");
    // Cancellations are not SubscribeInvoices events.
    await call("POST", "/v2/invoices/cancel", { body: { payment_hash: d.r_hash } });
    expect(await stream.quiet()).toBe(true);
    // Each message is a line of its own.
    expect(stream.rawChunks.join("").split("\n").filter(Boolean)).toHaveLength(5);
    stream.abort();
  });

  it("replays nothing for index 0 (lnd#2469) and sends stream headers only with the first message", async () => {
    const a = await addInvoice({ value: "10" });
    sim.settleInvoice(a.hashHex);
    const stream = openStream("GET", "/v1/invoices/subscribe?add_index=0&settle_index=0");
    await sim.waitForStreams("subscribeInvoices", 1);
    expect(await stream.quiet(100)).toBe(true);

    const settleOnly = openStream("GET", "/v1/invoices/subscribe?settle_index=1");
    await sim.waitForStreams("subscribeInvoices", 2);
    const addOnly = openStream("GET", "/v1/invoices/subscribe?add_index=1");
    await sim.waitForStreams("subscribeInvoices", 3);
    const allFromStart = openStream("GET", "/v1/invoices/subscribe?add_index=0&settle_index=0");
    await sim.waitForStreams("subscribeInvoices", 4);
    expect(await settleOnly.quiet(50)).toBe(true); // settle_index 1 is not > 1
    expect(await addOnly.quiet(50)).toBe(true); // add_index 1 is not > 1

    const b = await addInvoice({ value: "5" });
    for (const s of [stream, settleOnly, addOnly, allFromStart]) {
      expect(await s.status()).toBe(200);
      expect(result(await s.next())).toMatchObject({ r_hash: b.r_hash, state: "OPEN" });
    }
    for (const s of [stream, settleOnly, addOnly, allFromStart]) s.abort();
  });
});

describe("CancelInvoice", () => {
  it("cancels open invoices (idempotently) and refuses settled ones like LND", async () => {
    const open = await addInvoice();
    const cancel = await call("POST", "/v2/invoices/cancel", { body: { payment_hash: open.r_hash } });
    expect(cancel.status).toBe(200);
    expect(cancel.json).toEqual({});
    expect((await call("GET", `/v1/invoice/${open.hashHex}`)).json.state).toBe("CANCELED");
    expect((await call("POST", "/v2/invoices/cancel", { body: { payment_hash: open.r_hash } })).json).toEqual({});
    expect(() => sim.settleInvoice(open.hashHex)).toThrow(/canceled/);

    const paid = await addInvoice();
    sim.settleInvoice(paid.hashHex);
    const refused = await call("POST", "/v2/invoices/cancel", { body: { payment_hash: paid.r_hash } });
    expect(refused.status).toBe(500);
    expect(refused.json).toEqual({ code: 2, message: "invoice already settled", details: [] });

    const unknown = await call("POST", "/v2/invoices/cancel", { body: { payment_hash: randomBytes(32).toString("base64") } });
    expect(unknown.json).toEqual({ code: 2, message: "unable to locate invoice", details: [] });
  });

  it("cancels invoices once they expire", async () => {
    const invoice = await addInvoice({ value: "1", expiry: "1" });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await call("GET", `/v1/invoice/${invoice.hashHex}`)).json.state).toBe("CANCELED");
  });
});

describe("SendPaymentV2 and TrackPaymentV2", () => {
  it("streams IN_FLIGHT then SUCCEEDED with the preimage, and ends the stream", async () => {
    sim.setChannelBalance({ local: 100_000, remote: 0 });
    const invoice = foreignInvoice({ amountMsat: 21_000_000n });
    sim.registerPreimage(invoice.preimage);
    const stream = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "10", timeout_seconds: 60 } });
    expect(await stream.status()).toBe(200);
    const first = result(await stream.next());
    expect(first).toMatchObject({ payment_hash: invoice.paymentHash, status: "IN_FLIGHT", value_sat: "21000", value_msat: "21000000", failure_reason: "FAILURE_REASON_NONE", htlcs: [] });
    expect(first.payment_preimage).toBe("0".repeat(64));
    expect(first.creation_time_ns).toMatch(/^\d{19}$/);
    const second = result(await stream.next());
    expect(second.status).toBe("IN_FLIGHT");
    expect((second.htlcs as { status: string }[]).map((h) => h.status)).toEqual(["IN_FLIGHT"]);
    const final = result(await stream.next());
    expect(final).toMatchObject({ status: "SUCCEEDED", payment_preimage: invoice.preimage, fee_sat: "0", fee_msat: "0", payment_request: invoice.paymentRequest, payment_index: "1" });
    expect((final.htlcs as { status: string }[]).map((h) => h.status)).toEqual(["SUCCEEDED"]);
    expect(await stream.closed).toBe("end");
    expect(sim.channelBalance().localMsat).toBe(100_000_000n - 21_000_000n);

    const again = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "10" } });
    expect(await again.status()).toBe(409);
    expect(await again.next()).toEqual({ error: { code: 6, message: "invoice is already paid", details: [] } });
  });

  it("sends only the final update with no_inflight_updates, and pays amountless invoices with amt", async () => {
    const invoice = foreignInvoice();
    const stream = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, amt: "500", fee_limit_sat: "1", no_inflight_updates: true } });
    const only = result(await stream.next());
    expect(only).toMatchObject({ status: "SUCCEEDED", value_msat: "500000" });
    expect(await stream.closed).toBe("end");

    const missing = openStream("POST", "/v2/router/send", { body: { payment_request: foreignInvoice().paymentRequest } });
    expect(await missing.status()).toBe(500);
    expect(await missing.next()).toEqual({ error: { code: 2, message: "amount must be specified when paying a zero amount invoice", details: [] } });
  });

  it("fails with the reason asked for, and a failed payment may be retried", async () => {
    const invoice = foreignInvoice({ amountMsat: 1_000_000n });
    sim.failNextPayment("FAILURE_REASON_NO_ROUTE");
    const stream = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "5", no_inflight_updates: true } });
    expect(result(await stream.next())).toMatchObject({ status: "FAILED", failure_reason: "FAILURE_REASON_NO_ROUTE", fee_msat: "0" });
    expect(await stream.closed).toBe("end");

    sim.failNextPayment("FAILURE_REASON_INCORRECT_PAYMENT_DETAILS");
    const second = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "5", no_inflight_updates: true } });
    const failed = result(await second.next());
    expect(failed).toMatchObject({ status: "FAILED", failure_reason: "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS" });
    expect((failed.htlcs as { failure: { code: string } }[])[0].failure.code).toBe("INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS");

    const retry = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "5", no_inflight_updates: true } });
    expect(result(await retry.next()).status).toBe("SUCCEEDED");

    sim.setChannelBalance({ local: 10 });
    const poor = openStream("POST", "/v2/router/send", { body: { payment_request: foreignInvoice({ amountMsat: 50_000n }).paymentRequest, no_inflight_updates: true } });
    expect(result(await poor.next())).toMatchObject({ status: "FAILED", failure_reason: "FAILURE_REASON_INSUFFICIENT_BALANCE" });
  });

  it("holds payments IN_FLIGHT, refuses paying the same hash meanwhile, and tracks them", async () => {
    sim.holdPayments(true);
    const invoice = foreignInvoice({ amountMsat: 2_000_000n });
    const send = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "10" } });
    expect(result(await send.next()).status).toBe("IN_FLIGHT");
    expect(result(await send.next()).status).toBe("IN_FLIGHT");
    expect(await send.quiet(60)).toBe(true);
    expect(sim.channelBalance().unsettledLocalMsat).toBe(2_000_000n);
    expect((await call("GET", "/v1/balance/channels")).json.unsettled_local_balance).toEqual({ sat: "2000", msat: "2000000" });

    const duplicate = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "10" } });
    expect(await duplicate.status()).toBe(409);
    expect(await duplicate.next()).toEqual({ error: { code: 6, message: "payment is in transition", details: [] } });

    // TrackPaymentV2's payment_hash is a bytes path parameter: base64 (URL-safe in a path).
    const track = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}`);
    expect(result(await track.next())).toMatchObject({ payment_hash: invoice.paymentHash, status: "IN_FLIGHT" });

    sim.succeedPayment(invoice.paymentHash, { feeMsat: 2_500, preimage: invoice.preimage });
    for (const stream of [send, track]) {
      expect(result(await stream.next())).toMatchObject({ status: "SUCCEEDED", fee_msat: "2500", fee_sat: "2", payment_preimage: invoice.preimage });
      expect(await stream.closed).toBe("end");
    }
    expect(sim.channelBalance().unsettledLocalMsat).toBe(0n);

    // Tracking a finished payment: its final state, then the end of the stream.
    const late = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}?no_inflight_updates=true`);
    expect(result(await late.next()).status).toBe("SUCCEEDED");
    expect(await late.closed).toBe("end");

    // A held payment failed by the test.
    const other = foreignInvoice({ amountMsat: 1_000n });
    const second = openStream("POST", "/v2/router/send", { body: { payment_request: other.paymentRequest, no_inflight_updates: true } });
    await sim.waitForStreams("sendPayment", 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sim.getPayment(other.paymentHash)?.status).toBe("IN_FLIGHT");
    sim.failPayment(other.paymentHash, "FAILURE_REASON_TIMEOUT");
    expect(result(await second.next())).toMatchObject({ status: "FAILED", failure_reason: "FAILURE_REASON_TIMEOUT" });

    // Unholding releases what was held.
    const third = foreignInvoice({ amountMsat: 1_000n });
    const thirdStream = openStream("POST", "/v2/router/send", { body: { payment_request: third.paymentRequest, no_inflight_updates: true } });
    await sim.waitForStreams("sendPayment", 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    sim.holdPayments(false);
    expect(result(await thirdStream.next()).status).toBe("SUCCEEDED");
  });

  it("returns LND's errors for unknown payments, hex hashes and invoices of another network", async () => {
    const unknown = openStream("GET", `/v2/router/track/${base64url("cd".repeat(32))}`);
    expect(await unknown.status()).toBe(404);
    expect(await unknown.next()).toEqual({ error: { code: 5, message: "payment isn't initiated", details: [] } });
    expect(await unknown.closed).toBe("end");

    // 64 hex characters are valid base64 too: they decode to 48 bytes.
    const hex = openStream("GET", `/v2/router/track/${"cd".repeat(32)}`);
    expect(await hex.status()).toBe(500);
    expect(await hex.next()).toEqual({ error: { code: 2, message: "invalid hash length of 48, want 32", details: [] } });

    const mainnet = openStream("POST", "/v2/router/send", { body: { payment_request: foreignInvoice({ amountMsat: 1000n, network: "mainnet" }).paymentRequest } });
    expect(await mainnet.status()).toBe(500);
    expect(await mainnet.next()).toEqual({ error: { code: 2, message: "invoice not for current active network 'regtest'", details: [] } });

    const expired = foreignInvoice({ amountMsat: 1000n, timestamp: Math.floor(Date.now() / 1000) - 7200, expirySeconds: 60 });
    const old = openStream("POST", "/v2/router/send", { body: { payment_request: expired.paymentRequest } });
    expect(String(((await old.next()).error as { message: string }).message)).toMatch(/^invoice expired\. Valid until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC$/);

    const own = await addInvoice({ value: "10" });
    const self = openStream("POST", "/v2/router/send", { body: { payment_request: own.payment_request } });
    expect(await self.next()).toEqual({ error: { code: 2, message: "self-payments not allowed", details: [] } });
  });
});

describe("TrackPaymentV2 of a client's payment, with another macaroon", () => {
  it("shows a payment sent with the admin macaroon to a readonly one, live and after the end, with fee and preimage", async () => {
    const node = await startLndSimulator({ paymentDelayMs: 60, routingFeeMsat: 2_500 });
    try {
      const invoice = foreignInvoice({ amountMsat: 30_000n });
      node.registerPreimage(invoice.preimage);
      const send = openStream("POST", "/v2/router/send", { target: node, macaroon: node.macaroons.admin, body: { payment_request: invoice.paymentRequest, fee_limit_sat: "10" } });
      expect(result(await send.next()).status).toBe("IN_FLIGHT");
      const track = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}`, { target: node, macaroon: node.macaroons.readonly });
      expect(await track.status()).toBe(200);
      expect(result(await track.next())).toMatchObject({ payment_hash: invoice.paymentHash, status: "IN_FLIGHT", fee_msat: "0" });
      const final = { status: "SUCCEEDED", fee_msat: "2500", fee_sat: "2", fee: "2", payment_preimage: invoice.preimage, failure_reason: "FAILURE_REASON_NONE", value_msat: "30000" };
      let fromSend: Record<string, unknown>;
      do fromSend = result(await send.next());
      while (fromSend.status === "IN_FLIGHT");
      expect(fromSend).toMatchObject(final);
      let fromTrack: Record<string, unknown>;
      do fromTrack = result(await track.next());
      while (fromTrack.status === "IN_FLIGHT");
      expect(fromTrack).toEqual(fromSend);
      expect(await track.closed).toBe("end");

      // Tracking after the end, with readonly or a macaroon baked with offchain:read only.
      for (const macaroon of [node.macaroons.readonly, node.bakeMacaroon(["offchain:read"])]) {
        const late = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}`, { target: node, macaroon });
        expect(result(await late.next())).toEqual(fromSend);
        expect(await late.closed).toBe("end");
      }
      // The invoice macaroon lacks offchain:read: refused before the payment is looked up.
      const refused = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}`, { target: node, macaroon: node.macaroons.invoice });
      expect(await refused.status()).toBe(500);
      expect(await refused.next()).toEqual({ error: { code: 2, message: "permission denied", details: [] } });
    } finally {
      await node.close();
    }
  });

  it("shows a failed payment as FAILED with its failure_reason, and an unknown hash as NotFound (404)", async () => {
    const invoice = foreignInvoice({ amountMsat: 5_000n });
    sim.failNextPayment("FAILURE_REASON_INCORRECT_PAYMENT_DETAILS");
    const send = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "1", no_inflight_updates: true } });
    const failed = result(await send.next());
    expect(failed).toMatchObject({ status: "FAILED", failure_reason: "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS", fee_msat: "0", payment_preimage: "0".repeat(64) });
    const track = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}`, { macaroon: sim.macaroons.readonly });
    expect(result(await track.next())).toEqual(failed);
    expect(await track.closed).toBe("end");
    const listed = await call("GET", "/v1/payments?include_incomplete=true", { macaroon: sim.macaroons.readonly });
    expect(listed.json.payments).toEqual([failed]);

    // routerrpc subscribePayment: paymentsdb.ErrPaymentNotInitiated as codes.NotFound → HTTP 404.
    const never = openStream("GET", `/v2/router/track/${base64url("ab".repeat(32))}`, { macaroon: sim.macaroons.readonly });
    expect(await never.status()).toBe(404);
    expect(await never.next()).toEqual({ error: { code: 5, message: "payment isn't initiated", details: [] } });
    expect(await never.closed).toBe("end");
  });
});

describe("ListPayments", () => {
  /** Pays (or fails) a foreign invoice and returns its final state. */
  async function pay(options: { fail?: boolean; amountMsat?: bigint } = {}) {
    const invoice = foreignInvoice({ amountMsat: options.amountMsat ?? 1_000n });
    if (options.fail) sim.failNextPayment("FAILURE_REASON_NO_ROUTE");
    const stream = openStream("POST", "/v2/router/send", { body: { payment_request: invoice.paymentRequest, fee_limit_sat: "1", no_inflight_updates: true } });
    return { invoice, payment: result(await stream.next()) };
  }
  const hashes = (reply: Reply) => (reply.json.payments as { payment_hash: string }[]).map((p) => p.payment_hash);

  it("answers LND's shape, succeeded payments only unless include_incomplete, paged by payment_index", async () => {
    const empty = await call("GET", "/v1/payments");
    expect(empty.status).toBe(200);
    expect(empty.json).toEqual({ payments: [], first_index_offset: "0", last_index_offset: "0", total_num_payments: "0" });

    const a = await pay();
    const b = await pay({ fail: true });
    const c = await pay();
    expect([a, b, c].map((x) => x.payment.payment_index)).toEqual(["1", "2", "3"]);

    const all = await call("GET", "/v1/payments");
    expect(Object.keys(all.json)).toEqual(["payments", "first_index_offset", "last_index_offset", "total_num_payments"]);
    expect(hashes(all)).toEqual([a.invoice.paymentHash, c.invoice.paymentHash]);
    expect(all.json).toMatchObject({ first_index_offset: "1", last_index_offset: "3", total_num_payments: "0" });
    // Each payment as TrackPaymentV2 and SendPaymentV2 show it (lnrpc.Payment).
    expect((all.json.payments as unknown[])[0]).toEqual(a.payment);
    expect((all.json.payments as unknown[])[0]).toEqual(sim.getPayment(a.invoice.paymentHash));

    const incomplete = await call("GET", "/v1/payments?include_incomplete=true&count_total_payments=true");
    expect(hashes(incomplete)).toEqual([a, b, c].map((x) => x.invoice.paymentHash));
    expect((incomplete.json.payments as { status: string }[])[1]).toMatchObject({ status: "FAILED", failure_reason: "FAILURE_REASON_NO_ROUTE" });
    expect(incomplete.json.total_num_payments).toBe("3");

    // Boltrail's probe, and forward paging (index_offset exclusive; the failed #2 is skipped).
    const probe = await call("GET", "/v1/payments?max_payments=1");
    expect(hashes(probe)).toEqual([a.invoice.paymentHash]);
    expect(probe.json).toMatchObject({ first_index_offset: "1", last_index_offset: "1" });
    const next = await call("GET", "/v1/payments?index_offset=1&max_payments=1");
    expect(hashes(next)).toEqual([c.invoice.paymentHash]);
    expect(next.json).toMatchObject({ first_index_offset: "3", last_index_offset: "3" });
    expect(hashes(await call("GET", "/v1/payments?index_offset=3"))).toEqual([]);

    // Backwards: from the newest (offset 0) or before an offset, always oldest first.
    expect(hashes(await call("GET", "/v1/payments?reversed=true&max_payments=1"))).toEqual([c.invoice.paymentHash]);
    const back = await call("GET", "/v1/payments?reversed=true&index_offset=3&include_incomplete=1");
    expect(hashes(back)).toEqual([a.invoice.paymentHash, b.invoice.paymentHash]);
    expect(back.json).toMatchObject({ first_index_offset: "1", last_index_offset: "2" });
    expect(hashes(await call("GET", "/v1/payments?reversed=true&index_offset=1"))).toEqual([]);
    // lowerCamelCase (JSON) names are accepted too, as grpc-gateway does; unknown parameters are ignored.
    expect(hashes(await call("GET", "/v1/payments?maxPayments=1&includeIncomplete=true&whatever=1"))).toEqual([a.invoice.paymentHash]);

    // omit_hops leaves each HTLC's route without hops.
    const light = await call("GET", "/v1/payments?omit_hops=true&max_payments=1");
    expect((light.json.payments as { htlcs: { route: { hops: unknown[] } }[] }[])[0].htlcs[0].route.hops).toEqual([]);

    // A retried (failed) payment gets a new index; a refused one uses up an index (bbolt's InitPayment).
    const retry = openStream("POST", "/v2/router/send", { body: { payment_request: b.invoice.paymentRequest, fee_limit_sat: "1", no_inflight_updates: true } });
    expect(result(await retry.next())).toMatchObject({ status: "SUCCEEDED", payment_index: "4" });
    const refused = openStream("POST", "/v2/router/send", { body: { payment_request: a.invoice.paymentRequest, fee_limit_sat: "1" } });
    expect(await refused.status()).toBe(409);
    const d = await pay();
    expect(d.payment.payment_index).toBe("6");
    const after = await call("GET", "/v1/payments?index_offset=1");
    expect(hashes(after)).toEqual([c.invoice.paymentHash, b.invoice.paymentHash, d.invoice.paymentHash]);
  });

  it("needs offchain:read, and answers bad parameters and dates as LND's gateway and rpcserver do", async () => {
    const denied = await call("GET", "/v1/payments?max_payments=1", { macaroon: sim.macaroons.invoice });
    expect(denied.status).toBe(500);
    expect(denied.json).toEqual({ code: 2, message: "permission denied", details: [] });
    for (const macaroon of [sim.macaroons.readonly, sim.macaroons.send, sim.macaroons.admin, sim.bakeMacaroon(["offchain:read"])]) {
      expect((await call("GET", "/v1/payments?max_payments=1", { macaroon })).status).toBe(200);
    }
    expect((await call("GET", "/v1/payments", { macaroon: null })).json).toEqual({ code: 2, message: "expected 1 macaroon, got 0", details: [] });
    expect(sim.counters.ListPayments).toBe(6);

    // Query parameters are parsed by the gateway, before the macaroon check.
    const bad = await call("GET", "/v1/payments?max_payments=abc", { macaroon: sim.macaroons.invoice });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ code: 3, message: 'parsing field "max_payments": strconv.ParseUint: parsing "abc": invalid syntax', details: [] });
    expect((await call("GET", "/v1/payments?index_offset=-1")).json.message).toBe('parsing field "index_offset": strconv.ParseUint: parsing "-1": invalid syntax');
    expect((await call("GET", "/v1/payments?reversed=yes")).json.message).toBe('parsing field "reversed": strconv.ParseBool: parsing "yes": invalid syntax');
    expect((await call("GET", "/v1/payments?max_payments=1&max_payments=2")).json.message).toBe('too many values for field "max_payments": 1, 2');
    const dates = await call("GET", "/v1/payments?creation_date_start=20&creation_date_end=10");
    expect(dates.status).toBe(500);
    expect(dates.json).toEqual({ code: 2, message: "start date(20) must be before end date(10)", details: [] });
    const now = Math.floor(Date.now() / 1000);
    await pay();
    expect((await call("GET", `/v1/payments?creation_date_start=${now + 3600}`)).json.payments).toEqual([]);
    expect((await call("GET", `/v1/payments?creation_date_start=${now - 5}&creation_date_end=${now + 5}`)).json.payments).toHaveLength(1);
  });
});

describe("restcors", () => {
  const SHOP = "https://shop.example:3000";
  const cors = (reply: { headers: Reply["headers"] }) =>
    Object.fromEntries(Object.entries(reply.headers).filter(([name]) => name.startsWith("access-control-") || name === "vary"));
  const LND_STATIC = { "access-control-allow-headers": "Content-Type, Accept, Grpc-Metadata-Macaroon", "access-control-allow-methods": "GET, POST, DELETE" };

  /**
   * A browser's CORS checks (Fetch standard) for a non-simple request: the preflight must answer
   * 2xx, allow the origin, the method and each request header (case-insensitively).
   */
  async function browserPreflight(origin: string, method: string, urlPath: string, requestHeaders: string[]) {
    const reply = await call("OPTIONS", urlPath, {
      macaroon: null,
      headers: { Origin: origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": requestHeaders.join(",") },
    });
    const list = (name: string) => String(reply.headers[name] ?? "").split(",").map((v) => v.trim().toLowerCase()).filter(Boolean);
    const ok =
      reply.status >= 200 && reply.status < 300 &&
      reply.headers["access-control-allow-origin"] === origin &&
      (["GET", "HEAD", "POST"].includes(method) || list("access-control-allow-methods").includes(method.toLowerCase())) &&
      requestHeaders.every((h) => list("access-control-allow-headers").includes(h.toLowerCase()));
    return { ok, reply };
  }

  it("is off by default, as in LND: no CORS headers, and OPTIONS reaches the gateway (501)", async () => {
    const plain = await call("GET", "/v1/getinfo", { headers: { Origin: SHOP } });
    expect(plain.status).toBe(200);
    expect(cors(plain)).toEqual({});
    const options = await call("OPTIONS", "/v1/getinfo", { headers: { Origin: SHOP, "Access-Control-Request-Method": "GET" } });
    expect(options.status).toBe(501);
    expect(options.json).toEqual({ code: 12, message: "Method Not Allowed", details: [] });
    expect(cors(options)).toEqual({});
    expect(sim.restCors).toEqual([]);
  });

  it("echoes an allowed Origin in Access-Control-Allow-Origin and leaves it out for another", async () => {
    sim.setRestCors([SHOP]);
    expect(sim.restCors).toEqual([SHOP]);
    const allowed = await call("GET", "/v1/getinfo", { headers: { Origin: SHOP } });
    expect(allowed.status).toBe(200);
    // Exactly what allowCORS sets: no Vary, no Allow-Credentials, no Max-Age, no Expose-Headers.
    expect(cors(allowed)).toEqual({ ...LND_STATIC, "access-control-allow-origin": SHOP });
    // Errors pass through the same handler, so a page can read them too.
    const denied = await call("GET", "/v1/payments?max_payments=1", { macaroon: sim.macaroons.invoice, headers: { Origin: SHOP } });
    expect(denied.json.message).toBe("permission denied");
    expect(denied.headers["access-control-allow-origin"]).toBe(SHOP);
    expect((await call("GET", "/v1/nope", { headers: { Origin: SHOP } })).headers["access-control-allow-origin"]).toBe(SHOP);

    // Another origin (or the same host on another port/scheme): the static headers, but no
    // Allow-Origin, so a browser refuses to hand the response over.
    for (const origin of ["https://evil.example", "https://shop.example", "http://shop.example:3000"]) {
      const other = await call("GET", "/v1/getinfo", { headers: { Origin: origin } });
      expect(other.status).toBe(200);
      expect(cors(other)).toEqual(LND_STATIC);
    }
    // No Origin (not a cross-origin browser request): nothing.
    expect(cors(await call("GET", "/v1/getinfo"))).toEqual({});

    sim.setRestCors(["*"]);
    expect((await call("GET", "/v1/getinfo", { headers: { Origin: "https://anyone.example" } })).headers["access-control-allow-origin"]).toBe("https://anyone.example");
    sim.setRestCors([]);
    expect(cors(await call("GET", "/v1/getinfo", { headers: { Origin: SHOP } }))).toEqual({});
    expect(() => sim.setRestCors("*" as unknown as string[])).toThrow(/list of origins/);
  });

  it("answers any OPTIONS with an Origin itself (200, empty), before routing and without a macaroon", async () => {
    sim.setRestCors([SHOP, "http://localhost:5173"]);
    sim.resetCounters();
    const preflight = await browserPreflight(SHOP, "POST", "/v2/router/send", ["content-type", "grpc-metadata-macaroon"]);
    expect(preflight.ok).toBe(true);
    expect(preflight.reply.status).toBe(200);
    expect(preflight.reply.text).toBe("");
    expect(preflight.reply.headers["content-type"]).toBeUndefined();
    expect(cors(preflight.reply)).toEqual({ ...LND_STATIC, "access-control-allow-origin": SHOP });
    expect((await browserPreflight("http://localhost:5173", "DELETE", "/v1/invoices", ["Grpc-Metadata-Macaroon", "Accept"])).ok).toBe(true);

    // A disallowed origin's preflight is answered too, without Allow-Origin: the browser stops there.
    const refused = await browserPreflight("https://evil.example", "POST", "/v2/router/send", ["content-type", "grpc-metadata-macaroon"]);
    expect(refused.ok).toBe(false);
    expect(refused.reply.status).toBe(200);
    expect(cors(refused.reply)).toEqual(LND_STATIC);
    // Headers LND does not list fail the browser's check.
    expect((await browserPreflight(SHOP, "GET", "/v1/getinfo", ["authorization"])).ok).toBe(false);
    // Even an unknown path, or PUT, is answered by the CORS handler.
    expect((await call("OPTIONS", "/v1/nope", { macaroon: null, headers: { Origin: SHOP } })).status).toBe(200);
    expect(sim.counters).toEqual({ total: 5, preflight: 5 });
    // Without an Origin, OPTIONS goes on to the gateway.
    expect((await call("OPTIONS", "/v1/getinfo", { macaroon: null })).status).toBe(501);
  });

  it("streaming routes carry it: a page on an allowed origin pays through /v2/router/send and reads the stream", async () => {
    sim.setRestCors([SHOP]);
    const invoice = foreignInvoice({ amountMsat: 7_000n });
    sim.registerPreimage(invoice.preimage);
    // fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "Grpc-Metadata-Macaroon": … }, body })
    expect((await browserPreflight(SHOP, "POST", "/v2/router/send", ["content-type", "grpc-metadata-macaroon"])).ok).toBe(true);
    const send = openStream("POST", "/v2/router/send", {
      headers: { Origin: SHOP, "Content-Type": "application/json" },
      body: { payment_request: invoice.paymentRequest, fee_limit_sat: "1" },
    });
    expect(await send.status()).toBe(200);
    expect(cors({ headers: await send.headers() })).toEqual({ ...LND_STATIC, "access-control-allow-origin": SHOP });
    expect((await send.headers())["content-type"]).toBe("application/json");
    const statuses: string[] = [];
    let update: Record<string, unknown>;
    do {
      update = result(await send.next());
      statuses.push(String(update.status));
    } while (update.status === "IN_FLIGHT");
    expect(statuses).toEqual(["IN_FLIGHT", "IN_FLIGHT", "SUCCEEDED"]);
    expect(update.payment_preimage).toBe(invoice.preimage);
    expect(await send.closed).toBe("end");

    // TrackPaymentV2 (also a stream error before any message) and SubscribeInvoices.
    expect((await browserPreflight(SHOP, "GET", `/v2/router/track/${base64url(invoice.paymentHash)}`, ["grpc-metadata-macaroon"])).ok).toBe(true);
    const track = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}`, { headers: { Origin: SHOP }, macaroon: sim.macaroons.readonly });
    expect((await track.headers())["access-control-allow-origin"]).toBe(SHOP);
    expect(result(await track.next()).status).toBe("SUCCEEDED");
    const unknownHash = openStream("GET", `/v2/router/track/${base64url("ef".repeat(32))}`, { headers: { Origin: SHOP } });
    expect(await unknownHash.status()).toBe(404);
    expect((await unknownHash.headers())["access-control-allow-origin"]).toBe(SHOP);
    const subscribe = openStream("GET", "/v1/invoices/subscribe", { headers: { Origin: SHOP }, macaroon: sim.macaroons.invoice });
    await sim.waitForStreams("subscribeInvoices", 1);
    await addInvoice({ value: "5" });
    expect((await subscribe.headers())["access-control-allow-origin"]).toBe(SHOP);
    expect(result(await subscribe.next()).state).toBe("OPEN");
    subscribe.abort();

    // The same stream for another origin: served (LND does not refuse it), but without Allow-Origin.
    const other = openStream("GET", `/v2/router/track/${base64url(invoice.paymentHash)}`, { headers: { Origin: "https://evil.example" } });
    expect(await other.status()).toBe(200);
    expect(cors({ headers: await other.headers() })).toEqual(LND_STATIC);
  });
});

describe("macaroons", () => {
  it("refuses requests whose macaroon lacks the permission, or is unknown or missing, as LND does", async () => {
    const denied = { code: 2, message: "permission denied", details: [] };
    const readonlyAdd = await call("POST", "/v1/invoices", { body: { value: "1" }, macaroon: sim.macaroons.readonly });
    expect(readonlyAdd.status).toBe(500);
    expect(readonlyAdd.json).toEqual(denied);
    expect((await call("GET", "/v1/balance/channels", { macaroon: sim.macaroons.invoice })).json).toEqual(denied);
    expect((await call("GET", "/v1/invoices", { macaroon: sim.macaroons.send })).json).toEqual(denied);

    const invoiceSend = openStream("POST", "/v2/router/send", { body: { payment_request: foreignInvoice({ amountMsat: 1000n }).paymentRequest }, macaroon: sim.macaroons.invoice });
    expect(await invoiceSend.status()).toBe(500);
    expect(await invoiceSend.next()).toEqual({ error: denied });
    const sendSubscribe = openStream("GET", "/v1/invoices/subscribe", { macaroon: sim.macaroons.send });
    expect(await sendSubscribe.next()).toEqual({ error: denied });

    // Allowed combinations.
    expect((await call("POST", "/v1/invoices", { body: { value: "1" }, macaroon: sim.macaroons.invoice })).status).toBe(200);
    expect((await call("GET", "/v1/getinfo", { macaroon: sim.macaroons.readonly })).status).toBe(200);
    expect((await call("GET", "/v1/balance/channels", { macaroon: sim.macaroons.send })).status).toBe(200);
    const baked = sim.bakeMacaroon(["info:read"]);
    expect((await call("GET", "/v1/getinfo", { macaroon: baked })).status).toBe(200);
    expect((await call("GET", "/v1/invoices", { macaroon: baked })).json).toEqual(denied);

    const stranger = await call("GET", "/v1/getinfo", { macaroon: randomBytes(40).toString("hex") });
    expect(stranger.status).toBe(500);
    expect(stranger.json).toEqual({ code: 2, message: "verification failed: signature mismatch after caveat verification", details: [] });
    expect((await call("GET", "/v1/getinfo", { macaroon: null })).json).toEqual({ code: 2, message: "expected 1 macaroon, got 0", details: [] });
    expect((await call("GET", "/v1/getinfo", { macaroon: "zz" })).json).toEqual({ code: 2, message: "encoding/hex: invalid byte: U+007A 'z'", details: [] });
  });
});

describe("dropStreams and restart", () => {
  it("dropStreams destroys open stream connections; a new subscription works", async () => {
    const first = openStream("GET", "/v1/invoices/subscribe");
    await sim.waitForStreams("subscribeInvoices", 1);
    sim.holdPayments(true);
    const send = openStream("POST", "/v2/router/send", { body: { payment_request: foreignInvoice({ amountMsat: 1000n }).paymentRequest } });
    await send.next();
    expect(sim.openStreams()).toMatchObject({ subscribeInvoices: 1, sendPayment: 1, total: 2 });

    sim.dropStreams();
    expect(await first.closed).toBe("error");
    expect(await send.closed).toBe("error");
    expect(sim.openStreams().total).toBe(0);

    const second = openStream("GET", "/v1/invoices/subscribe");
    await sim.waitForStreams("subscribeInvoices", 1);
    const invoice = await addInvoice();
    expect(result(await second.next()).r_hash).toBe(invoice.r_hash);
    second.abort();
  });

  it("restart listens again on the same port with state, certificate and macaroons kept", async () => {
    const before = await addInvoice({ value: "77" });
    sim.settleInvoice(before.hashHex);
    const stream = openStream("GET", "/v1/invoices/subscribe");
    await sim.waitForStreams("subscribeInvoices", 1);
    const { port, certPem } = sim;

    await sim.restart({ downtimeMs: 50 });
    expect(await stream.closed).toBe("error");
    expect(sim.port).toBe(port);
    expect(sim.certPem).toBe(certPem);

    const looked = await call("GET", `/v1/invoice/${before.hashHex}`);
    expect(looked.json).toMatchObject({ state: "SETTLED", settle_index: "1", value: "77" });
    const after = await addInvoice({ value: "1" });
    expect(after.add_index).toBe("2");
    // Catching up after the restart with the last indexes seen.
    const resumed = openStream("GET", "/v1/invoices/subscribe?add_index=1&settle_index=1");
    expect(result(await resumed.next())).toMatchObject({ add_index: "2", state: "OPEN" });
    resumed.abort();
  });
});

describe("separate process", () => {
  it("the control API drives a simulator", async () => {
    const control = await startControlServer(sim);
    try {
      const invoice = await addInvoice({ value: "9" });
      const post = (p: string, body: unknown) => fetch(`${control.url}${p}`, { method: "POST", body: JSON.stringify(body) });
      const settled = await post("/control/settle", { payment_hash: invoice.hashHex });
      expect(settled.status).toBe(200);
      expect(((await settled.json()) as { state: string }).state).toBe("SETTLED");
      const again = await post("/control/settle", { payment_hash: invoice.hashHex });
      expect(again.status).toBe(400);
      expect(((await post("/control/synced", { synced: false })).status)).toBe(200);
      expect((await call("GET", "/v1/getinfo")).json.synced_to_chain).toBe(false);
      const state = (await (await fetch(`${control.url}/control/state`)).json()) as { counters: Record<string, number>; rest_cors: string[] };
      expect(state.counters.GetInfo).toBe(1);
      expect(state.rest_cors).toEqual([]);
      const restcors = await post("/control/restcors", { origins: ["https://shop.example"] });
      expect(await restcors.json()).toEqual({ origins: ["https://shop.example"] });
      expect((await call("GET", "/v1/getinfo", { headers: { Origin: "https://shop.example" } })).headers["access-control-allow-origin"]).toBe("https://shop.example");
      expect((await post("/control/restcors", { origins: "*" })).status).toBe(400);
    } finally {
      await control.close();
    }
  });

  it("cli.ts prints {url, certPem, macaroons} and serves until killed", async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/lnd-sim/cli.ts", "--network", "signet", "--restcors", "https://a.example", "--restcors", "http://localhost:5173"],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString();
          if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
        });
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.on("exit", (code) => reject(new Error(`cli exited ${code}: ${err}`)));
      });
      const info = JSON.parse(line) as { url: string; controlUrl: string; certPem: string; macaroons: Target["macaroons"]; identityPubkey: string };
      const target: Target = { url: info.url, certPem: info.certPem, macaroons: info.macaroons };
      const getinfo = await call("GET", "/v1/getinfo", { target });
      expect(getinfo.json).toMatchObject({ identity_pubkey: info.identityPubkey, chains: [{ chain: "bitcoin", network: "signet" }] });
      for (const origin of ["https://a.example", "http://localhost:5173"]) {
        const preflight = await call("OPTIONS", "/v1/getinfo", { target, macaroon: null, headers: { Origin: origin, "Access-Control-Request-Method": "GET" } });
        expect(preflight.status).toBe(200);
        expect(preflight.headers["access-control-allow-origin"]).toBe(origin);
      }
      const invoice = await addInvoice({ value: "3" }, target);
      expect(invoice.payment_request.startsWith("lntbs30n1")).toBe(true);
      const settled = await fetch(`${info.controlUrl}/control/settle`, { method: "POST", body: JSON.stringify({ payment_hash: invoice.hashHex }) });
      expect(((await settled.json()) as { state: string }).state).toBe("SETTLED");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
