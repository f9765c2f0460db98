import { readFile } from "node:fs/promises";
import path from "node:path";

export const dynamic = "force-static";

/**
 * Browsers still ask for /favicon.ico on documents that carry no icon link (a CSV download, a
 * JSON error page): answer with the app's own icon (app/icon.svg) instead of a 404.
 */
export async function GET(): Promise<Response> {
  const svg = await readFile(path.join(process.cwd(), "app", "icon.svg"));
  return new Response(svg, { headers: { "content-type": "image/svg+xml", "cache-control": "public, max-age=86400" } });
}
