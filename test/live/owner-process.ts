// A node-subscription owner for test/live/owner-kill.test.ts, run with
// `node --conditions=react-server --import tsx test/live/owner-process.ts` on the DATABASE_URL
// (and the secrets, NODE_URL_ALLOWLIST, LIVE_NETWORK) it is given: it follows the attached nodes
// as a worker does (startNodeSubscriptions) and prints one line `owner-process owns <json>` with
// the node ids it owns, first at once and then whenever they change, until it is killed.
import { startNodeSubscriptions } from "@/lib/nodes/subscriptions";

const subs = startNodeSubscriptions({
  scanMs: 100,
  backoffMinMs: 50,
  backoffMaxMs: 200,
  log: (m) => process.stderr.write(`[owner-process ${process.pid}] ${m}\n`),
});

let last: string | null = null;
const report = () => {
  const owned = JSON.stringify([...subs.owned()].sort());
  if (owned === last) return;
  last = owned;
  process.stdout.write(`owner-process owns ${owned}\n`);
};
report();
setInterval(report, 50);

// Killed with SIGKILL by the test; a polite signal stops the subscriptions first.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    void subs.stop().finally(() => process.exit(0));
  });
}
