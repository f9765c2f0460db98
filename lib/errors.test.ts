import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError, badInput, httpStatus, toPublicError } from "./errors";

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
  });
});
