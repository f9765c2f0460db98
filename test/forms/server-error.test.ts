import { describe, expect, it } from "vitest";
import { fieldCandidates, placeServerError, sentence } from "@/components/ui/form/server-error";
import { badInput, toPublicError, AppError } from "@/lib/errors";
import { formToObject } from "@/lib/validation";

const fields = ["name", "url", "rest", "permissions", "expiresOn"];

describe("placeServerError", () => {
  it("puts a field's error beside that field, with the detail (the label names the field)", () => {
    expect(placeServerError(toPublicError(badInput("input.name", "Must be at most 80 characters")), fields)).toEqual({ field: "name", message: "Must be at most 80 characters" });
    expect(placeServerError(toPublicError(badInput("url", "must use https")), fields)).toEqual({ field: "url", message: "Must use https" });
  });

  it("finds the form's field inside a nested service path", () => {
    expect(placeServerError(toPublicError(badInput("input.lnd.rest", "is not reachable")), fields).field).toBe("rest");
    expect(placeServerError(toPublicError(badInput("input.permissions.0.level", "Must be READ or WRITE")), fields).field).toBe("permissions");
  });

  it("follows an alias when the form names a field differently", () => {
    expect(placeServerError(toPublicError(badInput("input.expires_at", "Must be in the future")), fields, { expires_at: "expiresOn" })).toEqual({ field: "expiresOn", message: "Must be in the future" });
  });

  it("shows an error naming no field of this form above the button, with its whole message", () => {
    expect(placeServerError(toPublicError(badInput("input.wallet_id", "Must be an id")), fields)).toEqual({ message: "input.wallet_id: Must be an id" });
    expect(placeServerError(toPublicError(new AppError("CONFLICT", "An account with this email already exists.")), fields)).toEqual({ message: "An account with this email already exists" });
    expect(placeServerError({ code: "UNAUTHENTICATED", message: "Wrong email or password" }, [])).toEqual({ message: "Wrong email or password" });
  });
});

describe("fieldCandidates", () => {
  it("tries the path without input., then shorter tails, then shorter heads", () => {
    expect(fieldCandidates("input.lnd.tls_cert")).toEqual(["lnd.tls_cert", "tls_cert", "lnd"]);
    expect(fieldCandidates("permissions.0.level")).toEqual(["permissions.0.level", "0.level", "level", "permissions.0", "permissions"]);
    expect(fieldCandidates("email")).toEqual(["email"]);
  });
});

describe("sentence", () => {
  it("upper-cases the first letter and drops one trailing period, keeping an ellipsis", () => {
    expect(sentence("must be a JSON object.")).toBe("Must be a JSON object");
    expect(sentence("Enter your email")).toBe("Enter your email");
    expect(sentence("Wait...")).toBe("Wait...");
    expect(sentence("Too many attempts. Try again later.")).toBe("Too many attempts. Try again later.");
    expect(sentence("input.amount: must be positive")).toBe("input.amount: must be positive");
  });
});

describe("formToObject (the one FormData → object conversion, in the server actions)", () => {
  it("keeps strings as typed, turns repeated keys into arrays and skips files", () => {
    const form = new FormData();
    form.append("email", "  Ann@Example.com ");
    form.append("event", "payment.completed");
    form.append("event", "payment.failed");
    form.append("file", new Blob(["x"]), "x.txt");
    expect(formToObject(form)).toEqual({ email: "  Ann@Example.com ", event: ["payment.completed", "payment.failed"] });
  });
});
