// The node page's two services (DESIGN.md §6): "Test connection" re-checks the attached node with
// its stored credentials; detaching is master-only and refused while a live transaction is pending.
process.env.NODE_URL_ALLOWLIST = "127.0.0.1";
process.env.LIVE_NETWORK = "regtest";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { detachNode } from "@/lib/nodes/detach-node";
import { findNode } from "@/lib/nodes/query-nodes";
import { testNodeConnection } from "@/lib/nodes/test-connection";
import { gql, masterSession, memberSession, ok, type Session } from "../graphql/helpers";
import { ASSET, mintKey, newWallet } from "../receive/helpers";
import { startLndSimulator, type LndSimulator } from "../lnd-sim/simulator";
import { attach, CONNECT, liveTeam, lndInput, type LiveTeam } from "./helpers";

const RECEIVE = /* GraphQL */ `mutation ($input: CreateReceiveTransactionInput!) {
  payment { transaction { create_receive(input: $input) { id status } } }
}`;

let sim: LndSimulator;
let team: LiveTeam;
let member: Session;
let nodeId: string;

const refusal = async (promise: Promise<unknown>) => {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
};

beforeAll(async () => {
  sim = await startLndSimulator({ network: "regtest", port: 0, alias: "carol" });
  team = await liveTeam("Detach team");
  member = await memberSession(team.master);
  nodeId = await attach(team, sim);
});
afterAll(async () => {
  await sim?.close();
});

describe("testNodeConnection", () => {
  it("answers ok with the node's info, for the master and for members", async () => {
    const result = await testNodeConnection(team.master.actor, nodeId);
    expect(result).toMatchObject({ ok: true, alias: "carol", pubkey: sim.identityPubkey, network: "regtest", synced: true });
    // invoice.macaroon may not read channel balances: said, not failed.
    if (result.ok) expect(result.liquidity).toEqual({ unavailable: expect.stringMatching(/offchain:read/) });
    expect((await testNodeConnection(member.actor, nodeId)).ok).toBe(true);
  });

  it("says what is wrong when the node is not synced, or unreachable", async () => {
    sim.setSynced(false);
    try {
      const result = await testNodeConnection(team.master.actor, nodeId);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/not synced/);
    } finally {
      sim.setSynced(true);
    }
    const original = await db.lightningNode.findUniqueOrThrow({ where: { id: nodeId }, select: { restUrl: true } });
    await db.lightningNode.update({ where: { id: nodeId }, data: { restUrl: "https://127.0.0.1:1" } });
    try {
      const result = await testNodeConnection(team.master.actor, nodeId);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(/unreachable/);
    } finally {
      await db.lightningNode.update({ where: { id: nodeId }, data: { restUrl: original.restUrl } });
    }
  });

  it("another team's node is NOT_FOUND", async () => {
    const other = await masterSession("Other team");
    expect((await refusal(testNodeConnection(other.actor, nodeId))).code).toBe("NOT_FOUND");
  });
});

describe("detachNode", () => {
  it("is master-only, and NOT_FOUND for another team", async () => {
    expect((await refusal(detachNode(member.actor, nodeId))).code).toBe("FORBIDDEN");
    const other = await masterSession("Other team");
    expect((await refusal(detachNode(other.actor, nodeId))).code).toBe("NOT_FOUND");
  });

  it("is refused while a live transaction is pending, then deletes the node with an audit record", async () => {
    const key = await mintKey(team.master, team.environmentId);
    const walletId = (await newWallet(team.master, team.environmentId, ASSET.BTC, "Live BTC")).id;
    const res = await gql<{ payment: { transaction: { create_receive: { id: string; status: string } } } }>(
      RECEIVE,
      { input: { wallet_id: walletId, amount: "1000", expires_in_seconds: 600 } },
      { "x-api-key": key },
    );
    const tx = ok(res).payment.transaction.create_receive;
    expect(tx.status).toBe("PENDING");

    const err = await refusal(detachNode(team.master.actor, nodeId));
    expect(err.code).toBe("CONFLICT");
    expect(err.message).toMatch(/1 live transaction is still pending/);
    expect(await db.lightningNode.count({ where: { id: nodeId } })).toBe(1);

    // Once it ended (here: marked failed directly), the node can go.
    await db.transaction.update({ where: { id: tx.id }, data: { status: "FAILED" } });
    await expect(detachNode(team.master.actor, nodeId)).resolves.toEqual({ id: nodeId });
    expect(await db.lightningNode.count({ where: { id: nodeId } })).toBe(0);
    expect((await refusal(findNode(team.master.actor, nodeId))).code).toBe("NOT_FOUND");
    const audit = await db.auditLog.findFirst({ where: { teamId: team.master.teamId, action: "node.detach", targetId: nodeId } });
    expect(audit).toMatchObject({ actorUserId: team.master.userId, targetType: "node" });

    // Attaching again works afresh; with a macaroon that may read channel balances, the test shows the liquidity.
    const res2 = await gql<{ node: { connect: { node_id: string } } }>(CONNECT, { input: lndInput(sim, { management_macaroon: sim.macaroons.admin }) }, team.master.headers);
    const again = ok(res2).node.connect.node_id;
    sim.setChannelBalance({ local: "250000", remote: "750000" });
    const result = await testNodeConnection(team.master.actor, again);
    expect(result).toMatchObject({ ok: true, liquidity: { outboundSat: "250000", inboundSat: "750000" } });
  });
});
