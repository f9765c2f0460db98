import { healthResponse } from "@/lib/health/health";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * /healthz: 200 with `{ status: "ok", database, worker }` when this process reaches its database
 * (`SELECT 1` within 2 s) and its in-app worker is turning; 503 with the same report otherwise
 * (lib/health/health.ts). The production server (scripts/server.ts) answers it before Next.js.
 */
export function GET(): Promise<Response> {
  return healthResponse();
}
