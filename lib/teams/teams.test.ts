import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "../errors";
import { createSession, resolveSessionUser } from "../auth/session";
import type { UserActor } from "../auth/actor";
import { signUp } from "../accounts/sign-up";
import { acceptInvitation, createInvitation, describeInvitation, listPendingInvitations, revokeInvitation } from "./invitations";
import { getTeam, removeMember } from "./members";

let n = 0;
const email = (p = "u") => `${p}-${++n}-${Date.now()}@example.com`;
const PASSWORD = "correct horse battery";

async function master(): Promise<UserActor> {
  const { userId } = await signUp({ email: email("master"), password: PASSWORD, teamName: "Team" });
  return (await resolveSessionUser(userId, 0, await createSession(userId)))!;
}

async function member(of: UserActor): Promise<UserActor> {
  const { token } = await createInvitation(of);
  const { userId } = await acceptInvitation({ token, email: email("member"), password: PASSWORD });
  return (await resolveSessionUser(userId, 0, await createSession(userId)))!;
}

const codeOf = (p: Promise<unknown>) => p.then(() => "resolved", (e: unknown) => (e instanceof AppError ? e.code : String(e)));

describe("invitations", () => {
  it("a link creates exactly one member account in the inviter's team", async () => {
    const boss = await master();
    const invite = await createInvitation(boss);
    expect(invite.path).toBe(`/invite/${invite.token}`);
    expect(invite.expiresAt.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);
    expect(await describeInvitation(invite.token)).toEqual({ status: "valid", teamName: "Team" });
    expect(await db.invitation.count({ where: { tokenHash: invite.token } })).toBe(0); // only the hash is stored

    const results = await Promise.allSettled([
      acceptInvitation({ token: invite.token, email: email("a"), password: PASSWORD }),
      acceptInvitation({ token: invite.token, email: email("b"), password: PASSWORD }),
      acceptInvitation({ token: invite.token, email: email("c"), password: PASSWORD }),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    expect(ok).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "BAD_USER_INPUT", field: "token" });
    }
    const team = await getTeam(boss);
    expect(team.members.map((m) => m.role)).toEqual(["MASTER", "MEMBER"]);
    expect(await describeInvitation(invite.token)).toMatchObject({ status: "used" });
    // The losers of the race left no user behind.
    expect(await db.user.count({ where: { membership: null } })).toBe(0);
  });

  it("expired and revoked links are refused", async () => {
    const boss = await master();
    const expired = await createInvitation(boss);
    await db.invitation.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await describeInvitation(expired.token)).toMatchObject({ status: "expired" });
    await expect(acceptInvitation({ token: expired.token, email: email(), password: PASSWORD })).rejects.toMatchObject({ field: "token" });

    const revoked = await createInvitation(boss);
    await revokeInvitation(boss, revoked.id);
    expect(await describeInvitation(revoked.token)).toMatchObject({ status: "revoked" });
    await expect(acceptInvitation({ token: revoked.token, email: email(), password: PASSWORD })).rejects.toMatchObject({ field: "token" });
    expect(await listPendingInvitations(boss)).toEqual([]);
    expect(await describeInvitation("no-such-token")).toBeNull();
    await expect(acceptInvitation({ token: "no-such-token", email: email(), password: PASSWORD })).rejects.toMatchObject({ field: "token" });
  });

  it("only the master manages invitations, and only its own team's", async () => {
    const boss = await master();
    const staff = await member(boss);
    expect(await codeOf(createInvitation(staff))).toBe("FORBIDDEN");
    expect(await codeOf(listPendingInvitations(staff))).toBe("FORBIDDEN");
    const invite = await createInvitation(boss);
    expect(await codeOf(revokeInvitation(staff, invite.id))).toBe("FORBIDDEN");
    const otherBoss = await master();
    expect(await codeOf(revokeInvitation(otherBoss, invite.id))).toBe("NOT_FOUND");
    expect(await describeInvitation(invite.token)).toMatchObject({ status: "valid" });
  });

  it("rejects bad sign-up data through an invite, naming the field", async () => {
    const boss = await master();
    const invite = await createInvitation(boss);
    await expect(acceptInvitation({ token: invite.token, email: "nope", password: PASSWORD })).rejects.toMatchObject({ field: "email" });
    await expect(acceptInvitation({ token: invite.token, email: email(), password: "short" })).rejects.toMatchObject({ field: "password" });
    expect(await describeInvitation(invite.token)).toMatchObject({ status: "valid" });
  });
});

describe("removeMember", () => {
  it("deletes the member so their session no longer resolves", async () => {
    const boss = await master();
    const staff = await member(boss);
    const sid = await createSession(staff.userId);
    expect(await resolveSessionUser(staff.userId, 0, sid)).not.toBeNull();
    await removeMember(boss, staff.userId);
    expect(await resolveSessionUser(staff.userId, 0, sid)).toBeNull();
    expect((await getTeam(boss)).members).toHaveLength(1);
    expect(await db.auditLog.count({ where: { teamId: boss.teamId, action: "member.removed" } })).toBe(1);
  });

  it("refuses members, other teams' masters, the master itself and unknown ids", async () => {
    const boss = await master();
    const staff = await member(boss);
    const colleague = await member(boss);
    expect(await codeOf(removeMember(staff, colleague.userId))).toBe("FORBIDDEN");
    expect(await codeOf(removeMember(boss, boss.userId))).toBe("BAD_USER_INPUT");
    const otherBoss = await master();
    expect(await codeOf(removeMember(otherBoss, staff.userId))).toBe("NOT_FOUND");
    expect(await codeOf(removeMember(boss, "00000000-0000-0000-0000-000000000000"))).toBe("NOT_FOUND");
    expect(await codeOf(removeMember(boss, "not-a-uuid"))).toBe("NOT_FOUND");
    expect((await getTeam(boss)).members).toHaveLength(3);
  });
});
