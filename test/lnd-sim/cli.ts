/**
 * Runs the LND REST simulator in its own process, so a test can SIGKILL Boltrail processes while
 * the "node" lives on:
 *
 *   node --import tsx test/lnd-sim/cli.ts [--port 0] [--control-port 0] [--host 127.0.0.1]
 *     [--network regtest] [--alias lnd-sim] [--node-key <hex>] [--latency-ms 0]
 *     [--local-balance-sat 1000000] [--remote-balance-sat 1000000] [--payment-delay-ms 25]
 *     [--routing-fee-msat 0] [--tls-cert <file> --tls-key <file>]
 *     [--restcors <origin>]…   (repeatable, as LND's: an origin such as https://app.example:3000, or "*")
 *
 * Prints ONE JSON line on stdout once both servers listen:
 *   {"url","port","controlUrl","certPem","macaroons":{admin,invoice,readonly,send},"identityPubkey","network","pid"}
 * Controls: the HTTP API of startControlServer (POST /control/settle, POST /control/restcors, … — see simulator.ts).
 * Exits on SIGTERM/SIGINT, on POST /control/shutdown, or when stdin closes with --exit-on-stdin-close.
 */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { startControlServer, startLndSimulator, type LndNetwork } from "./simulator";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    "control-port": { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    network: { type: "string", default: "regtest" },
    alias: { type: "string" },
    "node-key": { type: "string" },
    "latency-ms": { type: "string" },
    "local-balance-sat": { type: "string" },
    "remote-balance-sat": { type: "string" },
    "payment-delay-ms": { type: "string" },
    "routing-fee-msat": { type: "string" },
    "tls-cert": { type: "string" },
    "tls-key": { type: "string" },
    restcors: { type: "string", multiple: true },
    "exit-on-stdin-close": { type: "boolean", default: false },
  },
  strict: true,
});

const tls =
  values["tls-cert"] && values["tls-key"]
    ? { certPem: fs.readFileSync(values["tls-cert"], "utf8"), keyPem: fs.readFileSync(values["tls-key"], "utf8") }
    : undefined;

const simulator = await startLndSimulator({
  port: Number(values.port),
  host: values.host,
  network: values.network as LndNetwork,
  alias: values.alias,
  nodePrivateKey: values["node-key"],
  latencyMs: values["latency-ms"] !== undefined ? Number(values["latency-ms"]) : undefined,
  localBalanceSat: values["local-balance-sat"],
  remoteBalanceSat: values["remote-balance-sat"],
  paymentDelayMs: values["payment-delay-ms"] !== undefined ? Number(values["payment-delay-ms"]) : undefined,
  routingFeeMsat: values["routing-fee-msat"],
  tls,
  restCors: values.restcors,
});

let exiting = false;
async function shutdown(code = 0): Promise<void> {
  if (exiting) return;
  exiting = true;
  await Promise.allSettled([simulator.close(), control.close()]);
  process.exit(code);
}

const control = await startControlServer(simulator, {
  port: Number(values["control-port"]),
  host: values.host,
  onShutdown: () => void shutdown(0),
});

process.on("SIGTERM", () => void shutdown(0));
process.on("SIGINT", () => void shutdown(0));
if (values["exit-on-stdin-close"]) {
  process.stdin.on("end", () => void shutdown(0));
  process.stdin.resume();
}

process.stdout.write(
  `${JSON.stringify({
    url: simulator.url,
    port: simulator.port,
    controlUrl: control.url,
    certPem: simulator.certPem,
    macaroons: simulator.macaroons,
    identityPubkey: simulator.identityPubkey,
    network: simulator.network,
    pid: process.pid,
  })}\n`,
);
