// Tests fail on an unexpected console.error (test/setup.ts). A test that expects one silences it,
// either with the usual `vi.spyOn(console, "error").mockImplementation(() => {})` or with:
//
//   const errors = allowConsoleError();
//   …
//   expect(errors).toHaveBeenCalledWith(expect.stringMatching(/…/));
//
// Any console.error spy given an implementation counts as "expected" for the current test.
import { vi, type MockInstance } from "vitest";

export function allowConsoleError(): MockInstance<typeof console.error> {
  return vi.spyOn(console, "error").mockImplementation(() => {});
}
