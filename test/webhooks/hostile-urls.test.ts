// Hostile webhook URLs with an EMPTY allowlist (the production default): refused at create and
// update through GraphQL (BAD_USER_INPUT naming input.url), and refused again at delivery for an
// endpoint whose stored URL is no longer acceptable (the receiver sees nothing, not even a connection).
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "3600000";
process.env.WEBHOOK_URL_ALLOWLIST = "";
process.env.WEBHOOK_TIMEOUT_MS = "1000";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker } from "@/lib/jobs/worker";
import { createEndpointVia, fails, gql, newTeam, Receiver, sandbox, SEED_CREATE_WITH_VARIABLES, SEED_UPDATE_ENDPOINT, waitFor, type Team } from "./helpers";

// A public address as an IP literal: acceptable without any DNS lookup.
const PUBLIC_URL = "https://93.184.215.14/hooks/boltrail";

const HOSTILE = [
  "http://localhost",
  "https://localhost/hook",
  "https://127.0.0.1/hook", // not allowlisted in this file
  "http://127.0.0.1:8080/hook",
  "https://2130706433/", // 127.0.0.1 in decimal
  "https://10.0.0.1/hook",
  "https://172.16.5.4/",
  "https://192.168.1.1/",
  "https://169.254.169.254/latest/meta-data",
  "https://100.64.0.1/",
  "https://0.0.0.0/",
  "https://[::1]/hook",
  "https://[::ffff:127.0.0.1]/",
  "https://[fd00::1]/",
  "https://[fe80::1]/",
  "https://user:pw@example.com/hook",
  "https://example.com@127.0.0.1/",
  "https://printer.local/hook",
  "https://db.internal/hook",
  "https://intranet/hook",
  "ftp://x.y/hook",
  "http://93.184.215.14/hook", // public, but not https
  "https://0x7f.1/",
  "https://１２７.０.０.１/", // fullwidth digits: the URL parser makes this 127.0.0.1
  "https://[::]/",
  "https://LOCALHOST./",
  "https://foo.localhost/",
  "https://printer.local./",
  "https://[64:ff9b::7f00:1]/", // NAT64 of 127.0.0.1
  "https://[::ffff:a9fe:a9fe]/", // mapped 169.254.169.254
  "https://[2002:a00:1::]/", // 6to4 of 10.0.0.1
  "https://198.18.0.1/",
  "https://224.0.0.1/",
  "https://255.255.255.255/",
  "javascript:alert(1)",
  "not a url",
];

let team: Team;
let environmentId: string;
let key: string;

beforeAll(async () => {
  team = await newTeam("Hostile URLs");
  ({ environmentId, key } = await sandbox(team));
});

describe("hostile URLs at create / update (GraphQL)", () => {
  it("a public https URL is accepted (control)", async () => {
    const { endpoint } = await createEndpointVia(key, environmentId, PUBLIC_URL);
    expect(endpoint.url).toBe(PUBLIC_URL);
    await db.webhookEndpoint.delete({ where: { id: endpoint.id } });
  });

  it.each(HOSTILE)("create %s → BAD_USER_INPUT naming input.url", async (url) => {
    const res = await gql(SEED_CREATE_WITH_VARIABLES, { input: { environment_id: environmentId, url } }, key);
    fails(res, "BAD_USER_INPUT", "input.url");
    expect(await db.webhookEndpoint.count({ where: { environmentId } })).toBe(0);
  });

  it("update to each hostile URL → BAD_USER_INPUT naming input.url; the stored URL is unchanged", async () => {
    const { endpoint } = await createEndpointVia(key, environmentId, PUBLIC_URL);
    for (const url of HOSTILE) {
      fails(await gql(SEED_UPDATE_ENDPOINT, { input: { id: endpoint.id, url } }, key), "BAD_USER_INPUT", "input.url");
    }
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } })).url).toBe(PUBLIC_URL);
    await db.webhookEndpoint.delete({ where: { id: endpoint.id } });
  });
});

describe("hostile URLs at delivery", () => {
  let receiver: Receiver;
  beforeAll(async () => {
    receiver = await Receiver.start();
  });
  afterAll(async () => {
    await receiver.close();
  });

  it("an endpoint whose stored URL is no longer allowed (loopback, http or https) → attempt recorded as blocked, FAILED, receiver saw nothing", async () => {
    const SEND_TEST = `mutation($id: String!) { payment { webhook_endpoint { send_test_event(id: $id) { id deliveries { id } } } } }`;
    const ids: string[] = [];
    for (const url of [receiver.url("/plain"), `https://127.0.0.1:${receiver.port}/tls`, `http://[::ffff:127.0.0.1]:${receiver.port}/mapped`]) {
      const { endpoint } = await createEndpointVia(key, environmentId, PUBLIC_URL);
      // Valid when created; the row now points at a loopback receiver (as after a policy change).
      await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { url } });
      const res = await gql(SEND_TEST, { id: endpoint.id }, key);
      expect(res.errors, res.text).toBeUndefined();
      ids.push(res.data.payment.webhook_endpoint.send_test_event.deliveries[0].id);
    }
    const worker = startWorker({ pollMs: 50, log: () => {} });
    try {
      const rows = await waitFor(async () => {
        const rows = await db.webhookDelivery.findMany({ where: { id: { in: ids } }, include: { attempts: true } });
        return rows.every((r) => r.status !== "PENDING" && r.status !== "IN_PROGRESS") ? rows : null;
      }, 4000, "the blocked deliveries to be decided");
      for (const row of rows) {
        expect(row.status).toBe("FAILED");
        expect(row.attempts).toHaveLength(1);
        expect(row.attempts[0].responseStatus).toBeNull();
        expect(row.attempts[0].error).toMatch(/^blocked: /);
        expect(row.lastError).toMatch(/^blocked: /);
      }
    } finally {
      await worker.stop();
    }
    expect(receiver.requests).toHaveLength(0);
    expect(receiver.connections).toBe(0);
  });
});
