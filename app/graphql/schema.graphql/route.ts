import { graphqlSchemaText } from "@/lib/graphql/server";

export const runtime = "nodejs";

/** The schema Boltrail serves, as SDL (the API reference linked from GraphiQL and the Developers page). */
export function GET(): Response {
  return new Response(graphqlSchemaText(), { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-cache" } });
}
