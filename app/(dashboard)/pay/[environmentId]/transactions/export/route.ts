import { currentUser } from "@/lib/auth/dashboard";
import { toPublicError, httpStatus } from "@/lib/errors";
import { exportTransactionsCsv } from "@/lib/transactions/export-csv";
import { filterFromSearchParams } from "../filters";

export const dynamic = "force-dynamic";

/** CSV export of the transactions list with the filters of the page that links here. */
export async function GET(request: Request, { params }: { params: Promise<{ environmentId: string }> }) {
  const actor = await currentUser();
  if (!actor) return new Response("Log in to export transactions.", { status: 401 });
  const { environmentId } = await params;
  const input = filterFromSearchParams(environmentId, new URL(request.url).searchParams);
  const rows = exportTransactionsCsv(actor, input);
  let first: IteratorResult<string>;
  try {
    first = await rows.next();
  } catch (err) {
    const pub = toPublicError(err);
    return new Response(pub.message, { status: httpStatus(pub.code) });
  }
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (!first.done) controller.enqueue(new TextEncoder().encode(first.value));
    },
    async pull(controller) {
      try {
        const next = await rows.next();
        if (next.done) controller.close();
        else controller.enqueue(new TextEncoder().encode(next.value));
      } catch (err) {
        toPublicError(err);
        controller.error(new Error("export failed"));
      }
    },
  });
  const day = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="transactions-${environmentId.slice(0, 8)}-${day}.csv"`,
      "cache-control": "no-store",
    },
  });
}
