// The BOLT11 invoice of create_receive, as an independent payer sees it: decoded with
// light-bolt11-decoder (not `bolt11`, which encoded it), its signature checked by OpenSSL and the
// payee key recovered with plain curve arithmetic, against environments.nodePubkey in the database.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { createReceive } from "@/lib/transactions/create-receive";
import { ASSET, HEX64, newSandbox, newTeam, newWallet, type Team } from "./helpers";
import { CURVE_N, decodeIndependently, recoverPubkey, sha256Hex, verifyWithOpenSsl } from "./bolt11-independent";

let team: Team;
let environmentId: string;
let nodePubkey: string;
let btcWallet: string;
let usdtWallet: string;

beforeAll(async () => {
  team = await newTeam("Invoices");
  environmentId = (await newSandbox(team)).id;
  const env = await db.environment.findUniqueOrThrow({ where: { id: environmentId }, select: { nodePubkey: true } });
  nodePubkey = env.nodePubkey!;
  btcWallet = (await newWallet(team, environmentId, ASSET.BTC)).id;
  usdtWallet = (await newWallet(team, environmentId, ASSET.USDT)).id;
});

async function receive(walletId: string, input: Record<string, unknown> = {}) {
  const tx = await createReceive(team.actor, { wallet_id: walletId, amount: "100000", description: "Order #42", expires_in_seconds: 3600, ...input });
  const row = await db.transaction.findUniqueOrThrow({ where: { id: tx.id } });
  return { tx, row, inv: decodeIndependently(tx.paymentRequest!) };
}

describe("the independent verifier itself", () => {
  it("recovers the payee of BOLT11's own first example and verifies it with OpenSSL", () => {
    const example =
      "lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq8rkx3yf5tcsyz3d73gafnh3cax9rn449d9p5uxz9ezhhypd0elx87sjle52x86fux2ypatgddc6k63n7erqz25le42c4u4ecky03ylcqca784w";
    const inv = decodeIndependently(example);
    expect(inv.signedHash.toString("hex")).toBe("c3d4e83f646fa79a393d75277b1d858db1d1f7ab7137dcb7835db2ecd518e1c9");
    expect(inv.recoveryId).toBe(0);
    const payee = "03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad";
    expect(recoverPubkey(inv)).toBe(payee);
    expect(verifyWithOpenSsl(inv, payee)).toBe(true);
    expect(verifyWithOpenSsl(inv, nodePubkey)).toBe(false);
  });
});

describe("create_receive's BOLT11 invoice", () => {
  it("is signed by the environment's node key: the signature recovers environments.nodePubkey", async () => {
    expect(nodePubkey).toMatch(/^0[23][0-9a-f]{64}$/);
    const { inv } = await receive(btcWallet);
    expect(recoverPubkey(inv)).toBe(nodePubkey);
    expect(verifyWithOpenSsl(inv, nodePubkey)).toBe(true);
    // Canonical (low-S) signature, as libsecp256k1-based readers require.
    expect(BigInt(`0x${inv.signature.slice(64)}`) <= CURVE_N / 2n).toBe(true);
  });

  it("is signed by a different key in another environment", async () => {
    const other = await newSandbox(team, "Another sandbox");
    const otherKey = (await db.environment.findUniqueOrThrow({ where: { id: other.id } })).nodePubkey!;
    expect(otherKey).not.toBe(nodePubkey);
    const wallet = await newWallet(team, other.id);
    const { inv } = await receive(wallet.id);
    expect(recoverPubkey(inv)).toBe(otherKey);
    expect(verifyWithOpenSsl(inv, nodePubkey)).toBe(false);
  });

  it("carries the payment hash, amount, expiry, description and min_final_cltv_expiry of the transaction (BTC)", async () => {
    const { tx, row, inv } = await receive(btcWallet);
    expect(inv.prefix).toBe("lnbcrt1m");
    expect(inv.network).toBe("bcrt");
    expect(inv.millisatoshis).toBe("100000000"); // 100000 sats × 1000
    expect(inv.paymentHash).toBe(tx.paymentHash);
    expect(inv.paymentHash).toMatch(HEX64);
    // The stored preimage is the payment hash's preimage.
    expect(row.paymentPreimage).toMatch(HEX64);
    expect(sha256Hex(Buffer.from(row.paymentPreimage!, "hex"))).toBe(row.paymentHash);
    expect(inv.paymentSecret).toMatch(HEX64);
    expect(inv.paymentSecret).not.toBe(inv.paymentHash);
    expect(inv.paymentSecret).not.toBe(row.paymentPreimage);
    expect(inv.description).toBe("Order #42");
    expect(inv.descriptionHash).toBeUndefined();
    expect(inv.expiry).toBe(3600);
    expect(inv.timestamp).toBe(Math.floor(row.createdAt.getTime() / 1000));
    expect((inv.timestamp + inv.expiry!) * 1000).toBe(row.expiresAt!.getTime());
    expect(inv.minFinalCltvExpiry).toBeGreaterThanOrEqual(18);
    // BOLT11 writer rules: exactly one p, one s, one of d / h, one c.
    const count = (name: string) => inv.tags.filter((t) => t === name).length;
    expect(count("payment_hash")).toBe(1);
    expect(count("payment_secret")).toBe(1);
    expect(count("description") + count("description_hash")).toBe(1);
    expect(count("min_final_cltv_expiry")).toBe(1);
    expect(count("expiry")).toBe(1);
  });

  it("prices a stablecoin invoice in sats: msat = amount_sats × 1000", async () => {
    const { tx, inv } = await receive(usdtWallet, { amount: "12500000" }); // 12.5 USDT
    expect(tx.amountSats).toBe(12500n);
    expect(inv.millisatoshis).toBe("12500000");
    expect(inv.prefix).toBe("lnbcrt125u");
    expect(recoverPubkey(inv)).toBe(nodePubkey);
    // One minor unit (0.000001 USDT = 0.001 sat) rounds up to one whole sat.
    const tiny = await receive(usdtWallet, { amount: "1" });
    expect(tiny.tx.amountSats).toBe(1n);
    expect(tiny.inv.millisatoshis).toBe("1000");
  });

  it.each([
    ["1", "1000"],
    ["21", "21000"],
    ["1234567", "1234567000"],
    ["2100000000000000", "2100000000000000000"], // the maximum: 21 million BTC
  ])("encodes %s sats as %s msat", async (sats, msat) => {
    const { inv } = await receive(btcWallet, { amount: sats });
    expect(inv.millisatoshis).toBe(msat);
    expect(recoverPubkey(inv)).toBe(nodePubkey);
  });

  it("defaults to a 600 s expiry and still carries a (empty) description when none is given", async () => {
    const tx = await createReceive(team.actor, { wallet_id: btcWallet, amount: "5000" });
    const inv = decodeIndependently(tx.paymentRequest!);
    expect(inv.expiry).toBe(600);
    expect(tx.expiresAt!.getTime()).toBe((inv.timestamp + 600) * 1000);
    // BOLT11: MUST include either exactly one `d` or exactly one `h` (LND refuses invoices with neither).
    expect(inv.tags.filter((t) => t === "description" || t === "description_hash")).toHaveLength(1);
    expect(inv.description ?? "").toBe("");
    expect(recoverPubkey(inv)).toBe(nodePubkey);
  });

  it("commits to a 700-byte description with the `h` tag = sha256(description), keeping the full text", async () => {
    const description = "é".repeat(350); // 350 characters, 700 UTF-8 bytes
    expect(Buffer.byteLength(description)).toBe(700);
    const { tx, inv } = await receive(btcWallet, { description });
    expect(inv.description).toBeUndefined();
    expect(inv.descriptionHash).toBe(sha256Hex(Buffer.from(description, "utf8")));
    expect(tx.description).toBe(description);
    expect(recoverPubkey(inv)).toBe(nodePubkey);
  });

  it("keeps `d` up to 639 bytes and switches to `h` from 640", async () => {
    const short = await receive(btcWallet, { description: "a".repeat(639) });
    expect(short.inv.description).toBe("a".repeat(639));
    expect(short.inv.descriptionHash).toBeUndefined();
    const long = await receive(btcWallet, { description: "a".repeat(640) });
    expect(long.inv.description).toBeUndefined();
    expect(long.inv.descriptionHash).toBe(sha256Hex("a".repeat(640)));
  });

  it("keeps a multi-byte description intact in `d`", async () => {
    const description = "Bestellung #42 — Kaffee ☕ ナンセンス 1杯";
    const { inv } = await receive(btcWallet, { description });
    expect(inv.description).toBe(description);
  });

  it("announces the payment_secret feature in `9`, as BOLT11 requires of an invoice with an `s` field", async () => {
    // BOLT11 §Feature Bits: a writer "MUST set an `s` field if and only if the `payment_secret`
    // feature is set"; BOLT9 makes payment_secret depend on var_onion_optin.
    const { inv } = await receive(btcWallet);
    expect(inv.paymentSecret).toMatch(HEX64);
    expect(inv.featureBits).toBeDefined();
    expect(["required", "supported"]).toContain(inv.featureBits!.payment_secret);
    expect(["required", "supported"]).toContain(inv.featureBits!.var_onion_optin);
  });

  it("gives every invoice a fresh payment hash, preimage and secret", async () => {
    const a = await receive(btcWallet);
    const b = await receive(btcWallet);
    expect(a.inv.paymentHash).not.toBe(b.inv.paymentHash);
    expect(a.inv.paymentSecret).not.toBe(b.inv.paymentSecret);
    expect(a.row.paymentPreimage).not.toBe(b.row.paymentPreimage);
  });
});
