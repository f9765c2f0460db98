import { yoga } from "@/lib/graphql/server";
import { graphiqlPolicy, isGraphiQLRequest, tooLargeBody, withoutCredentials } from "@/lib/graphql/http";
import { MAX_BODY_BYTES } from "@/lib/graphql/limits";
import { PayloadTooLargeError, readBodyCapped } from "@/lib/http/read-body";
import { isHttpsRequest } from "@/lib/http/security-headers";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * /graphql inside Next.js (`npm run dev`, or `next start` without Boltrail's server); the
 * production server (scripts/server.ts) answers /graphql itself with the same yoga definition and
 * the same edge rules (lib/graphql/http.ts). The body is read with the 1 MB cap, then handed to
 * graphql-yoga. Next.js adds the security headers and HSTS (next.config.ts).
 */
async function handle(request: Request): Promise<Response> {
  let response: Response;
  if (request.method !== "POST" || !request.body) {
    response = await yoga.handleRequest(request, {});
  } else {
    let body: Buffer<ArrayBuffer>;
    try {
      body = await readBodyCapped(request, MAX_BODY_BYTES);
    } catch (err) {
      if (!(err instanceof PayloadTooLargeError)) throw err;
      return new Response(tooLargeBody(err), { status: 413, headers: { "content-type": "application/json; charset=utf-8", connection: "close" } });
    }
    response = await yoga.handleRequest(new Request(request.url, { method: "POST", headers: request.headers, body }), {});
  }
  response = withoutCredentials(response);
  if (isGraphiQLRequest(request.method, request.headers.get("accept"))) {
    response.headers.set("Content-Security-Policy", graphiqlPolicy(isHttpsRequest(request.headers.get("x-forwarded-proto"))));
  }
  return response;
}

export { handle as GET, handle as POST, handle as OPTIONS };
