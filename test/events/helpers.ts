import { AUTH_SECRET } from "./env"; // first: the keys, before any app module runs
import { encode } from "next-auth/jwt";
import pg from "pg";
import type { UserActor } from "@/lib/auth/actor";
import { createReceive } from "@/lib/transactions/create-receive";
import { newSandbox, newTeam, newWallet, sleep, waitFor, type Team } from "../receive/helpers";

export { sleep, waitFor };

/** A team with a sandbox and a BTC wallet. */
export async function teamWithWallet(name: string): Promise<Team & { environmentId: string; walletId: string }> {
  const team = await newTeam(name);
  const environmentId = (await newSandbox(team)).id;
  const walletId = (await newWallet(team, environmentId)).id;
  return { ...team, environmentId, walletId };
}

let invoices = 0;
/** A pending receive of `amount` sats in the wallet. */
export async function invoice(team: Team, walletId: string, amount = "50000", description = "Order #42") {
  invoices += 1;
  return createReceive(team.actor, { wallet_id: walletId, amount, description, idempotency_key: `live-${process.pid}-${invoices}` });
}

/** An independent LISTEN connection on the trigger's channel: what any app instance would hear. */
export async function listen(channel = "boltrail_live") {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  const payloads: string[] = [];
  client.on("notification", (message) => {
    if (message.channel === channel && message.payload) payloads.push(message.payload);
  });
  await client.connect();
  await client.query(`LISTEN ${channel}`);
  return { payloads, client, close: () => client.end() };
}

/** The session cookie header a signed-in browser sends. */
export async function sessionCookie(actor: UserActor, tokenVersion = 0): Promise<string> {
  const token = await encode({ token: { sub: actor.userId, tv: tokenVersion, sid: actor.sessionId }, secret: AUTH_SECRET, salt: "authjs.session-token", maxAge: 3600 });
  return `other=1; authjs.session-token=${token}`;
}
