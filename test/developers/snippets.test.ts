// The Developers page's code samples are run as written: the curl commands by a shell with the real
// curl, the TypeScript through the TypeScript compiler and fetch — against /graphql served by the
// production server's handler, with a real key, environment and wallet.
import { AUTH_SECRET, apiKey, createEnvironment, createWalletRow, masterSession } from "../graphql/helpers";
import { execFile } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serveGraphQL } from "@/lib/graphql/http";
import { graphiqlHref, snippets, WALLET_PLACEHOLDER } from "@/app/(dashboard)/pay/[environmentId]/developers/_components/snippets";

void AUTH_SECRET;
const run = promisify(execFile);

let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer(serveGraphQL);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type Answer = { data?: { payment: { transaction: Record<string, unknown> } } | null; errors?: { message: string }[] };

async function runCurl(command: string, env: Record<string, string> = {}): Promise<Answer> {
  const { stdout } = await run("sh", ["-c", command], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } as unknown as NodeJS.ProcessEnv, encoding: "utf8" });
  return JSON.parse(stdout) as Answer;
}

/** Runs a TypeScript sample (compiled by TypeScript, run with this process's fetch) and returns what it logged. */
async function runTypeScript(source: string, env: Record<string, string> = {}): Promise<unknown[]> {
  const compiled = ts.transpileModule(source, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } });
  expect(compiled.diagnostics ?? []).toEqual([]);
  const logged: unknown[] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
  await new AsyncFunction("fetch", "console", "process", compiled.outputText)(fetch, { log: (v: unknown) => logged.push(v) }, { env });
  return logged;
}

async function setUp() {
  const master = await masterSession();
  const environment = await createEnvironment(master);
  const wallet = await createWalletRow(environment.id, { name: "Main" });
  const key = await apiKey(master, environment.id);
  return { environment, wallet, key };
}

describe("Developers page samples", () => {
  it("with the key just created filled in: the curl commands issue an invoice and list it", async () => {
    const { environment, wallet, key } = await setUp();
    const [receive, list] = snippets({ endpoint, environmentId: environment.id, walletId: wallet.id, apiKey: key.plaintext });
    for (const s of [receive, list]) {
      expect(s.curl).toContain(key.plaintext);
      expect(s.typescript).toContain(key.plaintext);
    }
    expect(receive.curl).toContain(wallet.id);
    expect(list.curl).toContain(environment.id);

    const created = await runCurl(receive.curl);
    expect(created.errors).toBeUndefined();
    const invoice = created.data!.payment.transaction.create_receive as { id: string; status: string; payment_request: string; amount: { full_amount: string } };
    expect(invoice).toMatchObject({ status: "PENDING", amount: { full_amount: "100000" } });
    expect(invoice.payment_request).toMatch(/^ln/);

    const listed = await runCurl(list.curl);
    expect(listed.errors).toBeUndefined();
    const found = listed.data!.payment.transaction.find_many as { total_count: number; list: { id: string }[] };
    expect(found.total_count).toBe(1);
    expect(found.list.map((t) => t.id)).toEqual([invoice.id]);
  });

  it("without a key: the samples read BOLTRAIL_API_KEY, and the TypeScript runs as written", async () => {
    const { environment, wallet, key } = await setUp();
    const [receive, list] = snippets({ endpoint, environmentId: environment.id, walletId: wallet.id });
    expect(receive.curl).not.toContain("amb_test_");
    expect(receive.typescript).toContain("process.env.BOLTRAIL_API_KEY");

    const [invoice] = (await runTypeScript(receive.typescript, { BOLTRAIL_API_KEY: key.plaintext })) as { id: string; status: string }[];
    expect(invoice.status).toBe("PENDING");
    const [transactions] = (await runTypeScript(list.typescript, { BOLTRAIL_API_KEY: key.plaintext })) as { id: string }[][];
    expect(transactions.map((t) => t.id)).toEqual([invoice.id]);
    // The curl command takes the key from the shell's environment.
    const again = await runCurl(receive.curl, { BOLTRAIL_API_KEY: key.plaintext });
    expect((again.data!.payment.transaction.create_receive as { id: string }).id).toBe(invoice.id); // same idempotency_key
    // A wrong key is refused, so the samples really send the one given.
    const refused = await runCurl(receive.curl, { BOLTRAIL_API_KEY: `${key.plaintext.slice(0, -2)}xx` });
    expect(refused.errors?.length).toBe(1);
  });

  it("the TypeScript sample with the new key compiles and runs too", async () => {
    const { environment, wallet, key } = await setUp();
    const [receive] = snippets({ endpoint, environmentId: environment.id, walletId: wallet.id, apiKey: key.plaintext });
    const [invoice] = (await runTypeScript(receive.typescript)) as { status: string }[];
    expect(invoice.status).toBe("PENDING");
  });

  it("an environment without a wallet gets a placeholder, never another environment's id", () => {
    const [receive] = snippets({ endpoint: "https://pay.example.com/graphql", environmentId: "env-1", walletId: null });
    expect(receive.curl).toContain(WALLET_PLACEHOLDER);
    expect(receive.curl.startsWith("curl -s https://pay.example.com/graphql")).toBe(true);
  });

  it("GraphiQL links carry headers in the fragment only", () => {
    const href = graphiqlHref({ authorization: "Bearer abc" }, "{ hello }");
    expect(href.startsWith("/graphql#")).toBe(true);
    const handed = new URLSearchParams(href.split("#")[1]);
    expect(JSON.parse(handed.get("headers")!)).toEqual({ authorization: "Bearer abc" });
    expect(handed.get("query")).toBe("{ hello }");
  });
});
