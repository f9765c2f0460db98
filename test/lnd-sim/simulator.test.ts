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

function call(method: string, urlPath: string, options: { body?: unknown; macaroon?: string | null; target?: Target } = {}): Promise<Reply> {
  const target = options.target ?? sim;
  const macaroon = options.macaroon === undefined ? target.macaroons.admin : options.macaroon;
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${target.url}${urlPath}`,
      { method, ca: target.certPem, headers: macaroon === null ? {} : { "Grpc-Metadata-macaroon": macaroon } },
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
  /** Resolves with "end" (server ended the response) or "error" (connection destroyed). */
  closed: Promise<"end" | "error">;
  rawChunks: string[];
  abort(): void;
};

function openStream(method: string, urlPath: string, options: { body?: unknown; macaroon?: string; target?: Target } = {}): StreamClient {
  const target = options.target ?? sim;
  const queue: Record<string, unknown>[] = [];
  const waiters: ((message: Record<string, unknown>) => void)[] = [];
  const rawChunks: string[] = [];
  let buffer = "";
  let resolveStatus!: (status: number) => void;
  const statusPromise = new Promise<number>((resolve) => (resolveStatus = resolve));
  let resolveClosed!: (how: "end" | "error") => void;
  const closed = new Promise<"end" | "error">((resolve) => (resolveClosed = resolve));
  const push = (message: Record<string, unknown>) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  };
  const req = https.request(
    `${target.url}${urlPath}`,
    { method, ca: target.certPem, headers: { "Grpc-Metadata-macaroon": options.macaroon ?? target.macaroons.admin } },
    (res) => {
      resolveStatus(res.statusCode ?? 0);
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
      const state = (await (await fetch(`${control.url}/control/state`)).json()) as { counters: Record<string, number> };
      expect(state.counters.GetInfo).toBe(1);
    } finally {
      await control.close();
    }
  });

  it("cli.ts prints {url, certPem, macaroons} and serves until killed", async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const child = spawn(process.execPath, ["--import", "tsx", "test/lnd-sim/cli.ts", "--network", "signet"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
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
      const invoice = await addInvoice({ value: "3" }, target);
      expect(invoice.payment_request.startsWith("lntbs30n1")).toBe(true);
      const settled = await fetch(`${info.controlUrl}/control/settle`, { method: "POST", body: JSON.stringify({ payment_hash: invoice.hashHex }) });
      expect(((await settled.json()) as { state: string }).state).toBe("SETTLED");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
