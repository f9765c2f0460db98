/**
 * Amounts are decimal strings of digits in the asset's minor units, everywhere, in and out
 * (DESIGN.md §5), held as bigint. Pure functions: used by services and by the dashboard.
 */

/** The largest amount of one asset a single amount may carry, in minor units. */
export function maxAmount(precision: number): bigint {
  // BTC: 21 million coins. Stablecoins (precision 6): one billion units.
  return precision === 8 ? BigInt(21_000_000) * BigInt(10) ** BigInt(8) : BigInt(1_000_000_000) * BigInt(10) ** BigInt(precision);
}

export type AmountCheck = { ok: true; value: bigint } | { ok: false; reason: string };

/** "100000" → 100000n. Rejects "", " 7", "1.5", "1e3", "-5", "+5", "0", leading zeros and values above the maximum. */
export function checkMinorAmount(raw: unknown, precision: number, unitName: string): AmountCheck {
  if (typeof raw !== "string") return { ok: false, reason: `must be a string of digits in ${unitName}` };
  if (raw === "") return { ok: false, reason: `must not be empty; give a whole number of ${unitName} such as "1000"` };
  if (!/^[0-9]+$/.test(raw)) {
    return { ok: false, reason: `must contain digits only (a whole number of ${unitName}, no decimal point, sign, exponent or spaces); got "${raw.slice(0, 40)}"` };
  }
  if (raw.length > 1 && raw.startsWith("0")) return { ok: false, reason: `must not have leading zeros; got "${raw.slice(0, 40)}"` };
  const value = BigInt(raw);
  if (value <= BigInt(0)) return { ok: false, reason: "must be greater than zero" };
  const max = maxAmount(precision);
  if (value > max) return { ok: false, reason: `must be at most ${max.toString()} ${unitName}` };
  return { ok: true, value };
}

/** 100000n, 8 → "0.001"; 1250000n, 6 → "1.25"; 0n → "0". */
export function displayAmount(minor: bigint, precision: number): string {
  const negative = minor < BigInt(0);
  const digits = (negative ? -minor : minor).toString().padStart(precision + 1, "0");
  const whole = digits.slice(0, digits.length - precision);
  const fraction = digits.slice(digits.length - precision).replace(/0+$/, "");
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`;
}

/**
 * What a person types (display units: "0.001" BTC, "12.50" USDT) → minor units, or why not.
 * Used by the dashboard to convert as you type.
 */
export function parseDisplayAmount(text: string, precision: number): { ok: true; minor: string } | { ok: false; reason: string } {
  const value = text.trim();
  if (value === "") return { ok: false, reason: "Enter an amount" };
  const match = /^(\d*)(?:\.(\d*))?$/.exec(value);
  if (!match || (match[1] === "" && (match[2] ?? "") === "")) return { ok: false, reason: "Use digits and at most one decimal point, e.g. 0.001" };
  const fraction = match[2] ?? "";
  if (fraction.length > precision) return { ok: false, reason: `At most ${precision} decimal places` };
  const minor = BigInt((match[1] || "0") + fraction.padEnd(precision, "0"));
  if (minor <= BigInt(0)) return { ok: false, reason: "The amount must be greater than zero" };
  if (minor > maxAmount(precision)) return { ok: false, reason: "That amount is too large" };
  return { ok: true, minor: minor.toString() };
}

/** Ceiling division of non-negative bigints. */
export const ceilDiv = (a: bigint, b: bigint) => (a + b - BigInt(1)) / b;

/** A positive decimal string ("97345.12") as an exact fraction of bigints. */
export function decimalToFraction(value: string): { num: bigint; den: bigint } {
  const [whole, fraction = ""] = value.split(".");
  const den = BigInt(10) ** BigInt(fraction.length);
  return { num: BigInt(whole + fraction), den };
}

/** num/den rendered with at most `places` decimals, trailing zeros trimmed (rounded half up). */
export function formatFraction(num: bigint, den: bigint, places: number): string {
  const scale = BigInt(10) ** BigInt(places);
  const scaled = (num * scale * BigInt(2) + den) / (den * BigInt(2));
  return displayAmount(scaled, places);
}
