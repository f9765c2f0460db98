import "server-only";
import { env } from "../env";
import { decimalToFraction, formatFraction } from "../money";
import { checkUsdPrice, minorForSats, satsForMinor, satsPerUnit, usdCentsOf, type AssetRates } from "./convert";

/**
 * USD prices. Sandbox: BTC at SANDBOX_BTC_USD_PRICE (default 100 000), stablecoins at 1.00.
 * Live environments would read an oracle; until one is attached the same configured price is used.
 */
export function usdPrice(symbol: string): string {
  return symbol === "BTC" ? env().SANDBOX_BTC_USD_PRICE : "1.00";
}

/** USD value of an amount in minor units, with 2 decimals ("12.5"). */
export function usdValue(minor: bigint, precision: number, symbol: string): string {
  const price = decimalToFraction(usdPrice(symbol));
  return formatFraction(minor * price.num, price.den * BigInt(10) ** BigInt(precision), 2);
}

/**
 * Prices a stablecoin amount in sats: `amountSats` rounded up (the merchant never receives less
 * than asked) and `exchangeRate` = sats per whole asset unit, as a decimal string.
 */
export function quoteInSats(minor: bigint, precision: number, symbol: string): { amountSats: bigint; exchangeRate: string } {
  const btcUsd = usdPrice("BTC");
  return { amountSats: satsForMinor(minor, precision, usdPrice(symbol), btcUsd), exchangeRate: satsPerUnit(usdPrice(symbol), btcUsd) };
}

/**
 * The prices the services convert an asset at, right now: what a dashboard page passes to its
 * client components (components/ui/amount-input.tsx), so the conversion shown while typing is the
 * one the invoice will get.
 */
export function assetRates(asset: { symbol: string; precision: number; type: string }): AssetRates {
  return { symbol: asset.symbol, precision: asset.precision, base: asset.type === "BASE_ASSET", usdPerUnit: usdPrice(asset.symbol), btcUsd: usdPrice("BTC") };
}

/**
 * A USD-priced invoice (issue 15 §4, like SatsRail's amount_cents): the amount in the asset's minor
 * units (rounded up, the merchant never receives less than the price) and the rate used (USD per
 * whole unit), which the transaction records.
 */
export function priceInUsd(cents: bigint, asset: { symbol: string; precision: number }): { ok: true; amount: bigint; rate: string } | { ok: false; reason: string } {
  const rate = usdPrice(asset.symbol);
  const checked = checkUsdPrice(cents, { precision: asset.precision, usdPerUnit: rate });
  return checked.ok ? { ok: true, amount: checked.amount, rate } : checked;
}

/** The USD value of an amount now, in cents, and the rate (USD per whole unit): recorded when a transaction completes. */
export function usdAtSettlement(minor: bigint, precision: number, symbol: string): { cents: bigint; rate: string } {
  const rate = usdPrice(symbol);
  return { cents: usdCentsOf(minor, precision, rate), rate };
}

/**
 * What a stablecoin wallet pays for `sats`: the asset amount in minor units rounded up (the payee
 * never gets less than the invoice asks, the wallet never pays less than it spends), at the rate
 * receives use; `exchangeRate` as in quoteInSats.
 */
export function quoteFromSats(sats: bigint, precision: number, symbol: string): { amount: bigint; exchangeRate: string } {
  const btcUsd = usdPrice("BTC");
  return { amount: minorForSats(sats, precision, usdPrice(symbol), btcUsd), exchangeRate: satsPerUnit(usdPrice(symbol), btcUsd) };
}
