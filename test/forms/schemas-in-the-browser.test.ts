import { zodResolver } from "@hookform/resolvers/zod";
import { describe, expect, it } from "vitest";
import { SignUpInput } from "@/lib/accounts/schemas";
import { CreateEndpointInput } from "@/lib/webhooks/schemas";
import { parseInput } from "@/lib/validation";

// What react-hook-form gets from the resolver the forms use (useServerForm): the service's own
// schema, every field's first problem at once, the values passed on as typed (raw).
const resolve = (schema: Parameters<typeof zodResolver>[0], values: Record<string, unknown>) =>
  zodResolver(schema as never, undefined, { raw: true })(values as never, undefined, { fields: {}, shouldUseNativeValidation: false });

describe("the service schemas in the browser", () => {
  it("reports every field of an empty sign-up at once, in the one message style", async () => {
    const { errors } = await resolve(SignUpInput, { email: "", password: "", teamName: "" });
    expect(Object.fromEntries(Object.entries(errors).map(([k, v]) => [k, (v as { message: string }).message]))).toEqual({
      email: "Enter your email",
      password: "Enter a password",
      teamName: "Enter a team name",
    });
  });

  it("passes valid values on as typed, and the service parses the same values with the same schema", async () => {
    const typed = { email: "  Ann@Example.com", password: "correct horse battery", teamName: " Acme " };
    const { values, errors } = await resolve(SignUpInput, typed);
    expect(errors).toEqual({});
    expect(values).toEqual(typed);
    expect(parseInput(SignUpInput, typed)).toEqual({ email: "ann@example.com", password: "correct horse battery", teamName: "Acme" });
  });

  it("gives the same message in the browser as the service does for the same value", async () => {
    const long = { environment_id: "env_1", url: `https://example.com/${"x".repeat(2048)}` };
    const { errors } = await resolve(CreateEndpointInput, long);
    expect((errors.url as { message: string }).message).toBe("Must be at most 2,048 characters");
    expect(() => parseInput(CreateEndpointInput, long, "input")).toThrow("input.url: Must be at most 2,048 characters");
  });
});
