// An app process for test/db/faults.test.ts, run with `node --conditions=react-server --import tsx`:
// what the production server (scripts/server.ts) runs besides Next.js — /graphql on node:http, the
// /healthz route, the in-app worker — on the DATABASE_URL it is given. It seeds a team, a sandbox
// wallet and an API key, then prints one line `app-process ready {json}` with the port and ids.
import http from "node:http";
import type { UserActor } from "@/lib/auth/actor";
import { signUp } from "@/lib/accounts/sign-up";
import { createApiKey } from "@/lib/api-keys/manage-api-keys";
import { createEnvironment } from "@/lib/environments/create-environment";
import { serveGraphQL } from "@/lib/graphql/http";
import { startInAppWorker } from "@/lib/jobs/in-app";
import { createWallet } from "@/lib/wallets/manage-wallets";

const BTC = "2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01";

const email = `faults-${process.pid}@example.com`;
const { userId, teamId } = await signUp({ email, password: "correct horse battery staple", teamName: "Faults" });
// The team's master, as a dashboard session would resolve it.
const actor: UserActor = { kind: "user", userId, teamId, isMaster: true, email };
const { environment } = await createEnvironment(actor, { name: "Sandbox - faults", type: "SANDBOX" });
const wallet = await createWallet(actor, { name: "Main wallet", environment_id: environment.id, asset_id: BTC });
const { plaintextKey } = await createApiKey(actor, {
  name: "faults",
  environment_id: environment.id,
  permissions: [
    { resource: "WALLETS", level: "WRITE" },
    { resource: "PAYMENTS", level: "WRITE" },
  ],
});

startInAppWorker({ handleSignals: true });
// Loaded as the route would be; a tree without it (before /healthz existed) answers 404.
const healthz = await import("@/app/healthz/route").then((route) => route.GET).catch(() => null);

const server = http.createServer((req, res) => {
  if (req.url === "/healthz") {
    if (!healthz) {
      res.writeHead(404).end("{}");
      return;
    }
    void healthz().then(async (response) => {
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    });
    return;
  }
  serveGraphQL(req, res);
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  console.log(`app-process ready ${JSON.stringify({ port, apiKey: plaintextKey, walletId: wallet.id })}`);
});
