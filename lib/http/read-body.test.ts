import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { PayloadTooLargeError, readBodyCapped } from "./read-body";

const chunks = (sizes: number[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const n of sizes) controller.enqueue(new Uint8Array(n).fill(0x62));
      controller.close();
    },
  });
const request = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request("http://localhost/x", { method: "POST", headers, body, duplex: "half" } as RequestInit);

describe("readBodyCapped on a web Request", () => {
  it("returns the whole body up to exactly the cap", async () => {
    const body = await readBodyCapped(request(chunks([4, 4, 2])), 10);
    expect(body.byteLength).toBe(10);
    expect(body.toString()).toBe("b".repeat(10));
  });

  it("an empty or absent body is zero bytes", async () => {
    expect((await readBodyCapped(request(null), 10)).byteLength).toBe(0);
    expect((await readBodyCapped(request(""), 10)).byteLength).toBe(0);
  });

  it("throws a typed 413 one byte over the cap, and cancels the stream", async () => {
    let cancelled = false;
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new Uint8Array(6));
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const error = await readBodyCapped(request(stream), 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE", maxBytes: 10, size: "more than 10", message: "Request body is more than 10 bytes; the limit is 10" });
    expect(cancelled).toBe(true);
    expect(pulls).toBe(2);
  });

  it("refuses a declared Content-Length over the cap before reading", async () => {
    let pulls = 0;
    const stream = new ReadableStream<Uint8Array>({ pull: (c) => void (pulls++, c.enqueue(new Uint8Array(1))) }, { highWaterMark: 0 });
    const error = await readBodyCapped(request(stream, { "content-length": "11" }), 10).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 413, size: "11" });
    expect(pulls).toBe(0);
  });

  it("a lying Content-Length (small, body bigger) is still caught by counting", async () => {
    const error = await readBodyCapped(request(chunks([8, 8]), { "content-length": "3" }), 10).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
  });
});

describe("readBodyCapped on a node:http IncomingMessage", () => {
  async function withServer(maxBytes: number, run: (port: number, results: Array<Buffer | unknown>) => Promise<void>) {
    const results: Array<Buffer | unknown> = [];
    const server = http.createServer((req, res) => {
      readBodyCapped(req, maxBytes).then(
        (body) => {
          results.push(body);
          res.end(`ok ${body.byteLength}`);
        },
        (err: unknown) => {
          results.push(err);
          res.writeHead(413, { connection: "close" });
          res.end("too large", () => req.destroy());
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      await run((server.address() as AddressInfo).port, results);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }
  const post = (port: number, body: Buffer, headers: Record<string, string> = {}) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method: "POST", headers }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end(body);
    });

  it("reads up to the cap, refuses over it (chunked and declared)", async () => {
    await withServer(1000, async (port, results) => {
      expect(await post(port, Buffer.alloc(1000))).toBe(200);
      expect((results[0] as Buffer).byteLength).toBe(1000);
      expect(await post(port, Buffer.alloc(1001), { "transfer-encoding": "chunked" })).toBe(413);
      expect(results[1]).toMatchObject({ status: 413, size: "more than 1000" });
      expect(await post(port, Buffer.alloc(2000))).toBe(413);
      expect(results[2]).toMatchObject({ status: 413, size: "2000" });
    });
  });
});
