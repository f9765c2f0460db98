"use client";
import { useQuery } from "@tanstack/react-query";
import type { InboxRequestRow } from "../../actions";

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** The inbox's requests, refreshed every 1.5 s so deliveries appear live. */
export function InboxRequests({ inboxId, initial, poll }: { inboxId: string; initial: InboxRequestRow[]; poll: (inboxId: string) => Promise<InboxRequestRow[]> }) {
  const { data = initial } = useQuery({ queryKey: ["inbox", inboxId], queryFn: () => poll(inboxId), initialData: initial, refetchInterval: 1500 });
  if (data.length === 0) {
    return (
      <p role="status" className="text-sm text-gray-600 dark:text-gray-400">
        Waiting for deliveries… Create an invoice in this environment and its events arrive here within seconds.
      </p>
    );
  }
  return (
    <ol className="space-y-3" aria-live="polite" aria-label="Received deliveries">
      {data.map((r) => (
        <li key={r.id} className="rounded-md border border-gray-200 p-3 dark:border-gray-800">
          <details>
            <summary className="flex cursor-pointer flex-wrap items-center gap-3 text-sm">
              <span className="font-mono font-semibold">{r.eventType ?? "(no event header)"}</span>
              <span className={r.signatureValid ? "text-green-700 dark:text-green-400" : "text-red-700 dark:text-red-400"}>
                {r.signatureValid ? "✓ signature verified" : r.signatureValid === false ? "✗ signature does not verify" : "signature not checked"}
              </span>
              <span className="text-xs text-gray-600 dark:text-gray-400">{new Date(r.receivedAt).toISOString().replace("T", " ").slice(0, 19)} UTC</span>
            </summary>
            <p className="mt-3 text-xs font-semibold">Headers</p>
            <pre tabIndex={0} className="max-h-48 overflow-auto rounded bg-gray-50 p-2 text-xs dark:bg-gray-950">{JSON.stringify(r.headers, null, 2)}</pre>
            <p className="mt-3 text-xs font-semibold">Body</p>
            <pre tabIndex={0} className="max-h-96 overflow-auto rounded bg-gray-50 p-2 text-xs dark:bg-gray-950">{pretty(r.body)}</pre>
          </details>
        </li>
      ))}
    </ol>
  );
}
