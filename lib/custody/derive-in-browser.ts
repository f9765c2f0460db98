/**
 * Client-side entry for the team key derivation (Rails custody, lib/custody/envelope.ts): runs
 * Argon2id in a module Web Worker (lib/custody/derive-worker.ts) and reports its stages, so a
 * page can show "1 of 2…" while the main thread stays free. Browser-only in practice; imports no
 * server code. Where `Worker` does not exist (old runtimes, Node) it derives on the calling
 * thread instead, with the same progress reports.
 */
import type { TeamKeys } from "./envelope";
import type { DeriveRequest, DeriveWorkerMessage } from "./derive-worker";

export type DeriveProgress = { stage: number; of: number; label: string };

export async function deriveInWorker(
  password: string,
  teamId: string,
  onProgress?: (progress: DeriveProgress) => void,
  options: { signal?: AbortSignal } = {},
): Promise<TeamKeys> {
  const { signal } = options;
  signal?.throwIfAborted();

  if (typeof Worker === "undefined") {
    // Loaded only here: with a worker, hash-wasm and nostr-tools stay out of the page's bundle.
    // It cannot be interrupted once started; an abort is honoured when it ends.
    const { deriveTeamKeys } = await import("./envelope");
    const keys = await deriveTeamKeys(password, teamId, onProgress);
    signal?.throwIfAborted();
    return keys;
  }

  // This exact form (a literal `new URL(…, import.meta.url)` inside `new Worker`) is what
  // Turbopack and webpack recognise to bundle the worker as its own chunk.
  const worker = new Worker(new URL("./derive-worker.ts", import.meta.url), { type: "module" });
  try {
    return await new Promise<TeamKeys>((resolve, reject) => {
      const onAbort = () => reject(signal?.reason ?? new DOMException("The key derivation was aborted.", "AbortError"));
      signal?.addEventListener("abort", onAbort, { once: true });
      const settle = () => signal?.removeEventListener("abort", onAbort);

      worker.addEventListener("message", (event: MessageEvent<DeriveWorkerMessage>) => {
        const message = event.data;
        if (message.type === "progress") {
          onProgress?.({ stage: message.stage, of: message.of, label: message.label });
        } else if (message.type === "done") {
          settle();
          resolve({ masterKey: message.masterKey, masterPasswordHash: message.masterPasswordHash });
        } else {
          settle();
          reject(new Error(message.message));
        }
      });
      worker.addEventListener("error", (event: ErrorEvent) => {
        event.preventDefault();
        settle();
        reject(new Error(`The key derivation worker failed${event.message ? `: ${event.message}` : " to start"}.`));
      });
      worker.addEventListener("messageerror", () => {
        settle();
        reject(new Error("The key derivation worker sent a message that could not be read."));
      });

      worker.postMessage({ password, teamId } satisfies DeriveRequest);
    });
  } finally {
    worker.terminate();
  }
}
