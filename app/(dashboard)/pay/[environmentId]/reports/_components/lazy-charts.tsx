"use client";
// The charts, loaded in the browser after the page (their code is a chunk of its own, not part of
// any route's first load); a placeholder of the same height holds their place meanwhile. The
// numbers themselves are in the server-rendered tables, with or without this code.
import dynamic from "next/dynamic";
import { useState, type ReactNode } from "react";

function ChartPlaceholder() {
  return <div aria-hidden="true" className="h-60 animate-pulse rounded-md bg-gray-100 dark:bg-gray-800" />;
}

export const VolumeChart = dynamic(() => import("./charts").then((m) => m.VolumeChart), { ssr: false, loading: ChartPlaceholder });
export const BalanceChart = dynamic(() => import("./charts").then((m) => m.BalanceChart), { ssr: false, loading: ChartPlaceholder });

/**
 * A chart (a picture, hidden from assistive technology) and its data table: read by screen readers
 * at all times, shown on screen on demand (keyboard users cannot hover a chart's tooltips).
 */
export function ChartWithTable({ chart, table, tableLabel }: { chart: ReactNode; table: ReactNode; tableLabel: string }) {
  const [shown, setShown] = useState(false);
  return (
    <div className="min-w-0">
      <div aria-hidden="true">{chart}</div>
      <button
        type="button"
        aria-pressed={shown}
        onClick={() => setShown((s) => !s)}
        className="mt-2 rounded text-sm font-semibold text-indigo-700 underline underline-offset-2 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-300"
      >
        {shown ? "Hide the table" : "Show as a table"}
      </button>
      {shown ? (
        <div role="region" aria-label={tableLabel} tabIndex={0} className="mt-2 max-h-80 overflow-auto rounded-md border border-gray-200 dark:border-gray-800">
          {table}
        </div>
      ) : (
        <div className="sr-only">{table}</div>
      )}
    </div>
  );
}
