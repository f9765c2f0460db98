// Attaching a team's own LND (DESIGN.md §6, live environments) against the LND REST simulator:
// one refusal per problem, each naming the field to fix; then success and Query.node.
process.env.NODE_URL_ALLOWLIST = "127.0.0.1";
process.env.LIVE_NETWORK = "regtest";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { codes, fails, gql, masterSession, ok } from "../graphql/helpers";
import { generateSelfSignedCert, startLndSimulator, type LndSimulator } from "../lnd-sim/simulator";
import { attach, CONNECT, liveTeam, lndInput, NODE_FIELDS, type LiveTeam } from "./helpers";

let sim: LndSimulator;
let team: LiveTeam;

beforeAll(async () => {
  sim = await startLndSimulator({ network: "regtest", port: 0, alias: "alice" });
  team = await liveTeam();
});
afterAll(async () => {
  await sim.close();
});

const connect = (input: unknown, headers = team.master.headers) => gql(CONNECT, { input }, headers);

describe("node.connect refuses, saying what to fix", () => {
  it("an unreachable REST URL → input.lnd.rest", async () => {
    const err = fails(await connect(lndInput(sim, { rest: "https://127.0.0.1:1" })), "BAD_USER_INPUT", "input.lnd.rest");
    expect(err.message).toMatch(/cannot reach the node/);
  });

  it("a private address not in NODE_URL_ALLOWLIST → input.lnd.rest", async () => {
    const err = fails(await connect(lndInput(sim, { rest: sim.url.replace("127.0.0.1", "10.0.0.7") })), "BAD_USER_INPUT", "input.lnd.rest");
    expect(err.message).toMatch(/NODE_URL_ALLOWLIST/);
  });

  it("another TLS certificate → input.lnd.tls_cert", async () => {
    const other = generateSelfSignedCert("other").certPem;
    const err = fails(await connect(lndInput(sim, { tls_cert: other })), "BAD_USER_INPUT", "input.lnd.tls_cert");
    expect(err.message).toMatch(/tls\.cert/);
  });

  it("no certificate for a self-signed node → input.lnd.tls_cert", async () => {
    fails(await connect(lndInput(sim, { tls_cert: null })), "BAD_USER_INPUT", "input.lnd.tls_cert");
  });

  it("a macaroon the node did not bake → input.lnd.management_macaroon", async () => {
    const err = fails(await connect(lndInput(sim, { management_macaroon: "0201036c6e64" + "ab".repeat(60) })), "BAD_USER_INPUT", "input.lnd.management_macaroon");
    expect(err.message).toMatch(/refused/);
  });

  it("a macaroon that is neither hex nor base64 → input.lnd.management_macaroon", async () => {
    fails(await connect(lndInput(sim, { management_macaroon: "not a macaroon!" })), "BAD_USER_INPUT", "input.lnd.management_macaroon");
  });

  it("a macaroon that cannot read invoices → input.lnd.management_macaroon", async () => {
    const mac = sim.bakeMacaroon(["info:read", "invoices:write"]);
    const err = fails(await connect(lndInput(sim, { management_macaroon: mac })), "BAD_USER_INPUT", "input.lnd.management_macaroon");
    expect(err.message).toMatch(/read invoices/);
  });

  it("a macaroon that cannot create invoices → input.lnd.management_macaroon (and nothing is created on the node)", async () => {
    const before = sim.listInvoices().length;
    const err = fails(await connect(lndInput(sim, { management_macaroon: sim.macaroons.readonly })), "BAD_USER_INPUT", "input.lnd.management_macaroon");
    expect(err.message).toMatch(/create invoices/);
    expect(sim.listInvoices().length).toBe(before);
  });

  it("a node not synced to the chain → input.lnd", async () => {
    sim.setSynced(false);
    try {
      const err = fails(await connect(lndInput(sim)), "BAD_USER_INPUT", "input.lnd");
      expect(err.message).toMatch(/not synced/);
    } finally {
      sim.setSynced(true);
    }
  });

  it("a node on another network than LIVE_NETWORK → input.lnd", async () => {
    sim.setNetwork("testnet");
    try {
      const err = fails(await connect(lndInput(sim)), "BAD_USER_INPUT", "input.lnd");
      expect(err.message).toMatch(/on testnet.*regtest.*LIVE_NETWORK/);
    } finally {
      sim.setNetwork("regtest");
    }
  });

  it("anyone but the master session", async () => {
    const res = await gql(CONNECT, { input: lndInput(sim) }, {});
    expect(codes(res)).toEqual(["UNAUTHENTICATED"]);
  });

  it("a team without a LIVE environment", async () => {
    const other = await masterSession("No live");
    fails(await connect(lndInput(sim), other.headers), "CONFLICT");
  });

  it("stores nothing after a refusal", async () => {
    expect(await db.lightningNode.count({ where: { teamId: team.master.teamId } })).toBe(0);
  });
});

describe("node.connect succeeds", () => {
  let nodeId: string;
  beforeAll(async () => {
    nodeId = await attach(team, sim);
  });

  it("stores the node encrypted, serving the team's LIVE environment", async () => {
    expect(nodeId).toMatch(/^node_/);
    const row = await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId } });
    expect(row).toMatchObject({ teamId: team.master.teamId, environmentId: team.environmentId, pubkey: sim.identityPubkey, alias: "alice", network: "regtest", state: "CONNECTED" });
    expect(row.macaroonEncrypted).not.toContain(sim.macaroons.invoice);
    expect(row.tlsCertEncrypted).not.toContain("BEGIN CERTIFICATE");
  });

  it("Query.node lists it, never with credentials", async () => {
    const res = await gql<{ node: { deployed_nodes: Record<string, unknown>[]; deployed_node: Record<string, unknown> } }>(
      `query ($id: String!) { node { deployed_nodes { ${NODE_FIELDS} } deployed_node(node_id: $id) { ${NODE_FIELDS} } } }`,
      { id: nodeId },
      team.master.headers,
    );
    const data = ok(res);
    expect(data.node.deployed_nodes).toHaveLength(1);
    expect(data.node.deployed_node).toEqual(data.node.deployed_nodes[0]);
    expect(data.node.deployed_node).toMatchObject({
      id: nodeId,
      alias: "alice",
      pubkey: sim.identityPubkey,
      network: "TESTNET",
      state: "ACTIVE",
      type: "PAYMENTS",
      node_type: "THIRD_PARTY",
      sockets: { lnd: { rest: sim.url, grpc: "127.0.0.1:10009" } },
      credentials: { list: [] },
    });
    expect(res.text).not.toContain(sim.macaroons.invoice);
    expect(res.text).not.toContain("BEGIN CERTIFICATE");
  });

  it("another team does not see it", async () => {
    const other = await masterSession("Other");
    const res = await gql<{ node: { deployed_nodes: unknown[] } }>(`{ node { deployed_nodes { id } } }`, null, other.headers);
    expect(ok(res).node.deployed_nodes).toEqual([]);
    fails(await gql(`query ($id: String!) { node { deployed_node(node_id: $id) { id } } }`, { id: nodeId }, other.headers), "NOT_FOUND");
  });

  it("connecting again replaces the credentials of the same node", async () => {
    const res = await gql<{ node: { connect: { node_id: string } } }>(CONNECT, { input: lndInput(sim, { management_macaroon: sim.macaroons.admin }) }, team.master.headers);
    expect(ok(res).node.connect.node_id).toBe(nodeId);
    expect(await db.lightningNode.count({ where: { teamId: team.master.teamId } })).toBe(1);
  });

  it("unimplemented node operations say so", async () => {
    const res = await gql(`mutation { node { deploy { success } } }`, null, team.master.headers);
    expect(codes(res)).toEqual(["NOT_IMPLEMENTED"]);
  });
});
