"use client";
import { useState } from "react";
import { buttonClass } from "./button";

/** Copies a value (an id, a key, a link) and says so, visibly and to screen readers. */
export function CopyButton({ value, label, className = "px-2.5 py-1.5 text-xs" }: { value: string; label: string; className?: string }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      const area = document.createElement("textarea");
      area.value = value;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <button type="button" onClick={copy} className={buttonClass("secondary", className)} aria-label={copied ? `Copied ${label}` : `Copy ${label}`}>
      <span aria-live="polite">{copied ? "Copied" : "Copy"}</span>
    </button>
  );
}
