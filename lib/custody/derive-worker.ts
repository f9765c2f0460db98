/**
 * Web Worker entry (module worker) deriving the team keys off the main thread, so the page stays
 * responsive through Argon2id's ~0.5–3 s (see lib/custody/envelope.ts). Started by
 * lib/custody/derive-in-browser.ts, one worker per derivation:
 *
 *   → { password, teamId }
 *   ← { type: "progress", stage: 1, of: 2, label }   (and stage 2)
 *   ← { type: "done", masterKey, masterPasswordHash }  or  { type: "error", message }
 */
import { deriveTeamKeys } from "./envelope";

export type DeriveRequest = { password: string; teamId: string };

export type DeriveWorkerMessage =
  | { type: "progress"; stage: number; of: number; label: string }
  | { type: "done"; masterKey: string; masterPasswordHash: string }
  | { type: "error"; message: string };

/** Handles one request, reporting through `post`; never throws. Exported for tests. */
export async function handleDeriveRequest(data: unknown, post: (message: DeriveWorkerMessage) => void): Promise<void> {
  try {
    const request = data as Partial<DeriveRequest> | null;
    if (!request || typeof request.password !== "string" || typeof request.teamId !== "string") {
      throw new Error("The key derivation worker expects { password, teamId } as strings.");
    }
    const keys = await deriveTeamKeys(request.password, request.teamId, ({ stage, of, label }) => post({ type: "progress", stage, of, label }));
    post({ type: "done", masterKey: keys.masterKey, masterPasswordHash: keys.masterPasswordHash });
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
}

// The dom lib types `self` as a Window; in a dedicated worker it is the worker's global scope.
type WorkerScope = {
  addEventListener(type: "message", listener: (event: MessageEvent<unknown>) => void): void;
  postMessage(message: DeriveWorkerMessage): void;
};

const scope = typeof self === "undefined" ? undefined : (self as unknown as WorkerScope);
if (scope && typeof scope.postMessage === "function" && typeof document === "undefined") {
  scope.addEventListener("message", (event) => {
    void handleDeriveRequest(event.data, (message) => scope.postMessage(message));
  });
}
