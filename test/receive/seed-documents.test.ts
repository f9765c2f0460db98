// Seed 000's AvailableAssets, CreateWallet and CreateReceive documents, sent verbatim through the
// GraphQL endpoint with an x-api-key (only the id literals substituted): exact response shapes.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000"; // nothing settles during these tests

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { ASSET, HEX64, ISO, TX_ID, gql, mintKey, newSandbox, newTeam, ok, rowCounts, SEED_AVAILABLE_ASSETS, seedCreateReceive, seedCreateWallet } from "./helpers";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let key: string;
let environmentId: string;

beforeAll(async () => {
  const team = await newTeam("Seed 000");
  environmentId = (await newSandbox(team)).id;
  key = await mintKey(team, environmentId);
});

type WalletCreate = { payment: { wallet: { create: { id: string; name: string; asset: { symbol: string; precision: number }; balance: Record<string, string> } } } };
type ReceiveCreate = {
  payment: { transaction: { create_receive: { id: string; status: string; payment_request: string; payment_hash: string; expires_at: string; amount: { display_amount: string; full_amount: string } } } };
};

describe("seed 000 documents, verbatim", () => {
  it("AvailableAssets lists BTC (precision 8, first) and the USDT / USDC stablecoins (precision 6)", async () => {
    const data = ok(await gql<{ taproot_assets: { list: { id: string; symbol: string; precision: number }[] } }>(SEED_AVAILABLE_ASSETS, null, key));
    const list = data.taproot_assets.list;
    expect(list).toHaveLength(3);
    expect(list[0]).toEqual({ id: ASSET.BTC, symbol: "BTC", precision: 8 });
    expect(list).toEqual(
      expect.arrayContaining([
        { id: ASSET.USDT, symbol: "USDT", precision: 6 },
        { id: ASSET.USDC, symbol: "USDC", precision: 6 },
      ]),
    );
    // Exactly the selected fields, nothing more.
    for (const item of list) expect(Object.keys(item).sort()).toEqual(["id", "precision", "symbol"]);
  });

  it("CreateWallet returns the exact seed shape, with a zero balance as strings", async () => {
    const before = await db.wallet.count();
    const data = ok(await gql<WalletCreate>(seedCreateWallet(environmentId, ASSET.USDT), null, key));
    expect(data).toEqual({
      payment: {
        wallet: {
          create: {
            id: expect.stringMatching(UUID),
            name: "Main USDT wallet",
            asset: { symbol: "USDT", precision: 6 },
            balance: { balance: "0", received: "0", sent: "0" },
          },
        },
      },
    });
    const row = await db.wallet.findUniqueOrThrow({ where: { id: data.payment.wallet.create.id } });
    expect(row).toMatchObject({ environmentId, assetId: ASSET.USDT, name: "Main USDT wallet", received: 0n, sent: 0n });
    expect(await db.wallet.count()).toBe(before + 1);

    const btc = ok(await gql<WalletCreate>(seedCreateWallet(environmentId, ASSET.BTC), null, key));
    expect(btc.payment.wallet.create.asset).toEqual({ symbol: "BTC", precision: 8 });
    expect(btc.payment.wallet.create.balance).toEqual({ balance: "0", received: "0", sent: "0" });
  });

  it("CreateReceive on a BTC wallet: PENDING, a lnbcrt invoice, expiry in one hour, 0.001 BTC", async () => {
    const wallet = ok(await gql<WalletCreate>(seedCreateWallet(environmentId, ASSET.BTC), null, key)).payment.wallet.create;
    const before = Date.now();
    const res = await gql<ReceiveCreate>(seedCreateReceive(wallet.id), null, key);
    const after = Date.now();
    const data = ok(res);
    expect(data).toEqual({
      payment: {
        transaction: {
          create_receive: {
            id: expect.stringMatching(TX_ID),
            status: "PENDING",
            payment_request: expect.stringMatching(/^lnbcrt1m1[02-9ac-hj-np-z]+$/),
            payment_hash: expect.stringMatching(HEX64),
            expires_at: expect.stringMatching(ISO),
            amount: { display_amount: "0.001", full_amount: "100000" },
          },
        },
      },
    });
    const receive = data.payment.transaction.create_receive;
    const expiresAt = Date.parse(receive.expires_at);
    // The invoice timestamp is whole seconds, so expires_at may be up to 1 s before now + 3600 s.
    expect(expiresAt).toBeGreaterThanOrEqual(before - 1000 + 3600_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 3600_000);

    const row = await db.transaction.findUniqueOrThrow({ where: { id: receive.id } });
    expect(row).toMatchObject({
      walletId: wallet.id,
      environmentId,
      assetId: ASSET.BTC,
      direction: "RECEIVE",
      status: "PENDING",
      amount: 100000n,
      amountSats: null,
      description: "Order #42",
      metadata: '{"order_id":"42"}',
      idempotencyKey: "order-42-attempt-1",
      paymentRequest: receive.payment_request,
      paymentHash: receive.payment_hash,
    });
    expect(row.expiresAt?.toISOString()).toBe(receive.expires_at);
  });

  it("CreateReceive replayed with the same idempotency key returns the original invoice and writes nothing", async () => {
    const wallet = ok(await gql<WalletCreate>(seedCreateWallet(environmentId, ASSET.BTC), null, key)).payment.wallet.create;
    const first = ok(await gql<ReceiveCreate>(seedCreateReceive(wallet.id), null, key)).payment.transaction.create_receive;
    const counts = await rowCounts();
    const again = ok(await gql<ReceiveCreate>(seedCreateReceive(wallet.id), null, key)).payment.transaction.create_receive;
    expect(again).toEqual(first);
    expect(await rowCounts()).toEqual(counts);
  });

  it("CreateReceive on a USDT wallet: 100000 minor units = 0.1 USDT, priced in sats at the sandbox rate", async () => {
    const wallet = ok(await gql<WalletCreate>(seedCreateWallet(environmentId, ASSET.USDT), null, key)).payment.wallet.create;
    const data = ok(await gql<ReceiveCreate>(seedCreateReceive(wallet.id), null, key));
    const receive = data.payment.transaction.create_receive;
    expect(receive).toEqual({
      id: expect.stringMatching(TX_ID),
      status: "PENDING",
      // 0.1 USDT at USD 100 000 per BTC = 100 sats = 1 µBTC.
      payment_request: expect.stringMatching(/^lnbcrt1u1/),
      payment_hash: expect.stringMatching(HEX64),
      expires_at: expect.stringMatching(ISO),
      amount: { display_amount: "0.1", full_amount: "100000" },
    });

    const full = ok(
      await gql<{ payment: { transaction: { find_one: Record<string, unknown> } } }>(
        `query($id: String!) { payment { transaction { find_one(id: $id) {
          id status exchange_rate amount_sats settle_amount_sats fee
          amount { display_amount full_amount value { usd_value } }
          asset { id symbol precision type }
        } } } }`,
        { id: receive.id },
        key,
      ),
    ).payment.transaction.find_one;
    expect(full).toEqual({
      id: receive.id,
      status: "PENDING",
      exchange_rate: "1000", // sats per whole USDT
      amount_sats: "100",
      settle_amount_sats: null,
      fee: "0",
      amount: { display_amount: "0.1", full_amount: "100000", value: { usd_value: "0.1" } },
      asset: { id: ASSET.USDT, symbol: "USDT", precision: 6, type: "TAPROOT_ASSET" },
    });
    const row = await db.transaction.findUniqueOrThrow({ where: { id: receive.id } });
    expect(row.amount).toBe(100000n);
    expect(row.amountSats).toBe(100n);
    expect(row.exchangeRate).toBe("1000");
  });
});
