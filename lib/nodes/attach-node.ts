import "server-only";
import { z } from "zod";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { requireMaster, type Actor } from "../auth/actor";
import { encryptSecret } from "../crypto";
import { env } from "../env";
import { AppError, badInput } from "../errors";
import { certificateFingerprint, lndCall, LndError, lndStream, normalizeMacaroon, type LndConnection } from "../lightning/lnd-rest";
import { parseInput } from "../validation";
import { callOptions, type LndInfo } from "./node-connection";
import { NODE_VIEW_SELECT, type NodeView } from "./node-view";
import { kickNodeSubscriptions } from "./subscriptions-signal";
import { hashPath, isNotInitiated } from "./send-payment";
import { ConnectLndInput } from "./schemas";


export const NodeConnectInput = z.object({
  lnd: ConnectLndInput.nullish(),
  litd: z.unknown().optional(),
  node_type: z.string().optional(),
});

/** The input fields a probe's refusal names. */
export type ProbeFields = { rest: string; tls: string; macaroon: string; lnd: string };
const FIELD: ProbeFields = {
  rest: "input.lnd.rest",
  tls: "input.lnd.tls_cert",
  macaroon: "input.lnd.management_macaroon",
  lnd: "input.lnd",
};

/**
 * Mutation.node.connect (DESIGN.md §6): the master attaches the team's own LND node, which then
 * serves the team's LIVE environment (a team has at most one LIVE environment, and one node:
 * connecting again replaces the credentials of the node attached). Before anything is stored,
 * Boltrail checks the node as it will use it — getinfo, listing invoices, and creating one — and
 * refuses with a message naming the field to fix. The credentials are stored encrypted.
 */
export async function connectNode(actor: Actor, raw: unknown): Promise<NodeView> {
  requireMaster(actor, "attach a Lightning node");
  const input = parseInput(NodeConnectInput, raw, "input");
  if (input.litd) throw new AppError("NOT_IMPLEMENTED", "Lightning Terminal (litd) nodes are not available in Boltrail yet: attach LND with input.lnd");
  if (!input.lnd) throw badInput(FIELD.lnd, "is required: the REST URL, macaroon and TLS certificate of your LND node");
  const lnd = input.lnd;
  const macaroonHex = normalizeMacaroon(lnd.management_macaroon);
  if (!macaroonHex) throw badInput(FIELD.macaroon, "is neither hex nor base64: paste the macaroon file's contents as hex (xxd -p -c 100000 invoice.macaroon) or base64");
  const tlsCertPem = lnd.tls_cert ? lnd.tls_cert : null;
  if (tlsCertPem && !certificateFingerprint(tlsCertPem)) throw badInput(FIELD.tls, "is not a PEM certificate: paste the node's tls.cert, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----");

  const environment = await db.environment.findFirst({ where: { teamId: actor.teamId, type: "LIVE" }, select: { id: true } });
  if (!environment) throw new AppError("CONFLICT", "Your team has no LIVE environment yet: create it first, then attach its node");

  const conn: LndConnection = { restUrl: lnd.rest, tlsCertPem, macaroonHex };
  const info = await probeNode(conn);
  const network = info.chains?.[0]?.network ?? "";
  const managementCanTrack = await probeCanTrack(conn);

  const sealed = {
    restUrl: lnd.rest,
    grpc: lnd.grpc,
    tlsCertEncrypted: tlsCertPem ? encryptSecret(tlsCertPem) : null,
    macaroonEncrypted: encryptSecret(macaroonHex),
    pubkey: info.identity_pubkey,
    alias: info.alias || null,
    network,
    state: "CONNECTED" as const,
    lastError: null,
    managementCanTrack,
  };
  const node = await db.$transaction(async (tx) => {
    const existing = await tx.lightningNode.findUnique({ where: { teamId: actor.teamId }, select: { id: true, pubkey: true } });
    const row = existing
      ? await tx.lightningNode.update({
          where: { id: existing.id },
          // Another node: its settle index is another sequence.
          // (and a send or admin macaroon of the old node would not open the new one).
          data: {
            ...sealed,
            environmentId: environment.id,
            ...(existing.pubkey === info.identity_pubkey ? {} : { settleIndex: BigInt(0), addIndex: BigInt(0), sendMacaroonEncrypted: null, adminCredentials: { deleteMany: {} } }),
          },
          select: NODE_VIEW_SELECT,
        })
      : await tx.lightningNode.create({ data: { id: `node_${randomUUID()}`, teamId: actor.teamId, environmentId: environment.id, ...sealed }, select: NODE_VIEW_SELECT });
    await tx.auditLog.create({
      data: { teamId: actor.teamId, actorUserId: actor.userId, action: existing ? "node.reconnect" : "node.connect", targetType: "node", targetId: row.id, details: { pubkey: row.pubkey, network } },
    });
    return row;
  });
  kickNodeSubscriptions();
  return node;
}

/** What attaching checks (and storing a new management macaroon); each refusal names the field to fix and says how. */
export async function probeNode(conn: LndConnection, fields: ProbeFields = FIELD): Promise<LndInfo> {
  const options = callOptions({ timeoutMs: 10_000 });
  let info: LndInfo;
  try {
    info = await lndCall<LndInfo>(conn, "GET", "/v1/getinfo", undefined, options);
  } catch (err) {
    throw refusal(err, "read the node's info (info:read)", fields);
  }
  if (!info || typeof info.identity_pubkey !== "string" || !/^0[23][0-9a-f]{64}$/.test(info.identity_pubkey)) {
    throw badInput(fields.rest, "answered, but not as LND's REST API does (no identity_pubkey in /v1/getinfo): give the URL of LND's REST listener");
  }
  if (!info.synced_to_chain) {
    throw badInput(fields.lnd, "the node is not synced to the chain yet (synced_to_chain is false): wait until `lncli getinfo` shows it synced, then attach it again");
  }
  const network = info.chains?.[0]?.network ?? "unknown";
  const wanted = env().LIVE_NETWORK;
  if (network !== wanted) {
    throw badInput(fields.lnd, `the node is on ${network}, but this Boltrail takes ${wanted} nodes (LIVE_NETWORK): attach a ${wanted} node, or set LIVE_NETWORK=${network} to test with your own node`);
  }
  try {
    await lndCall(conn, "GET", "/v1/invoices?num_max_invoices=1", undefined, options);
  } catch (err) {
    throw refusal(err, "read invoices (invoices:read), which settlement needs", fields);
  }
  // Whether the macaroon may create invoices, without creating one: LND checks the macaroon
  // before the handler, and the handler refuses an amount given both in sat and msat.
  try {
    await lndCall(conn, "POST", "/v1/invoices", { value: "1", value_msat: "1000", memo: "boltrail permission check" }, options);
  } catch (err) {
    if (!(err instanceof LndError) || err.kind !== "node") throw refusal(err, "create invoices (invoices:write)", fields);
  }
  return info;
}

function refusal(err: unknown, needed: string, fields: ProbeFields = FIELD): AppError {
  if (!(err instanceof LndError)) throw err;
  switch (err.kind) {
    case "blocked":
      return badInput(fields.rest, `${err.message}: use the node's public https address, or list a node on your private network in NODE_URL_ALLOWLIST`);
    case "unreachable":
      return badInput(fields.rest, `${err.message}: check the REST URL (LND's restlisten, port 8080 by default) and that Boltrail can reach it`);
    case "timeout":
      return badInput(fields.rest, `${err.message}: check the REST URL and that Boltrail can reach it`);
    case "tls":
      return badInput(fields.tls, "does not match the certificate the node presented: paste the node's current tls.cert (PEM); after LND regenerates it, paste the new one");
    case "macaroon":
      return badInput(fields.macaroon, `was refused by the node (${err.message}): paste a macaroon baked by this node, e.g. invoice.macaroon`);
    case "permission":
      return badInput(fields.macaroon, `cannot ${needed}: use invoice.macaroon, or bake one with \`lncli bakemacaroon info:read invoices:read invoices:write\``);
    case "protocol":
    case "node":
      return badInput(fields.rest, `the node answered with an error (${err.message}): check that the URL is LND's REST listener`);
  }
}

/** A payment hash no node has paid (32 zero bytes), to probe the router without paying anything. */
const PROBE_HASH = hashPath("00".repeat(32));

/**
 * Whether a send macaroon can pay and follow payments on this node, without paying anything
 * (issue 13 §3): LND checks the macaroon before the handler, so a payment request that is not an
 * invoice fails in the handler — with anything but "permission denied" — exactly when the macaroon
 * may send (offchain:write); tracking a hash the node never paid answers "payment isn't initiated"
 * when it may follow payments (offchain:read). Each refusal names what to fix, on `field`.
 */
export async function probeSendMacaroon(conn: LndConnection, field: string): Promise<void> {
  const options = { ...callOptions({ timeoutMs: 10_000 }), connectTimeoutMs: 10_000 };
  const bake = "bake one with `lncli bakemacaroon offchain:read offchain:write` (or use admin.macaroon)";
  const attempt = async (path: string, method: "GET" | "POST", body: unknown, needed: string, expected: (err: LndError) => boolean) => {
    try {
      const handle = await lndStream(conn, method, path, body, () => {}, options);
      handle.close();
    } catch (err) {
      if (!(err instanceof LndError)) throw err;
      if (err.kind === "node" && expected(err)) return;
      if (err.kind === "permission") throw badInput(field, `cannot ${needed}: ${bake}`);
      if (err.kind === "macaroon") throw badInput(field, `was refused by the node (${err.message}): paste a macaroon baked by this node; ${bake}`);
      if (err.kind === "node") throw badInput(field, `could not be checked: the node answered "${err.message}" when asked whether it can ${needed}`);
      throw refusal(err, needed);
    }
  };
  await attempt("/v2/router/send", "POST", { payment_request: "boltrail-permission-check", timeout_seconds: 1, no_inflight_updates: true }, "send payments (offchain:write)", () => true);
  await attempt(`/v2/router/track/${PROBE_HASH}?no_inflight_updates=true`, "GET", undefined, "follow payments (offchain:read)", isNotInitiated);
}

/**
 * Whether a management macaroon may follow payments (offchain:read), which live sends paid by the
 * client need (issue 14): tracking a hash the node never paid answers "payment isn't initiated"
 * exactly when it may. False on "permission denied"; other failures were already refused by probeNode.
 */
export async function probeCanTrack(conn: LndConnection): Promise<boolean> {
  try {
    const handle = await lndStream(conn, "GET", `/v2/router/track/${PROBE_HASH}?no_inflight_updates=true`, undefined, () => {}, { ...callOptions({ timeoutMs: 10_000 }), connectTimeoutMs: 10_000 });
    handle.close();
    return true;
  } catch (err) {
    if (err instanceof LndError && err.kind === "permission") return false;
    if (isNotInitiated(err)) return true;
    return false;
  }
}
