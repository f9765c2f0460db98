import { afterEach, describe, expect, it, vi } from "vitest";
import type pg from "pg";
import { Prisma, db, getDb, isUniqueViolation, sql, sqlTransaction, uniqueViolationFields } from "@/lib/db";
import { toPublicError } from "@/lib/errors";

// Short database timeouts for this file (read when the pool is created, on first use).
process.env.DB_STATEMENT_TIMEOUT_MS = "1500";
process.env.DB_CONNECT_TIMEOUT_MS = "1000";

const BTC = "2ed7d7ac-9f5c-4b0a-8a47-1c1b0f0b7c01";

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the operation to fail");
}

async function createTeamWithMaster(email: string) {
  return db.team.create({
    data: {
      name: "Acme",
      memberships: {
        create: { role: "MASTER", user: { create: { email, passwordHash: "argon2id$not-a-real-hash" } } },
      },
    },
    include: { memberships: { include: { user: true } } },
  });
}

describe("lib/db", () => {
  it("round-trips a team, its master user and the membership", async () => {
    const team = await createTeamWithMaster("master@acme.test");
    expect(team.memberships).toHaveLength(1);
    expect(team.memberships[0]?.role).toBe("MASTER");
    expect(team.memberships[0]?.user.email).toBe("master@acme.test");

    const found = await db.user.findUniqueOrThrow({
      where: { email: "master@acme.test" },
      include: { membership: { include: { team: true } } },
    });
    expect(found.membership?.team.id).toBe(team.id);
    expect(found.tokenVersion).toBe(0);
    expect(found.createdAt).toBeInstanceOf(Date);
  });

  it("stores wallet amounts as BigInt beyond 2^53", async () => {
    const team = await db.team.create({ data: { name: "Big" } });
    const environment = await db.environment.create({ data: { teamId: team.id, name: "Sandbox", type: "SANDBOX" } });
    const received = 2n ** 62n + 7n;
    const wallet = await db.wallet.create({
      data: { environmentId: environment.id, assetId: BTC, name: "Main", received, sent: 5n },
    });
    expect(typeof wallet.received).toBe("bigint");

    const updated = await db.wallet.update({ where: { id: wallet.id }, data: { sent: { increment: 1n } } });
    expect(updated.received).toBe(received);
    expect(updated.sent).toBe(6n);
    expect(updated.received - updated.sent).toBe(2n ** 62n + 1n);

    const [row] = await db.$queryRaw<{ balance: bigint }[]>(
      Prisma.sql`SELECT received - sent AS balance FROM wallets WHERE id = ${wallet.id}`,
    );
    expect(row?.balance).toBe(2n ** 62n + 1n);
  });

  it("runs interactive transactions and rolls them back on error", async () => {
    const error = await caught(
      db.$transaction(async (tx) => {
        await tx.team.create({ data: { name: "Rolled back" } });
        throw new Error("boom");
      }),
    );
    expect((error as Error).message).toBe("boom");
    expect(await db.team.count({ where: { name: "Rolled back" } })).toBe(0);
  });

  it("recognises unique violations and the columns they are about", async () => {
    await createTeamWithMaster("dup@acme.test");
    const duplicateEmail = await caught(db.user.create({ data: { email: "dup@acme.test", passwordHash: "x" } }));
    expect(duplicateEmail).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect(isUniqueViolation(duplicateEmail)).toBe(true);
    expect(isUniqueViolation(duplicateEmail, ["email"])).toBe(true);
    expect(isUniqueViolation(duplicateEmail, ["id"])).toBe(false);
    expect(uniqueViolationFields(duplicateEmail)).toEqual(["email"]);

    // Composite key, camelCase columns (PostgreSQL quotes them in its message).
    const team = await db.team.create({ data: { name: "Idem" } });
    const env = await db.environment.create({ data: { teamId: team.id, name: "Sandbox", type: "SANDBOX" } });
    const wallet = await db.wallet.create({ data: { environmentId: env.id, assetId: BTC, name: "W" } });
    const tx = {
      walletId: wallet.id,
      environmentId: env.id,
      assetId: BTC,
      direction: "RECEIVE" as const,
      amount: 1000n,
      idempotencyKey: "order-42",
    };
    await db.transaction.create({ data: { id: "tx_01JABCDEF0000000000000000A", ...tx } });
    const duplicateKey = await caught(db.transaction.create({ data: { id: "tx_01JABCDEF0000000000000000B", ...tx } }));
    expect(isUniqueViolation(duplicateKey, ["idempotencyKey", "walletId"])).toBe(true);
    expect(isUniqueViolation(duplicateKey, ["walletId"])).toBe(false);
    expect(isUniqueViolation(duplicateKey, ["email"])).toBe(false);

    // The hand-written partial index: one LIVE environment per team.
    await db.environment.create({ data: { teamId: team.id, name: "Live", type: "LIVE" } });
    const secondLive = await caught(db.environment.create({ data: { teamId: team.id, name: "Live 2", type: "LIVE" } }));
    expect(isUniqueViolation(secondLive, ["teamId"])).toBe(true);
    await expect(db.environment.create({ data: { teamId: team.id, name: "Sandbox 2", type: "SANDBOX" } })).resolves.toBeTruthy();
  });

  it("does not mistake other errors for unique violations", async () => {
    const missing = await caught(db.team.update({ where: { id: "00000000-0000-0000-0000-000000000000" }, data: { name: "x" } }));
    expect(missing).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((missing as Prisma.PrismaClientKnownRequestError).code).toBe("P2025");
    expect(isUniqueViolation(missing)).toBe(false);
    expect(isUniqueViolation(new Error("P2002"))).toBe(false);
    expect(isUniqueViolation(null)).toBe(false);
  });

  it("is one client per process", () => {
    expect(getDb()).toBe(getDb());
  });

  it("shares its client and pool with a second copy of the module (the production server beside Next.js)", async () => {
    const mine = getDb();
    vi.resetModules();
    const copy = await import("@/lib/db");
    expect(copy.getDb()).toBe(mine);
    // The copy's raw-SQL helper runs on the shared pool too (it was left unset before).
    const [row] = await copy.sql<{ one: number }>("SELECT 1 AS one", []);
    expect(row).toEqual({ one: 1 });
  });
});

describe("lib/db when connections fail (issue 12, findings 5 and 6)", () => {
  const pool = () => {
    getDb();
    return (globalThis as { __boltrailPool?: pg.Pool }).__boltrailPool!;
  };
  const within = <T>(promise: Promise<T>, ms: number, what: string) =>
    Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms))]);
  const quietly = () => vi.spyOn(console, "warn").mockImplementation(() => {});

  it("gives back the connection of a Prisma transaction whose connection died (its ROLLBACK fails), every time", async () => {
    quietly();
    // More than the pool holds: before, each one left its connection checked out forever, and the
    // eleventh and every query after it waited for a connection that never came back.
    for (let i = 0; i < 12; i++) {
      const error = await within(
        caught(db.$transaction(async (tx) => {
          await tx.$executeRaw`SELECT pg_terminate_backend(pg_backend_pid())`;
        })),
        5_000,
        `transaction ${i + 1}`,
      );
      expect(toPublicError(error).code, String(error)).toBe("SERVICE_UNAVAILABLE");
    }
    expect(await within(db.team.count(), 3_000, "a query after them")).toBeGreaterThanOrEqual(0);
    expect(pool().totalCount).toBeLessThanOrEqual(10);
    expect(pool().waitingCount).toBe(0);
  });

  it("gives back the connection of a sqlTransaction whose connection died", async () => {
    quietly();
    for (let i = 0; i < 12; i++) {
      const error = await within(caught(sqlTransaction(async (query) => {
        await query("SELECT pg_terminate_backend(pg_backend_pid())", []);
        return { commit: true, value: null };
      })), 5_000, `sqlTransaction ${i + 1}`);
      expect(toPublicError(error).code, String(error)).toBe("SERVICE_UNAVAILABLE");
    }
    expect(await within(sql("SELECT 1 AS one", []), 3_000, "a query after them")).toEqual([{ one: 1 }]);
  });

  it("drops a checked-out connection that dies between two queries, without an unhandled 'error' event", async () => {
    const client = await pool().connect();
    const [{ pid }] = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows;
    const removed = new Promise<void>((resolve) => {
      const onRemove = (gone: pg.PoolClient) => {
        if (gone !== client) return;
        pool().off("remove", onRemove);
        resolve();
      };
      pool().on("remove", onRemove);
    });
    await sql("SELECT pg_terminate_backend($1)", [pid]);
    // Removed from the pool while still checked out: nobody has to release it.
    await within(removed, 3_000, "the dead connection's removal");
    // Its borrower releasing it afterwards is harmless.
    expect(() => client.release()).not.toThrow();
    expect(await sql("SELECT 1 AS one", [])).toEqual([{ one: 1 }]);
  });

  it("cancels a statement after DB_STATEMENT_TIMEOUT_MS, as SERVICE_UNAVAILABLE", async () => {
    quietly();
    const started = Date.now();
    const error = await caught(sql("SELECT pg_sleep(10)", []));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((error as { code?: string }).code).toBe("57014");
    expect(toPublicError(error)).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    const viaPrisma = await caught(db.$queryRaw`SELECT pg_sleep(10)`);
    expect(toPublicError(viaPrisma).code, String(viaPrisma)).toBe("SERVICE_UNAVAILABLE");
  });

  it("gives up waiting for a connection after DB_CONNECT_TIMEOUT_MS, as SERVICE_UNAVAILABLE", async () => {
    quietly();
    const held: pg.PoolClient[] = [];
    try {
      for (let i = 0; i < 10; i++) held.push(await pool().connect());
      const started = Date.now();
      const error = await caught(sql("SELECT 1", []));
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(toPublicError(error).code, String(error)).toBe("SERVICE_UNAVAILABLE");
      const viaPrisma = await caught(db.team.count());
      expect(toPublicError(viaPrisma).code, String(viaPrisma)).toBe("SERVICE_UNAVAILABLE");
    } finally {
      for (const client of held) client.release();
    }
    expect(await sql("SELECT 1 AS one", [])).toEqual([{ one: 1 }]);
  });
});

describe("lib/db without DATABASE_URL", () => {
  const store = globalThis as { __boltrailPrisma?: unknown };
  const saved = { url: process.env.DATABASE_URL, client: store.__boltrailPrisma };

  afterEach(() => {
    process.env.DATABASE_URL = saved.url;
    store.__boltrailPrisma = saved.client;
    vi.resetModules();
  });

  it("can be imported, and says what is missing when first used", async () => {
    saved.client = store.__boltrailPrisma;
    delete store.__boltrailPrisma;
    delete process.env.DATABASE_URL;
    vi.resetModules();
    const fresh = await import("@/lib/db");
    expect(() => fresh.db.user).toThrow(/DATABASE_URL is not set/);
  });
});
