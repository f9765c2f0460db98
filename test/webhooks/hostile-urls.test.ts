// Hostile webhook URLs with an EMPTY allowlist (the production default): refused at create and
// update through GraphQL (BAD_USER_INPUT naming input.url), and refused again at delivery for an
// endpoint whose stored URL is no longer acceptable (the receiver sees nothing, not even a connection).
// Ports: only WEBHOOK_ALLOWED_PORTS (default 443,1024-65535) minus database/infrastructure ports;
// port 0 never. The Lightning Address fetcher goes through the same rule.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
process.env.SANDBOX_SETTLE_DELAY_MS = "3600000";
process.env.WEBHOOK_URL_ALLOWLIST = "";
process.env.WEBHOOK_TIMEOUT_MS = "1000";
delete process.env.WEBHOOK_ALLOWED_PORTS; // the default: 443,1024-65535

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { startWorker } from "@/lib/jobs/worker";
import { resolveAddressInvoice } from "@/lib/lnurl/pay";
import { checkWebhookUrl, INFRASTRUCTURE_PORTS, parsePortPolicy } from "@/lib/webhooks/url-policy";
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
  // More address spellings and special-purpose ranges
  "https://0177.0.0.1/", // octal
  "https://127.1/",
  "https://0x7f000001/",
  "https://%31%32%37.0.0.1/", // percent-encoded digits
  "https://127.0.0.1./",
  "https://0/",
  "https://10.1/",
  "https://[0:0:0:0:0:0:0:1]/",
  "https://[::127.0.0.1]/",
  "https://[::ffff:10.0.0.1]/",
  "https://[::ffff:192.168.0.1]/",
  "https://[64:ff9b::a00:1]/", // NAT64 of 10.0.0.1
  "https://[2002:7f00:1::]/", // 6to4 of 127.0.0.1
  "https://169.254.170.2/v2/credentials", // ECS task credentials
  "https://[fd00:ec2::254]/latest/meta-data", // EC2 metadata over IPv6
  "https://172.31.255.255/",
  "https://100.127.255.255/",
  "https://192.0.0.1/",
  "https://192.0.2.1/",
  "https://198.51.100.1/",
  "https://203.0.113.1/",
  "https://240.0.0.1/",
  "https://[ff02::1]/",
  "https://[2001:db8::1]/",
  "https://[100::1]/",
  "https://[fec0::1]/",
  "https://[2001::1]/", // Teredo
  "https://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/", // enclosed letters: IDNA maps them to "localhost"
  // Local-only names
  "https://metadata.google.internal/computeMetadata/v1/",
  "https://kubernetes.default.svc.cluster.local/",
  "https://router.home.arpa/",
  "https://host.localdomain/",
  "https://localhost:443/",
  "https://a..b/",
  // Schemes, credentials, malformed URLs
  "file:///etc/passwd",
  "data:text/plain,x",
  "ws://example.com/",
  "http://example.com/hook",
  "https://user@example.com/",
  "https://:pw@example.com/",
  "https://127.0.0.1%2f@example.com/",
  "https://",
  "//example.com/hook",
  "https://:443/",
  "https://exa mple.com/",
  "https://example.com:65536/",
  "https://example.com:-1/",
  "https://example.com:443:22/",
  "https://example.com:abc/",
  `https://example.com/${"a".repeat(2100)}`,
];

/** Public hosts on ports a webhook may not use, with the reason the error must give. */
const PUBLIC_HOSTS = ["93.184.215.14", "example.com", "[2606:4700::1111]"];
const HOSTILE_PORTS: Array<[string, RegExp]> = [
  // Port 0, however it is written.
  ...PUBLIC_HOSTS.map((host): [string, RegExp] => [`https://${host}:0/hook`, /port 0 is not a valid port/]),
  ["https://example.com:00/", /port 0 is not a valid port/],
  // Below 1024 (other than 443): ssh, smtp, dns, http, pop3, imap, smb, ldap, …
  ...[1, 21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 389, 445, 465, 587, 636, 873, 993, 995, 1023].map(
    (port): [string, RegExp] => [`https://93.184.215.14:${port}/hook`, new RegExp(`port ${port} is not allowed \\(allowed ports: 443,1024-65535\\)`)],
  ),
  ["https://example.com:22/hook", /port 22 is not allowed/],
  ["https://[2606:4700::1111]:25/", /port 25 is not allowed/],
  // Database and infrastructure ports inside the allowed range.
  ...[3306, 5432, 6379, 9200, 11211, 27017, 5984, 2375, 2376, 8086, 2379, 9092, 6443, 10250, 15672, 9229, 5672, 3389, 5900, 1433, 1521].map(
    (port): [string, RegExp] => [`https://93.184.215.14:${port}/`, new RegExp(`port ${port} is not allowed \\(${INFRASTRUCTURE_PORTS.get(port)} port\\)`)],
  ),
  ["https://example.com:6379/", /port 6379 is not allowed \(Redis port\)/],
  ["https://[2606:4700::1111]:5432/", /port 5432 is not allowed \(PostgreSQL port\)/],
];

const ALL_HOSTILE = [...HOSTILE, ...HOSTILE_PORTS.map(([url]) => url)];

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

  it(`covers at least 100 hostile URLs (${ALL_HOSTILE.length})`, () => {
    expect(ALL_HOSTILE.length).toBeGreaterThanOrEqual(100);
    expect(new Set(ALL_HOSTILE).size).toBe(ALL_HOSTILE.length);
  });

  it.each(HOSTILE.map((url) => url.slice(0, 120)).map((label, i) => [label, HOSTILE[i]]))("create %s → BAD_USER_INPUT naming input.url", async (_label, url) => {
    const res = await gql(SEED_CREATE_WITH_VARIABLES, { input: { environment_id: environmentId, url } }, key);
    fails(res, "BAD_USER_INPUT", "input.url");
    expect(await db.webhookEndpoint.count({ where: { environmentId } })).toBe(0);
  });

  it.each(HOSTILE_PORTS)("create %s → BAD_USER_INPUT naming input.url and the port", async (url, reason) => {
    const res = await gql(SEED_CREATE_WITH_VARIABLES, { input: { environment_id: environmentId, url } }, key);
    const error = fails(res, "BAD_USER_INPUT", "input.url");
    expect(error.message).toMatch(/^input\.url: port /);
    expect(error.message).toMatch(reason);
    expect(await db.webhookEndpoint.count({ where: { environmentId } })).toBe(0);
  });

  it("ports that are allowed: 443 (explicit or implied) and 1024-65535 outside the infrastructure list", async () => {
    for (const url of ["https://93.184.215.14:443/a", "https://93.184.215.14:1024/b", "https://93.184.215.14:8443/c", "https://[2606:4700::1111]:65535/d"]) {
      const { endpoint } = await createEndpointVia(key, environmentId, url);
      await db.webhookEndpoint.delete({ where: { id: endpoint.id } });
    }
  });

  it("update to each hostile URL → BAD_USER_INPUT naming input.url; the stored URL is unchanged", async () => {
    const { endpoint } = await createEndpointVia(key, environmentId, PUBLIC_URL);
    for (const url of ALL_HOSTILE) {
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

describe("the port rule", () => {
  it("WEBHOOK_ALLOWED_PORTS: ranges keep infrastructure ports out; a port listed on its own lets one in", () => {
    const policy = parsePortPolicy("443, 8000-9000, 8086");
    const check = (url: string) => checkWebhookUrl(url, [], { ports: policy });
    expect(check("https://93.184.215.14:8080/")).toHaveProperty("url");
    expect(check("https://93.184.215.14:8086/")).toHaveProperty("url"); // InfluxDB's, but listed explicitly
    expect(check("https://93.184.215.14:8500/")).toEqual({ error: "port 8500 is not allowed (Consul port)" });
    expect(check("https://93.184.215.14:9443/")).toEqual({ error: "port 9443 is not allowed (allowed ports: 443,8000-9000,8086)" });
    expect(() => parsePortPolicy("0")).toThrow(/port 0 is never valid/);
    expect(() => parsePortPolicy("443,http")).toThrow(/"http" is not a port/);
    expect(() => parsePortPolicy("2000-1000")).toThrow(/empty range/);
  });

  it("allowlisted hosts are exempt from the port rule, but never port 0", () => {
    const allowlist = ["127.0.0.1/32", "hooks.corp.example"];
    expect(checkWebhookUrl("http://127.0.0.1:22/x", allowlist)).toHaveProperty("url");
    expect(checkWebhookUrl("https://hooks.corp.example:6379/x", allowlist)).toHaveProperty("url");
    expect(checkWebhookUrl("http://127.0.0.1:0/x", allowlist)).toEqual({ error: "port 0 is not a valid port" });
    expect(checkWebhookUrl("https://hooks.corp.example:0/x", allowlist)).toEqual({ error: "port 0 is not a valid port" });
  });

  it("Lightning Address lookups go through the same rule (refused before any connection)", async () => {
    for (const [address, reason] of [
      ["alice@93.184.215.14:6379", /port 6379 is not allowed \(Redis port\)/],
      ["alice@93.184.215.14:22", /port 22 is not allowed/],
      ["alice@example.com:0", /port 0 is not a valid port/],
    ] as const) {
      const resolution = await resolveAddressInvoice({ address, amountMsat: BigInt(1000), comment: null });
      expect(resolution.ok, address).toBe(false);
      if (!resolution.ok) {
        expect(resolution.field).toBe("address");
        expect(resolution.reason).toMatch(/cannot be reached from here/);
        expect(resolution.reason).toMatch(reason);
      }
    }
  });
});
