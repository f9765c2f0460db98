// The Developers page's code samples (and the one shown after a key is created): two GraphQL
// documents of the Rails API — issue an invoice (create_receive, as in the integration guide) and
// list the environment's transactions — as curl and TypeScript (fetch), with the ids filled in.

export type SnippetContext = {
  /** The GraphQL endpoint, e.g. https://pay.example.com/graphql. */
  endpoint: string;
  environmentId: string;
  /** The wallet the invoice goes to; null: a placeholder, the environment has no wallet yet. */
  walletId: string | null;
  /** A key just created, shown in the samples (once); else they read it from BOLTRAIL_API_KEY. */
  apiKey?: string | null;
};

export type Snippet = { id: string; title: string; description: string; curl: string; typescript: string };

export const WALLET_PLACEHOLDER = "<wallet id>";

const CREATE_RECEIVE = `mutation CreateReceive($input: CreateReceiveTransactionInput!) {
  payment {
    transaction {
      create_receive(input: $input) {
        id
        status
        payment_request
        payment_hash
        expires_at
        amount { display_amount full_amount }
      }
    }
  }
}`;

const LIST_TRANSACTIONS = `query Transactions($input: ListTransactionsInput!) {
  payment {
    transaction {
      find_many(input: $input) {
        total_count
        list {
          id
          status
          direction
          description
          created_at
          amount { display_amount full_amount }
        }
      }
    }
  }
}`;

/** The invoice sample as a request, for GraphiQL. */
export function receiveRequest(context: SnippetContext): { query: string; variables: unknown } {
  return { query: CREATE_RECEIVE, variables: receiveVariables(context) };
}

function receiveVariables(context: SnippetContext) {
  return { input: { wallet_id: context.walletId ?? WALLET_PLACEHOLDER, amount: "100000", description: "Order #42", idempotency_key: "order-42" } };
}

/** One line per document in the curl body: GraphQL ignores the extra spaces. */
const oneLine = (document: string) => document.replace(/\s*\n\s*/g, " ");

/** A string as a single-quoted shell word. */
const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function curl(context: SnippetContext, query: string, variables: unknown): string {
  const key = context.apiKey ? shellQuote(`x-api-key: ${context.apiKey}`) : `"x-api-key: $BOLTRAIL_API_KEY"`;
  return [
    `curl -s ${context.endpoint} \\`,
    `  -H 'content-type: application/json' \\`,
    `  -H ${key} \\`,
    `  -d ${shellQuote(JSON.stringify({ query: oneLine(query), variables }))}`,
  ].join("\n");
}

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

function typescript(context: SnippetContext, query: string, variables: unknown, result: string): string {
  const key = context.apiKey
    ? `${JSON.stringify(context.apiKey)}, // in your code: process.env.BOLTRAIL_API_KEY`
    : "process.env.BOLTRAIL_API_KEY!,";
  return `const response = await fetch(${JSON.stringify(context.endpoint)}, {
  method: "POST",
  headers: {
    "content-type": "application/json",
    "x-api-key": ${key}
  },
  body: JSON.stringify({
    query: \`${indent(query, "      ")}\`,
    variables: ${indent(JSON.stringify(variables, null, 2), "    ")},
  }),
});
const { data, errors } = await response.json();
if (errors) throw new Error(\`\${errors[0].extensions?.code}: \${errors[0].message}\`);
console.log(data.payment.transaction.${result});`;
}

export function snippets(context: SnippetContext): Snippet[] {
  const receive = receiveVariables(context);
  const list = { input: { environment_id: context.environmentId, page: { limit: 10, offset: 0 } } };
  return [
    {
      id: "create-receive",
      title: "Issue an invoice",
      description: "create_receive: a Lightning invoice for 100 000 sats (0.001 BTC) into the wallet, safe to retry with the same idempotency_key.",
      curl: curl(context, CREATE_RECEIVE, receive),
      typescript: typescript(context, CREATE_RECEIVE, receive, "create_receive"),
    },
    {
      id: "list-transactions",
      title: "List transactions",
      description: "find_many: the environment's latest transactions, newest first.",
      curl: curl(context, LIST_TRANSACTIONS, list),
      typescript: typescript(context, LIST_TRANSACTIONS, list, "find_many.list"),
    },
  ];
}

/** The GraphiQL link: headers (and a document) in the fragment, which never reaches a server (lib/graphql/graphiql.ts). */
export function graphiqlHref(headers: Record<string, string>, query?: string, variables?: unknown): string {
  const handed = new URLSearchParams({ headers: JSON.stringify(headers, null, 2) });
  if (query) handed.set("query", query);
  if (variables !== undefined) handed.set("variables", JSON.stringify(variables, null, 2));
  return `/graphql#${handed.toString()}`;
}

/** A master-only query: the team's API keys. */
export const LIST_KEYS_QUERY = `query ApiKeys {
  service_api_keys {
    get_many {
      list { id name environment_id key_prefix key_suffix active expires_at }
    }
  }
}`;

/** A master-only call with an API session token: the team's API keys. */
export function sessionTokenCurl(endpoint: string, token: string): string {
  const query = oneLine(LIST_KEYS_QUERY);
  return [
    `curl -s ${endpoint} \\`,
    `  -H 'content-type: application/json' \\`,
    `  -H ${shellQuote(`authorization: Bearer ${token}`)} \\`,
    `  -d ${shellQuote(JSON.stringify({ query }))}`,
  ].join("\n");
}

export const GRAPHIQL_KEY_PLACEHOLDER = { "x-api-key": "amb_test_… (paste a key of this environment)" };
