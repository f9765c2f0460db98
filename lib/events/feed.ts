import "server-only";
import { sql } from "../db";
import type { LivePaymentEvent, LiveStatus } from "./types";

/** A live event with the team it belongs to (authorization; never sent to the browser). */
export type TeamEvent = { teamId: string; event: LivePaymentEvent };

/** At most this many missed events are replayed to a reconnecting browser (it refreshes its page anyway). */
export const REPLAY_LIMIT = 500;

type Row = {
  id: string;
  kind: string;
  teamId: string;
  transactionId: string;
  environmentId: string;
  walletId: string;
  status: string;
  direction: string;
  amount: string;
  symbol: string;
  precision: number;
  description: string | null;
  createdAt: Date;
};

const SELECT = `SELECT l."id"::text AS "id", l."kind", l."teamId", l."transactionId", l."environmentId", l."walletId",
  l."status"::text AS "status", l."direction"::text AS "direction", l."amount"::text AS "amount",
  a."symbol", a."precision", l."description", l."createdAt"
FROM "live_events" l JOIN "assets" a ON a."id" = l."assetId"`;

function toTeamEvent(row: Row): TeamEvent {
  return {
    teamId: row.teamId,
    event: {
      id: row.id,
      kind: row.kind === "created" ? "created" : "status",
      transactionId: row.transactionId,
      environmentId: row.environmentId,
      walletId: row.walletId,
      status: row.status as LiveStatus,
      direction: row.direction === "SEND" ? "SEND" : "RECEIVE",
      amount: row.amount,
      asset: { symbol: row.symbol, precision: row.precision },
      description: row.description,
      createdAt: row.createdAt.toISOString(),
    },
  };
}

/** The events with these ids (those announced by NOTIFY), oldest first. */
export async function readLiveEvents(ids: bigint[]): Promise<TeamEvent[]> {
  if (ids.length === 0) return [];
  const rows = await sql<Row>(`${SELECT} WHERE l."id" = ANY($1::bigint[]) ORDER BY l."id"`, [ids.map(String)]);
  return rows.map(toTeamEvent);
}

/**
 * The events after `afterId`, oldest first, at most `limit`: of one team (a browser's replay after
 * its Last-Event-ID), or of every team (the listener catching up after its connection dropped).
 * Ids are taken in insertion order but become visible in commit order, so an event of a
 * transaction that committed just after a later-numbered one can fall behind a cursor; the
 * browser therefore also refreshes its page whenever it reconnects, so lists and balances are
 * right even then (only that event's toast is lost).
 */
export async function readLiveEventsAfter(afterId: bigint, { teamId, limit = REPLAY_LIMIT }: { teamId?: string; limit?: number } = {}): Promise<TeamEvent[]> {
  const rows = teamId
    ? await sql<Row>(`${SELECT} WHERE l."teamId" = $1 AND l."id" > $2::bigint ORDER BY l."id" LIMIT $3`, [teamId, afterId.toString(), limit])
    : await sql<Row>(`${SELECT} WHERE l."id" > $1::bigint ORDER BY l."id" LIMIT $2`, [afterId.toString(), limit]);
  return rows.map(toTeamEvent);
}

/** The newest event id (0 when there is none), of one team or of all: where a fresh listener starts. */
export async function latestLiveEventId(teamId?: string): Promise<bigint> {
  const [row] = teamId
    ? await sql<{ id: string | null }>(`SELECT max("id")::text AS "id" FROM "live_events" WHERE "teamId" = $1`, [teamId])
    : await sql<{ id: string | null }>(`SELECT max("id")::text AS "id" FROM "live_events"`, []);
  return BigInt(row?.id ?? "0");
}
