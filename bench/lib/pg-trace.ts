// A PostgreSQL wire-protocol proxy that records the statements an app sends, with their
// parameters. Point the app at `trace.url` (startServer's `appDatabaseUrl`); every byte is
// forwarded unchanged, and the frontend messages are parsed on the way: Parse ('P') gives the SQL
// of a prepared statement, Bind ('B') one execution of it with its parameters, a simple Query
// ('Q') one execution; Sync ('S') and Query mark a round trip (node-postgres sends
// Parse/Bind/Describe/Execute/Sync of one statement in one write and waits for ReadyForQuery).
//
// It costs CPU in the harness process and a hop per message: figures measured through it are
// not comparable with plain runs.
import net from "node:net";

export type TracedStatement = {
  connection: number;
  sql: string;
  /** Parameters as sent (text format); null for SQL NULL; undefined when a parameter was binary. */
  params: (string | null | undefined)[];
  at: number;
};

export type PgTrace = {
  /** The upstream URL with the proxy's host and port (same credentials). */
  url: string;
  statements: TracedStatement[];
  /** Sync + simple Query messages: round trips to PostgreSQL. */
  roundTrips: () => number;
  reset: () => void;
  close: () => Promise<void>;
};

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export async function startPgTrace(upstreamUrl: string): Promise<PgTrace> {
  const upstream = new URL(upstreamUrl);
  const statements: TracedStatement[] = [];
  let roundTrips = 0;
  let connections = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const connection = ++connections;
    const backend = net.connect({ host: upstream.hostname, port: Number(upstream.port || 5432) });
    sockets.add(client).add(backend);
    client.setNoDelay(true);
    backend.setNoDelay(true);
    let startup = true;
    let pending: Buffer = Buffer.alloc(0);
    /** Prepared statements of this connection by name ("" = the unnamed one). */
    const prepared = new Map<string, string>();

    const cstring = (buffer: Buffer, offset: number): [string, number] => {
      const end = buffer.indexOf(0, offset);
      return [buffer.subarray(offset, end).toString("utf8"), end + 1];
    };

    const parse = () => {
      for (;;) {
        if (startup) {
          if (pending.length < 8) return;
          const length = pending.readInt32BE(0);
          if (pending.length < length) return;
          const code = pending.readInt32BE(4);
          pending = pending.subarray(length);
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) startup = false;
          continue;
        }
        if (pending.length < 5) return;
        const type = String.fromCharCode(pending[0]);
        const length = pending.readInt32BE(1);
        if (pending.length < 1 + length) return;
        const body = pending.subarray(5, 1 + length);
        if (type === "P") {
          const [name, next] = cstring(body, 0);
          const [sql] = cstring(body, next);
          prepared.set(name, sql);
        } else if (type === "B") {
          let offset = cstring(body, 0)[1]; // portal
          const [name, afterName] = cstring(body, offset);
          offset = afterName;
          const formatCount = body.readInt16BE(offset);
          offset += 2;
          const formats: number[] = [];
          for (let i = 0; i < formatCount; i++, offset += 2) formats.push(body.readInt16BE(offset));
          const paramCount = body.readInt16BE(offset);
          offset += 2;
          const params: (string | null | undefined)[] = [];
          for (let i = 0; i < paramCount; i++) {
            const size = body.readInt32BE(offset);
            offset += 4;
            const format = formatCount === 0 ? 0 : formatCount === 1 ? formats[0] : formats[i];
            if (size < 0) params.push(null);
            else {
              params.push(format === 0 ? body.subarray(offset, offset + size).toString("utf8") : undefined);
              offset += size;
            }
          }
          statements.push({ connection, sql: prepared.get(name) ?? "", params, at: performance.now() });
        } else if (type === "Q") {
          statements.push({ connection, sql: cstring(body, 0)[0], params: [], at: performance.now() });
          roundTrips++;
        } else if (type === "S") {
          roundTrips++;
        }
        pending = pending.subarray(1 + length);
      }
    };

    client.on("data", (chunk: Buffer) => {
      backend.write(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      parse();
    });
    backend.on("data", (chunk: Buffer) => client.write(chunk));
    const close = () => {
      client.destroy();
      backend.destroy();
      sockets.delete(client);
      sockets.delete(backend);
    };
    client.on("close", close);
    backend.on("close", close);
    client.on("error", close);
    backend.on("error", close);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = new URL(upstreamUrl);
  url.hostname = "127.0.0.1";
  url.port = String(port);

  return {
    url: url.toString(),
    statements,
    roundTrips: () => roundTrips,
    reset: () => {
      statements.length = 0;
      roundTrips = 0;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The statements as lines: "[conn 3] SELECT …" with whitespace collapsed and long SQL cut. */
export function formatStatements(list: TracedStatement[], width = 160): string[] {
  return list.map((s) => {
    const sql = s.sql.replace(/\s+/g, " ").replace(/"public"\./g, "").trim();
    return `[conn ${s.connection}] ${sql.length > width ? `${sql.slice(0, width)}…` : sql}`;
  });
}

/**
 * The statements and round trips of one call of `fn` (e.g. one HTTP request), the fewest over
 * `tries` calls: background work of the app (the worker's polling) that lands in a call's window
 * adds statements to that call only.
 */
export async function traceCall(
  trace: PgTrace,
  fn: () => Promise<unknown>,
  tries = 5,
): Promise<{ statements: TracedStatement[]; roundTrips: number; ms: number }> {
  let best: { statements: TracedStatement[]; roundTrips: number; ms: number } | undefined;
  for (let i = 0; i < tries; i++) {
    trace.reset();
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    // Statements still in flight (a fire-and-forget write) land within a few milliseconds.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const run = { statements: [...trace.statements], roundTrips: trace.roundTrips(), ms };
    if (!best || run.statements.length < best.statements.length) best = run;
  }
  return best!;
}
