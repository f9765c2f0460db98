// A client of Rails' custody model written only from the reference schema
// (lib/graphql/reference/rails.graphql) and issue 14 §1: it derives the team keys itself
// (@noble/hashes' Argon2id and nostr-tools' NIP-44 v2, not Boltrail's lib/custody/envelope.ts),
// sets the team password, stores a node's admin macaroon encrypted, and pays from a live wallet
// the way Rails' SDK does: read node_permissions with the password hash, decrypt the macaroon
// locally, create the send, pay its payment_request on the node's REST endpoint (POST
// /v2/router/send, newline-delimited JSON), pinned to the node's TLS certificate.
import https from "node:https";
import { argon2id } from "@noble/hashes/argon2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { nip44 } from "nostr-tools";
import { gql, ok, type Headers } from "../graphql/helpers";

const ARGON2 = { t: 3, m: 64_000, p: 4, dkLen: 32 } as const;
const utf8 = (s: string) => new TextEncoder().encode(s);

export type TeamKeys = { masterKey: string; masterPasswordHash: string };

/** masterKey = Argon2id(password.trim(), teamId.trim().toLowerCase()); masterPasswordHash = Argon2id(masterKey hex, password.trim()). */
export function deriveKeys(password: string, teamId: string): TeamKeys {
  const masterKey = bytesToHex(argon2id(utf8(password.trim()), utf8(teamId.trim().toLowerCase()), ARGON2));
  const masterPasswordHash = bytesToHex(argon2id(utf8(masterKey), utf8(password.trim()), ARGON2));
  return { masterKey, masterPasswordHash };
}

const encrypt = (text: string, keyHex: string) => nip44.v2.encrypt(text, hexToBytes(keyHex));
const decrypt = (payload: string, keyHex: string) => nip44.v2.decrypt(payload, hexToBytes(keyHex));

const USER = /* GraphQL */ `{ user { id is_master team { id encrypted_symmetric_key password_hash } } }`;
const STORE_PASSWORD = /* GraphQL */ `mutation ($encrypted_symmetric_key: String!, $password_hash: String!) {
  user { store_team_password_and_keys(encrypted_symmetric_key: $encrypted_symmetric_key, password_hash: $password_hash) { success } }
}`;
const CHECK_PASSWORD = /* GraphQL */ `mutation ($password_hash: String!) { user { check_team_password(password_hash: $password_hash) { success } } }`;
const STORE_ADMIN = /* GraphQL */ `mutation ($input: StoreAdminCredentialsInput!) { credentials { store_admin(input: $input) } }`;
const SEND_CONTEXT = /* GraphQL */ `query ($id: String!) { payment { wallet { find_one(id: $id) { id team_id environment { id type } } } } }`;
export const NODE_PERMISSIONS = /* GraphQL */ `query ($id: String!, $password_hash: String) {
  payment { wallet { find_one(id: $id) { id node_permissions(password_hash: $password_hash) {
    id encrypted_symmetric_key
    nodes { id node_id macaroon_id network encrypted_macaroon tls_cert sockets { id lnd { id rest grpc } litd { id rest grpc } } }
  } } } }
}`;
const CREATE_SEND = /* GraphQL */ `mutation ($input: CreateSendTransactionInput!) {
  payment { transaction { create_send(input: $input) { id status payment_hash payment_request fee error } } }
}`;

type UserData = { user: { id: string; is_master: boolean; team: { id: string; encrypted_symmetric_key: string | null; password_hash: string | null } } };
export type NodePermissionsData = {
  payment: { wallet: { find_one: { id: string; node_permissions: { id: string; encrypted_symmetric_key: string; nodes: { node_id: string; encrypted_macaroon: string; tls_cert: string | null; sockets: { lnd: { rest: string } | null } }[] } } } };
};
export type SendData = { id: string; status: string; payment_hash: string; payment_request: string | null; fee: string; error: string | null };
export type NodePayment = { status: string; fee_sat?: string; fee_msat?: string; payment_preimage?: string; failure_reason?: string };

/** The team id (the Argon2 salt) and its encrypted symmetric key, as the signed-in user sees them. */
export async function teamOf(session: Headers) {
  return ok(await gql<UserData>(USER, null, session)).user.team;
}

/** First password: a new random symmetric key, encrypted under the master key. Returns the keys. */
export async function setTeamPassword(session: Headers, password: string): Promise<TeamKeys & { symmetricKey: string }> {
  const team = await teamOf(session);
  const keys = deriveKeys(password, team.id);
  const symmetricKey = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  ok(await gql(STORE_PASSWORD, { encrypted_symmetric_key: encrypt(symmetricKey, keys.masterKey), password_hash: keys.masterPasswordHash }, session));
  return { ...keys, symmetricKey };
}

/** A change: prove the current password, then store the same symmetric key re-wrapped under the new master key. */
export async function changeTeamPassword(session: Headers, current: string, next: string) {
  const team = await teamOf(session);
  const old = deriveKeys(current, team.id);
  const symmetricKey = decrypt(team.encrypted_symmetric_key!, old.masterKey);
  ok(await gql(CHECK_PASSWORD, { password_hash: old.masterPasswordHash }, session));
  const keys = deriveKeys(next, team.id);
  return gql(STORE_PASSWORD, { encrypted_symmetric_key: encrypt(symmetricKey, keys.masterKey), password_hash: keys.masterPasswordHash }, session);
}

/** Encrypts the admin macaroon (hex) under the team's symmetric key and stores it for the node. */
export async function storeAdminMacaroon(session: Headers, keys: TeamKeys, nodeId: string, macaroonHex: string) {
  const team = await teamOf(session);
  const symmetricKey = decrypt(team.encrypted_symmetric_key!, keys.masterKey);
  return gql(STORE_ADMIN, { input: { node_id: nodeId, encrypted_macaroon: encrypt(macaroonHex, symmetricKey), location: "LND", macaroon_type: "ADMIN", permissions: ["offchain:write", "offchain:read"] } }, session);
}

export type PreparedSend = { restUrl: string; tlsCert: string | null; macaroonHex: string };

/** What paying takes: the wallet's team id, the password hash, node_permissions, and the macaroon decrypted here. */
export async function prepareSend(apiKey: Headers, walletId: string, password: string, cached?: TeamKeys): Promise<PreparedSend> {
  const wallet = ok(await gql<{ payment: { wallet: { find_one: { team_id: string; environment: { type: string } } } } }>(SEND_CONTEXT, { id: walletId }, apiKey)).payment.wallet.find_one;
  if (wallet.environment.type !== "LIVE") throw new Error("not a live wallet");
  const keys = cached ?? deriveKeys(password, wallet.team_id);
  const perms = ok(await gql<NodePermissionsData>(NODE_PERMISSIONS, { id: walletId, password_hash: keys.masterPasswordHash }, apiKey)).payment.wallet.find_one.node_permissions;
  const node = perms.nodes.find((n) => n.sockets.lnd?.rest);
  if (!node) throw new Error("No LND endpoint available for this wallet");
  const symmetricKey = decrypt(perms.encrypted_symmetric_key, keys.masterKey);
  return { restUrl: node.sockets.lnd!.rest, tlsCert: node.tls_cert, macaroonHex: decrypt(node.encrypted_macaroon, symmetricKey) };
}

export async function createSend(apiKey: Headers, walletId: string, bolt11: string, extra: Record<string, unknown> = {}): Promise<SendData> {
  const res = await gql<{ payment: { transaction: { create_send: SendData } } }>(CREATE_SEND, { input: { wallet_id: walletId, request: { bolt11 }, ...extra } }, apiKey);
  return ok(res).payment.transaction.create_send;
}

/** POST /v2/router/send on the node, read until SUCCEEDED or FAILED. */
export function payOnNode(node: PreparedSend, paymentRequest: string): Promise<NodePayment> {
  const url = new URL("/v2/router/send", node.restUrl);
  const body = JSON.stringify({ payment_request: paymentRequest, fee_limit_sat: "4294967296", timeout_seconds: 60 });
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: "POST", ca: node.tlsCert ?? undefined, headers: { "Grpc-Metadata-macaroon": node.macaroonHex, "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        let buffer = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf("\n")) >= 0) {
            const line = buffer.slice(0, nl).trim();
            buffer = buffer.slice(nl + 1);
            if (!line) continue;
            const update = JSON.parse(line) as { result?: NodePayment; error?: { message: string } };
            if (update.error) return reject(new Error(update.error.message));
            if (update.result && (update.result.status === "SUCCEEDED" || update.result.status === "FAILED")) {
              resolve(update.result);
              req.destroy();
            }
          }
        });
        res.on("end", () => reject(new Error(`stream ended without a final status (HTTP ${res.statusCode}): ${buffer.slice(0, 300)}`)));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
