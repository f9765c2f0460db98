import { yoga } from "@/lib/graphql/server";
import { BodyCollector, tooLargeBody, type CappedBody } from "@/lib/graphql/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * /graphql inside Next.js (`npm run dev`, or `next start` without Boltrail's server); the
 * production server (scripts/server.ts) answers /graphql itself with the same yoga definition.
 * The body is read with the 1 MB cap, then handed to graphql-yoga.
 */
async function handle(request: Request) {
  if (request.method !== "POST" || !request.body) return yoga.handleRequest(request, {});
  let read: CappedBody | null = BodyCollector.declaredTooLarge(request.headers.get("content-length"));
  if (!read) {
    const collector = new BodyCollector();
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!collector.add(value)) {
        await reader.cancel();
        break;
      }
    }
    read = collector.result();
  }
  if (!read.ok) return new Response(tooLargeBody(read.size), { status: 413, headers: { "content-type": "application/json; charset=utf-8" } });
  return yoga.handleRequest(new Request(request.url, { method: "POST", headers: request.headers, body: read.body }), {});
}

export { handle as GET, handle as POST, handle as OPTIONS };
