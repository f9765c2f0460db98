// The Rails subset served at /graphql is generated from the copy of the published schema kept in
// the project (lib/graphql/reference/rails.graphql): regenerating it from that copy alone gives
// exactly the committed lib/graphql/rails-subset.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { extractSubset, REFERENCE_SCHEMA_PATH, toModule } from "../../scripts/extract-schema";

const root = path.resolve(__dirname, "../..");

describe("the Rails schema subset", () => {
  it("is reproducible from the project's own copy of the reference schema", () => {
    expect(REFERENCE_SCHEMA_PATH.startsWith(root + path.sep)).toBe(true);
    const regenerated = toModule(extractSubset(readFileSync(REFERENCE_SCHEMA_PATH, "utf8")));
    expect(regenerated).toBe(readFileSync(path.join(root, "lib/graphql/rails-subset.ts"), "utf8"));
  });
});
