import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError, badInput, httpStatus, isDatabaseUnavailable, serviceUnavailable, toPublicError } from "./errors";

describe("toPublicError", () => {
  afterEach(() => vi.restoreAllMocks());

  it("passes AppErrors through with their code, field and detail", () => {
    expect(toPublicError(badInput("amount", "must be a whole number"))).toEqual({
      code: "BAD_USER_INPUT",
      message: "amount: must be a whole number",
      field: "amount",
      detail: "must be a whole number",
    });
    expect(toPublicError(new AppError("NOT_FOUND", "Wallet not found"))).toEqual({ code: "NOT_FOUND", message: "Wallet not found" });
  });

  it("never leaks the message of an unknown error", () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const out = toPublicError(new Error('relation "users" does not exist at /app/lib/db.ts:12'));
    expect(out.code).toBe("INTERNAL_SERVER_ERROR");
    expect(out.message).not.toMatch(/users|db\.ts|relation/);
    expect(log).toHaveBeenCalledTimes(1);
  });

  it("maps codes to HTTP statuses", () => {
    expect(httpStatus("BAD_USER_INPUT")).toBe(400);
    expect(httpStatus("UNAUTHENTICATED")).toBe(401);
    expect(httpStatus("FORBIDDEN")).toBe(403);
    expect(httpStatus("NOT_FOUND")).toBe(404);
    expect(httpStatus("INTERNAL_SERVER_ERROR")).toBe(500);
    expect(httpStatus("SERVICE_UNAVAILABLE")).toBe(503);
  });
});

describe("a database that is away: SERVICE_UNAVAILABLE", () => {
  afterEach(() => vi.restoreAllMocks());

  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: "ERROR" });
  const errno = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111 });
  /** As @prisma/adapter-pg and Prisma wrap a driver error. */
  const viaPrisma = (cause: object) => Object.assign(new Error("Invalid `prisma.team.count()` invocation"), { name: "PrismaClientKnownRequestError", code: "P2010", meta: { driverAdapterError: { name: "DriverAdapterError", cause } } });

  it.each([
    ["pg: the client gave up on a query", new Error("Query read timeout")],
    ["pg-pool: no connection within connectionTimeoutMillis", new Error("timeout exceeded when trying to connect")],
    ["pg: the server went away mid-query", new Error("Connection terminated unexpectedly")],
    ["pg: a client whose connection already failed", new Error("Client has encountered a connection error and is not queryable")],
    ["PostgreSQL: statement_timeout", pgError("57014", "canceling statement due to statement timeout")],
    ["PostgreSQL: shutting down / restarted", pgError("57P01", "terminating connection due to administrator command")],
    ["PostgreSQL: starting up", pgError("57P03", "the database system is starting up")],
    ["PostgreSQL: too many connections", pgError("53300", "sorry, too many clients already")],
    ["PostgreSQL: connection exception class 08", pgError("08006", "connection failure")],
    ["node: refused", errno("ECONNREFUSED")],
    ["node: refused on every address", new AggregateError([errno("ECONNREFUSED"), errno("ECONNREFUSED")], "")],
    ["adapter-pg: not reachable", viaPrisma({ kind: "DatabaseNotReachable", host: "127.0.0.1" })],
    ["adapter-pg: a postgres error", viaPrisma({ kind: "postgres", code: "57014", message: "canceling statement due to statement timeout" })],
    ["Prisma: transaction could not start in time", Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), { code: "P2028" })],
    ["Prisma: pool timeout", Object.assign(new Error("Timed out fetching a new connection from the connection pool."), { code: "P2024" })],
    ["pg wrapped as a cause", new Error("write failed", { cause: new Error("Query read timeout") })],
  ])("%s", (_what, error) => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const errorLog = vi.spyOn(console, "error");
    expect(isDatabaseUnavailable(error)).toBe(true);
    const out = toPublicError(error);
    expect(out.code).toBe("SERVICE_UNAVAILABLE");
    expect(httpStatus(out.code)).toBe(503);
    // No internals, no stack: a generic retry message.
    expect(out.message).toMatch(/temporarily unavailable/);
    expect(out.message).not.toMatch(/timeout exceeded|Query read|terminated|57014|ECONN|127\.0\.0\.1|\.ts:/);
    expect(errorLog).not.toHaveBeenCalled();
    expect(warn.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it("leaves other database errors alone", () => {
    expect(isDatabaseUnavailable(pgError("23505", "duplicate key value violates unique constraint"))).toBe(false);
    expect(isDatabaseUnavailable(pgError("42P01", 'relation "users" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(viaPrisma({ kind: "UniqueConstraintViolation" }))).toBe(false);
    expect(isDatabaseUnavailable(new Error("boom"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });

  it("keeps an AppError SERVICE_UNAVAILABLE as it is", () => {
    expect(toPublicError(serviceUnavailable("Try again"))).toEqual({ code: "SERVICE_UNAVAILABLE", message: "Try again" });
  });
});
