/**
 * Validation message wording shared by every zod schema (isomorphic: forms import the schemas).
 * Style: sentence case, no trailing period, no field name — the form shows the message beside
 * the field's label and the API prefixes the field (`name: Must be at most 80 characters`).
 * A missing value asks for it; a broken rule says what the value must be.
 */
export const enter = (what: string) => `Enter ${what}`;
export const choose = (what: string) => `Choose ${what}`;
export const atMost = (n: number, unit = "characters") => `Must be at most ${n.toLocaleString("en")} ${unit}`;
export const atLeast = (n: number, unit = "characters") => `Must be at least ${n.toLocaleString("en")} ${unit}`;
