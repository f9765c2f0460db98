import { graphiqlAsset } from "@/lib/graphql/graphiql";

export const runtime = "nodejs";

/**
 * GraphiQL's scripts, styles and editor workers (lib/graphql/graphiql.ts), content-hashed and
 * cached for good. Served here under both `next start` and the production server, which hands
 * every path but /graphql itself to Next.js.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ file: string }> }): Promise<Response> {
  const { file } = await params;
  const found = graphiqlAsset(file);
  if (!found) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" } });
  return new Response(found.body, { status: found.status, headers: found.headers });
}
