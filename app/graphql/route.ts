import { yoga } from "@/lib/graphql/server";
import { MAX_BODY_BYTES } from "@/lib/graphql/limits";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

async function handle(request: Request) {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > MAX_BODY_BYTES) {
    return Response.json(
      { errors: [{ message: `Request body is ${length} bytes; the limit is ${MAX_BODY_BYTES}`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] },
      { status: 413 },
    );
  }
  return yoga.handleRequest(request, {});
}

export { handle as GET, handle as POST, handle as OPTIONS };
