import "server-only";
import { db } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { env } from "../env";
import { AppError, notFound } from "../errors";
import { lndCall, LndError } from "../lightning/lnd-rest";
import { checkId } from "../validation";
import { callOptions, connectionOf, type LndInfo } from "./node-connection";

/** Channel liquidity in sats (local = outbound, remote = inbound), or why it could not be read. */
export type NodeLiquidity = { outboundSat: string; inboundSat: string } | { unavailable: string };

export type NodeConnectionTest =
  | { ok: true; alias: string | null; pubkey: string; network: string; blockHeight: number; synced: boolean; liquidity: NodeLiquidity; checkedAt: Date }
  | { ok: false; message: string; checkedAt: Date };

/**
 * "Test connection" on the node page: calls the attached node's `GET /v1/getinfo` with its stored
 * (sealed) credentials, as the worker does, and says whether it answers as the node attached. A
 * failure is a result, not an error: the message says what to fix. Any team member may test; the
 * credentials never leave the server.
 */
export async function testNodeConnection(actor: Actor, nodeId: string): Promise<NodeConnectionTest> {
  if (actor.kind !== "user") throw new AppError("FORBIDDEN", "Testing a node's connection is a dashboard action");
  const node = await db.lightningNode.findFirst({
    where: { teamId: actor.teamId, id: checkId(nodeId, "Node") },
    select: { id: true, pubkey: true, network: true, restUrl: true, tlsCertEncrypted: true, macaroonEncrypted: true },
  });
  if (!node) throw notFound("Node");
  const checkedAt = new Date();
  const conn = connectionOf(node);
  let info: LndInfo;
  try {
    info = await lndCall<LndInfo>(conn, "GET", "/v1/getinfo", undefined, callOptions({ timeoutMs: 10_000 }));
  } catch (err) {
    if (!(err instanceof LndError)) throw err;
    return { ok: false, message: failureMessage(err), checkedAt };
  }
  if (!info || typeof info.identity_pubkey !== "string") {
    return { ok: false, message: "The URL answered, but not as LND's REST API does (no identity_pubkey in /v1/getinfo): replace the credentials with LND's REST listener", checkedAt };
  }
  if (info.identity_pubkey !== node.pubkey) {
    return { ok: false, message: `Another node answers at ${node.restUrl} (public key ${info.identity_pubkey.slice(0, 16)}…, attached ${node.pubkey.slice(0, 16)}…): replace the credentials to attach it`, checkedAt };
  }
  const network = info.chains?.[0]?.network ?? "unknown";
  const wanted = env().LIVE_NETWORK;
  if (network !== wanted) {
    return { ok: false, message: `The node is on ${network}, but this Boltrail takes ${wanted} nodes (LIVE_NETWORK)`, checkedAt };
  }
  if (!info.synced_to_chain) {
    return { ok: false, message: "The node answers but is not synced to the chain (synced_to_chain is false): wait until `lncli getinfo` shows it synced", checkedAt };
  }
  const liquidity = await readLiquidity(conn);
  return { ok: true, alias: info.alias || null, pubkey: info.identity_pubkey, network, blockHeight: Number(info.block_height ?? 0), synced: true, liquidity, checkedAt };
}

type LndAmount = { sat?: string; msat?: string };
type LndChannelBalance = { local_balance?: LndAmount; remote_balance?: LndAmount };

/** GET /v1/balance/channels needs offchain:read, which invoice.macaroon does not grant: then it says so. */
async function readLiquidity(conn: ReturnType<typeof connectionOf>): Promise<NodeLiquidity> {
  try {
    const balance = await lndCall<LndChannelBalance>(conn, "GET", "/v1/balance/channels", undefined, callOptions({ timeoutMs: 10_000 }));
    return { outboundSat: balance.local_balance?.sat ?? "0", inboundSat: balance.remote_balance?.sat ?? "0" };
  } catch (err) {
    if (!(err instanceof LndError)) throw err;
    if (err.kind === "permission") return { unavailable: "the stored macaroon may not read channel balances (offchain:read)" };
    return { unavailable: `the node did not answer the channel balance (${err.message})` };
  }
}

function failureMessage(err: LndError): string {
  switch (err.kind) {
    case "blocked":
      return `${err.message}: use the node's public https address, or list a node on your private network in NODE_URL_ALLOWLIST`;
    case "unreachable":
    case "timeout":
      return `The node is unreachable (${err.message}): check that it runs and that Boltrail can reach its REST listener`;
    case "tls":
      return "The node presented another TLS certificate than the one stored: replace the credentials with its current tls.cert";
    case "macaroon":
      return `The node refused the stored macaroon (${err.message}): replace the credentials with a macaroon baked by this node`;
    case "permission":
      return `The stored macaroon may not read the node's info (${err.message}): replace it with invoice.macaroon or one with info:read invoices:read invoices:write`;
    case "protocol":
    case "node":
      return `The node answered with an error (${err.message})`;
  }
}
