import type { Json } from "../json";
// Seed 000 (the Rails integration guide) is normative: its GraphQL documents, sent exactly as
// printed, must work against Boltrail and answer in the documented shapes (DESIGN.md, top).
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { BTC_ASSET_ID, FIND_MANY_ENVIRONMENTS, ISO, UUID, apiKey, fails, gql, masterSession, memberSession, ok, type Session } from "./helpers";

// Copied character for character from reference/seeds/000_*.txt.
const CREATE_ENVIRONMENT = `mutation CreateEnvironment { payment { environment { create(input: { name: "Sandbox - dev" type: SANDBOX }) { id name type created_at } } } }`;
const CREATE_API_KEY = `mutation CreateApiKey { service_api_key { create(input: { name: "backend-prod" environment_id: "81b73615-ddf3-46e3-943a-467c3e442e04" permissions: [ { resource: WALLETS, level: WRITE } { resource: PAYMENTS, level: WRITE } { resource: WEBHOOKS, level: WRITE } ] }) { plaintext_key key { id name key_prefix key_suffix permissions { resource level } } } } }`;
const AVAILABLE_ASSETS = `query AvailableAssets { taproot_assets { list { id symbol precision } } }`;
const SUPPORTED_ASSETS = `query SupportedAssets { taproot_assets { list { id symbol precision } } }`;
/** The environment id printed in the seed; replaced by a real one, and nothing else changed. */
const SEED_ENVIRONMENT_ID = "81b73615-ddf3-46e3-943a-467c3e442e04";

const SEEDS_DIR = path.resolve(import.meta.dirname, "../../../shared/reference/seeds");
const seed000 = fs.existsSync(SEEDS_DIR) ? fs.readdirSync(SEEDS_DIR).find((f) => f.startsWith("000_")) : undefined;

type Any = Json;

let master: Session;

beforeAll(async () => {
  master = await masterSession("Seed team");
});

it.skipIf(!seed000)("the documents above are the seed's, verbatim", () => {
  const text = fs.readFileSync(path.join(SEEDS_DIR, seed000!), "utf8");
  for (const document of [CREATE_ENVIRONMENT, CREATE_API_KEY, AVAILABLE_ASSETS, SUPPORTED_ASSETS]) expect(text).toContain(document);
});

describe("Quickstart: CreateEnvironment then CreateApiKey, with the master session as Bearer", () => {
  it("answers both in the documented shapes, and the key authenticates x-api-key requests", async () => {
    const startedAt = Date.now();
    const envRes = await gql<Any>(CREATE_ENVIRONMENT, null, master.headers);
    expect(envRes.status).toBe(200);
    const env = ok(envRes).payment.environment.create;
    // Exactly the documented fields, nothing more.
    expect(envRes.body).toEqual({ data: { payment: { environment: { create: { id: env.id, name: "Sandbox - dev", type: "SANDBOX", created_at: env.created_at } } } } });
    expect(env.id).toMatch(UUID);
    expect(env.created_at).toMatch(ISO);
    expect(Date.parse(env.created_at)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(env.created_at)).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await db.environment.findUniqueOrThrow({ where: { id: env.id } })).teamId).toBe(master.teamId);

    const document = CREATE_API_KEY.replace(SEED_ENVIRONMENT_ID, env.id);
    expect(document.length).toBe(CREATE_API_KEY.length);
    const keyRes = await gql<Any>(document, null, master.headers);
    expect(keyRes.status).toBe(200);
    const { plaintext_key, key } = ok(keyRes).service_api_key.create;
    expect(keyRes.body).toEqual({
      data: {
        service_api_key: {
          create: {
            plaintext_key,
            key: {
              id: key.id,
              name: "backend-prod",
              key_prefix: plaintext_key.slice(0, 13),
              key_suffix: plaintext_key.slice(-4),
              permissions: [
                { resource: "WALLETS", level: "WRITE" },
                { resource: "PAYMENTS", level: "WRITE" },
                { resource: "WEBHOOKS", level: "WRITE" },
              ],
            },
          },
        },
      },
    });
    expect(plaintext_key).toMatch(/^amb_test_[A-Za-z0-9_-]{43}$/);
    expect(key.id).toMatch(UUID);
    expect(key.key_prefix).toHaveLength(13);
    expect(key.key_suffix).toHaveLength(4);
    // Only a hash is stored.
    const row = await db.serviceApiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(JSON.stringify(row)).not.toContain(plaintext_key);
    expect(row.environmentId).toBe(env.id);

    // "From here on, every API call uses the key via the x-api-key header."
    const headers = { "x-api-key": plaintext_key };
    const assets = ok(await gql<Any>(AVAILABLE_ASSETS, null, headers));
    expect(assets.taproot_assets.list.map((a: { symbol: string }) => a.symbol)).toContain("BTC");
    // The seed's key has no ENVIRONMENTS permission: authenticated, but FORBIDDEN there (not UNAUTHENTICATED).
    fails(await gql(FIND_MANY_ENVIRONMENTS, null, headers), "FORBIDDEN");

    // The same document granting ENVIRONMENTS READ lists exactly that environment.
    const readDocument = document.replace("{ resource: WALLETS, level: WRITE }", "{ resource: ENVIRONMENTS, level: READ }");
    const reader = ok(await gql<Any>(readDocument, null, master.headers)).service_api_key.create.plaintext_key;
    const listed = ok(await gql<Any>(FIND_MANY_ENVIRONMENTS, null, { "x-api-key": reader }));
    expect(listed).toEqual({ payment: { environment: { find_many: { list: [{ id: env.id, name: "Sandbox - dev", type: "SANDBOX", created_at: env.created_at, wallet_count: 0 }] } } } });
  });

  it("also answers the reference shape of create: { checkout_url environment { … } }", async () => {
    const res = await gql<Any>(
      `mutation { payment { environment { create(input: { name: "Reference shape" type: SANDBOX }) { checkout_url environment { id name type created_at updated_at wallet_count } } } } }`,
      null,
      master.headers,
    );
    const created = ok(res).payment.environment.create;
    expect(created).toEqual({
      checkout_url: null,
      environment: { id: expect.stringMatching(UUID), name: "Reference shape", type: "SANDBOX", created_at: expect.stringMatching(ISO), updated_at: expect.stringMatching(ISO), wallet_count: 0 },
    });
    // Both shapes in one selection agree.
    const both = ok(
      await gql<Any>(`mutation { payment { environment { create(input: { name: "Both" type: SANDBOX }) { id name type created_at environment { id name type created_at } } } } }`, null, master.headers),
    ).payment.environment.create;
    const { environment, ...own } = both;
    expect(environment).toEqual(own);
  });
});

describe("AvailableAssets / SupportedAssets", () => {
  const expectedAssets = [
    { id: BTC_ASSET_ID, symbol: "BTC", precision: 8 },
    { id: expect.stringMatching(UUID), symbol: "USDC", precision: 6 },
    { id: expect.stringMatching(UUID), symbol: "USDT", precision: 6 },
  ];

  it.each([
    ["AvailableAssets", AVAILABLE_ASSETS],
    ["SupportedAssets", SUPPORTED_ASSETS],
  ])("%s lists BTC (precision 8, first), USDT and USDC (precision 6), with or without credentials", async (_, document) => {
    const key = await apiKey(master, (await db.environment.findFirstOrThrow({ where: { teamId: master.teamId } })).id);
    for (const headers of [{}, master.headers, key.headers]) {
      const res = await gql<Any>(document, null, headers);
      expect(res.status).toBe(200);
      expect(ok(res).taproot_assets.list).toEqual(expectedAssets);
    }
  });

  it("`type` is selectable: BTC is the BASE_ASSET, the stablecoins TAPROOT_ASSETs with their group key and universe", async () => {
    const list = ok(await gql<Any>(`{ taproot_assets { list { id symbol precision type group_key universe } } }`)).taproot_assets.list;
    const bySymbol = Object.fromEntries(list.map((a: { symbol: string }) => [a.symbol, a]));
    expect(bySymbol.BTC).toMatchObject({ id: BTC_ASSET_ID, type: "BASE_ASSET", precision: 8, group_key: null });
    for (const symbol of ["USDT", "USDC"]) {
      expect(bySymbol[symbol]).toMatchObject({ type: "TAPROOT_ASSET", precision: 6, group_key: expect.stringMatching(/^0[23][0-9a-f]{64}$/) });
      expect(bySymbol[symbol].universe).toBeTruthy();
    }
    expect(list).toHaveLength(3);
  });
});

describe("Query.user", () => {
  it("with the master session as Bearer: the user, their team and its members", async () => {
    const member = await memberSession(master);
    const document = `{ user { id email is_master team { id members { id email is_master } month_to_date_payment_volume_sats } } }`;
    const data = ok(await gql<Any>(document, null, master.headers));
    expect(data).toEqual({
      user: {
        id: master.userId,
        email: master.email,
        is_master: true,
        team: {
          id: master.teamId,
          members: [
            { id: master.userId, email: master.email, is_master: true },
            { id: member.userId, email: member.email, is_master: false },
          ],
          month_to_date_payment_volume_sats: "0",
        },
      },
    });
    // The member sees the same team, as a member.
    const seenByMember = ok(await gql<Any>(document, null, member.headers));
    expect(seenByMember.user).toMatchObject({ id: member.userId, is_master: false, team: { id: master.teamId, members: data.user.team.members } });
  });
});
