import { liveEventsResponse } from "@/lib/events/http";

// A stream per request: never prerendered or cached.
export const dynamic = "force-dynamic";

/** The signed-in user's payment changes as server-sent events (lib/events/http.ts). */
export function GET(request: Request): Promise<Response> {
  return liveEventsResponse(request);
}
