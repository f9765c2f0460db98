import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, clientIp, parseTrustedProxies, resolveClientIp } from "./client-ip";

const none = parseTrustedProxies([]);
const proxies = parseTrustedProxies(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);

describe("resolveClientIp", () => {
  it("without TRUST_PROXY the socket address is the client, whatever X-Forwarded-For says", () => {
    for (const forwarded of [undefined, "198.51.100.1", "1.2.3.4, 5.6.7.8", ["9.9.9.9"]]) {
      expect(resolveClientIp("203.0.113.9", forwarded, none)).toBe("203.0.113.9");
    }
    // Rotating the header cannot make one client many (the login limit per IP holds)…
    const seen = new Set(Array.from({ length: 50 }, (_, i) => resolveClientIp("203.0.113.9", `10.1.1.${i}`, none)));
    expect([...seen]).toEqual(["203.0.113.9"]);
    // …nor aim failures at someone else's address.
    expect(resolveClientIp("203.0.113.9", "198.51.100.77", none)).not.toBe("198.51.100.77");
  });

  it("a header from an untrusted peer is ignored even when TRUST_PROXY is set", () => {
    expect(resolveClientIp("203.0.113.9", "198.51.100.1", proxies)).toBe("203.0.113.9");
  });

  it("behind trusted proxies, the rightmost address that is not a trusted proxy is the client", () => {
    expect(resolveClientIp("127.0.0.1", "198.51.100.1", proxies)).toBe("198.51.100.1");
    // The client wrote a fake first entry; the proxy appended the real peer.
    expect(resolveClientIp("127.0.0.1", "6.6.6.6, 198.51.100.1", proxies)).toBe("198.51.100.1");
    // Two trusted hops (load balancer 10.x, then local proxy).
    expect(resolveClientIp("127.0.0.1", "6.6.6.6, 198.51.100.1, 10.2.3.4", proxies)).toBe("198.51.100.1");
    expect(resolveClientIp("::ffff:127.0.0.1", "[2001:db8::5]:4711", proxies)).toBe("2001:db8::5");
    expect(resolveClientIp("fd00::1", ["198.51.100.1", "10.0.0.1"], proxies)).toBe("198.51.100.1");
    // Only trusted hops: the leftmost one is as far as anyone can tell.
    expect(resolveClientIp("127.0.0.1", "10.0.0.5", proxies)).toBe("10.0.0.5");
    // A trusted proxy that sent no header: the proxy itself.
    expect(resolveClientIp("127.0.0.1", undefined, proxies)).toBe("127.0.0.1");
  });

  it("IPv4-mapped socket addresses are reported as IPv4, an absent socket as unknown", () => {
    expect(resolveClientIp("::ffff:203.0.113.9", undefined, none)).toBe("203.0.113.9");
    expect(resolveClientIp(undefined, "1.2.3.4", none)).toBe("unknown");
  });

  it("TRUST_PROXY refuses hostnames and garbage", () => {
    expect(() => parseTrustedProxies(["proxy.internal"])).toThrow(/not hostnames/);
    expect(() => parseTrustedProxies(["10.0.0.0/99"])).toThrow();
  });
});

describe("clientIp", () => {
  it("reads only the header Boltrail's server sets, never X-Forwarded-For or X-Real-IP", () => {
    expect(clientIp(new Request("http://x/", { headers: { "x-forwarded-for": "1.2.3.4", "x-real-ip": "5.6.7.8" } }))).toBe("unknown");
    expect(clientIp(new Request("http://x/", { headers: { [CLIENT_IP_HEADER]: "203.0.113.9", "x-forwarded-for": "1.2.3.4" } }))).toBe("203.0.113.9");
  });
});
