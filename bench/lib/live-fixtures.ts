// Fixtures of a LIVE environment on an attached node (the LND REST simulator), made the way a
// team's master makes them: a dashboard session (an Auth.js JWT as `Authorization: Bearer`), then
// GraphQL — create the LIVE environment, node.connect, a service key for it, a BTC wallet.
// Only the session row is written straight into PostgreSQL (no password login to go through).
import { randomBytes } from "node:crypto";
import { encode } from "next-auth/jwt";
import pg from "pg";
import type { LndSimulator } from "../../test/lnd-sim/simulator.ts";
import { ASSET_IDS, type Permission } from "./fixtures.ts";

/**
 * A dashboard session of `userId`, as Auth.js puts it in the `authjs.session-token` cookie
 * (lib/auth/session.ts createSession + test/graphql/helpers.ts sessionToken): an auth_sessions row
 * and a JWT `{ sub, tv, sid }` encrypted with the server's AUTH_SECRET.
 */
export async function masterSessionToken(databaseUrl: string, userId: string, authSecret: string, maxAgeSeconds = 3600): Promise<string> {
  const sid = randomBytes(24).toString("base64url");
  const client = new pg.Client({ connectionString: databaseUrl, application_name: "boltrail-bench-fixtures" });
  await client.connect();
  try {
    await client.query(`INSERT INTO "auth_sessions" ("id", "userId", "expiresAt") VALUES ($1, $2, $3)`, [
      sid,
      userId,
      new Date(Date.now() + maxAgeSeconds * 1000),
    ]);
  } finally {
    await client.end();
  }
  return encode({ token: { sub: userId, tv: 0, sid }, secret: authSecret, salt: "authjs.session-token", maxAge: maxAgeSeconds });
}

type GraphQLResponse<D> = { data?: D | null; errors?: { message: string; extensions?: { code?: string } }[] };

/** One GraphQL operation; throws on HTTP or GraphQL errors. */
export async function graphql<D>(url: string, headers: Record<string, string>, query: string, variables?: Record<string, unknown>): Promise<D> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(variables ? { query, variables } : { query }),
  });
  const text = await response.text();
  let body: GraphQLResponse<D>;
  try {
    body = JSON.parse(text) as GraphQLResponse<D>;
  } catch {
    throw new Error(`not a JSON response (${response.status}): ${text.slice(0, 300)}`);
  }
  if (response.status !== 200 || body.errors?.length || !body.data) throw new Error(`GraphQL failed (${response.status}): ${text.slice(0, 500)}`);
  return body.data;
}

export type LiveFixture = {
  environmentId: string;
  nodeId: string;
  /** The service key of the LIVE environment, for `x-api-key`. */
  apiKey: string;
  walletId: string;
};

/** Creates the team's LIVE environment, attaches the simulator, mints a key and a BTC wallet. */
export async function attachLiveNode(
  graphqlUrl: string,
  bearer: string,
  sim: LndSimulator,
  permissions: Permission[] = [{ resource: "PAYMENTS", level: "WRITE" }],
): Promise<LiveFixture> {
  const master = { authorization: `Bearer ${bearer}` };
  const env = await graphql<{ payment: { environment: { create: { environment: { id: string; type: string } } } } }>(
    graphqlUrl,
    master,
    `mutation { payment { environment { create(input: { name: "Live", type: LIVE }) { environment { id type } } } } }`,
  );
  const environmentId = env.payment.environment.create.environment.id;
  const connected = await graphql<{ node: { connect: { node_id: string; success: boolean } } }>(
    graphqlUrl,
    master,
    `mutation Connect($input: NodeConnectInput!) { node { connect(input: $input) { node_id success } } }`,
    { input: { lnd: { rest: sim.url, grpc: "127.0.0.1:10009", management_macaroon: sim.macaroons.invoice, tls_cert: sim.certPem } } },
  );
  if (!connected.node.connect.success) throw new Error(`node.connect did not succeed: ${JSON.stringify(connected)}`);
  const key = await graphql<{ service_api_key: { create: { plaintext_key: string } } }>(
    graphqlUrl,
    master,
    `mutation Key($input: CreateServiceApiKeyInput!) { service_api_key { create(input: $input) { plaintext_key } } }`,
    { input: { name: "Bench live key", environment_id: environmentId, permissions } },
  );
  const wallet = await graphql<{ payment: { wallet: { create: { id: string } } } }>(
    graphqlUrl,
    master,
    `mutation Wallet($input: CreatePaymentsWalletInput!) { payment { wallet { create(input: $input) { id } } } }`,
    { input: { name: "Bench live BTC", environment_id: environmentId, asset_id: ASSET_IDS.BTC } },
  );
  return {
    environmentId,
    nodeId: connected.node.connect.node_id,
    apiKey: key.service_api_key.create.plaintext_key,
    walletId: wallet.payment.wallet.create.id,
  };
}
