// Runs in every test file before the file itself is imported: gives the file a database of its
// own (a clone of the migrated template) in DATABASE_URL — set at top level, so it is in place
// before any `import … from "@/lib/db"` of the test file is evaluated — and turns an unexpected
// console.error into a test failure.
import { afterAll, afterEach, beforeEach, inject, vi, type MockInstance } from "vitest";
import { createDatabase, dropDatabase } from "./database";

const adminUrl = inject("postgresAdminUrl");
const database = await createDatabase(adminUrl);
process.env.DATABASE_URL = database.url;

afterAll(async () => {
  // API-key requests record last_used_at without waiting for it: let those writes finish first.
  const { settleLastUsedWrites } = await import("@/lib/api-keys/resolve-api-key");
  await settleLastUsedWrites();
  // lib/db keeps its client and pool on globalThis; a forked worker may run another file next, so
  // disconnect them and forget them before dropping the database.
  const store = globalThis as { __boltrailPrisma?: { $disconnect(): Promise<void> }; __boltrailPool?: unknown };
  const client = store.__boltrailPrisma;
  delete store.__boltrailPrisma;
  delete store.__boltrailPool;
  await client?.$disconnect().catch(() => {});
  await dropDatabase(adminUrl, database.name);
});

let consoleError: MockInstance<typeof console.error>;

beforeEach(() => {
  consoleError = vi.spyOn(console, "error");
});

afterEach(() => {
  const calls = [...consoleError.mock.calls];
  // A test that gave the spy an implementation (mockImplementation(() => {})) expected the errors.
  const expected = consoleError.getMockImplementation() !== undefined;
  consoleError.mockRestore();
  if (calls.length > 0 && !expected) {
    const shown = calls.map((args) => args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(" "));
    throw new Error(
      `console.error was called ${calls.length} time(s) during this test (use allowConsoleError() from ` +
        `test/console.ts when it is expected):\n${shown.join("\n")}`,
    );
  }
});
