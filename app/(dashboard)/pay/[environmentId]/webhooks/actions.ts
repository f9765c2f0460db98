"use server";
import { headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { createEndpoint, deleteEndpoint, findEndpoint, rotateEndpointSecret, updateEndpoint } from "@/lib/webhooks/endpoints";
import { endpointConfirmationName, requireTypedName } from "@/lib/auth/typed-confirmation";
import { createTestInbox, getTestInbox } from "@/lib/webhooks/test-inbox";
import { redeliverWebhookEvent, sendTestEvent } from "@/lib/webhooks/webhook-events";

const refresh = (environmentId: string) => revalidatePath(`/pay/${environmentId}/webhooks`, "layout");

export async function createEndpointAction(input: { environment_id: string; url: string; event_filters: string[] }) {
  const result = await runUserAction(async (actor) => {
    const { endpoint, secret } = await createEndpoint(actor, input);
    return { id: endpoint.id, secret };
  });
  refresh(input.environment_id);
  return result;
}

export async function updateEndpointAction(environmentId: string, input: { id: string; url?: string; event_filters?: string[]; active?: boolean }) {
  const result = await runUserAction(async (actor) => (await updateEndpoint(actor, input)).active);
  refresh(environmentId);
  return result;
}

export async function deleteEndpointAction(environmentId: string, id: string) {
  const result = await runUserAction((actor) => deleteEndpoint(actor, id));
  refresh(environmentId);
  return result;
}

/** `confirmation`: the endpoint's host, typed by the user (refused otherwise). */
export async function rotateSecretAction(environmentId: string, id: string, confirmation: string) {
  const result = await runUserAction(async (actor) => {
    requireTypedName(confirmation, endpointConfirmationName((await findEndpoint(actor, id)).url), "the endpoint's host");
    return (await rotateEndpointSecret(actor, id)).secret;
  });
  refresh(environmentId);
  return result;
}

export async function sendTestEventAction(environmentId: string, id: string) {
  const result = await runUserAction(async (actor) => (await sendTestEvent(actor, id)).id);
  refresh(environmentId);
  return result;
}

export async function redeliverAction(environmentId: string, eventId: string, endpointId: string) {
  const result = await runUserAction(async (actor) => (await redeliverWebhookEvent(actor, eventId, endpointId)).id);
  refresh(environmentId);
  return result;
}

export async function generateTestUrlAction(environmentId: string) {
  const h = await headers();
  const origin = `${h.get("x-forwarded-proto") ?? "http"}://${h.get("x-forwarded-host") ?? h.get("host") ?? "localhost"}`;
  const result = await runUserAction(async (actor) => {
    const inbox = await createTestInbox(actor, environmentId, origin);
    return { inboxId: inbox.inboxId, secret: inbox.secret, url: inbox.url };
  });
  refresh(environmentId);
  return result;
}

export type InboxRequestRow = { id: string; receivedAt: string; eventType: string | null; signatureValid: boolean | null; headers: Record<string, string>; body: string };

/** The inbox page polls this for requests as they arrive. */
export async function inboxRequestsAction(inboxId: string): Promise<InboxRequestRow[]> {
  const result = await runUserAction(async (actor) => (await getTestInbox(actor, inboxId)).requests);
  if (!result.ok) throw new Error(result.error.message);
  return result.data.map((r) => ({
    id: r.id,
    receivedAt: r.receivedAt.toISOString(),
    eventType: r.headers["x-webhook-event"] ?? null,
    signatureValid: r.signatureValid,
    headers: r.headers,
    body: r.body,
  }));
}
