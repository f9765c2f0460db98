// The GraphQL schema with Boltrail's webhook extensions must build: without this, every GraphQL
// request fails.
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);

import { describe, expect, it } from "vitest";
import { parse, type GraphQLObjectType } from "graphql";
import { EXTENSIONS_SDL } from "@/lib/graphql/extensions";

describe("GraphQL schema", () => {
  // Regression: a `"""…"""` description placed before `extend type WebhookEndpointMutations`
  // (GraphQL forbids descriptions on type extensions) made EXTENSIONS_SDL unparseable, so
  // createSchema threw when lib/graphql/server was imported and every GraphQL request failed.
  it("EXTENSIONS_SDL parses, and the yoga server (Rails subset + extensions) builds", async () => {
    expect(() => parse(EXTENSIONS_SDL)).not.toThrow();
    const { schema } = await import("@/lib/graphql/server");
    const mutations = schema.getMutationType()!.getFields().payment.type.toString();
    expect(mutations).toBe("PaymentMutations!");
    const paymentMutations = schema.getType("PaymentMutations") as GraphQLObjectType;
    expect(Object.keys(paymentMutations.getFields())).toContain("webhook_event");
    const endpointMutations = schema.getType("WebhookEndpointMutations") as GraphQLObjectType;
    expect(Object.keys(endpointMutations.getFields()).sort()).toEqual(["create", "delete", "id", "rotate_secret", "send_test_event", "update"]);
  });
});
