"use client";
import { useId, useState, type KeyboardEvent } from "react";
import { CopyButton } from "@/components/ui/copy-button";
import { snippets, WALLET_PLACEHOLDER, type SnippetContext } from "./snippets";

const LANGUAGES = [
  { id: "curl", label: "curl" },
  { id: "typescript", label: "TypeScript" },
] as const;
type Language = (typeof LANGUAGES)[number]["id"];

/** A block of code that scrolls sideways on its own (never the page), reachable by keyboard. */
export function CodeBlock({ code, label }: { code: string; label: string }) {
  return (
    <div className="relative">
      <pre
        tabIndex={0}
        aria-label={label}
        className="max-w-full overflow-x-auto rounded-md border border-gray-200 bg-gray-50 p-3 pr-20 font-mono text-xs leading-relaxed text-gray-900 dark:border-gray-800 dark:bg-gray-950 dark:text-gray-100"
      >
        <code>{code}</code>
      </pre>
      <div className="absolute top-2 right-2">
        <CopyButton value={code} label={label} />
      </div>
    </div>
  );
}

/**
 * The API samples (snippets.ts) as curl or TypeScript, one tab list for all, each with a copy
 * button. With `apiKey`, the samples carry that key (shown once, after it was created).
 */
export function CodeSamples(context: SnippetContext) {
  const [language, setLanguage] = useState<Language>("curl");
  const id = useId();
  const samples = snippets(context);

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    if (event.key !== "ArrowRight" && event.key !== "ArrowLeft") return;
    event.preventDefault();
    const next = LANGUAGES[(LANGUAGES.findIndex((l) => l.id === language) + 1) % LANGUAGES.length].id;
    setLanguage(next);
    document.getElementById(`${id}-tab-${next}`)?.focus();
  }

  return (
    <div className="min-w-0 space-y-4">
      <div role="tablist" aria-label="Language of the samples" className="inline-flex rounded-md border border-gray-300 p-0.5 dark:border-gray-600">
        {LANGUAGES.map((l) => (
          <button
            key={l.id}
            id={`${id}-tab-${l.id}`}
            type="button"
            role="tab"
            aria-selected={language === l.id}
            aria-controls={`${id}-panel`}
            tabIndex={language === l.id ? 0 : -1}
            onClick={() => setLanguage(l.id)}
            onKeyDown={onKeyDown}
            className={`rounded px-3 py-1 text-sm font-medium ${language === l.id ? "bg-indigo-600 text-white" : "text-gray-700 hover:bg-gray-100 dark:text-gray-300 dark:hover:bg-gray-800"}`}
          >
            {l.label}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${language}`} className="space-y-5">
        {samples.map((s) => (
          <section key={s.id} aria-labelledby={`${id}-${s.id}`} className="min-w-0 space-y-2">
            <h3 id={`${id}-${s.id}`} className="text-sm font-semibold text-gray-900 dark:text-gray-100">
              {s.title}
            </h3>
            <p className="text-sm text-gray-600 dark:text-gray-400">{s.description}</p>
            <CodeBlock code={language === "curl" ? s.curl : s.typescript} label={`${language === "curl" ? "curl command" : "TypeScript code"}: ${s.title}`} />
          </section>
        ))}
        {!context.walletId && (
          <p className="text-sm text-amber-800 dark:text-amber-200">
            This environment has no wallet yet: open one on the Wallets page, then replace <code className="font-mono">{WALLET_PLACEHOLDER}</code> with its id.
          </p>
        )}
      </div>
    </div>
  );
}
