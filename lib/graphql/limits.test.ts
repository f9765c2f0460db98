// bracketDepth: the nesting of a document's brackets, measured on its text before parsing.
import { getIntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { bracketDepth, MAX_NESTING } from "./limits";

describe("bracketDepth", () => {
  it.each([
    ["", 0],
    ["{ hello }", 1],
    ["query Q($a: [[Int!]]) { f(x: { y: [1, [2]] }) { g } }", 5],
    ["{ a { b { c } } d { e } }", 3],
    // Brackets inside strings, block strings and comments do not count.
    ['{ f(s: "{{{ ((( [[[") }', 2],
    ['{ f(s: "escaped \\" quote {{{") }', 2],
    ['{ f(s: """block {{{ " "" \\""" still inside {{{ """) }', 2],
    ["{ f # a comment {{{\n { g } }", 2],
    ["{ f # a comment at the end {{{", 1],
  ])("%j → %i", (source, depth) => {
    expect(bracketDepth(source)).toBe(depth);
  });

  it("an unterminated string or block string ends the count (the parser reports it)", () => {
    expect(bracketDepth('{ f(s: "open { { {')).toBe(2);
    expect(bracketDepth('{ f(s: """open { { {')).toBe(2);
    // A string ends at a line break: what follows counts again.
    expect(bracketDepth('{ f(s: "open\n{ { } }')).toBe(4);
  });

  it(`the standard introspection query stays far below MAX_NESTING (${MAX_NESTING})`, () => {
    expect(bracketDepth(getIntrospectionQuery())).toBeLessThan(MAX_NESTING / 2);
  });

  it("measures 32 KB of nesting without recursion", () => {
    const depth = 16_000;
    expect(bracketDepth("{".repeat(depth) + "}".repeat(depth))).toBe(depth);
  });
});
