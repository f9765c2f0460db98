import "server-only";
import { db } from "@/lib/db";
import type { Actor } from "../auth/actor";
import { findEnvironment } from "./find-environment";
import type { EnvironmentView } from "./environment-view";

export type EnvironmentOverview = {
  environment: EnvironmentView;
  nodePubkey: string | null;
  /** The getting-started checklist: has the team done each step in this environment yet? */
  checklist: { apiKey: boolean; wallet: boolean; invoice: boolean; webhook: boolean };
};

export async function getEnvironmentOverview(actor: Actor, environmentId: string): Promise<EnvironmentOverview> {
  const environment = await findEnvironment(actor, environmentId);
  const [keys, wallets, invoices, endpoints, node] = await Promise.all([
    db.serviceApiKey.count({ where: { environmentId: environment.id, revokedAt: null } }),
    db.wallet.count({ where: { environmentId: environment.id } }),
    db.transaction.count({ where: { environmentId: environment.id, direction: "RECEIVE" } }),
    db.webhookEndpoint.count({ where: { environmentId: environment.id } }),
    db.environment.findUnique({ where: { id: environment.id }, select: { nodePubkey: true } }),
  ]);
  return {
    environment,
    nodePubkey: node?.nodePubkey ?? null,
    checklist: { apiKey: keys > 0, wallet: wallets > 0, invoice: invoices > 0, webhook: endpoints > 0 },
  };
}
