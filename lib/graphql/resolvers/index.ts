import "server-only";
import { listAssets } from "../../assets/list-assets";
import { getUserProfile } from "../../accounts/profile";
import { createApiKey, listApiKeys, renameApiKey, revokeApiKey } from "../../api-keys/manage-api-keys";
import { createEnvironment } from "../../environments/create-environment";
import { deleteEnvironment } from "../../environments/delete-environment";
import { findEnvironment } from "../../environments/find-environment";
import { listEnvironments } from "../../environments/list-environments";
import { createWallet, deleteWallet, setLightningAddress, findWallet, listWalletViews } from "../../wallets/manage-wallets";
import { createReceive } from "../../transactions/create-receive";
import { createSend } from "../../transactions/create-send";
import { findTransaction, listTransactions } from "../../transactions/query-transactions";
import { availableEventTypes, createEndpoint, deleteEndpoint, findEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint } from "../../webhooks/endpoints";
import { findWebhookEvent, listWebhookEvents, redeliverWebhookEvent, sendTestEvent } from "../../webhooks/webhook-events";
import { connectNode } from "../../nodes/attach-node";
import { setSendMacaroon } from "../../nodes/set-send-macaroon";
import { findNode, listNodes } from "../../nodes/query-nodes";
import { checkTeamPassword, storeTeamPasswordAndKeys, teamPasswordView } from "../../custody/team-password";
import { storeAdminCredentials, storeManagementCredentials, walletNodePermissions } from "../../custody/credentials";
import { AppError } from "../../errors";
import { requireActor, requireUserActor, type GraphQLContext } from "../context";
import { gqlEndpoint, gqlSimpleWebhookEvent, gqlWebhookEvent, gqlApiKey, gqlEnvironment, gqlSimpleTransaction, gqlSimpleWallet, gqlTransaction, gqlWallet, gqlNode, gqlNodePermissions } from "../mappers";

type Args<T = Record<string, unknown>> = T;
type Ctx = GraphQLContext;

const notAvailable = (what: string) => () => {
  throw new AppError("NOT_IMPLEMENTED", `${what} is not available in Boltrail`);
};

/** Namespace objects of the Rails schema (`payment { environment { … } }`) carry a stable id. */
const ns = (id: string) => () => ({ id });

export const resolvers = {
  Query: {
    hello: () => "Hello from Boltrail",
    user: async (_: unknown, __: Args, ctx: Ctx) => {
      const actor = await requireUserActor(ctx);
      const [profile, password] = await Promise.all([getUserProfile(actor), teamPasswordView(actor)]);
      return {
        id: profile.id,
        email: profile.email,
        is_master: profile.isMaster,
        is_team: true,
        has_access: false,
        has_lp_access: false,
        liquidity_provider: null,
        stripe: null,
        terms_of_service: null,
        verification_info: { id: `verification:${profile.id}`, status: "NOT_COMPLETED", account_info: null },
        team: {
          id: profile.team.id,
          // Whether a team password is set: the encrypted key (opaque here) and a marker, never the stored verifier.
          encrypted_symmetric_key: password.encryptedSymmetricKey,
          password_hash: password.isSet ? "set" : null,
          month_to_date_payment_volume_sats: profile.team.monthToDatePaymentVolumeSats.toString(),
          members: profile.team.members.map((m) => ({ id: m.id, email: m.email, is_master: m.role === "MASTER" })),
        },
      };
    },
    payment: ns("payment"),
    service_api_keys: ns("service_api_keys"),
    taproot_assets: ns("taproot_assets"),
    node: ns("node"),
  },
  Mutation: {
    payment: ns("payment"),
    service_api_key: ns("service_api_key"),
    node: ns("node"),
    user: ns("user"),
    credentials: ns("credentials"),
  },
  UserMutations: {
    check_team_password: async (_: unknown, args: Args<{ password_hash: string }>, ctx: Ctx) => ({
      success: await checkTeamPassword(await requireUserActor(ctx), args.password_hash),
    }),
    store_team_password_and_keys: async (_: unknown, args: Args<{ encrypted_symmetric_key: string; password_hash: string }>, ctx: Ctx) => {
      await storeTeamPasswordAndKeys(await requireActor(ctx), args);
      return { success: true };
    },
    accept_terms_of_service: notAvailable("Accepting Rails' terms of service"),
    request_transaction_export: notAvailable("Requesting a transaction export by email (download CSV from the dashboard's transactions page)"),
  },
  CredentialMutations: {
    store_admin: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => storeAdminCredentials(await requireActor(ctx), args.input),
    store_management: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => storeManagementCredentials(await requireActor(ctx), args.input),
  },
  PaymentsWallet: {
    node_permissions: async (wallet: { id: string }, args: Args<{ password_hash?: string | null }>, ctx: Ctx) =>
      gqlNodePermissions(await walletNodePermissions(await requireActor(ctx), wallet.id, args.password_hash)),
  },
  NodeQueries: {
    deployed_nodes: async (_: unknown, __: Args, ctx: Ctx) => (await listNodes(await requireActor(ctx))).map(gqlNode),
    deployed_node: async (_: unknown, args: Args<{ node_id: string }>, ctx: Ctx) => gqlNode(await findNode(await requireActor(ctx), args.node_id)),
  },
  NodeMutations: {
    connect: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => {
      const node = await connectNode(await requireActor(ctx), args.input);
      return { node_id: node.id, success: true };
    },
    set_send_macaroon: async (_: unknown, args: Args<{ node_id: string; macaroon?: string | null }>, ctx: Ctx) =>
      gqlNode(await setSendMacaroon(await requireActor(ctx), { node_id: args.node_id, macaroon: args.macaroon })),
    // Managed nodes (Rails deploys and hosts them) and their operations: Boltrail attaches your own.
    activate: notAvailable("Activating a managed node"),
    asset: notAvailable("Taproot Asset configuration of a node"),
    change_settings: notAvailable("Changing a node's settings"),
    deactivate: notAvailable("Deactivating a node"),
    deploy: notAvailable("Deploying a managed node"),
    invoices: notAvailable("Creating invoices directly on a node"),
    partners: notAvailable("Partner nodes"),
    withdrawal: notAvailable("Node withdrawals"),
  },
  PaymentQueries: {
    environment: ns("payment.environment"),
    transaction: ns("payment.transaction"),
    wallet: ns("payment.wallet"),
    webhook_endpoint: ns("payment.webhook_endpoint"),
    webhook_event: ns("payment.webhook_event"),
  },
  PaymentMutations: {
    environment: ns("payment.environment"),
    transaction: ns("payment.transaction"),
    wallet: ns("payment.wallet"),
    webhook_endpoint: ns("payment.webhook_endpoint"),
    webhook_event: ns("payment.webhook_event"),
  },
  EnvironmentQueries: {
    find_many: async (_: unknown, __: Args, ctx: Ctx) => ({
      id: "payment.environment.find_many",
      list: (await listEnvironments(await requireActor(ctx))).map(gqlEnvironment),
    }),
    find_one: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => gqlEnvironment(await findEnvironment(await requireActor(ctx), args.id)),
  },
  EnvironmentMutations: {
    create: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => {
      const { environment, checkoutUrl } = await createEnvironment(await requireActor(ctx), args.input);
      const env = gqlEnvironment(environment);
      return { ...env, checkout_url: checkoutUrl, environment: env };
    },
    delete: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => deleteEnvironment(await requireActor(ctx), args.id),
  },
  ServiceApiKeyQueries: {
    get_many: async (_: unknown, __: Args, ctx: Ctx) => ({
      id: "service_api_keys.get_many",
      list: (await listApiKeys(await requireActor(ctx))).map(gqlApiKey),
    }),
  },
  ServiceApiKeyMutations: {
    create: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => {
      const { key, plaintextKey } = await createApiKey(await requireActor(ctx), args.input);
      return { key: gqlApiKey(key), plaintext_key: plaintextKey };
    },
    update: async (_: unknown, args: Args<{ id: string; input: unknown }>, ctx: Ctx) =>
      gqlApiKey(await renameApiKey(await requireActor(ctx), args.id, args.input)),
    revoke: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => gqlApiKey(await revokeApiKey(await requireActor(ctx), args.id)),
  },
  TaprootAssetsQuery: {
    // Public, but credentials that are sent must be valid.
    list: async (_: unknown, __: Args, ctx: Ctx) =>
      (await ctx.actor(), await listAssets()).map((a) => ({
        id: a.id,
        symbol: a.symbol,
        group_key: a.groupKey,
        universe: a.universe ?? "",
        precision: a.precision,
        type: a.type,
      })),
  },
  TransactionQueries: {
    find_many: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => {
      const page = await listTransactions(await requireActor(ctx), args.input);
      return {
        id: "payment.transaction.find_many",
        list: page.list.map(gqlSimpleTransaction),
        pagination: { limit: page.limit, offset: page.offset },
        total_count: () => page.totalCount(),
      };
    },
    find_one: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => gqlTransaction(await findTransaction(await requireActor(ctx), args.id)),
  },
  TransactionMutations: {
    create_receive: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => gqlTransaction(await createReceive(await requireActor(ctx), args.input)),
    create_send: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => gqlTransaction(await createSend(await requireActor(ctx), args.input)),
  },
  WalletQueries: {
    find_many: ns("payment.wallet.find_many"),
    find_one: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => gqlWallet(await findWallet(await requireActor(ctx), args.id)),
  },
  FindManyWallets: {
    list: async (_: unknown, args: Args<{ environment_id: string }>, ctx: Ctx) =>
      (await listWalletViews(await requireActor(ctx), args.environment_id)).map(gqlSimpleWallet),
  },
  WalletMutations: {
    create: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => gqlWallet(await createWallet(await requireActor(ctx), args.input)),
    delete: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => deleteWallet(await requireActor(ctx), args.id),
    set_lightning_address: async (_: unknown, args: Args<{ id: string; name?: string | null }>, ctx: Ctx) =>
      gqlWallet(await setLightningAddress(await requireActor(ctx), args.id, args.name ?? null)),
  },
  WebhookEndpointQueries: {
    find_many: ns("payment.webhook_endpoint.find_many"),
    available_event_types: async (_: unknown, __: Args, ctx: Ctx) => availableEventTypes(await requireActor(ctx)),
    find_one: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => gqlEndpoint(await findEndpoint(await requireActor(ctx), args.id)),
  },
  FindManyWebhookEndpoints: {
    list: async (_: unknown, args: Args<{ environment_id: string }>, ctx: Ctx) =>
      (await listEndpoints(await requireActor(ctx), args.environment_id)).map(gqlEndpoint),
  },
  WebhookEndpointMutations: {
    create: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => {
      const { endpoint, secret } = await createEndpoint(await requireActor(ctx), args.input);
      return { endpoint: gqlEndpoint(endpoint), secret };
    },
    update: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => gqlEndpoint(await updateEndpoint(await requireActor(ctx), args.input)),
    delete: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => deleteEndpoint(await requireActor(ctx), args.id),
    rotate_secret: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => {
      const { endpoint, secret } = await rotateEndpointSecret(await requireActor(ctx), args.id);
      return { endpoint: gqlEndpoint(endpoint), secret };
    },
    send_test_event: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => gqlWebhookEvent(await sendTestEvent(await requireActor(ctx), args.id)),
  },
  WebhookEventQueries: {
    find_many: async (_: unknown, args: Args<{ input: unknown }>, ctx: Ctx) => {
      const page = await listWebhookEvents(await requireActor(ctx), args.input);
      return {
        id: "payment.webhook_event.find_many",
        list: page.list.map(gqlSimpleWebhookEvent),
        pagination: { limit: page.limit, offset: page.offset },
        total_count: () => page.totalCount(),
      };
    },
    find_one: async (_: unknown, args: Args<{ id: string }>, ctx: Ctx) => gqlWebhookEvent(await findWebhookEvent(await requireActor(ctx), args.id)),
  },
  WebhookEventMutations: {
    redeliver: async (_: unknown, args: Args<{ id: string; endpoint_id?: string | null }>, ctx: Ctx) =>
      gqlWebhookEvent(await redeliverWebhookEvent(await requireActor(ctx), args.id, args.endpoint_id ?? undefined)),
  },
};
