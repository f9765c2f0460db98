// Unit tests of lib/money.ts (minor-unit strings, display amounts) and lib/assets/prices.ts
// (stablecoin → sats quotes at the sandbox price, default USD 100 000 per BTC).
process.env.AUTH_SECRET ??= "x".repeat(40);
process.env.APP_ENCRYPTION_KEY ??= "ab".repeat(32);
delete process.env.SANDBOX_BTC_USD_PRICE; // the default, 100000

import { describe, expect, it } from "vitest";
import { ceilDiv, checkMinorAmount, decimalToFraction, displayAmount, formatFraction, maxAmount, parseDisplayAmount } from "@/lib/money";
import { quoteInSats, usdPrice, usdValue } from "@/lib/assets/prices";

describe("checkMinorAmount", () => {
  it.each([
    ["1", 8, 1n],
    ["100000", 8, 100000n],
    ["2100000000000000", 8, 2_100_000_000_000_000n],
    ["1000000000000000", 6, 1_000_000_000_000_000n],
    ["999999999999999", 6, 999_999_999_999_999n],
  ])("accepts %j at precision %i", (raw, precision, value) => {
    expect(checkMinorAmount(raw, precision, "units")).toEqual({ ok: true, value });
  });

  it.each([
    ["1.5"],
    ["1e3"],
    ["-5"],
    ["+5"],
    [" 7"],
    ["7 "],
    ["\n7"],
    [""],
    ["0"],
    ["00"],
    ["007"],
    ["abc"],
    ["0x10"],
    ["1_000"],
    ["1,000"],
    ["１２"],
    ["٣"],
    ["2100000000000001"],
    ["99999999999999999999999999999"],
  ])("refuses %j (BTC)", (raw) => {
    const result = checkMinorAmount(raw, 8, "satoshis");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(5);
  });

  it("refuses above one billion units of a precision-6 asset", () => {
    expect(checkMinorAmount("1000000000000001", 6, "minor units").ok).toBe(false);
    expect(maxAmount(6)).toBe(1_000_000_000_000_000n);
    expect(maxAmount(8)).toBe(2_100_000_000_000_000n);
  });

  it.each([[5], [5n], [null], [undefined], [["5"]], [{ amount: "5" }], [true]])("refuses the non-string %s", (raw) => {
    const result = checkMinorAmount(raw, 8, "satoshis");
    expect(result).toEqual({ ok: false, reason: expect.stringContaining("string") });
  });

  it("explains what is wrong, naming the unit", () => {
    expect(checkMinorAmount("1.5", 8, "satoshis")).toEqual({ ok: false, reason: expect.stringContaining("satoshis") });
    expect(checkMinorAmount("0", 8, "satoshis")).toEqual({ ok: false, reason: expect.stringMatching(/greater than zero/) });
    expect(checkMinorAmount("2100000000000001", 8, "satoshis")).toEqual({ ok: false, reason: expect.stringContaining("2100000000000000") });
  });
});

describe("displayAmount", () => {
  it.each([
    [100000n, 8, "0.001"],
    [0n, 8, "0"],
    [1n, 8, "0.00000001"],
    [100000000n, 8, "1"],
    [123456789n, 8, "1.23456789"],
    [2_100_000_000_000_000n, 8, "21000000"],
    [99500n, 8, "0.000995"],
    [1250000n, 6, "1.25"],
    [1n, 6, "0.000001"],
    [100000n, 6, "0.1"],
    [12500000n, 6, "12.5"],
    [1_000_000_000_000_000n, 6, "1000000000"],
    [-5n, 2, "-0.05"],
    [42n, 0, "42"],
  ])("%s at precision %i → %j", (minor, precision, text) => {
    expect(displayAmount(minor, precision)).toBe(text);
  });
});

describe("parseDisplayAmount", () => {
  it.each([
    ["0.001", 8, "100000"],
    ["12.50", 6, "12500000"],
    ["1", 8, "100000000"],
    [".5", 8, "50000000"],
    ["5.", 6, "5000000"],
    [" 0.1 ", 6, "100000"],
    ["0.00000001", 8, "1"],
    ["21000000", 8, "2100000000000000"],
    ["1000000000", 6, "1000000000000000"],
  ])("%j at precision %i → %j minor units", (text, precision, minor) => {
    expect(parseDisplayAmount(text, precision)).toEqual({ ok: true, minor });
  });

  it.each([
    ["0.000000001", 8], // too many decimals
    ["1.0000001", 6],
    ["12.5000000", 6],
    ["", 8],
    ["   ", 8],
    [".", 8],
    ["abc", 8],
    ["1,5", 6],
    ["1e3", 8],
    ["-1", 8],
    ["+1", 8],
    ["1.2.3", 8],
    ["0", 8],
    ["0.000", 6],
    ["21000000.00000001", 8], // above 21 million BTC
    ["1000000000.000001", 6],
  ])("refuses %j at precision %i", (text, precision) => {
    const result = parseDisplayAmount(text, precision);
    expect(result).toEqual({ ok: false, reason: expect.any(String) });
  });

  it("names the decimal limit when there are too many decimals", () => {
    expect(parseDisplayAmount("0.000000001", 8)).toEqual({ ok: false, reason: expect.stringContaining("8") });
    expect(parseDisplayAmount("1.0000001", 6)).toEqual({ ok: false, reason: expect.stringContaining("6") });
  });

  it("round-trips with displayAmount and checkMinorAmount", () => {
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 300; i++) {
      const precision = i % 2 ? 8 : 6;
      const minor = (BigInt(next()) * BigInt(next())) % maxAmount(precision) + 1n;
      const text = displayAmount(minor, precision);
      expect(parseDisplayAmount(text, precision)).toEqual({ ok: true, minor: minor.toString() });
      expect(checkMinorAmount(minor.toString(), precision, "u")).toEqual({ ok: true, value: minor });
    }
  });
});

describe("fractions", () => {
  it("ceilDiv rounds up, exact division stays exact", () => {
    expect(ceilDiv(10n, 5n)).toBe(2n);
    expect(ceilDiv(11n, 5n)).toBe(3n);
    expect(ceilDiv(1n, 1000n)).toBe(1n);
    expect(ceilDiv(0n, 7n)).toBe(0n);
  });

  it("decimalToFraction and formatFraction (half up, trailing zeros trimmed)", () => {
    expect(decimalToFraction("97345.12")).toEqual({ num: 9734512n, den: 100n });
    expect(decimalToFraction("100000")).toEqual({ num: 100000n, den: 1n });
    expect(formatFraction(1n, 3n, 2)).toBe("0.33");
    expect(formatFraction(2n, 3n, 2)).toBe("0.67");
    expect(formatFraction(1n, 8n, 2)).toBe("0.13");
    expect(formatFraction(10n, 4n, 8)).toBe("2.5");
  });
});

describe("quoteInSats at USD 100 000 per BTC", () => {
  it("prices 1.00 USDT at 1000 sats, the rate being sats per whole USDT", () => {
    expect(usdPrice("BTC")).toBe("100000");
    expect(usdPrice("USDT")).toBe("1.00");
    expect(quoteInSats(1_000_000n, 6, "USDT")).toEqual({ amountSats: 1000n, exchangeRate: "1000" });
    expect(quoteInSats(100_000n, 6, "USDT")).toEqual({ amountSats: 100n, exchangeRate: "1000" });
    expect(quoteInSats(12_500_000n, 6, "USDC")).toEqual({ amountSats: 12_500n, exchangeRate: "1000" });
    expect(quoteInSats(1_000_000_000_000_000n, 6, "USDT").amountSats).toBe(1_000_000_000_000n);
  });

  it("rounds a fraction of a sat up: the merchant never receives less than asked", () => {
    expect(quoteInSats(1n, 6, "USDT").amountSats).toBe(1n); // 0.001 sat
    expect(quoteInSats(999n, 6, "USDT").amountSats).toBe(1n); // 0.999 sat
    expect(quoteInSats(1_000n, 6, "USDT").amountSats).toBe(1n); // exactly 1 sat
    expect(quoteInSats(1_001n, 6, "USDT").amountSats).toBe(2n); // 1.001 sat
    expect(quoteInSats(1_500n, 6, "USDT").amountSats).toBe(2n);
    expect(quoteInSats(1_999_999n, 6, "USDT").amountSats).toBe(2000n);
    // Never below the exact value, never a whole sat above it.
    for (const minor of [1n, 7n, 333n, 12_345n, 987_654_321n]) {
      const { amountSats } = quoteInSats(minor, 6, "USDT");
      expect(amountSats * 1000n).toBeGreaterThanOrEqual(minor);
      expect((amountSats - 1n) * 1000n).toBeLessThan(minor);
    }
  });

  it("a BTC amount is its own sats (rate 10^8 per BTC)", () => {
    expect(quoteInSats(123_456n, 8, "BTC")).toEqual({ amountSats: 123_456n, exchangeRate: "100000000" });
  });

  it("usdValue: 0.001 BTC = USD 100, 1.25 USDT = USD 1.25", () => {
    expect(usdValue(100_000n, 8, "BTC")).toBe("100");
    expect(usdValue(1_250_000n, 6, "USDT")).toBe("1.25");
    expect(usdValue(1n, 8, "BTC")).toBe("0");
    expect(usdValue(5_000n, 8, "BTC")).toBe("5");
  });
});
