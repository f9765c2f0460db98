// Shared fixtures of the live-environment tests (an attached LND, simulated by test/lnd-sim).
// Each test file sets NODE_URL_ALLOWLIST and LIVE_NETWORK at its very top (lib/env.ts caches).
import { createEnvironment, gql, masterSession, ok, type Session } from "../graphql/helpers";
import type { LndSimulator } from "../lnd-sim/simulator";

export const CONNECT = /* GraphQL */ `mutation Connect($input: NodeConnectInput!) { node { connect(input: $input) { node_id success } } }`;

export const NODE_FIELDS = "id alias pubkey network state created_at type node_type is_automated taproot_assets_enabled sockets { id lnd { id rest grpc } } credentials { id list { id } }";

export const lndInput = (sim: LndSimulator, overrides: Record<string, unknown> = {}) => ({
  lnd: { rest: sim.url, grpc: `127.0.0.1:10009`, management_macaroon: sim.macaroons.invoice, tls_cert: sim.certPem, ...overrides },
});

export type LiveTeam = { master: Session; environmentId: string };

/** A new team with its LIVE environment. */
export async function liveTeam(name = "Live team"): Promise<LiveTeam> {
  const master = await masterSession(name);
  const environment = await createEnvironment(master, "LIVE", "Live");
  return { master, environmentId: environment.id };
}

/** Attaches the simulator to the team's LIVE environment; the node id. */
export async function attach(team: LiveTeam, sim: LndSimulator): Promise<string> {
  const res = await gql<{ node: { connect: { node_id: string; success: boolean } } }>(CONNECT, { input: lndInput(sim) }, team.master.headers);
  return ok(res).node.connect.node_id;
}
