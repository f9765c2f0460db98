// The search's statement is served by indexes on a busy environment (20 000 transactions): the
// SQL listTransactions sends is captured and EXPLAINed as PostgreSQL would run it, and each kind of
// search reaches its index (trigram GIN indexes for text, the primary key for an id, the payment
// hash index, (environment, amount) for an amount) instead of reading the environment's rows.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "600000";

import type pg from "pg";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sql } from "@/lib/db";
import { createReceive } from "@/lib/transactions/create-receive";
import { listTransactions } from "@/lib/transactions/query-transactions";
import { ASSET, newSandbox, newTeam, newWallet, type Team } from "../receive/helpers";

const FILLER = 20_000;
let team: Team;
let env: string;
let needle: { id: string; paymentHash: string };

beforeAll(async () => {
  team = await newTeam("Plans");
  env = (await newSandbox(team)).id;
  const wallet = (await newWallet(team, env, ASSET.BTC)).id;
  const tx = await createReceive(team.actor, { wallet_id: wallet, amount: "50000", description: "Needle in the haystack", metadata: '{"order_id":"needle-1"}', idempotency_key: "needle-key" });
  needle = { id: tx.id, paymentHash: tx.paymentHash! };
  await sql(
    `INSERT INTO transactions (id, "walletId", "environmentId", "assetId", direction, status, amount, description, metadata, "idempotencyKey", "paymentHash", "createdAt", "updatedAt")
     SELECT 'tx_F' || lpad(g::text, 25, '0'), $1, $2, $3, 'RECEIVE', 'EXPIRED', 1000 + g % 997, 'Filler order ' || g, '{"n":' || g || '}', 'fill-' || g,
            md5(g::text) || md5(g::text || 'x'), now() - g * interval '1 minute', now()
     FROM generate_series(1, $4::int) AS g`,
    [wallet, env, ASSET.BTC, FILLER],
  );
  // As autovacuum would: moves the GIN indexes' pending entries into the index proper, and gathers statistics.
  await sql(`VACUUM ANALYZE transactions`, []);
});

afterEach(() => vi.restoreAllMocks());

type PlanNode = { "Node Type": string; "Index Name"?: string; Plans?: PlanNode[] };
const indexesOf = (node: PlanNode): string[] => [...(node["Index Name"] ? [node["Index Name"]] : []), ...(node.Plans ?? []).flatMap(indexesOf)];

/** The indexes PostgreSQL uses for the list statement of this search (and whether it still finds the needle). */
async function plan(search: string): Promise<{ indexes: string[]; found: string[] }> {
  const pool = (globalThis as { __boltrailPool?: pg.Pool }).__boltrailPool!;
  const spy = vi.spyOn(pool, "query");
  const page = await listTransactions(team.actor, { environment_id: env, filter: { search } });
  const call = spy.mock.calls.map((c) => c[0] as unknown).find((q): q is pg.QueryConfig => typeof q === "object" && q !== null && "text" in q && (q as pg.QueryConfig).text.startsWith("SELECT t.id"));
  spy.mockRestore();
  expect(call, "the list statement").toBeDefined();
  const [row] = await sql<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${call!.text}`, call!.values ?? []);
  return { indexes: indexesOf(row["QUERY PLAN"][0].Plan), found: page.list.map((x) => x.id) };
}

describe("search statement plans at 20 000 transactions", () => {
  it("text: the three trigram indexes", async () => {
    const { indexes, found } = await plan("haystack");
    expect(found).toEqual([needle.id]);
    expect(indexes).toEqual(expect.arrayContaining(["transactions_description_trgm_idx", "transactions_metadata_trgm_idx", "transactions_idempotencyKey_trgm_idx"]));
  });

  it("an id: the primary key, besides the text indexes", async () => {
    const { indexes, found } = await plan(needle.id);
    expect(found).toEqual([needle.id]);
    expect(indexes).toEqual(expect.arrayContaining(["transactions_pkey", "transactions_description_trgm_idx"]));
  });

  it("a payment hash: its index (and no text search)", async () => {
    const { indexes, found } = await plan(needle.paymentHash);
    expect(found).toEqual([needle.id]);
    expect(indexes).toContain("transactions_paymentHash_idx");
    expect(indexes).not.toContain("transactions_description_trgm_idx");
  });

  it("an amount: (environment, amount)", async () => {
    const { indexes, found } = await plan("0.0005");
    expect(found).toEqual([needle.id]);
    expect(indexes).toContain("transactions_environmentId_amount_idx");
  });
});
