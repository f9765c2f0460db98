import "server-only";
import { sql } from "@/lib/db";

/**
 * Fixed-window counters in PostgreSQL (table rate_limits), so every app instance shares them.
 * `hit` counts one request against `key` and says whether it is within `limit` per `windowMs`.
 * Old windows are deleted now and then by the requests themselves.
 */
export async function hit(key: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const now = Date.now();
  const windowStart = Math.floor(now / windowMs) * windowMs;
  const [row] = await sql<{ count: number }>(
    `INSERT INTO rate_limits (key, "windowStart", count) VALUES ($1, $2::timestamp, 1)
     ON CONFLICT (key, "windowStart") DO UPDATE SET count = rate_limits.count + 1
     RETURNING count`,
    [key, new Date(windowStart).toISOString().slice(0, -1)],
    { prepared: true },
  );
  if (Math.random() < 0.01) {
    await sql(`DELETE FROM rate_limits WHERE "windowStart" < now() - interval '1 day'`, []);
  }
  return { allowed: row.count <= limit, retryAfterSeconds: Math.ceil((windowStart + windowMs - now) / 1000) };
}
