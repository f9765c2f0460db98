"use client";
import Link from "next/link";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-class";
import { CopyButton } from "@/components/ui/copy-button";
import { FormError } from "@/components/ui/field";
import { createApiSessionTokenAction } from "../actions";
import { CodeBlock } from "./code-samples";
import { graphiqlHref, LIST_KEYS_QUERY, sessionTokenCurl } from "./snippets";

/** Writes to the clipboard; false when the browser refuses (the token stays on screen to copy by hand). */
async function writeClipboard(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/**
 * The master's "Copy API session token": a new short-lived Bearer token for master-only API
 * operations (lib/auth/api-session.ts), copied at once and shown with a warning and its expiry,
 * a curl sample and a GraphiQL link that carries it.
 */
export function ApiSessionToken({ endpoint }: { endpoint: string }) {
  const [minted, setMinted] = useState<{ token: string; expiresAt: Date; copied: boolean } | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [pending, startTransition] = useTransition();

  function mint() {
    startTransition(async () => {
      const result = await createApiSessionTokenAction();
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setError(undefined);
      const copied = await writeClipboard(result.data.token);
      setMinted({ token: result.data.token, expiresAt: new Date(result.data.expiresAt), copied });
    });
  }

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center gap-3">
        <Button onClick={mint} disabled={pending} aria-busy={pending}>
          {pending && <Spinner />}
          {minted ? "Copy a new API session token" : "Copy API session token"}
        </Button>
        <span aria-live="polite" className="text-sm text-gray-700 dark:text-gray-300">
          {minted && (minted.copied ? "Copied to the clipboard." : "Copy it from the field below.")}
        </span>
      </div>
      <FormError message={error} />
      {minted && (
        <div className="space-y-4">
          <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
            This token acts as you, the team&apos;s master, on the API until{" "}
            <time dateTime={minted.expiresAt.toISOString()} className="font-semibold">
              {timeFormat.format(minted.expiresAt)}
            </time>{" "}
            ({minted.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC): it can create environments and API keys. Keep it out of
            code, chats and tickets. It is listed on{" "}
            <Link href="/settings/security" className="font-medium underline">
              Settings → Security
            </Link>
            , where you can sign it out early.
          </div>
          <div className="space-y-1">
            <label htmlFor="api-session-token" className="block text-sm font-medium">
              API session token (Authorization: Bearer)
            </label>
            <div className="flex gap-2">
              <input
                id="api-session-token"
                readOnly
                value={minted.token}
                onFocus={(e) => e.currentTarget.select()}
                className="block w-full min-w-0 rounded-md border border-gray-300 bg-gray-50 px-3 py-2 font-mono text-xs dark:border-gray-600 dark:bg-gray-950"
              />
              <CopyButton value={minted.token} label="API session token" />
            </div>
          </div>
          <CodeBlock code={sessionTokenCurl(endpoint, minted.token)} label="curl command: list the team's API keys with the session token" />
          <a href={graphiqlHref({ authorization: `Bearer ${minted.token}` }, LIST_KEYS_QUERY)} className={buttonClass("secondary")}>
            Open GraphiQL with this token
          </a>
        </div>
      )}
    </div>
  );
}
