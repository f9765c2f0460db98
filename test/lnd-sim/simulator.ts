/**
 * A standalone LND REST simulator: a test fixture, not shipped code.
 *
 * An HTTPS server (self-signed certificate made at start) that speaks LND's REST wire format as
 * LND's grpc-gateway produces it (lnrpc/lightning.swagger.json, invoicesrpc/invoices.swagger.json,
 * routerrpc/router.swagger.json): proto field names (snake_case), every field emitted
 * (EmitUnpopulated), 64-bit integers as strings, bytes as standard base64, enums as their names,
 * errors as google.rpc.Status `{"code","message","details":[]}` with the HTTP status grpc-gateway
 * maps the gRPC code to, and server streams as newline-delimited `{"result": …}` objects (an error
 * as `{"error": {…}}`), chunked.
 *
 * Semantics follow LND's source where a client can observe them (quoted error messages, the
 * greater-than replay of SubscribeInvoices, macaroon checks before the handler, payment streams
 * that end when the payment reaches a final state, and stream response headers that — as with LND,
 * whose gateway waits for the gRPC header — are sent only with the first message).
 *
 * CORS follows LND's `restcors` option (rpcserver.go allowCORS, wrapped around the whole REST proxy
 * in lnd.go): off unless origins are configured; then every request carrying an Origin gets
 * Access-Control-Allow-Headers/-Methods, Access-Control-Allow-Origin echoes the Origin only when
 * it is listed (or "*" is), and any OPTIONS request with an Origin is answered 200, empty, before
 * routing or the macaroon check.
 *
 * Test controls are methods of the returned object; `startControlServer` exposes them over plain
 * HTTP for a simulator running in its own process (test/lnd-sim/cli.ts).
 */
import { execFileSync } from "node:child_process";
import { createECDH, createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import bolt11 from "bolt11";

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

export type LndNetwork = "mainnet" | "testnet" | "signet" | "regtest";

export type InvoiceState = "OPEN" | "SETTLED" | "CANCELED" | "ACCEPTED";
export type PaymentStatus = "IN_FLIGHT" | "SUCCEEDED" | "FAILED";
export type PaymentFailureReason =
  | "FAILURE_REASON_TIMEOUT"
  | "FAILURE_REASON_NO_ROUTE"
  | "FAILURE_REASON_ERROR"
  | "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS"
  | "FAILURE_REASON_INSUFFICIENT_BALANCE"
  | "FAILURE_REASON_CANCELED";

export const FAILURE_REASONS: readonly PaymentFailureReason[] = [
  "FAILURE_REASON_TIMEOUT",
  "FAILURE_REASON_NO_ROUTE",
  "FAILURE_REASON_ERROR",
  "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS",
  "FAILURE_REASON_INSUFFICIENT_BALANCE",
  "FAILURE_REASON_CANCELED",
];

/** LND permission strings, "entity:action" (see rpcserver.go's MainRPCServerPermissions). */
export type Permission = `${string}:${string}`;

export type MacaroonName = "admin" | "invoice" | "readonly" | "send";

export type Amount = number | bigint | string;

export type LndSimulatorOptions = {
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default regtest. */
  network?: LndNetwork;
  alias?: string;
  /** 32-byte secp256k1 private key (hex or Buffer) of the simulated node; random by default. */
  nodePrivateKey?: string | Buffer;
  /** Reuse a certificate (e.g. across processes) instead of generating one. */
  tls?: { certPem: string; keyPem: string };
  synced?: boolean;
  /** Delay before answering each REST request, in ms. Default 0. */
  latencyMs?: number;
  /** Channel balances in satoshis. Defaults: 1 000 000 local, 1 000 000 remote. */
  localBalanceSat?: Amount;
  remoteBalanceSat?: Amount;
  blockHeight?: number;
  /** How long an outgoing payment stays IN_FLIGHT before it resolves on its own, in ms. Default 25. */
  paymentDelayMs?: number;
  /** Routing fee of outgoing payments that resolve on their own, in msat. Default 0. */
  routingFeeMsat?: Amount;
  /** Preimages (hex) of invoices made elsewhere, so that paying them reveals the right preimage. */
  preimages?: string[];
  /**
   * LND's `restcors`: origins allowed cross-origin access to the REST API, `"*"` for any. Default
   * none (CORS off, as in LND). Compared with the request's Origin header as is (scheme://host:port).
   */
  restCors?: string[];
};

export type InvoiceJson = Record<string, unknown> & {
  r_hash: string;
  payment_request: string;
  state: InvoiceState;
  add_index: string;
  settle_index: string;
  value_msat: string;
  amt_paid_msat: string;
};

export type PaymentJson = Record<string, unknown> & {
  payment_hash: string;
  status: PaymentStatus;
  failure_reason: string;
  payment_preimage: string;
};

export type OpenStreams = { subscribeInvoices: number; sendPayment: number; trackPayment: number; total: number };

export type LndSimulator = {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly certPem: string;
  readonly keyPem: string;
  readonly identityPubkey: string;
  readonly network: LndNetwork;
  /** Hex macaroons for the `Grpc-Metadata-macaroon` header. */
  readonly macaroons: Readonly<Record<MacaroonName, string>>;
  /** Requests received per RPC (GetInfo, AddInvoice, …, plus `unknown`, `preflight` (CORS OPTIONS) and `total`); a snapshot. */
  readonly counters: Record<string, number>;
  resetCounters(): void;
  /** Issues another macaroon with exactly these permissions. */
  bakeMacaroon(permissions: Permission[]): string;

  /** Pays one of the simulator's invoices as a remote payer would: SETTLED, pushed to subscribers. */
  settleInvoice(paymentHashHex: string, options?: { amountMsat?: Amount }): InvoiceJson;
  getInvoice(paymentHashHex: string): InvoiceJson | undefined;
  listInvoices(): InvoiceJson[];

  /** The next payment sent fails with this reason (once). */
  failNextPayment(reason: PaymentFailureReason): void;
  /** Fails an IN_FLIGHT payment now. */
  failPayment(paymentHashHex: string, reason: PaymentFailureReason): PaymentJson;
  /** Succeeds an IN_FLIGHT payment now. */
  succeedPayment(paymentHashHex: string, options?: { feeMsat?: Amount; preimage?: string }): PaymentJson;
  /** While held, new payments stay IN_FLIGHT until succeedPayment/failPayment; unholding succeeds those held. */
  holdPayments(hold: boolean): void;
  /** Makes paying an invoice with this preimage's hash reveal it (hex). */
  registerPreimage(preimageHex: string): void;
  getPayment(paymentHashHex: string): PaymentJson | undefined;
  listPayments(): PaymentJson[];

  /** Destroys every open stream connection (subscribe, send, track). */
  dropStreams(): void;
  openStreams(): OpenStreams;
  /** Resolves once at least `count` streams of the kind are open. */
  waitForStreams(kind: keyof OpenStreams, count: number, timeoutMs?: number): Promise<void>;
  /** Closes every connection and listens again on the same port; state, keys, cert and macaroons kept. */
  restart(options?: { downtimeMs?: number }): Promise<void>;

  /** The `restcors` origins in force (a copy). */
  readonly restCors: string[];
  /** Replaces the `restcors` origins (`[]` turns CORS off); applies to requests from now on. */
  setRestCors(origins: string[]): void;

  setNetwork(network: LndNetwork): void;
  setSynced(synced: boolean): void;
  setLatency(ms: number): void;
  setBlockHeight(height: number): void;
  /** In satoshis. */
  setChannelBalance(balance: { local?: Amount; remote?: Amount }): void;
  channelBalance(): { localMsat: bigint; remoteMsat: bigint; unsettledLocalMsat: bigint };

  close(): Promise<void>;
};

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

type NetworkParams = {
  bech32: string;
  pubKeyHash: number;
  scriptHash: number;
  validWitnessVersions: number[];
  /** chaincfg.Params.Name, as LND's zpay32 quotes it. */
  chaincfgName: string;
};

const NETWORKS: Record<LndNetwork, NetworkParams> = {
  mainnet: { bech32: "bc", pubKeyHash: 0x00, scriptHash: 0x05, validWitnessVersions: [0, 1], chaincfgName: "mainnet" },
  testnet: { bech32: "tb", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1], chaincfgName: "testnet3" },
  signet: { bech32: "tbs", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1], chaincfgName: "signet" },
  regtest: { bech32: "bcrt", pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1], chaincfgName: "regtest" },
};

const LND_VERSION = "0.19.2-beta commit=v0.19.2-beta";
const LND_COMMIT = "9b6ee3dcb8ae3d8ac5ee1ae6b8fb8a5bcb0e9ba3";
/** invoicesrpc.DefaultInvoiceExpiry */
const DEFAULT_INVOICE_EXPIRY = 86_400;
const MAX_INVOICE_EXPIRY = 365 * 24 * 3600;
/** chainreg.DefaultBitcoinTimeLockDelta */
const DEFAULT_CLTV_DELTA = 80;
const MAX_MEMO_SIZE = 1024;
const ZERO_HASH_HEX = "0".repeat(64);

const ALL_PERMISSIONS: Permission[] = [
  "info:read", "info:write", "invoices:read", "invoices:write", "offchain:read", "offchain:write",
  "onchain:read", "onchain:write", "address:read", "address:write", "message:read", "message:write",
  "peers:read", "peers:write", "signer:generate", "signer:read", "macaroon:generate", "macaroon:read", "macaroon:write",
];

const MACAROON_PERMISSIONS: Record<MacaroonName, Permission[]> = {
  admin: ALL_PERMISSIONS,
  invoice: ["invoices:read", "invoices:write", "info:read"],
  readonly: ["info:read", "invoices:read", "offchain:read"],
  send: ["offchain:write", "offchain:read", "info:read"],
};

/** grpc-gateway's runtime.HTTPStatusFromCode */
const HTTP_STATUS_FROM_CODE: Record<number, number> = {
  0: 200, 1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
};

const GRPC = { UNKNOWN: 2, INVALID_ARGUMENT: 3, NOT_FOUND: 5, ALREADY_EXISTS: 6, UNIMPLEMENTED: 12 } as const;

/** rpcserver.go allowCORS: the static headers, set on every request with an Origin once restcors is on. */
const CORS_ALLOW_HEADERS = "Content-Type, Accept, Grpc-Metadata-Macaroon";
const CORS_ALLOW_METHODS = "GET, POST, DELETE";
/** paymentsdb.DefaultMaxPayments, ListPayments' page size when max_payments is 0. */
const DEFAULT_MAX_PAYMENTS = 100n;

/** feature.SetInvoice defaults: TLVOnionPayloadRequired (8), PaymentAddrRequired (14), MPPOptional (17). */
const INVOICE_FEATURES = {
  "8": { name: "tlv-onion", is_required: true, is_known: true },
  "14": { name: "payment-addr", is_required: true, is_known: true },
  "17": { name: "multi-path-payments", is_required: false, is_known: true },
};

const NODE_FEATURES = {
  "0": { name: "data-loss-protect", is_required: true, is_known: true },
  "5": { name: "upfront-shutdown-script", is_required: false, is_known: true },
  "7": { name: "gossip-queries", is_required: false, is_known: true },
  "8": { name: "tlv-onion", is_required: true, is_known: true },
  "12": { name: "static-remote-key", is_required: true, is_known: true },
  "14": { name: "payment-addr", is_required: true, is_known: true },
  "17": { name: "multi-path-payments", is_required: false, is_known: true },
  "23": { name: "anchors-zero-fee-htlc-tx", is_required: false, is_known: true },
  "27": { name: "shutdown-any-segwit", is_required: false, is_known: true },
};

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** A gRPC status as LND's handlers return it; `code` 2 (Unknown) for LND's plain Go errors. */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  status(): { code: number; message: string; details: unknown[] } {
    return { code: this.code, message: this.message, details: [] };
  }
  httpStatus(): number {
    return HTTP_STATUS_FROM_CODE[this.code] ?? 500;
  }
}

const unknown = (message: string) => new RpcError(GRPC.UNKNOWN, message);
const invalidArgument = (message: string) => new RpcError(GRPC.INVALID_ARGUMENT, message);

// ---------------------------------------------------------------------------------------------
// Internal state
// ---------------------------------------------------------------------------------------------

type InvoiceRecord = {
  memo: string;
  hash: Buffer;
  preimage: Buffer | null;
  valueMsat: bigint;
  creationDate: number;
  /** Creation time in ms, for the expiry watcher. */
  createdAtMs: number;
  settleDate: number;
  paymentRequest: string;
  descriptionHash: Buffer | null;
  expiry: number;
  cltvExpiry: number;
  addIndex: number;
  settleIndex: number;
  amtPaidMsat: bigint;
  state: InvoiceState;
  paymentAddr: Buffer;
  htlcs: { chanId: string; htlcIndex: number; amtMsat: bigint; acceptHeight: number; acceptTime: number; resolveTime: number; expiryHeight: number }[];
};

type HtlcAttempt = {
  attemptId: number;
  status: "IN_FLIGHT" | "SUCCEEDED" | "FAILED";
  amountMsat: bigint;
  feeMsat: bigint;
  attemptTimeNs: bigint;
  resolveTimeNs: bigint;
  preimage: Buffer | null;
  failureCode: string | null;
  totalTimeLock: number;
};

type PaymentRecord = {
  hashHex: string;
  paymentRequest: string;
  payee: string;
  paymentAddr: Buffer | null;
  valueMsat: bigint;
  creationTimeNs: bigint;
  paymentIndex: number;
  feeLimitMsat: bigint;
  status: PaymentStatus;
  failureReason: PaymentFailureReason | "FAILURE_REASON_NONE";
  htlcs: HtlcAttempt[];
  /** Balance taken from local while the HTLC is in flight (amount + fee). */
  reservedMsat: bigint;
  held: boolean;
  timer: NodeJS.Timeout | null;
  watchers: Set<Stream>;
};

type StreamKind = "subscribeInvoices" | "sendPayment" | "trackPayment";

class Stream {
  private wroteHeader = false;
  constructor(
    readonly kind: StreamKind,
    readonly res: http.ServerResponse,
    readonly noInflightUpdates: boolean,
  ) {}

  private writeHeaderOnce(status: number): void {
    if (this.wroteHeader) return;
    this.wroteHeader = true;
    this.res.writeHead(status, {
      "Content-Type": "application/json",
      "Grpc-Metadata-Content-Type": "application/grpc",
      "Transfer-Encoding": "chunked",
    });
  }

  get open(): boolean {
    return !this.res.destroyed && !this.res.writableEnded;
  }

  send(result: unknown): void {
    if (!this.open) return;
    this.writeHeaderOnce(200);
    this.res.write(`${JSON.stringify({ result })}\n`);
  }

  /** grpc-gateway's handleForwardResponseStreamError: the HTTP status only if nothing was sent yet. */
  fail(error: RpcError): void {
    if (!this.open) return;
    this.writeHeaderOnce(error.httpStatus());
    this.res.end(`${JSON.stringify({ error: error.status() })}\n`);
  }

  /** The RPC returned: the gateway ends the response. */
  end(): void {
    if (!this.open) return;
    this.writeHeaderOnce(200);
    this.res.end();
  }
}

type Subscriber = { stream: Stream; addIndex: number; settleIndex: number };

type Route = {
  method: "GET" | "POST" | "DELETE";
  pattern: RegExp;
  rpc: string;
  permission: Permission;
  stream: boolean;
};

const ROUTES: Route[] = [
  { method: "GET", pattern: /^\/v1\/getinfo$/, rpc: "GetInfo", permission: "info:read", stream: false },
  { method: "GET", pattern: /^\/v1\/balance\/channels$/, rpc: "ChannelBalance", permission: "offchain:read", stream: false },
  { method: "POST", pattern: /^\/v1\/invoices$/, rpc: "AddInvoice", permission: "invoices:write", stream: false },
  { method: "GET", pattern: /^\/v1\/invoices$/, rpc: "ListInvoices", permission: "invoices:read", stream: false },
  { method: "GET", pattern: /^\/v1\/invoices\/subscribe$/, rpc: "SubscribeInvoices", permission: "invoices:read", stream: true },
  { method: "GET", pattern: /^\/v1\/invoice\/([^/]+)$/, rpc: "LookupInvoice", permission: "invoices:read", stream: false },
  { method: "POST", pattern: /^\/v2\/invoices\/cancel$/, rpc: "CancelInvoice", permission: "invoices:write", stream: false },
  { method: "POST", pattern: /^\/v2\/router\/send$/, rpc: "SendPaymentV2", permission: "offchain:write", stream: true },
  { method: "GET", pattern: /^\/v2\/router\/track\/([^/]+)$/, rpc: "TrackPaymentV2", permission: "offchain:read", stream: true },
  { method: "GET", pattern: /^\/v1\/payments$/, rpc: "ListPayments", permission: "offchain:read", stream: false },
];

// ---------------------------------------------------------------------------------------------
// Encoding helpers (protojson)
// ---------------------------------------------------------------------------------------------

const b64 = (bytes: Buffer | null | undefined): string => (bytes && bytes.length > 0 ? bytes.toString("base64") : "");
const str = (value: bigint | number): string => value.toString();
const msatToSat = (msat: bigint): bigint => msat / 1000n;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Accepts the proto name or its lowerCamelCase JSON name, as protojson does. */
function field(body: Record<string, unknown>, name: string): unknown {
  if (name in body) return body[name];
  const camel = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return body[camel];
}

function parseInt64(value: unknown, name: string): bigint {
  if (value === undefined || value === null || value === "") return 0n;
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value);
  if (typeof value === "string" && /^-?\d+$/.test(value)) return BigInt(value);
  throw invalidArgument(`proto: (line 1:1): invalid value for int64 field ${name}: ${JSON.stringify(value)}`);
}

function parseBool(value: unknown, name: string): boolean {
  if (value === undefined || value === null || value === "") return false;
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    // strconv.ParseBool, as grpc-gateway parses query parameters.
    if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
    if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  }
  throw invalidArgument(`proto: (line 1:1): invalid value for bool field ${name}: ${JSON.stringify(value)}`);
}

/** protojson bytes: standard or URL-safe base64, padded or not. */
function parseBytes(value: unknown, name: string): Buffer {
  if (value === undefined || value === null || value === "") return Buffer.alloc(0);
  if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value)) {
    throw invalidArgument(`proto: (line 1:1): invalid value for bytes field ${name}: ${JSON.stringify(value)}`);
  }
  return Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** grpc-gateway's runtime.Bytes for a path parameter: padded StdEncoding, then padded URLEncoding. */
function parsePathBytes(value: string): Buffer | null {
  const std = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  const url = /^(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/;
  if (std.test(value)) return Buffer.from(value, "base64");
  if (url.test(value)) return Buffer.from(value, "base64url");
  return null;
}

type QueryFieldKind = "bool" | "uint64";
type QueryValues<F extends Record<string, QueryFieldKind>> = { [K in keyof F]?: F[K] extends "bool" ? boolean : bigint };

/** Go's strconv.ParseUint(value, 10, 64), with its error text. */
function goParseUint64(value: string): bigint {
  const quoted = JSON.stringify(value);
  if (!/^\d+$/.test(value)) throw new Error(`strconv.ParseUint: parsing ${quoted}: invalid syntax`);
  const parsed = BigInt(value);
  if (parsed > 0xffff_ffff_ffff_ffffn) throw new Error(`strconv.ParseUint: parsing ${quoted}: value out of range`);
  return parsed;
}

/** Go's strconv.ParseBool, with its error text. */
function goParseBool(value: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

/**
 * grpc-gateway v2.16's runtime.PopulateQueryParameters (DefaultQueryParser) for a request of scalar
 * fields: a parameter names a field by its proto or JSON name and has one value, parsed by strconv
 * (an empty value is an error too); other parameters are ignored. Errors are the gateway's
 * InvalidArgument, raised before the RPC — and so before the macaroon check.
 */
function parseQueryParameters<F extends Record<string, QueryFieldKind>>(query: URLSearchParams, fields: F): QueryValues<F> {
  const byKey = new Map<string, string>();
  for (const name of Object.keys(fields)) {
    byKey.set(name, name);
    byKey.set(name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), name);
  }
  const out: Record<string, boolean | bigint> = {};
  for (const key of new Set(query.keys())) {
    const name = byKey.get(key);
    if (!name) continue;
    const values = query.getAll(key);
    if (values.length > 1) throw invalidArgument(`too many values for field ${JSON.stringify(name)}: ${values.join(", ")}`);
    try {
      out[name] = fields[name] === "bool" ? goParseBool(values[0]) : goParseUint64(values[0]);
    } catch (error) {
      throw invalidArgument(`parsing field ${JSON.stringify(name)}: ${(error as Error).message}`);
    }
  }
  return out as QueryValues<F>;
}

const LIST_PAYMENTS_FIELDS = {
  include_incomplete: "bool",
  index_offset: "uint64",
  max_payments: "uint64",
  reversed: "bool",
  count_total_payments: "bool",
  creation_date_start: "uint64",
  creation_date_end: "uint64",
  omit_hops: "bool",
} as const satisfies Record<string, QueryFieldKind>;

type ListPaymentsRequest = QueryValues<typeof LIST_PAYMENTS_FIELDS>;

/** Go's hex.DecodeString error messages. */
function decodeHex(value: string): Buffer {
  if (value.length % 2 === 1) {
    const bad = [...value].find((c) => !/[0-9a-fA-F]/.test(c));
    if (bad) throw unknown(`encoding/hex: invalid byte: U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(bad).replace(/"/g, "'")}`);
    throw unknown("encoding/hex: odd length hex string");
  }
  const bad = [...value].find((c) => !/[0-9a-fA-F]/.test(c));
  if (bad) throw unknown(`encoding/hex: invalid byte: U+${bad.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")} ${JSON.stringify(bad).replace(/"/g, "'")}`);
  return Buffer.from(value, "hex");
}

function validateOrigins(origins: unknown): string[] {
  if (!Array.isArray(origins) || origins.some((o) => typeof o !== "string")) {
    throw new Error("lnd-sim: restCors is a list of origins (strings, or \"*\")");
  }
  return [...(origins as string[])];
}

function toBigInt(value: Amount): bigint {
  return typeof value === "bigint" ? value : BigInt(value);
}

/** Go's time.Time.String() for a UTC time: "2006-01-02 15:04:05 +0000 UTC". */
function goTime(date: Date): string {
  return `${date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "")} +0000 UTC`;
}

function networkOfPaymentRequest(paymentRequest: string): LndNetwork | null {
  const lower = paymentRequest.toLowerCase();
  const separator = lower.lastIndexOf("1");
  const hrp = separator > 0 ? lower.slice(0, separator) : lower;
  const match = /^ln(bcrt|bc|tbs|tb)(\d+[munp]?)?$/.exec(hrp);
  if (!match) return null;
  return (Object.keys(NETWORKS) as LndNetwork[]).find((n) => NETWORKS[n].bech32 === match[1]) ?? null;
}

// ---------------------------------------------------------------------------------------------
// TLS
// ---------------------------------------------------------------------------------------------

/** A self-signed P-256 certificate like LND's tls.cert (SANs localhost, 127.0.0.1, ::1), made by openssl. */
export function generateSelfSignedCert(commonName = "lnd-sim"): { certPem: string; keyPem: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lnd-sim-tls-"));
  try {
    const keyFile = path.join(dir, "tls.key");
    const certFile = path.join(dir, "tls.cert");
    execFileSync(
      "openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", keyFile, "-out", certFile, "-days", "3650",
        "-subj", `/O=lnd autogenerated cert/CN=${commonName.replace(/[/=]/g, "")}`,
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1",
        "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
        "-addext", "basicConstraints=critical,CA:TRUE",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    return { certPem: fs.readFileSync(certFile, "utf8"), keyPem: fs.readFileSync(keyFile, "utf8") };
  } catch (error) {
    throw new Error(`lnd-sim: could not generate a TLS certificate with the openssl CLI (${(error as Error).message})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The simulator
// ---------------------------------------------------------------------------------------------

export async function startLndSimulator(options: LndSimulatorOptions = {}): Promise<LndSimulator> {
  const host = options.host ?? "127.0.0.1";
  const alias = options.alias ?? "lnd-sim";
  const tls = options.tls ?? generateSelfSignedCert(alias);

  const nodeKey = options.nodePrivateKey
    ? Buffer.isBuffer(options.nodePrivateKey)
      ? options.nodePrivateKey
      : Buffer.from(options.nodePrivateKey, "hex")
    : randomBytes(32);
  const ecdh = createECDH("secp256k1");
  ecdh.setPrivateKey(nodeKey);
  const identityPubkey = ecdh.getPublicKey("hex", "compressed");

  let network: LndNetwork = options.network ?? "regtest";
  let synced = options.synced ?? true;
  let latencyMs = options.latencyMs ?? 0;
  let blockHeight = options.blockHeight ?? 850_000;
  const blockHash = randomBytes(32).toString("hex");
  let localMsat = toBigInt(options.localBalanceSat ?? 1_000_000) * 1000n;
  let remoteMsat = toBigInt(options.remoteBalanceSat ?? 1_000_000) * 1000n;
  let unsettledLocalMsat = 0n;
  const paymentDelayMs = options.paymentDelayMs ?? 25;
  const routingFeeMsat = toBigInt(options.routingFeeMsat ?? 0);

  const macaroonPermissions = new Map<string, Set<Permission>>();
  const bakeMacaroon = (permissions: Permission[]): string => {
    // Opaque: LND's are serialized macaroon.v2 binaries; clients only ever hex-encode them.
    const macaroon = `0201036c6e64${randomBytes(60).toString("hex")}`;
    macaroonPermissions.set(macaroon, new Set(permissions));
    return macaroon;
  };
  const macaroons = Object.fromEntries(
    (Object.keys(MACAROON_PERMISSIONS) as MacaroonName[]).map((name) => [name, bakeMacaroon(MACAROON_PERMISSIONS[name])]),
  ) as Record<MacaroonName, string>;

  const invoices = new Map<string, InvoiceRecord>(); // by hash hex
  const invoicesByAddIndex: InvoiceRecord[] = [];
  let lastSettleIndex = 0;
  const payments = new Map<string, PaymentRecord>(); // by hash hex
  let paymentIndex = 0;
  let attemptId = 0;
  let htlcIndex = 0;
  const knownPreimages = new Map<string, Buffer>(); // hash hex → preimage
  for (const preimage of options.preimages ?? []) registerPreimage(preimage);
  let failNext: PaymentFailureReason | null = null;
  let holding = false;
  let restCors: string[] = validateOrigins(options.restCors ?? []);

  const counters: Record<string, number> = {};
  const streams = new Set<Stream>();
  const subscribers = new Set<Subscriber>();
  const sockets = new Set<Socket>();

  function registerPreimage(preimageHex: string): void {
    const preimage = Buffer.from(preimageHex, "hex");
    if (preimage.length !== 32) throw new Error("lnd-sim: a preimage is 32 bytes (64 hex characters)");
    knownPreimages.set(createHash("sha256").update(preimage).digest("hex"), preimage);
  }

  // -- invoices ---------------------------------------------------------------------------------

  /** LND's invoice expiry watcher cancels open invoices once they expire. */
  function expireInvoices(): void {
    const now = Date.now();
    for (const invoice of invoicesByAddIndex) {
      if (invoice.state === "OPEN" && invoice.createdAtMs + invoice.expiry * 1000 <= now) invoice.state = "CANCELED";
    }
  }

  function invoiceJson(invoice: InvoiceRecord): InvoiceJson {
    return {
      memo: invoice.memo,
      r_preimage: b64(invoice.preimage),
      r_hash: b64(invoice.hash),
      value: str(msatToSat(invoice.valueMsat)),
      value_msat: str(invoice.valueMsat),
      settled: invoice.state === "SETTLED",
      creation_date: str(invoice.creationDate),
      settle_date: str(invoice.settleDate),
      payment_request: invoice.paymentRequest,
      description_hash: b64(invoice.descriptionHash),
      expiry: str(invoice.expiry),
      fallback_addr: "",
      cltv_expiry: str(invoice.cltvExpiry),
      route_hints: [],
      private: false,
      add_index: str(invoice.addIndex),
      settle_index: str(invoice.settleIndex),
      amt_paid: str(invoice.amtPaidMsat),
      amt_paid_sat: str(msatToSat(invoice.amtPaidMsat)),
      amt_paid_msat: str(invoice.amtPaidMsat),
      state: invoice.state,
      htlcs: invoice.htlcs.map((htlc) => ({
        chan_id: htlc.chanId,
        htlc_index: str(htlc.htlcIndex),
        amt_msat: str(htlc.amtMsat),
        accept_height: htlc.acceptHeight,
        accept_time: str(htlc.acceptTime),
        resolve_time: str(htlc.resolveTime),
        expiry_height: htlc.expiryHeight,
        state: "SETTLED",
        custom_records: {},
        mpp_total_amt_msat: str(htlc.amtMsat),
        amp: null,
        custom_channel_data: "",
      })),
      features: INVOICE_FEATURES,
      is_keysend: false,
      payment_addr: b64(invoice.paymentAddr),
      is_amp: false,
      amp_invoice_state: {},
      is_blinded: false,
      blinded_path_config: null,
    };
  }

  function addInvoice(body: Record<string, unknown>): Record<string, unknown> {
    const memo = String(field(body, "memo") ?? "");
    const value = parseInt64(field(body, "value"), "value");
    const valueMsat = parseInt64(field(body, "value_msat"), "value_msat");
    const expiryIn = parseInt64(field(body, "expiry"), "expiry");
    const descriptionHash = parseBytes(field(body, "description_hash"), "description_hash");
    const preimageIn = parseBytes(field(body, "r_preimage"), "r_preimage");
    const cltvIn = parseInt64(field(body, "cltv_expiry"), "cltv_expiry");
    if (value !== 0n && valueMsat !== 0n) throw unknown("sat and msat arguments are mutually exclusive");
    const amountMsat = value !== 0n ? value * 1000n : valueMsat;
    if (preimageIn.length > 0 && preimageIn.length !== 32) throw unknown(`invalid preimage length of ${preimageIn.length}, want 32`);
    if (Buffer.byteLength(memo, "utf8") > MAX_MEMO_SIZE) {
      throw unknown(`memo too large: ${Buffer.byteLength(memo, "utf8")} bytes (maxsize=${MAX_MEMO_SIZE})`);
    }
    if (descriptionHash.length > 0 && descriptionHash.length !== 32) {
      throw unknown(`description hash is ${descriptionHash.length} bytes, must be 32`);
    }
    if (amountMsat < 0n) throw unknown(`payments of negative value are not allowed, value is ${amountMsat}`);
    if (amountMsat / 1000n > 100_000n * 100_000_000n) {
      throw unknown(`invoice amount ${msatToSat(amountMsat)} sat is too large, max is 100000 BTC`);
    }
    if (expiryIn > BigInt(MAX_INVOICE_EXPIRY)) {
      throw unknown(`expiry of ${expiryIn} seconds greater than max expiry of ${MAX_INVOICE_EXPIRY} seconds`);
    }
    const expiry = expiryIn > 0n ? Number(expiryIn) : DEFAULT_INVOICE_EXPIRY;
    const cltvExpiry = cltvIn > 0n ? Number(cltvIn) : DEFAULT_CLTV_DELTA;

    const preimage = preimageIn.length === 32 ? preimageIn : randomBytes(32);
    const hash = createHash("sha256").update(preimage).digest();
    if (invoices.has(hash.toString("hex"))) throw unknown("invoice with payment hash already exists");
    const paymentAddr = randomBytes(32);
    const createdAtMs = Date.now();
    const creationDate = Math.floor(createdAtMs / 1000);
    const paymentRequest = signPaymentRequest({ amountMsat, hash, paymentAddr, memo, descriptionHash, expiry, cltvExpiry, timestamp: creationDate });

    const invoice: InvoiceRecord = {
      memo, hash, preimage, valueMsat: amountMsat, creationDate, createdAtMs, settleDate: 0, paymentRequest,
      descriptionHash: descriptionHash.length === 32 ? descriptionHash : null, expiry, cltvExpiry,
      addIndex: invoicesByAddIndex.length + 1, settleIndex: 0, amtPaidMsat: 0n, state: "OPEN", paymentAddr, htlcs: [],
    };
    invoices.set(hash.toString("hex"), invoice);
    invoicesByAddIndex.push(invoice);
    knownPreimages.set(hash.toString("hex"), preimage);
    notifySubscribers(invoice);
    return { r_hash: b64(hash), payment_request: paymentRequest, add_index: str(invoice.addIndex), payment_addr: b64(paymentAddr) };
  }

  function signPaymentRequest(input: {
    amountMsat: bigint; hash: Buffer; paymentAddr: Buffer; memo: string; descriptionHash: Buffer; expiry: number; cltvExpiry: number; timestamp: number;
  }): string {
    const { chaincfgName: _ignored, ...params } = NETWORKS[network];
    void _ignored;
    const unsigned = bolt11.encode(
      {
        network: params,
        ...(input.amountMsat > 0n ? { millisatoshis: input.amountMsat.toString() } : {}),
        timestamp: input.timestamp,
        tags: [
          { tagName: "payment_hash", data: input.hash.toString("hex") },
          input.descriptionHash.length === 32
            ? { tagName: "purpose_commit_hash", data: input.descriptionHash.toString("hex") }
            : { tagName: "description", data: input.memo },
          { tagName: "expire_time", data: input.expiry },
          { tagName: "min_final_cltv_expiry", data: input.cltvExpiry },
          { tagName: "payment_secret", data: input.paymentAddr.toString("hex") },
          {
            tagName: "feature_bits",
            data: { word_length: 4, var_onion_optin: { required: true, supported: false }, payment_secret: { required: true, supported: false }, basic_mpp: { required: false, supported: true } },
          },
        ],
      },
      false,
    );
    const signed = bolt11.sign(unsigned, nodeKey);
    if (!signed.paymentRequest) throw new Error("lnd-sim: BOLT11 signing produced no payment request");
    return signed.paymentRequest;
  }

  function findInvoice(hashHex: string): InvoiceRecord {
    const invoice = invoices.get(hashHex.toLowerCase());
    if (!invoice) throw new RpcError(GRPC.NOT_FOUND, "unable to locate invoice");
    return invoice;
  }

  function lookupInvoice(rHashStr: string, query: URLSearchParams): InvoiceJson {
    let hash: Buffer;
    if (rHashStr !== "") hash = decodeHex(rHashStr);
    else hash = parseBytes(query.get("r_hash") ?? "", "r_hash");
    if (hash.length !== 0 && hash.length !== 32) throw unknown(`payment hash must be exactly 32 bytes, is instead ${hash.length}`);
    return invoiceJson(findInvoice(hash.toString("hex")));
  }

  function listInvoicesRpc(query: URLSearchParams): Record<string, unknown> {
    const pendingOnly = parseBool(query.get("pending_only") ?? undefined, "pending_only");
    const indexOffset = Number(parseInt64(query.get("index_offset") ?? undefined, "index_offset"));
    const numMaxIn = Number(parseInt64(query.get("num_max_invoices") ?? undefined, "num_max_invoices"));
    const reversed = parseBool(query.get("reversed") ?? undefined, "reversed");
    const dateStart = Number(parseInt64(query.get("creation_date_start") ?? undefined, "creation_date_start"));
    const dateEnd = Number(parseInt64(query.get("creation_date_end") ?? undefined, "creation_date_end"));
    const numMax = numMaxIn === 0 ? 100 : numMaxIn;
    const matches = (invoice: InvoiceRecord) =>
      (!pendingOnly || invoice.state === "OPEN" || invoice.state === "ACCEPTED") &&
      (dateStart === 0 || invoice.creationDate >= dateStart) &&
      (dateEnd === 0 || invoice.creationDate <= dateEnd);
    let selected: InvoiceRecord[];
    if (!reversed) {
      selected = invoicesByAddIndex.filter((i) => i.addIndex > indexOffset && matches(i)).slice(0, numMax);
    } else {
      const upper = indexOffset === 0 ? Number.POSITIVE_INFINITY : indexOffset;
      const candidates = invoicesByAddIndex.filter((i) => i.addIndex < upper && matches(i));
      selected = candidates.slice(Math.max(0, candidates.length - numMax));
    }
    return {
      invoices: selected.map(invoiceJson),
      last_index_offset: str(selected.length > 0 ? selected[selected.length - 1].addIndex : 0),
      first_index_offset: str(selected.length > 0 ? selected[0].addIndex : 0),
    };
  }

  function cancelInvoice(body: Record<string, unknown>): Record<string, unknown> {
    const hash = parseBytes(field(body, "payment_hash"), "payment_hash");
    if (hash.length !== 32) throw unknown(`invalid hash length of ${hash.length}, want 32`);
    const invoice = invoices.get(hash.toString("hex"));
    if (!invoice) throw unknown("unable to locate invoice");
    if (invoice.state === "SETTLED") throw unknown("invoice already settled");
    // Canceling a canceled invoice succeeds (LND: idempotent).
    invoice.state = "CANCELED";
    return {};
  }

  function settleInvoice(paymentHashHex: string, settleOptions: { amountMsat?: Amount } = {}): InvoiceJson {
    expireInvoices();
    const invoice = invoices.get(paymentHashHex.toLowerCase());
    if (!invoice) throw new Error(`lnd-sim: no invoice with payment hash ${paymentHashHex}`);
    if (invoice.state === "SETTLED") throw new Error("lnd-sim: invoice already settled");
    if (invoice.state === "CANCELED") throw new Error("lnd-sim: invoice already canceled (or expired)");
    const amount = settleOptions.amountMsat !== undefined ? toBigInt(settleOptions.amountMsat) : invoice.valueMsat;
    if (amount <= 0n) throw new Error("lnd-sim: an amountless invoice needs settleInvoice(hash, { amountMsat })");
    if (amount < invoice.valueMsat) throw new Error("lnd-sim: LND rejects HTLC sets paying less than the invoice amount");
    const now = nowSeconds();
    invoice.state = "SETTLED";
    invoice.amtPaidMsat = amount;
    invoice.settleDate = now;
    invoice.settleIndex = ++lastSettleIndex;
    invoice.htlcs.push({
      chanId: "927712936117059585",
      htlcIndex: htlcIndex++,
      amtMsat: amount,
      acceptHeight: blockHeight,
      acceptTime: now,
      resolveTime: now,
      expiryHeight: blockHeight + invoice.cltvExpiry,
    });
    localMsat += amount;
    remoteMsat = remoteMsat > amount ? remoteMsat - amount : 0n;
    notifySubscribers(invoice);
    return invoiceJson(invoice);
  }

  // -- invoice subscriptions ----------------------------------------------------------------------

  /** invoiceregistry.dispatchToClients + the subscription goroutine: only OPEN (add) and SETTLED events. */
  function notifySubscribers(invoice: InvoiceRecord): void {
    for (const sub of subscribers) {
      if (!sub.stream.open) {
        subscribers.delete(sub);
        continue;
      }
      if (invoice.state === "SETTLED") {
        if (sub.settleIndex >= invoice.settleIndex) continue;
        sub.stream.send(invoiceJson(invoice));
        sub.settleIndex = invoice.settleIndex;
      } else if (invoice.state === "OPEN") {
        if (sub.addIndex >= invoice.addIndex) continue;
        sub.stream.send(invoiceJson(invoice));
        sub.addIndex = invoice.addIndex;
      }
    }
  }

  function subscribeInvoices(stream: Stream, query: URLSearchParams): void {
    const addIndex = Number(parseInt64(query.get("add_index") ?? undefined, "add_index"));
    const settleIndex = Number(parseInt64(query.get("settle_index") ?? undefined, "settle_index"));
    // deliverBacklogEvents: InvoicesAddedSince / InvoicesSettledSince, which return nothing for 0.
    const backlog: InvoiceRecord[] = [];
    if (addIndex > 0) backlog.push(...invoicesByAddIndex.filter((i) => i.addIndex > addIndex));
    if (settleIndex > 0) {
      backlog.push(...invoicesByAddIndex.filter((i) => i.settleIndex > settleIndex).sort((a, b) => a.settleIndex - b.settleIndex));
    }
    for (const invoice of backlog) {
      if (invoice.state === "OPEN" || invoice.state === "SETTLED") stream.send(invoiceJson(invoice));
    }
    subscribers.add({ stream, addIndex, settleIndex });
  }

  // -- payments -----------------------------------------------------------------------------------

  function htlcJson(payment: PaymentRecord, htlc: HtlcAttempt, omitHops = false): Record<string, unknown> {
    const amount = htlc.amountMsat;
    const hop = (pubKey: string, forwardMsat: bigint, feeMsat: bigint, last: boolean) => ({
      chan_id: "927712936117059585",
      chan_capacity: "16777215",
      amt_to_forward: str(msatToSat(forwardMsat)),
      fee: str(msatToSat(feeMsat)),
      expiry: htlc.totalTimeLock,
      amt_to_forward_msat: str(forwardMsat),
      fee_msat: str(feeMsat),
      pub_key: pubKey,
      tlv_payload: true,
      mpp_record: last && payment.paymentAddr ? { payment_addr: b64(payment.paymentAddr), total_amt_msat: str(amount) } : null,
      amp_record: null,
      custom_records: {},
      metadata: "",
      blinding_point: "",
      encrypted_data: "",
      total_amt_msat: "0",
    });
    const hops = omitHops
      ? []
      : htlc.feeMsat > 0n
        ? [hop("02" + "11".repeat(32), amount, htlc.feeMsat, false), hop(payment.payee, amount, 0n, true)]
        : [hop(payment.payee, amount, 0n, true)];
    const hopCount = htlc.feeMsat > 0n ? 2 : 1;
    return {
      attempt_id: str(htlc.attemptId),
      status: htlc.status,
      route: {
        total_time_lock: htlc.totalTimeLock,
        total_fees: str(msatToSat(htlc.feeMsat)),
        total_amt: str(msatToSat(amount + htlc.feeMsat)),
        hops,
        total_fees_msat: str(htlc.feeMsat),
        total_amt_msat: str(amount + htlc.feeMsat),
        first_hop_amount_msat: "0",
        custom_channel_data: "",
      },
      attempt_time_ns: str(htlc.attemptTimeNs),
      resolve_time_ns: str(htlc.resolveTimeNs),
      failure: htlc.failureCode
        ? { code: htlc.failureCode, channel_update: null, htlc_msat: "0", onion_sha_256: "", cltv_expiry: 0, flags: 0, failure_source_index: hopCount, height: blockHeight }
        : null,
      preimage: b64(htlc.preimage),
    };
  }

  /** routerrpc's MarshallPayment; `omitHops` as ListPayments' omit_hops leaves each route's hops out. */
  function paymentJson(payment: PaymentRecord, omitHops = false): PaymentJson {
    let feeMsat = 0n;
    let preimage = ZERO_HASH_HEX;
    for (const htlc of payment.htlcs) {
      if (htlc.status === "SUCCEEDED") {
        feeMsat += htlc.feeMsat;
        if (htlc.preimage) preimage = htlc.preimage.toString("hex");
      }
    }
    return {
      payment_hash: payment.hashHex,
      value: str(msatToSat(payment.valueMsat)),
      creation_date: str(payment.creationTimeNs / 1_000_000_000n),
      fee: str(msatToSat(feeMsat)),
      payment_preimage: preimage,
      value_sat: str(msatToSat(payment.valueMsat)),
      value_msat: str(payment.valueMsat),
      payment_request: payment.paymentRequest,
      status: payment.status,
      fee_sat: str(msatToSat(feeMsat)),
      fee_msat: str(feeMsat),
      creation_time_ns: str(payment.creationTimeNs),
      htlcs: payment.htlcs.map((h) => htlcJson(payment, h, omitHops)),
      payment_index: str(payment.paymentIndex),
      failure_reason: payment.failureReason,
      first_hop_custom_records: {},
    };
  }

  function publish(payment: PaymentRecord): void {
    const json = paymentJson(payment);
    const final = payment.status !== "IN_FLIGHT";
    for (const stream of payment.watchers) {
      if (!stream.open) {
        payment.watchers.delete(stream);
        continue;
      }
      if (!final && stream.noInflightUpdates) continue;
      stream.send(json);
      // trackPaymentStream returns once the subscription closes, i.e. at a final state.
      if (final) stream.end();
    }
    if (final) payment.watchers.clear();
  }

  function finishPayment(payment: PaymentRecord, outcome: { ok: true; feeMsat: bigint; preimage: Buffer } | { ok: false; reason: PaymentFailureReason }): void {
    if (payment.status !== "IN_FLIGHT") throw new Error(`lnd-sim: payment ${payment.hashHex} is already ${payment.status}`);
    if (payment.timer) clearTimeout(payment.timer);
    payment.timer = null;
    payment.held = false;
    const now = nowNs();
    const attempt = payment.htlcs.find((h) => h.status === "IN_FLIGHT");
    localMsat += payment.reservedMsat;
    unsettledLocalMsat -= payment.reservedMsat;
    payment.reservedMsat = 0n;
    if (outcome.ok) {
      let htlc = attempt;
      if (!htlc) {
        htlc = newAttempt(payment, outcome.feeMsat);
        payment.htlcs.push(htlc);
      }
      htlc.feeMsat = outcome.feeMsat;
      htlc.status = "SUCCEEDED";
      htlc.resolveTimeNs = now;
      htlc.preimage = outcome.preimage;
      const total = payment.valueMsat + outcome.feeMsat;
      localMsat -= total;
      remoteMsat += total;
      payment.status = "SUCCEEDED";
    } else {
      if (attempt) {
        attempt.status = "FAILED";
        attempt.resolveTimeNs = now;
        attempt.failureCode =
          outcome.reason === "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS" ? "INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS" : "TEMPORARY_CHANNEL_FAILURE";
      }
      payment.status = "FAILED";
      payment.failureReason = outcome.reason;
    }
    publish(payment);
  }

  function newAttempt(payment: PaymentRecord, feeMsat: bigint): HtlcAttempt {
    return {
      attemptId: ++attemptId,
      status: "IN_FLIGHT",
      amountMsat: payment.valueMsat,
      feeMsat,
      attemptTimeNs: nowNs(),
      resolveTimeNs: 0n,
      preimage: null,
      failureCode: null,
      totalTimeLock: blockHeight + DEFAULT_CLTV_DELTA + 3,
    };
  }

  function preimageFor(hashHex: string): Buffer {
    // Without the preimage of a foreign invoice the simulator can only make one up (it won't hash to it).
    return knownPreimages.get(hashHex) ?? randomBytes(32);
  }

  function sendPayment(stream: Stream, body: Record<string, unknown>): void {
    const paymentRequest = String(field(body, "payment_request") ?? "");
    const feeLimitSat = parseInt64(field(body, "fee_limit_sat"), "fee_limit_sat");
    const feeLimitMsatIn = parseInt64(field(body, "fee_limit_msat"), "fee_limit_msat");
    const amt = parseInt64(field(body, "amt"), "amt");
    const amtMsat = parseInt64(field(body, "amt_msat"), "amt_msat");
    parseInt64(field(body, "timeout_seconds"), "timeout_seconds");
    const allowSelfPayment = parseBool(field(body, "allow_self_payment"), "allow_self_payment");
    if (feeLimitSat !== 0n && feeLimitMsatIn !== 0n) throw unknown("sat and msat arguments are mutually exclusive");
    if (amt !== 0n && amtMsat !== 0n) throw unknown("sat and msat arguments are mutually exclusive");
    const feeLimitMsat = feeLimitSat !== 0n ? feeLimitSat * 1000n : feeLimitMsatIn;
    const requestedMsat = amt !== 0n ? amt * 1000n : amtMsat;
    if (paymentRequest === "") {
      // Spontaneous (keysend) and hash/dest payments are outside what the simulator models.
      throw unknown("lnd-sim supports SendPaymentV2 with a payment_request only");
    }

    const invoiceNetwork = networkOfPaymentRequest(paymentRequest);
    if (invoiceNetwork !== network) throw unknown(`invoice not for current active network '${NETWORKS[network].chaincfgName}'`);
    let decoded: ReturnType<typeof bolt11.decode>;
    try {
      const { chaincfgName: _ignored, ...params } = NETWORKS[network];
      void _ignored;
      decoded = bolt11.decode(paymentRequest, params);
    } catch (error) {
      throw unknown(`invalid payment request: ${(error as Error).message}`);
    }
    const hashHex = decoded.tagsObject.payment_hash;
    if (!hashHex) throw unknown("invoice does not contain a payment hash");
    const expiry = decoded.tagsObject.expire_time ?? 3600;
    const timestamp = decoded.timestamp ?? 0;
    if (Date.now() / 1000 > timestamp + expiry) throw unknown(`invoice expired. Valid until ${goTime(new Date((timestamp + expiry) * 1000))}`);
    if (!decoded.tagsObject.payment_secret) throw unknown("payment request must contain either a payment address or blinded paths");
    const invoiceMsat = decoded.millisatoshis ? BigInt(decoded.millisatoshis) : null;
    let valueMsat: bigint;
    if (invoiceMsat === null) {
      if (requestedMsat === 0n) throw unknown("amount must be specified when paying a zero amount invoice");
      valueMsat = requestedMsat;
    } else {
      if (requestedMsat !== 0n) throw unknown("amount must not be specified when paying a non-zero amount invoice");
      valueMsat = invoiceMsat;
    }
    const payee = decoded.payeeNodeKey ?? "";
    if (payee === identityPubkey && !allowSelfPayment) throw unknown("self-payments not allowed");

    // InitPayment (payments/db/kv_store.go, the bbolt default) takes the next sequence number before
    // it checks for an existing payment: a refused payment leaves a gap in payment_index, and a
    // retried (failed) payment is indexed anew.
    const sequenceNumber = ++paymentIndex;
    const existing = payments.get(hashHex);
    if (existing?.status === "IN_FLIGHT") throw new RpcError(GRPC.ALREADY_EXISTS, "payment is in transition");
    if (existing?.status === "SUCCEEDED") throw new RpcError(GRPC.ALREADY_EXISTS, "invoice is already paid");

    const payment: PaymentRecord = {
      hashHex,
      paymentRequest,
      payee,
      paymentAddr: Buffer.from(decoded.tagsObject.payment_secret, "hex"),
      valueMsat,
      creationTimeNs: nowNs(),
      paymentIndex: sequenceNumber,
      feeLimitMsat,
      status: "IN_FLIGHT",
      failureReason: "FAILURE_REASON_NONE",
      htlcs: [],
      reservedMsat: 0n,
      held: false,
      timer: null,
      watchers: new Set([stream]),
    };
    payments.set(hashHex, payment);
    // StatusInitiated, reported as IN_FLIGHT to clients that don't ask for INITIATED.
    publish(payment);

    const forced = failNext;
    failNext = null;
    const feeMsat = routingFeeMsat;
    const fail = (reason: PaymentFailureReason) => {
      payment.timer = setTimeout(() => finishPayment(payment, { ok: false, reason }), paymentDelayMs);
    };
    if (forced === "FAILURE_REASON_NO_ROUTE" || forced === "FAILURE_REASON_INSUFFICIENT_BALANCE") return fail(forced);
    if (!forced && valueMsat + feeMsat > localMsat) return fail("FAILURE_REASON_INSUFFICIENT_BALANCE");
    if (!forced && feeMsat > feeLimitMsat) return fail("FAILURE_REASON_NO_ROUTE");

    // An HTLC goes out: the amount and fee leave the local balance while it is in flight.
    const attempt = newAttempt(payment, feeMsat);
    payment.htlcs.push(attempt);
    payment.reservedMsat = valueMsat + feeMsat;
    localMsat -= payment.reservedMsat;
    unsettledLocalMsat += payment.reservedMsat;
    publish(payment);
    if (forced) return fail(forced);
    if (holding) {
      payment.held = true;
      return;
    }
    payment.timer = setTimeout(() => finishPayment(payment, { ok: true, feeMsat, preimage: preimageFor(hashHex) }), paymentDelayMs);
  }

  function trackPayment(stream: Stream, hashParam: string, query: URLSearchParams): void {
    const hash = parsePathBytes(hashParam);
    if (!hash) throw invalidArgument(`type mismatch, parameter: payment_hash, error: illegal base64 data at input byte 0`);
    void query;
    if (hash.length !== 32) throw unknown(`invalid hash length of ${hash.length}, want 32`);
    const payment = payments.get(hash.toString("hex"));
    if (!payment) throw new RpcError(GRPC.NOT_FOUND, "payment isn't initiated");
    if (payment.status !== "IN_FLIGHT") {
      stream.send(paymentJson(payment));
      stream.end();
      return;
    }
    payment.watchers.add(stream);
    if (!stream.noInflightUpdates) stream.send(paymentJson(payment));
  }

  /** rpcServer.ListPayments over paymentsdb QueryPayments (and channeldb's paginator). */
  function listPaymentsRpc(request: ListPaymentsRequest): Record<string, unknown> {
    const dateStart = request.creation_date_start ?? 0n;
    const dateEnd = request.creation_date_end ?? 0n;
    if (dateStart !== 0n && dateEnd !== 0n && dateStart >= dateEnd) {
      throw unknown(`start date(${dateStart}) must be before end date(${dateEnd})`);
    }
    const indexOffset = request.index_offset ?? 0n;
    const maxPayments = Number(request.max_payments || DEFAULT_MAX_PAYMENTS);
    const all = [...payments.values()].sort((a, b) => a.paymentIndex - b.paymentIndex);
    const matches = (payment: PaymentRecord) => {
      // "To keep compatibility with the old API, we only return non-succeeded payments if requested."
      if (payment.status !== "SUCCEEDED" && !request.include_incomplete) return false;
      const created = payment.creationTimeNs / 1_000_000_000n;
      return created >= dateStart && (dateEnd === 0n || created <= dateEnd);
    };
    let selected: PaymentRecord[];
    if (!request.reversed) {
      selected = all.filter((p) => BigInt(p.paymentIndex) > indexOffset && matches(p)).slice(0, maxPayments);
    } else {
      // Backwards from the offset (exclusive; 0 = from the newest), returned oldest first.
      const candidates = all.filter((p) => (indexOffset === 0n || BigInt(p.paymentIndex) < indexOffset) && matches(p));
      selected = candidates.slice(Math.max(0, candidates.length - maxPayments));
    }
    return {
      payments: selected.map((p) => paymentJson(p, request.omit_hops ?? false)),
      first_index_offset: str(selected.length > 0 ? selected[0].paymentIndex : 0),
      last_index_offset: str(selected.length > 0 ? selected[selected.length - 1].paymentIndex : 0),
      // Only counted (every payment in the index, whatever its state) when asked.
      total_num_payments: str(request.count_total_payments ? payments.size : 0),
    };
  }

  function mustPayment(hashHex: string): PaymentRecord {
    const payment = payments.get(hashHex.toLowerCase());
    if (!payment) throw new Error(`lnd-sim: no payment with hash ${hashHex}`);
    return payment;
  }

  // -- getinfo / balance --------------------------------------------------------------------------

  function getInfo(): Record<string, unknown> {
    return {
      version: LND_VERSION,
      commit_hash: LND_COMMIT,
      identity_pubkey: identityPubkey,
      alias,
      color: "#3399ff",
      num_pending_channels: 0,
      num_active_channels: 1,
      num_inactive_channels: 0,
      num_peers: 1,
      block_height: blockHeight,
      block_hash: blockHash,
      best_header_timestamp: str(nowSeconds() - 60),
      synced_to_chain: synced,
      synced_to_graph: synced,
      testnet: network === "testnet",
      chains: [{ chain: "bitcoin", network }],
      uris: [`${identityPubkey}@127.0.0.1:9735`],
      features: NODE_FEATURES,
      require_htlc_interceptor: false,
      store_final_htlc_resolutions: false,
      wallet_synced: synced,
      graph_cache_status: "GRAPH_CACHE_STATUS_LOADED",
    };
  }

  function channelBalanceJson(): Record<string, unknown> {
    const amount = (msat: bigint) => ({ sat: str(msatToSat(msat)), msat: str(msat) });
    return {
      balance: str(msatToSat(localMsat)),
      pending_open_balance: "0",
      local_balance: amount(localMsat),
      remote_balance: amount(remoteMsat),
      unsettled_local_balance: amount(unsettledLocalMsat),
      unsettled_remote_balance: amount(0n),
      pending_open_local_balance: amount(0n),
      pending_open_remote_balance: amount(0n),
      custom_channel_data: "",
    };
  }

  // -- HTTP plumbing ------------------------------------------------------------------------------

  function sendUnary(res: http.ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json",
      "Grpc-Metadata-Content-Type": "application/grpc",
      "Content-Length": Buffer.byteLength(payload),
    });
    res.end(payload);
  }

  function sendRpcError(res: http.ServerResponse, error: RpcError): void {
    sendUnary(res, error.httpStatus(), error.status());
  }

  /** LND's macaroon interceptor (runs inside gRPC, after the gateway parsed the request). */
  function checkMacaroon(req: http.IncomingMessage, permission: Permission): void {
    const header = req.headers["grpc-metadata-macaroon"];
    const values = header === undefined ? [] : Array.isArray(header) ? header : header.split(",").map((v) => v.trim());
    if (values.length !== 1) throw unknown(`expected 1 macaroon, got ${values.length}`);
    const macaroon = values[0];
    decodeHex(macaroon);
    const permissions = macaroonPermissions.get(macaroon.toLowerCase());
    if (!permissions) throw unknown("verification failed: signature mismatch after caveat verification");
    if (!permissions.has(permission)) throw unknown("permission denied");
  }

  async function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8").trim();
    if (text === "") return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw invalidArgument(`proto: syntax error (line 1:1): ${(error as Error).message}`);
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw invalidArgument("proto: (line 1:1): unexpected token, expected an object");
    }
    return parsed as Record<string, unknown>;
  }

  /**
   * rpcserver.go allowCORS, which lnd.go wraps around the whole REST proxy (CORS handler → WS proxy →
   * REST proxy → gRPC). Off without origins. Otherwise, for a request with an Origin: the static
   * Allow-Headers/Allow-Methods always, Allow-Origin (the request's Origin, echoed) only for a
   * listed origin or "*"; nothing else (no Vary, no credentials, no max-age). Returns true for an
   * OPTIONS request, which allowCORS answers itself (200, no body) whatever the origin.
   */
  function applyCors(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (restCors.length === 0) return false;
    // Go's r.Header.Get: the first Origin header.
    const origin = req.headersDistinct.origin?.[0] ?? "";
    if (origin === "") return false;
    res.setHeader("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
    res.setHeader("Access-Control-Allow-Methods", CORS_ALLOW_METHODS);
    if (restCors.some((allowed) => allowed === "*" || allowed === origin)) res.setHeader("Access-Control-Allow-Origin", origin);
    return req.method === "OPTIONS";
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    counters.total = (counters.total ?? 0) + 1;
    if (applyCors(req, res)) {
      counters.preflight = (counters.preflight ?? 0) + 1;
      req.resume();
      if (latencyMs > 0) await sleep(latencyMs);
      if (res.destroyed) return;
      res.writeHead(200, { "Content-Length": 0 });
      res.end();
      return;
    }
    const url = new URL(req.url ?? "/", "https://lnd-sim");
    const pathMatches = ROUTES.filter((r) => r.pattern.test(url.pathname));
    const route = pathMatches.find((r) => r.method === req.method);
    if (!route) {
      counters.unknown = (counters.unknown ?? 0) + 1;
      req.resume();
      // grpc-gateway's DefaultRoutingErrorHandler: 405 becomes codes.Unimplemented, which
      // DefaultHTTPErrorHandler sends with HTTPStatusFromCode's 501 (lnd.go also disables the
      // path-length fallback, so no method override either).
      if (pathMatches.length > 0) return sendRpcError(res, new RpcError(GRPC.UNIMPLEMENTED, "Method Not Allowed"));
      return sendUnary(res, 404, { code: GRPC.NOT_FOUND, message: "Not Found", details: [] });
    }
    counters[route.rpc] = (counters[route.rpc] ?? 0) + 1;
    if (latencyMs > 0) await sleep(latencyMs);
    if (res.destroyed) return;

    // Gateway stage: request decoding errors are plain (unary) errors, even for streams.
    let body: Record<string, unknown> = {};
    let listPaymentsRequest: ListPaymentsRequest = {};
    const params = route.pattern.exec(url.pathname)!.slice(1).map((p) => decodeURIComponent(p));
    try {
      if (req.method === "POST") body = await readBody(req);
      else req.resume();
      if (route.rpc === "ListPayments") listPaymentsRequest = parseQueryParameters(url.searchParams, LIST_PAYMENTS_FIELDS);
    } catch (error) {
      if (error instanceof RpcError) return sendRpcError(res, error);
      throw error;
    }

    // gRPC stage.
    expireInvoices();
    if (!route.stream) {
      try {
        checkMacaroon(req, route.permission);
        let result: unknown;
        switch (route.rpc) {
          case "GetInfo": result = getInfo(); break;
          case "ChannelBalance": result = channelBalanceJson(); break;
          case "AddInvoice": result = addInvoice(body); break;
          case "ListInvoices": result = listInvoicesRpc(url.searchParams); break;
          case "LookupInvoice": result = lookupInvoice(params[0], url.searchParams); break;
          case "CancelInvoice": result = cancelInvoice(body); break;
          case "ListPayments": result = listPaymentsRpc(listPaymentsRequest); break;
          default: throw new RpcError(GRPC.UNIMPLEMENTED, `unknown method ${route.rpc}`);
        }
        return sendUnary(res, 200, result);
      } catch (error) {
        if (error instanceof RpcError) return sendRpcError(res, error);
        throw error;
      }
    }

    const kind: StreamKind = route.rpc === "SubscribeInvoices" ? "subscribeInvoices" : route.rpc === "SendPaymentV2" ? "sendPayment" : "trackPayment";
    const noInflight =
      route.rpc === "SendPaymentV2"
        ? safeBool(field(body, "no_inflight_updates"))
        : route.rpc === "TrackPaymentV2"
          ? safeBool(url.searchParams.get("no_inflight_updates") ?? undefined)
          : false;
    const stream = new Stream(kind, res, noInflight);
    streams.add(stream);
    res.on("close", () => streams.delete(stream));
    try {
      if (route.rpc === "TrackPaymentV2") {
        // The path parameter is decoded by the gateway, before the macaroon check.
        if (!parsePathBytes(params[0])) throw invalidArgument(`type mismatch, parameter: payment_hash, error: illegal base64 data at input byte 0`);
      }
    } catch (error) {
      streams.delete(stream);
      if (error instanceof RpcError) return sendRpcError(res, error);
      throw error;
    }
    try {
      checkMacaroon(req, route.permission);
      if (route.rpc === "SubscribeInvoices") subscribeInvoices(stream, url.searchParams);
      else if (route.rpc === "SendPaymentV2") sendPayment(stream, body);
      else trackPayment(stream, params[0], url.searchParams);
    } catch (error) {
      if (error instanceof RpcError) return stream.fail(error);
      throw error;
    }
  }

  function safeBool(value: unknown): boolean {
    try {
      return parseBool(value, "no_inflight_updates");
    } catch {
      return false;
    }
  }

  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendUnary(res, 500, { code: GRPC.UNKNOWN, message: `lnd-sim internal error: ${(error as Error).message}`, details: [] });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("secureConnection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // A client that resets the TLS handshake should not crash the fixture.
  server.on("tlsClientError", () => {});

  let listening = false;
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.once("error", onError);
      server.listen(port, host, () => {
        server.off("error", onError);
        listening = true;
        resolve((server.address() as AddressInfo).port);
      });
    });

  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      for (const stream of streams) stream.res.destroy();
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
    });

  const port = await listen(options.port ?? 0);
  let closed = false;

  function dropStreams(): void {
    for (const stream of [...streams]) {
      stream.res.destroy();
      stream.res.socket?.destroy();
    }
    streams.clear();
    subscribers.clear();
    for (const payment of payments.values()) payment.watchers.clear();
  }

  function openStreams(): OpenStreams {
    const counts: OpenStreams = { subscribeInvoices: 0, sendPayment: 0, trackPayment: 0, total: 0 };
    for (const stream of streams) {
      if (!stream.open) continue;
      counts[stream.kind] += 1;
      counts.total += 1;
    }
    return counts;
  }

  const simulator: LndSimulator = {
    url: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    host,
    port,
    certPem: tls.certPem,
    keyPem: tls.keyPem,
    identityPubkey,
    get network() {
      return network;
    },
    macaroons,
    get counters() {
      return { ...counters };
    },
    resetCounters() {
      for (const key of Object.keys(counters)) delete counters[key];
    },
    bakeMacaroon,

    settleInvoice,
    getInvoice(hashHex) {
      expireInvoices();
      const invoice = invoices.get(hashHex.toLowerCase());
      return invoice ? invoiceJson(invoice) : undefined;
    },
    listInvoices() {
      expireInvoices();
      return invoicesByAddIndex.map(invoiceJson);
    },

    failNextPayment(reason) {
      if (!FAILURE_REASONS.includes(reason)) throw new Error(`lnd-sim: unknown failure reason ${reason}`);
      failNext = reason;
    },
    failPayment(hashHex, reason) {
      if (!FAILURE_REASONS.includes(reason)) throw new Error(`lnd-sim: unknown failure reason ${reason}`);
      const payment = mustPayment(hashHex);
      finishPayment(payment, { ok: false, reason });
      return paymentJson(payment);
    },
    succeedPayment(hashHex, succeedOptions = {}) {
      const payment = mustPayment(hashHex);
      const preimage = succeedOptions.preimage ? Buffer.from(succeedOptions.preimage, "hex") : preimageFor(payment.hashHex);
      const attempt = payment.htlcs.find((h) => h.status === "IN_FLIGHT");
      const feeMsat = succeedOptions.feeMsat !== undefined ? toBigInt(succeedOptions.feeMsat) : (attempt?.feeMsat ?? routingFeeMsat);
      finishPayment(payment, { ok: true, feeMsat, preimage });
      return paymentJson(payment);
    },
    holdPayments(hold) {
      holding = hold;
      if (hold) return;
      for (const payment of payments.values()) {
        if (payment.held && payment.status === "IN_FLIGHT") {
          const attempt = payment.htlcs.find((h) => h.status === "IN_FLIGHT");
          finishPayment(payment, { ok: true, feeMsat: attempt?.feeMsat ?? routingFeeMsat, preimage: preimageFor(payment.hashHex) });
        }
      }
    },
    registerPreimage,
    getPayment(hashHex) {
      const payment = payments.get(hashHex.toLowerCase());
      return payment ? paymentJson(payment) : undefined;
    },
    listPayments() {
      return [...payments.values()].sort((a, b) => a.paymentIndex - b.paymentIndex).map((p) => paymentJson(p));
    },

    dropStreams,
    openStreams,
    async waitForStreams(kind, count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (openStreams()[kind] < count) {
        if (Date.now() > deadline) throw new Error(`lnd-sim: timed out waiting for ${count} ${kind} stream(s)`);
        await sleep(5);
      }
    },
    async restart(restartOptions = {}) {
      if (closed) throw new Error("lnd-sim: closed");
      await stopListening();
      dropStreams();
      if (restartOptions.downtimeMs) await sleep(restartOptions.downtimeMs);
      await listen(port);
    },

    get restCors() {
      return [...restCors];
    },
    setRestCors(origins) {
      restCors = validateOrigins(origins);
    },

    setNetwork(next) {
      if (!(next in NETWORKS)) throw new Error(`lnd-sim: unknown network ${next}`);
      network = next;
    },
    setSynced(next) {
      synced = next;
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    setBlockHeight(height) {
      blockHeight = height;
    },
    setChannelBalance(balance) {
      if (balance.local !== undefined) localMsat = toBigInt(balance.local) * 1000n;
      if (balance.remote !== undefined) remoteMsat = toBigInt(balance.remote) * 1000n;
    },
    channelBalance() {
      return { localMsat, remoteMsat, unsettledLocalMsat };
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const payment of payments.values()) {
        if (payment.timer) clearTimeout(payment.timer);
        payment.timer = null;
      }
      await stopListening();
      dropStreams();
    },
  };
  return simulator;
}

// ---------------------------------------------------------------------------------------------
// Control API (for a simulator in its own process)
// ---------------------------------------------------------------------------------------------

export type ControlServer = { url: string; port: number; close(): Promise<void> };

/** JSON with bigints as strings. */
function controlJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Plain-HTTP control endpoints over a simulator (POST JSON bodies, JSON answers; errors as
 * `{"error": message}` with HTTP 400):
 *   POST /control/settle          { payment_hash, amount_msat? }      → the invoice
 *   POST /control/fail-next       { reason }
 *   POST /control/fail-payment    { payment_hash, reason }           → the payment
 *   POST /control/succeed-payment { payment_hash, fee_msat?, preimage? } → the payment
 *   POST /control/hold            { hold: boolean }
 *   POST /control/preimage        { preimage }
 *   POST /control/drop-streams
 *   POST /control/restart         { downtime_ms? }
 *   POST /control/network         { network }
 *   POST /control/synced          { synced }
 *   POST /control/latency         { ms }
 *   POST /control/block-height    { height }
 *   POST /control/channel-balance { local?, remote? }  (sat)
 *   POST /control/reset-counters
 *   POST /control/restcors        { origins: string[] }              → { origins }  ([] turns CORS off)
 *   POST /control/shutdown        (closes the simulator; `onShutdown` runs after)
 *   GET  /control/state           → { url, network, rest_cors, counters, streams, balance, invoices, payments }
 *   GET  /control/counters, /control/invoices, /control/payments, /control/streams
 */
export async function startControlServer(
  simulator: LndSimulator,
  options: { port?: number; host?: string; onShutdown?: () => void } = {},
): Promise<ControlServer> {
  const host = options.host ?? "127.0.0.1";
  const routes: Record<string, (body: Record<string, unknown>) => unknown | Promise<unknown>> = {
    "POST /control/settle": (b) => simulator.settleInvoice(String(b.payment_hash), { amountMsat: b.amount_msat as Amount | undefined }),
    "POST /control/fail-next": (b) => simulator.failNextPayment(b.reason as PaymentFailureReason),
    "POST /control/fail-payment": (b) => simulator.failPayment(String(b.payment_hash), b.reason as PaymentFailureReason),
    "POST /control/succeed-payment": (b) =>
      simulator.succeedPayment(String(b.payment_hash), { feeMsat: b.fee_msat as Amount | undefined, preimage: b.preimage as string | undefined }),
    "POST /control/hold": (b) => simulator.holdPayments(Boolean(b.hold)),
    "POST /control/preimage": (b) => simulator.registerPreimage(String(b.preimage)),
    "POST /control/drop-streams": () => simulator.dropStreams(),
    "POST /control/restart": (b) => simulator.restart({ downtimeMs: Number(b.downtime_ms ?? 0) }),
    "POST /control/network": (b) => simulator.setNetwork(b.network as LndNetwork),
    "POST /control/synced": (b) => simulator.setSynced(Boolean(b.synced)),
    "POST /control/latency": (b) => simulator.setLatency(Number(b.ms ?? 0)),
    "POST /control/block-height": (b) => simulator.setBlockHeight(Number(b.height)),
    "POST /control/channel-balance": (b) => simulator.setChannelBalance({ local: b.local as Amount | undefined, remote: b.remote as Amount | undefined }),
    "POST /control/reset-counters": () => simulator.resetCounters(),
    "POST /control/restcors": (b) => {
      simulator.setRestCors(b.origins as string[]);
      return { origins: simulator.restCors };
    },
    "POST /control/shutdown": async () => {
      await simulator.close();
      setImmediate(() => options.onShutdown?.());
    },
    "GET /control/counters": () => simulator.counters,
    "GET /control/invoices": () => simulator.listInvoices(),
    "GET /control/payments": () => simulator.listPayments(),
    "GET /control/streams": () => simulator.openStreams(),
    "GET /control/state": () => ({
      url: simulator.url,
      identity_pubkey: simulator.identityPubkey,
      network: simulator.network,
      rest_cors: simulator.restCors,
      counters: simulator.counters,
      streams: simulator.openStreams(),
      balance: simulator.channelBalance(),
      invoices: simulator.listInvoices(),
      payments: simulator.listPayments(),
    }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const reply = (status: number, body: unknown) => {
        const payload = controlJson(body ?? { ok: true });
        res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) });
        res.end(payload);
      };
      const handler = routes[`${req.method} ${new URL(req.url ?? "/", "http://control").pathname}`];
      if (!handler) return reply(404, { error: "no such control endpoint" });
      let body: Record<string, unknown> = {};
      try {
        const text = Buffer.concat(chunks).toString("utf8").trim();
        if (text !== "") body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return reply(400, { error: "body is not JSON" });
      }
      Promise.resolve()
        .then(() => handler(body))
        .then(
          (result) => reply(200, result === undefined ? { ok: true } : result),
          (error: unknown) => reply(400, { error: (error as Error).message }),
        );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
