"use client";
import { useEffect } from "react";

/** How long the payer sees "Paid" before being sent back to the merchant. */
export const PAID_REDIRECT_DELAY_MS = 2000;

/**
 * Sends a payer who has paid back to the merchant's success URL, after the paid state has been on
 * screen for a moment; the link works at once for those who do not want to wait.
 */
export function PaidRedirect({ url }: { url: string }) {
  useEffect(() => {
    const timer = setTimeout(() => window.location.assign(url), PAID_REDIRECT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [url]);
  const host = new URL(url).host;
  return (
    <p className="mt-4 text-sm text-gray-600 dark:text-gray-400">
      Taking you back to <span className="font-medium break-all text-gray-900 dark:text-gray-100">{host}</span>…{" "}
      <a href={url} className="font-semibold text-indigo-700 underline dark:text-indigo-300">
        Continue now
      </a>
    </p>
  );
}
