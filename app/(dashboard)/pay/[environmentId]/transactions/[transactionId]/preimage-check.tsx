"use client";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";

/** A completed send's proof of payment, with a check done in the browser: SHA-256(preimage) = payment hash. */
export function PreimageCheck({ preimage, paymentHash }: { preimage: string; paymentHash: string }) {
  const [result, setResult] = useState<boolean | null>(null);
  async function verify() {
    const bytes = new Uint8Array(preimage.match(/../g)!.map((h) => parseInt(h, 16)));
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    setResult([...digest].map((b) => b.toString(16).padStart(2, "0")).join("") === paymentHash);
  }
  return (
    <span className="flex flex-col gap-2">
      <span className="flex items-center gap-2 font-mono text-xs break-all" data-testid="payment-preimage">
        {preimage}
        <CopyButton value={preimage} label="preimage" />
      </span>
      <span className="flex flex-wrap items-center gap-2">
        <Button type="button" variant="secondary" onClick={verify}>
          Verify
        </Button>
        <span role="status" className="text-sm">
          {result === true && <span className="text-green-800 dark:text-green-300">✓ SHA-256 of the preimage equals the payment hash: the payee was paid.</span>}
          {result === false && <span className="text-red-700 dark:text-red-400">✗ SHA-256 of the preimage does not equal the payment hash.</span>}
        </span>
      </span>
    </span>
  );
}
