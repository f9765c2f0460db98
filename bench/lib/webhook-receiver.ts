// A webhook receiver for the benchmarks: node:http on 127.0.0.1, answers every POST 200 "ok" as
// soon as its body has arrived, and records per envelope id (the JSON body's `id`) when the request
// arrived (wall clock, Date.now(), taken when its headers were parsed — comparable with the app's
// timestamps, same machine) and, for a later signature check, the raw body and signature headers.
// Keep-alive as node's default: a client that reuses connections (undici) may.
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Arrival = {
  /** Date.now() when the request's headers had been parsed. */
  at: number;
  /** performance.now() at the same moment (sub-millisecond, for intervals). */
  atPerf: number;
  rawBody: string;
  timestamp?: string;
  signature?: string;
};

export type WebhookReceiver = {
  url: string;
  /** Requests answered since the last reset (duplicates included). */
  requests(): number;
  /** First arrival of each envelope id since the last reset. */
  arrivals: Map<string, Arrival>;
  /** Requests whose envelope id had already arrived since the last reset. */
  duplicates(): number;
  /** Bodies that were not JSON with a string `id`. */
  badBodies(): number;
  reset(): void;
  /** Resolves when every id of `ids` has arrived (rejects after `timeoutMs`, with how many are missing). */
  waitFor(ids: Iterable<string>, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
};

export async function startReceiver(path = "/hook"): Promise<WebhookReceiver> {
  let arrivals = new Map<string, Arrival>();
  let requests = 0;
  let duplicates = 0;
  let badBodies = 0;
  let waiter: { missing: Set<string>; resolve: () => void } | null = null;
  const sockets = new Set<Socket>();

  const server = http.createServer((req, res) => {
    const at = Date.now();
    const atPerf = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": "2" });
      res.end("ok");
      requests++;
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let id: unknown;
      try {
        id = (JSON.parse(rawBody) as { id?: unknown }).id;
      } catch {
        // counted below
      }
      if (typeof id !== "string") {
        badBodies++;
        return;
      }
      if (arrivals.has(id)) {
        duplicates++;
        return;
      }
      const header = (name: string) => {
        const v = req.headers[name];
        return typeof v === "string" ? v : undefined;
      };
      arrivals.set(id, { at, atPerf, rawBody, timestamp: header("x-webhook-timestamp"), signature: header("x-webhook-signature") });
      if (waiter && waiter.missing.delete(id) && waiter.missing.size === 0) {
        const { resolve } = waiter;
        waiter = null;
        resolve();
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests: () => requests,
    get arrivals() {
      return arrivals;
    },
    duplicates: () => duplicates,
    badBodies: () => badBodies,
    reset() {
      arrivals = new Map();
      requests = 0;
      duplicates = 0;
      badBodies = 0;
      waiter = null;
    },
    waitFor(ids, timeoutMs) {
      const missing = new Set([...ids].filter((id) => !arrivals.has(id)));
      if (missing.size === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = null;
          reject(new Error(`${missing.size} of the expected webhook deliveries had not arrived after ${timeoutMs / 1000} s`));
        }, timeoutMs);
        waiter = {
          missing,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
