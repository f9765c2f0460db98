import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { requireUser } from "@/lib/auth/dashboard";
import { API_SESSION_TTL_SECONDS } from "@/lib/auth/api-session";
import { env } from "@/lib/env";
import { findEnvironment } from "@/lib/environments/find-environment";
import { listWallets } from "@/lib/wallets/list-wallets";
import { buttonClass } from "@/components/ui/button-class";
import { Card, PageHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { orNotFound } from "../../../_components/or-not-found";
import { ApiSessionToken } from "./_components/api-session-token";
import { CodeSamples } from "./_components/code-samples";
import { GRAPHIQL_KEY_PLACEHOLDER, graphiqlHref, receiveRequest } from "./_components/snippets";

export const metadata: Metadata = { title: "Developers" };

/** The public address of /graphql: APP_URL when set, else the address this request came to. */
async function graphqlEndpoint(): Promise<string> {
  const appUrl = env().APP_URL;
  if (appUrl) return `${new URL(appUrl).origin}/graphql`;
  const h = await headers();
  const proto = (h.get("x-forwarded-proto") ?? "http").split(",")[0].trim();
  const host = (h.get("x-forwarded-host") ?? h.get("host") ?? "localhost").split(",")[0].trim();
  return `${proto}://${host}/graphql`;
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-gray-600 uppercase dark:text-gray-400">{label}</dt>
      <dd className="mt-1 flex min-w-0 items-center gap-2">
        <code className="min-w-0 truncate font-mono text-sm" title={value}>
          {value}
        </code>
        <CopyButton value={value} label={label} />
      </dd>
    </div>
  );
}

export default async function DevelopersPage({ params }: { params: Promise<{ environmentId: string }> }) {
  const { environmentId } = await params;
  const actor = await requireUser();
  const environment = await orNotFound(findEnvironment(actor, environmentId));
  const [wallets, endpoint] = await Promise.all([listWallets(actor, environment.id), graphqlEndpoint()]);
  const wallet = wallets[0] ?? null;
  const context = { endpoint, environmentId: environment.id, walletId: wallet?.id ?? null };
  const receive = receiveRequest(context);

  return (
    <>
      <PageHeader
        title="Developers"
        description={`Call the GraphQL API of ${environment.name} from your backend: the endpoint, ready-to-run samples and the explorer.`}
        actions={
          <a href={graphiqlHref(GRAPHIQL_KEY_PLACEHOLDER, receive.query, receive.variables)} className={buttonClass("primary")}>
            Open GraphiQL
          </a>
        }
      />
      <div className="space-y-6">
        <Card title="Endpoint" description="One endpoint for everything: POST a GraphQL document as JSON.">
          <dl className="grid gap-4 sm:grid-cols-2">
            <Fact label="GraphQL endpoint" value={endpoint} />
            <Fact label="Environment id" value={environment.id} />
            {wallet && <Fact label={`Wallet id (${wallet.name}, ${wallet.assetSymbol})`} value={wallet.id} />}
          </dl>
          <ul className="mt-4 list-disc space-y-1 pl-5 text-sm text-gray-700 dark:text-gray-300">
            <li>
              Your backend sends an API key as the <code className="font-mono">x-api-key</code> header
              {actor.isMaster ? (
                <>
                  {" "}
                  — create one on{" "}
                  <Link href={`/pay/${environment.id}/api-keys`} className="font-medium text-indigo-700 underline dark:text-indigo-300">
                    API keys
                  </Link>
                  .
                </>
              ) : (
                <> — the team&apos;s master creates keys.</>
              )}
            </li>
            <li>
              Master-only operations (creating environments, managing keys) take <code className="font-mono">Authorization: Bearer</code> with the
              master&apos;s API session token.
            </li>
            <li>
              Errors carry <code className="font-mono">extensions.code</code> (<code className="font-mono">UNAUTHENTICATED</code>,{" "}
              <code className="font-mono">FORBIDDEN</code>, <code className="font-mono">BAD_USER_INPUT</code> with{" "}
              <code className="font-mono">extensions.field</code>, <code className="font-mono">NOT_FOUND</code>,{" "}
              <code className="font-mono">CONFLICT</code>); amounts are strings in the asset&apos;s smallest unit (sats for BTC).
            </li>
          </ul>
        </Card>

        <Card title="Samples" description="Copy, set BOLTRAIL_API_KEY to a key of this environment, run.">
          <CodeSamples {...context} />
        </Card>

        <Card title="Reference">
          <ul className="space-y-2 text-sm">
            <li>
              <a href={graphiqlHref(GRAPHIQL_KEY_PLACEHOLDER, receive.query, receive.variables)} className="font-medium text-indigo-700 underline dark:text-indigo-300">
                GraphiQL
              </a>{" "}
              <span className="text-gray-600 dark:text-gray-400">— run queries in the browser; its Docs panel documents every type and field.</span>
            </li>
            <li>
              <a href="/graphql/schema.graphql" className="font-medium text-indigo-700 underline dark:text-indigo-300">
                Schema (SDL)
              </a>{" "}
              <span className="text-gray-600 dark:text-gray-400">— the Amboss Rails payments schema Boltrail implements, with the same names.</span>
            </li>
            <li className="text-gray-700 dark:text-gray-300">
              README, section <q>The API</q> (in Boltrail&apos;s source): credentials, limits, webhooks, sending, and a walk-through from environment to invoice.
            </li>
          </ul>
        </Card>

        {actor.isMaster && (
          <Card
            title="API session token"
            description={`A Bearer token for master-only operations from a script or GraphiQL. It works for ${API_SESSION_TTL_SECONDS / 60} minutes; never your browser's cookie.`}
          >
            <ApiSessionToken endpoint={endpoint} />
          </Card>
        )}
      </div>
    </>
  );
}
