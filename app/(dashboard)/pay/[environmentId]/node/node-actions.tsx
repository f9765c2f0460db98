"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Button, Spinner } from "@/components/ui/button";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toast";
import { AttachNodeForm } from "./attach-form";
import { detachNodeAction, testNodeConnectionAction } from "./actions";

type Liquidity = { outboundSat: string; inboundSat: string } | { unavailable: string };
type TestOutcome = { ok: true; blockHeight: number; network: string; liquidity: Liquidity; checkedAt: string } | { ok: false; message: string; checkedAt: string };

const sats = (value: string) => `${BigInt(value).toLocaleString("en")} sats`;

const timeFormat = new Intl.DateTimeFormat("en", { timeStyle: "medium", timeZone: "UTC" });

/** "Test connection": any team member; the outcome is announced politely. */
export function TestConnection({ nodeId }: { nodeId: string }) {
  const [outcome, setOutcome] = useState<TestOutcome | null>(null);
  const [pending, startTransition] = useTransition();
  function run() {
    startTransition(async () => {
      const result = await testNodeConnectionAction(nodeId);
      if (!result.ok) setOutcome({ ok: false, message: result.error.message, checkedAt: new Date().toISOString() });
      else setOutcome(result.data.ok ? { ok: true, blockHeight: result.data.blockHeight, network: result.data.network, liquidity: result.data.liquidity, checkedAt: result.data.checkedAt } : { ok: false, message: result.data.message, checkedAt: result.data.checkedAt });
    });
  }
  return (
    <div className="space-y-2">
      <Button variant="secondary" onClick={run} disabled={pending} aria-busy={pending}>
        {pending && <Spinner />}
        {pending ? "Testing…" : "Test connection"}
      </Button>
      <div aria-live="polite" role="status" data-testid="connection-test">
        {outcome &&
          (outcome.ok ? (
            <div className="space-y-2 text-sm">
              <p className="text-green-800 dark:text-green-300">
                Connection OK: the node answered, synced on {outcome.network} at block {outcome.blockHeight.toLocaleString("en")} ({timeFormat.format(new Date(outcome.checkedAt))} UTC).
              </p>
              {"unavailable" in outcome.liquidity ? (
                <p className="text-gray-600 dark:text-gray-400">Liquidity unknown: {outcome.liquidity.unavailable}.</p>
              ) : (
                <dl className="grid grid-cols-2 gap-2">
                  <div>
                    <dt className="text-gray-600 dark:text-gray-400">Inbound (can receive)</dt>
                    <dd className="tabular-nums">{sats(outcome.liquidity.inboundSat)}</dd>
                  </div>
                  <div>
                    <dt className="text-gray-600 dark:text-gray-400">Outbound (can send)</dt>
                    <dd className="tabular-nums">{sats(outcome.liquidity.outboundSat)}</dd>
                  </div>
                </dl>
              )}
            </div>
          ) : (
            <p className="text-sm break-words text-red-700 dark:text-red-400">Connection failed: {outcome.message}</p>
          ))}
      </div>
    </div>
  );
}

/** Master only: replace the credentials (the attach form again) or detach the node. */
export function ManageNode({ environmentId, nodeId, alias }: { environmentId: string; nodeId: string; alias: string }) {
  const [replacing, setReplacing] = useState(false);
  const toast = useToast();
  const router = useRouter();
  return (
    <div className="space-y-4">
      {replacing ? (
        <section aria-labelledby="replace-heading" className="space-y-3">
          <h3 id="replace-heading" className="text-sm font-semibold">
            Replace credentials
          </h3>
          <p className="text-sm text-gray-600 dark:text-gray-400">The node is checked again before anything is replaced; the current credentials stay in use until then.</p>
          <AttachNodeForm environmentId={environmentId} replacing onDone={() => setReplacing(false)} />
        </section>
      ) : (
        <div className="flex flex-wrap gap-2">
          <Button variant="secondary" onClick={() => setReplacing(true)}>
            Replace credentials
          </Button>
          <ConfirmForm
            trigger="Detach node"
            title={`Detach ${alias}?`}
            body="Boltrail stops following its invoices and forgets its credentials. Refused while a live transaction is pending. You can attach a node again at any time."
            confirmLabel="Detach node"
            hidden={{}}
            action={async () => {
              const result = await detachNodeAction(environmentId, nodeId);
              if (result.ok) {
                toast("Node detached", "success");
                router.refresh();
              } else toast(result.error.detail ?? result.error.message, "error");
            }}
          />
        </div>
      )}
    </div>
  );
}
