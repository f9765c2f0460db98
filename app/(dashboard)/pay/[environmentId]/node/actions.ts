"use server";
import { revalidatePath } from "next/cache";
import { runUserAction } from "@/lib/action";
import { connectNode } from "@/lib/nodes/attach-node";
import { detachNode } from "@/lib/nodes/detach-node";
import { setSendMacaroon } from "@/lib/nodes/set-send-macaroon";
import { testNodeConnection } from "@/lib/nodes/test-connection";
import { removeAdminCredentials, storeAdminCredentials, storeManagementCredentials } from "@/lib/custody/credentials";

export type AttachNodeFormInput = { rest: string; grpc: string; tls_cert: string; management_macaroon: string };

export async function attachNodeAction(environmentId: string, input: AttachNodeFormInput) {
  const result = await runUserAction(async (actor) => {
    const node = await connectNode(actor, { lnd: { rest: input.rest, grpc: input.grpc, tls_cert: input.tls_cert || null, management_macaroon: input.management_macaroon } });
    return { id: node.id, alias: node.alias };
  });
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}

export async function testNodeConnectionAction(nodeId: string) {
  return runUserAction(async (actor) => {
    const result = await testNodeConnection(actor, nodeId);
    return { ...result, checkedAt: result.checkedAt.toISOString() };
  });
}

export async function detachNodeAction(environmentId: string, nodeId: string) {
  const result = await runUserAction(async (actor) => detachNode(actor, nodeId));
  revalidatePath(`/pay/${environmentId}`, "layout");
  return result;
}

/** Stores (or, with an empty macaroon, removes) the node's send macaroon. */
export async function setSendMacaroonAction(environmentId: string, nodeId: string, macaroon: string) {
  const result = await runUserAction(async (actor) => {
    await setSendMacaroon(actor, { node_id: nodeId, macaroon: macaroon.trim() || null });
    return { stored: macaroon.trim() !== "" };
  });
  revalidatePath(`/pay/${environmentId}/node`);
  return result;
}

/** Stores the admin macaroon the browser encrypted under the team's key (opaque to Boltrail). */
export async function storeAdminMacaroonAction(environmentId: string, nodeId: string, encryptedMacaroon: string) {
  const result = await runUserAction((actor) =>
    storeAdminCredentials(actor, { node_id: nodeId, encrypted_macaroon: encryptedMacaroon, location: "LND", macaroon_type: "ADMIN", permissions: ["offchain:read", "offchain:write"] }),
  );
  revalidatePath(`/pay/${environmentId}/node`);
  return result;
}

export async function removeAdminMacaroonAction(environmentId: string, nodeId: string) {
  const result = await runUserAction((actor) => removeAdminCredentials(actor, nodeId));
  revalidatePath(`/pay/${environmentId}/node`);
  return result;
}

/** Replaces the management macaroon (checked on the node first). */
export async function storeManagementMacaroonAction(environmentId: string, nodeId: string, macaroon: string) {
  const result = await runUserAction((actor) => storeManagementCredentials(actor, { node_id: nodeId, macaroon }));
  revalidatePath(`/pay/${environmentId}/node`);
  return result;
}
