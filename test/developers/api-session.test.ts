// The API session token of the Developers page (lib/auth/api-session.ts): a master's short-lived
// Bearer token for master-only operations on /graphql, its own revocable session; refused to members.
import { advanceClock, appError, newMaster, newMember, sessionToken, AUTH_SECRET } from "../accounts-security/helpers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { decode } from "next-auth/jwt";
import { db } from "@/lib/db";
import { listSessions, revokeOtherSessions, revokeOwnSession } from "@/lib/accounts/sessions";
import { API_SESSION_TTL_SECONDS, createApiSessionToken } from "@/lib/auth/api-session";
import { SESSION_COOKIE_NAMES } from "@/lib/auth/session-cookie";
import { graphqlFetch } from "../graphql-transport";

afterEach(() => vi.useRealTimers());

type Answer = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: { code?: string } }[] };

async function gql(query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await graphqlFetch("http://localhost/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;

const CREATE_ENVIRONMENT = `mutation { payment { environment { create(input: { name: "From a script", type: SANDBOX }) { id name type } } } }`;
const LIST_KEYS = `query { service_api_keys { get_many { list { id name } } } }`;
const CREATE_KEY = `mutation($input: CreateServiceApiKeyInput!) { service_api_key { create(input: $input) { plaintext_key key { id name } } } }`;

describe("API session tokens", () => {
  it("a master's token works as Bearer on /graphql for master-only operations: an environment, then a key for it", async () => {
    const master = await newMaster();
    const { token, expiresAt } = await createApiSessionToken(master.actor, { ip: "203.0.113.9" });
    const remaining = expiresAt.getTime() - Date.now();
    expect(remaining).toBeGreaterThan((API_SESSION_TTL_SECONDS - 60) * 1000);
    expect(remaining).toBeLessThanOrEqual(API_SESSION_TTL_SECONDS * 1000);

    const created = await gql(CREATE_ENVIRONMENT, bearer(token));
    expect(created.errors).toBeUndefined();
    const environment = (created.data as { payment: { environment: { create: { id: string; type: string } } } }).payment.environment.create;
    expect(environment.type).toBe("SANDBOX");
    expect(await db.environment.findUniqueOrThrow({ where: { id: environment.id }, select: { teamId: true } })).toEqual({ teamId: master.teamId });

    const key = await gql(CREATE_KEY, bearer(token), { input: { name: "backend", environment_id: environment.id, permissions: [{ resource: "PAYMENTS", level: "WRITE" }] } });
    expect(key.errors).toBeUndefined();
    expect(JSON.stringify(key.data)).toMatch(/"plaintext_key":"amb_test_/);
    const listed = await gql(LIST_KEYS, bearer(token));
    expect(JSON.stringify(listed.data)).toContain('"name":"backend"');
  });

  it("opens the API only: it is not a dashboard cookie, and it is not the cookie's value", async () => {
    const master = await newMaster();
    const { token, sessionId } = await createApiSessionToken(master.actor);
    expect(sessionId).not.toBe(master.sessionId);
    expect(token).not.toBe(await sessionToken(master.userId, master.sessionId));
    for (const salt of SESSION_COOKIE_NAMES) {
      await expect(decode({ token, secret: AUTH_SECRET, salt })).rejects.toThrow();
    }
  });

  it("expires after an hour (the token and its session row), with UNAUTHENTICATED", async () => {
    const master = await newMaster();
    const { token } = await createApiSessionToken(master.actor);
    expect(codeOf(await gql(LIST_KEYS, bearer(token)))).toBeUndefined();
    advanceClock((API_SESSION_TTL_SECONDS + 60) * 1000);
    const late = await gql(LIST_KEYS, bearer(token));
    expect(codeOf(late)).toBe("UNAUTHENTICATED");
    expect(late.data ?? null).toBeNull();
    vi.useRealTimers();

    // The session row's expiry alone is enough too.
    const second = await createApiSessionToken(master.actor);
    await db.authSession.update({ where: { id: second.sessionId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(codeOf(await gql(LIST_KEYS, bearer(second.token)))).toBe("UNAUTHENTICATED");
  });

  it("is listed among the sessions, and signing it out (one, or everywhere else) ends it", async () => {
    const master = await newMaster();
    const first = await createApiSessionToken(master.actor);
    const listed = (await listSessions(master.actor)).find((s) => s.id === first.sessionId);
    expect(listed).toMatchObject({ current: false, expiresAt: first.expiresAt });
    expect(listed!.userAgent).toMatch(/^API session token, until \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    await revokeOwnSession(master.actor, first.sessionId);
    expect(codeOf(await gql(LIST_KEYS, bearer(first.token)))).toBe("UNAUTHENTICATED");

    const second = await createApiSessionToken(master.actor);
    expect(codeOf(await gql(LIST_KEYS, bearer(second.token)))).toBeUndefined();
    await revokeOtherSessions(master.actor);
    expect(codeOf(await gql(LIST_KEYS, bearer(second.token)))).toBe("UNAUTHENTICATED");
  });

  it("is refused to members (FORBIDDEN), and nothing is created for them", async () => {
    const master = await newMaster();
    const member = await newMember(master);
    const before = await db.authSession.count({ where: { userId: member.userId } });
    expect(await appError(createApiSessionToken(member.actor))).toMatchObject({ code: "FORBIDDEN" });
    expect(await db.authSession.count({ where: { userId: member.userId } })).toBe(before);
    // A key actor cannot mint one either.
    const key = { kind: "key" as const, keyId: "k", teamId: master.teamId, environmentId: "e", environmentType: "SANDBOX" as const, permissions: [], walletId: null };
    expect(await appError(createApiSessionToken(key))).toMatchObject({ code: "FORBIDDEN" });
  });

  it("a master demoted after minting keeps only a member's rights with it", async () => {
    const master = await newMaster();
    const { token } = await createApiSessionToken(master.actor);
    await db.membership.update({ where: { userId: master.userId }, data: { role: "MEMBER" } });
    expect(codeOf(await gql(LIST_KEYS, bearer(token)))).toBe("FORBIDDEN");
  });
});
