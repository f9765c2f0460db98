import { describe, expect, it, vi } from "vitest";
import { AppError } from "../errors";
import {
  checkWebhookUrl,
  classifyAddress,
  isPublicAddress,
  parseAllowlist,
  resolveAndCheck,
  validateWebhookUrl,
  type LookupFn,
} from "./url-policy";

/** A fake resolver: a fixed table, ENOTFOUND for anything else. Never touches the network. */
function fakeLookup(table: Record<string, string[]>) {
  return vi.fn<LookupFn>(async (hostname) => {
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  });
}

const DNS = fakeLookup({
  "example.com": ["93.184.216.34"],
  "example.com.": ["93.184.216.34"],
  "xn--bcher-kva.example": ["93.184.216.34"],
  "dual.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "private.example.com": ["10.0.0.5"],
  "mixed.example.com": ["93.184.216.34", "127.0.0.1"],
  "mixed6.example.com": ["2606:4700::1111", "fe80::1"],
  "mapped.example.com": ["::ffff:192.168.0.1"],
  "v6private.example.com": ["fd00::1"],
  "metadata.example.com": ["169.254.169.254"],
  "zero.example.com": ["0.0.0.0"],
  "empty.example.com": [],
  "garbage.example.com": ["not-an-ip"],
});

/** The reason a URL is refused at create/update (static rules, then one resolution), or null. */
async function refusal(raw: string, allowlist: string[] = [], lookup: LookupFn = DNS): Promise<string | null> {
  const checked = checkWebhookUrl(raw, allowlist);
  if ("error" in checked) return checked.error;
  const resolved = await resolveAndCheck(checked.url.hostname, { allowlist, lookup });
  return "error" in resolved ? resolved.error : null;
}

describe("hostile webhook URLs are refused", () => {
  const HOSTILE: Array<[string, RegExp]> = [
    // IPv4 in every spelling the WHATWG parser accepts
    ["https://2130706433/hook", /^host is a loopback address 127\.0\.0\.1$/],
    ["http://2130706433/hook", /^URL must use https$/],
    ["https://0177.0.0.1/", /loopback address 127\.0\.0\.1/],
    ["https://0x7f.0.0.1/", /loopback address 127\.0\.0\.1/],
    ["https://0x7f000001/", /loopback address 127\.0\.0\.1/],
    ["https://127.1/", /loopback address 127\.0\.0\.1/],
    ["https://%31%32%37.0.0.1/", /loopback address 127\.0\.0\.1/],
    ["https://127.0.0.1:8443/hook", /loopback address 127\.0\.0\.1/],
    ["https://127.255.255.254/", /loopback/],
    ["https://0.0.0.0/", /unspecified address 0\.0\.0\.0/],
    ["https://0/", /unspecified address 0\.0\.0\.0/],
    ["https://0.1.2.3/", /reserved address/],
    ["https://169.254.169.254/latest/meta-data/", /link-local address 169\.254\.169\.254/],
    ["https://100.64.0.1/", /carrier-grade NAT address 100\.64\.0\.1/],
    ["https://100.127.255.254/", /carrier-grade NAT/],
    ["https://10.1.2.3/", /private address 10\.1\.2\.3/],
    ["https://172.16.5.4/", /private address 172\.16\.5\.4/],
    ["https://172.31.255.255/", /private/],
    ["https://192.168.1.1/", /private address 192\.168\.1\.1/],
    ["https://192.0.0.8/", /IETF-reserved/],
    ["https://192.0.2.1/", /documentation/],
    ["https://198.51.100.7/", /documentation/],
    ["https://203.0.113.9/", /documentation/],
    ["https://198.18.0.1/", /benchmarking/],
    ["https://198.19.255.1/", /benchmarking/],
    ["https://224.0.0.1/", /multicast/],
    ["https://239.255.255.250/", /multicast/],
    ["https://240.0.0.1/", /reserved/],
    ["https://255.255.255.255/", /broadcast/],
    // IPv6 literals
    ["https://[::1]/", /loopback address ::1/],
    ["https://[0:0:0:0:0:0:0:1]/", /loopback/],
    ["https://[::]/", /unspecified/],
    ["https://[fc00::1]/", /private address fc00::1/],
    ["https://[fd12::1]/", /private address fd12::1/],
    ["https://[fe80::1]/", /link-local address fe80::1/],
    ["https://[febf::1]/", /link-local/],
    ["https://[fec0::1]/", /site-local/],
    ["https://[ff02::1]/", /multicast/],
    ["https://[100::1]/", /discard-only/],
    ["https://[2001:db8::1]/", /documentation/],
    ["https://[2001::1]/", /Teredo/],
    ["https://[::127.0.0.1]/", /reserved/],
    // IPv4 embedded in IPv6
    ["https://[::ffff:127.0.0.1]/", /loopback address ::ffff:7f00:1/],
    ["https://[::ffff:7f00:1]/", /loopback/],
    ["https://[::ffff:10.0.0.1]/", /private/],
    ["https://[::ffff:169.254.169.254]/", /link-local/],
    ["https://[64:ff9b::7f00:1]/", /loopback/],
    ["https://[64:ff9b::a9fe:a9fe]/", /link-local/],
    ["https://[64:ff9b:1::1]/", /local NAT64/],
    ["https://[2002:7f00:1::]/", /loopback/],
    ["https://[2002:a00:1::1]/", /private/],
    // local-only and single-label names
    ["https://localhost/hook", /^host localhost is a local-only name$/],
    ["https://localhost./hook", /local-only/],
    ["https://LOCALHOST./hook", /local-only/],
    ["https://foo.localhost/", /local-only/],
    ["https://foo.localhost./", /local-only/],
    ["https://printer.local/", /^host printer\.local is a local-only name$/],
    ["https://db.internal/", /local-only/],
    ["https://DB.Internal./", /local-only/],
    ["https://box.localdomain/", /local-only/],
    ["https://router.home.arpa/", /local-only/],
    ["https://intranet/hook", /^host intranet must be a fully qualified domain name$/],
    ["https://intranet./hook", /fully qualified/],
    ["https://a..b.example/", /not a valid domain name/],
    [`https://${"a".repeat(64)}.example/`, /not a valid domain name/],
    // scheme, credentials, garbage
    ["http://example.com/hook", /^URL must use https$/],
    ["HTTP://EXAMPLE.COM/hook", /^URL must use https$/],
    ["ftp://example.com/hook", /^URL must use https$/],
    ["data:text/plain,hello", /^URL must use https$/],
    ["javascript:alert(1)", /^URL must use https$/],
    ["file:///etc/passwd", /^URL must use https$/],
    ["gopher://example.com:70/", /^URL must use https$/],
    ["ws://example.com/", /^URL must use https$/],
    ["https://user:pass@example.com/hook", /^URL must not contain credentials$/],
    ["https://user@example.com/hook", /^URL must not contain credentials$/],
    ["https://:pass@example.com/hook", /^URL must not contain credentials$/],
    ["not a url", /^URL is not a valid absolute URL$/],
    ["/relative/hook", /^URL is not a valid absolute URL$/],
    ["https://[fe80::1%25eth0]/", /^URL is not a valid absolute URL$/],
    ["", /^URL is required$/],
    [`https://example.com/${"x".repeat(2048)}`, /at most 2048 characters/],
    // names whose (fake) DNS answer is not public
    ["https://private.example.com/hook", /^host resolves to a private address 10\.0\.0\.5$/],
    ["https://mixed.example.com/hook", /^host resolves to a loopback address 127\.0\.0\.1$/],
    ["https://mixed6.example.com/hook", /^host resolves to a link-local address fe80::1$/],
    ["https://mapped.example.com/hook", /^host resolves to a private address ::ffff:192\.168\.0\.1$/],
    ["https://v6private.example.com/hook", /private address fd00::1/],
    ["https://metadata.example.com/hook", /link-local address 169\.254\.169\.254/],
    ["https://zero.example.com/hook", /unspecified address 0\.0\.0\.0/],
    ["https://garbage.example.com/hook", /resolved to an invalid address/],
    ["https://nxdomain.example.com/hook", /^host nxdomain\.example\.com could not be resolved \(ENOTFOUND\)$/],
    ["https://empty.example.com/hook", /did not resolve to any address/],
  ];

  it("has a table of at least 30 hostile URLs", () => {
    expect(HOSTILE.length).toBeGreaterThanOrEqual(30);
  });

  it.each(HOSTILE)("%s", async (raw, expected) => {
    expect(await refusal(raw)).toMatch(expected);
  });
});

const GOOD_DNS = fakeLookup({
  "example.com": ["93.184.216.34"],
  "example.com.": ["93.184.216.34"],
  "xn--bcher-kva.example": ["93.184.216.34"],
  "dual.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
  "hooks.localhost-proxy.com": ["93.184.216.34"],
  "my-internal.example.com": ["93.184.216.34"],
});

describe("good webhook URLs are accepted", () => {
  it("resolves https://example.com/hook to its validated address", async () => {
    const lookup = fakeLookup({ "example.com": ["93.184.216.34"] });
    const checked = checkWebhookUrl("https://example.com/hook", []);
    expect(checked).toEqual({ url: new URL("https://example.com/hook") });
    const resolved = await resolveAndCheck("example.com", { allowlist: [], lookup });
    expect(resolved).toEqual({ addresses: [{ address: "93.184.216.34", family: 4 }] });
    expect(lookup).toHaveBeenCalledTimes(1);
    expect(lookup).toHaveBeenCalledWith("example.com", { all: true, verbatim: true });
  });

  it("accepts a public IPv6 literal without any DNS lookup", async () => {
    const lookup = fakeLookup({});
    const checked = checkWebhookUrl("https://[2606:4700::1111]/x", []);
    expect("url" in checked && checked.url.hostname).toBe("[2606:4700::1111]");
    const resolved = await resolveAndCheck("[2606:4700::1111]", { allowlist: [], lookup });
    expect(resolved).toEqual({ addresses: [{ address: "2606:4700::1111", family: 6 }] });
    expect(lookup).not.toHaveBeenCalled();
  });

  it.each([
    "https://example.com/hook",
    "https://Example.COM:8443/path?q=1#frag",
    "https://example.com./hook",
    "https://bücher.example/hook",
    "https://dual.example.com/",
    "https://8.8.8.8/hook",
    "https://[::ffff:93.184.216.34]/",
    "https://[64:ff9b::5db8:d822]/",
    "https://[2002:5db8:d822::1]/",
    "https://[2a00:1450:4001:80b::200e]:8443/",
    "https://172.32.0.1/",
    "https://100.128.0.1/",
    "https://hooks.localhost-proxy.com/",
    "https://my-internal.example.com/",
  ])("%s", async (raw) => {
    expect(await refusal(raw, [], GOOD_DNS)).toBeNull();
  });

  it("returns every validated address of a dual-stack name, once each", async () => {
    const lookup = fakeLookup({ "dual.example.com": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "93.184.216.34"] });
    expect(await resolveAndCheck("dual.example.com", { allowlist: [], lookup })).toEqual({
      addresses: [
        { address: "93.184.216.34", family: 4 },
        { address: "2606:2800:220:1:248:1893:25c8:1946", family: 6 },
      ],
    });
  });

  it("normalises the URL (punycode, lowercase, default port)", () => {
    const checked = checkWebhookUrl("https://BÜCHER.example:443/Hook", []);
    expect("url" in checked && checked.url.href).toBe("https://xn--bcher-kva.example/Hook");
  });
});

describe("isPublicAddress", () => {
  it.each([
    "127.0.0.1", "10.255.255.255", "172.16.0.0", "172.31.0.1", "192.168.0.1", "169.254.0.1", "100.64.0.0",
    "100.127.255.255", "0.0.0.0", "0.255.255.255", "224.0.0.0", "239.1.1.1", "240.0.0.0", "255.255.255.255",
    "192.0.0.1", "192.0.2.255", "198.18.0.0", "198.19.255.255", "198.51.100.1", "203.0.113.255", "192.88.99.1",
    "::", "::1", "fc00::", "fdff:ffff::1", "fe80::1%eth0", "fe80::abcd", "fec0::1", "feff::1", "ff00::", "ff02::1",
    "2001:db8::", "2001:db8:ffff::1", "100::", "100::ffff:ffff:ffff:ffff", "::ffff:127.0.0.1", "::ffff:7f00:1",
    "::ffff:a00:1", "::ffff:0.0.0.0", "64:ff9b::127.0.0.1", "64:ff9b::a00:1", "2002:7f00:1::", "2002:c0a8:101::1",
    "2002:a9fe:a9fe::", "2001::", "2001:2::1", "3fff::1", "::127.0.0.1", "1::", "4000::1", "5f00::1",
    "not an ip", "", "127.1", "0177.0.0.1", "[::1]", "1.2.3.4.5", "::ffff:1.2.3",
  ])("%s is not public", (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    "93.184.216.34", "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "192.167.255.255", "192.169.0.0",
    "100.63.255.255", "100.128.0.0", "169.253.255.255", "198.17.255.255", "198.20.0.0", "223.255.255.255",
    "2606:4700::1111", "2a00:1450:4001:80b::200e", "2001:4860:4860::8888", "[2606:4700::1111]",
    "::ffff:93.184.216.34", "::ffff:5db8:d822", "64:ff9b::8.8.8.8", "2002:808:808::1", "2001:200::1", "3ffe::1",
  ])("%s is public", (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });

  it("names the category", () => {
    expect(classifyAddress("10.0.0.1")).toBe("a private");
    expect(classifyAddress("::ffff:127.0.0.1")).toBe("a loopback");
    expect(classifyAddress("2002:a9fe:a9fe::1")).toBe("a link-local");
    expect(classifyAddress("8.8.8.8")).toBeNull();
  });
});

describe("parseAllowlist", () => {
  it("matches hostnames exactly, case-insensitively, ignoring a trailing dot", () => {
    const list = parseAllowlist(["Hooks.Internal.", " receiver.corp.example "]);
    expect([...list.hostnames]).toEqual(["hooks.internal", "receiver.corp.example"]);
    for (const host of ["hooks.internal", "HOOKS.INTERNAL", "hooks.internal."]) expect(list.hasHostname(host)).toBe(true);
    for (const host of ["x.hooks.internal", "hooks.internal.evil.com", "internal", "hooks.interna"]) expect(list.hasHostname(host)).toBe(false);
    expect(list.matchesHost("receiver.corp.example")).toBe(true);
    expect(list.hasAddress("127.0.0.1")).toBe(false);
  });

  it("matches IPv4 and IPv6 CIDRs and bare addresses", () => {
    const list = parseAllowlist(["127.0.0.1/32", "10.0.0.0/8", "192.168.1.7", "fd00::/8", "[::1]", "172.16.0.0/12"]);
    for (const ip of ["127.0.0.1", "10.0.0.1", "10.255.255.255", "192.168.1.7", "fd12::1", "::1", "[::1]", "172.31.1.1", "::ffff:127.0.0.1", "::ffff:a01:203"]) {
      expect(list.hasAddress(ip), ip).toBe(true);
    }
    for (const ip of ["127.0.0.2", "11.0.0.1", "192.168.1.8", "fe80::1", "::2", "172.32.0.1", "64:ff9b::7f00:1", "nonsense"]) {
      expect(list.hasAddress(ip), ip).toBe(false);
    }
    expect(list.matchesHost("[fd00::5]")).toBe(true);
    expect(list.hasHostname("127.0.0.1")).toBe(false);
  });

  it("lets an IPv6 CIDR cover IPv4-mapped addresses and non-aligned prefixes work", () => {
    const list = parseAllowlist(["::ffff:10.0.0.0/104", "198.51.100.64/26"]);
    expect(list.hasAddress("10.1.1.1")).toBe(true);
    expect(list.hasAddress("198.51.100.64")).toBe(true);
    expect(list.hasAddress("198.51.100.127")).toBe(true);
    expect(list.hasAddress("198.51.100.128")).toBe(false);
    expect(list.hasAddress("198.51.100.63")).toBe(false);
  });

  it("ignores empty entries and accepts an empty list", () => {
    const list = parseAllowlist(["", "  "]);
    expect(list.hostnames.size).toBe(0);
    expect(list.cidrs).toHaveLength(0);
    expect(list.matchesHost("127.0.0.1")).toBe(false);
  });

  it.each(["10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/", "1.2.3.4/abc", "foo bar", "http://hooks.example", "hooks.example:8080", "user@hooks.example", "*.example.com", "a..b"])(
    "refuses the malformed entry %j",
    (entry) => {
      expect(() => parseAllowlist([entry])).toThrow(/WEBHOOK_URL_ALLOWLIST/);
    },
  );
});

describe("WEBHOOK_URL_ALLOWLIST", () => {
  it("127.0.0.1/32 lets http://127.0.0.1:PORT/hook through, http included", async () => {
    const allowlist = ["127.0.0.1/32"];
    expect(await refusal("http://127.0.0.1:4567/hook", allowlist)).toBeNull();
    expect(await refusal("https://127.0.0.1:4567/hook", allowlist)).toBeNull();
    expect(await refusal("http://2130706433:4567/hook", allowlist)).toBeNull();
    expect(await refusal("https://[::ffff:127.0.0.1]/", allowlist)).toBeNull();
    expect(await resolveAndCheck("127.0.0.1", { allowlist, lookup: DNS })).toEqual({ addresses: [{ address: "127.0.0.1", family: 4 }] });
  });

  it("still refuses loopback addresses outside the allowlisted CIDR", async () => {
    const allowlist = ["127.0.0.1/32"];
    expect(await refusal("http://127.0.0.2:4567/hook", allowlist)).toBe("URL must use https");
    expect(await refusal("https://127.0.0.2:4567/hook", allowlist)).toBe("host is a loopback address 127.0.0.2");
    expect(await refusal("https://[::1]/", allowlist)).toBe("host is a loopback address ::1");
    expect(await refusal("https://localhost/", allowlist)).toBe("host localhost is a local-only name");
  });

  it("a hostname entry lets https://hooks.internal/x through (and http), whatever it resolves to", async () => {
    const allowlist = ["hooks.internal"];
    const lookup = fakeLookup({ "hooks.internal": ["10.0.0.7"], "hooks.internal.": ["10.0.0.7"] });
    expect(await refusal("https://hooks.internal/x", allowlist, lookup)).toBeNull();
    expect(await refusal("http://hooks.internal:8080/x", allowlist, lookup)).toBeNull();
    expect(await refusal("https://HOOKS.INTERNAL./x", allowlist, lookup)).toBeNull();
    expect(await refusal("https://other.internal/x", allowlist, lookup)).toBe("host other.internal is a local-only name");
    expect(await refusal("https://x.hooks.internal/x", allowlist, lookup)).toBe("host x.hooks.internal is a local-only name");
  });

  it("a single-label hostname can be allowlisted", async () => {
    const lookup = fakeLookup({ intranet: ["192.168.0.10"] });
    expect(await refusal("http://intranet/hook", ["intranet"], lookup)).toBeNull();
    expect(await refusal("http://intranet/hook", [], lookup)).toBe("URL must use https");
  });

  it("CIDRs apply to DNS answers; the https rule still applies to a name", async () => {
    const allowlist = ["10.0.0.0/8"];
    const lookup = fakeLookup({ "svc.example.com": ["10.1.2.3"], "svc-mixed.example.com": ["10.1.2.3", "127.0.0.1"] });
    expect(await refusal("https://svc.example.com/hook", allowlist, lookup)).toBeNull();
    expect(await refusal("http://svc.example.com/hook", allowlist, lookup)).toBe("URL must use https");
    expect(await refusal("https://svc-mixed.example.com/hook", allowlist, lookup)).toBe("host resolves to a loopback address 127.0.0.1");
  });

  it("IPv6 CIDRs", async () => {
    expect(await refusal("http://[fd12::1]:9000/", ["fd00::/8"])).toBeNull();
    expect(await refusal("https://[fc00::1]/", ["fd00::/8"])).toBe("host is a private address fc00::1");
  });

  it("never exempts credentials or non-http schemes", async () => {
    expect(await refusal("http://user:pw@127.0.0.1/", ["127.0.0.1/32"])).toBe("URL must not contain credentials");
    expect(await refusal("ftp://127.0.0.1/", ["127.0.0.1/32"])).toBe("URL must use https");
    expect(await refusal("https://user@hooks.internal/", ["hooks.internal"])).toBe("URL must not contain credentials");
  });

  it("accepts a parsed allowlist as well as raw entries", () => {
    const list = parseAllowlist(["127.0.0.1/32"]);
    expect("url" in checkWebhookUrl("http://127.0.0.1/hook", list)).toBe(true);
  });
});

describe("validateWebhookUrl", () => {
  it("throws BAD_USER_INPUT on input.url with the specific message", async () => {
    const error = await validateWebhookUrl("http://example.com/hook", { allowlist: [], lookup: DNS }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "BAD_USER_INPUT", field: "input.url", detail: "URL must use https", message: "input.url: URL must use https" });
  });

  it("refuses a name that resolves to a private address", async () => {
    await expect(validateWebhookUrl("https://private.example.com/hook", { allowlist: [], lookup: DNS })).rejects.toThrow(
      "input.url: host resolves to a private address 10.0.0.5",
    );
  });

  it("uses the given field name", async () => {
    await expect(validateWebhookUrl("https://localhost/", { allowlist: [], lookup: DNS, field: "url" })).rejects.toMatchObject({ field: "url" });
  });

  it("returns the normalised URL", async () => {
    const url = await validateWebhookUrl("https://Example.com/hook", { allowlist: [], lookup: DNS });
    expect(url.href).toBe("https://example.com/hook");
  });
});
