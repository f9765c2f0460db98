/**
 * Conversions between an asset's minor units, sats and US cents at given prices: exact bigint
 * arithmetic, no floats. Pure (no server-only), so the dashboard converts as you type with the very
 * functions the services use; the prices themselves always come from the server
 * (lib/assets/prices.ts `assetRates`), never from a copy in the browser.
 */
import { ceilDiv, decimalToFraction, displayAmount, formatFraction, maxAmount } from "../money";

/** What an amount of one asset is converted at: passed from a server page to the dashboard. */
export type AssetRates = {
  symbol: string;
  precision: number;
  /** BTC (BASE_ASSET): amounts are sats. Stablecoins: paid in sats at `satsPerUnit`. */
  base: boolean;
  /** USD per whole unit of the asset, as a decimal string ("100000", "1.00"). */
  usdPerUnit: string;
  /** USD per BTC, as a decimal string. */
  btcUsd: string;
};

/** The largest USD price an invoice may ask: USD 10 000 000.00, in cents. */
export const MAX_USD_CENTS = 1_000_000_000;

const TEN = BigInt(10);
const HUNDRED = BigInt(100);
const SATS_PER_BTC = BigInt(100_000_000);

/**
 * A price in US cents → the asset's minor units, rounded UP to the next minor unit, so the merchant
 * never receives less than the price asked.
 */
export function minorFromUsdCents(cents: bigint, precision: number, usdPerUnit: string): bigint {
  const usd = decimalToFraction(usdPerUnit);
  // minor = cents / 100 / usdPerUnit * 10^precision
  return ceilDiv(cents * TEN ** BigInt(precision) * usd.den, HUNDRED * usd.num);
}

/** The USD value of an amount in minor units, in whole cents (rounded half up). */
export function usdCentsOf(minor: bigint, precision: number, usdPerUnit: string): bigint {
  const usd = decimalToFraction(usdPerUnit);
  const num = minor * usd.num * HUNDRED;
  const den = TEN ** BigInt(precision) * usd.den;
  return (num * BigInt(2) + den) / (den * BigInt(2));
}

/** What a payer pays in sats for a stablecoin amount: rounded up (the merchant never receives less than asked). */
export function satsForMinor(minor: bigint, precision: number, usdPerUnit: string, btcUsd: string): bigint {
  const btc = decimalToFraction(btcUsd);
  const asset = decimalToFraction(usdPerUnit);
  // sats = minor / 10^precision * assetUsd / btcUsd * 10^8
  return ceilDiv(minor * asset.num * btc.den * SATS_PER_BTC, TEN ** BigInt(precision) * asset.den * btc.num);
}

/** What a stablecoin wallet pays for `sats`, in its minor units: rounded up (the payee never gets less than the invoice asks). */
export function minorForSats(sats: bigint, precision: number, usdPerUnit: string, btcUsd: string): bigint {
  const btc = decimalToFraction(btcUsd);
  const asset = decimalToFraction(usdPerUnit);
  // minor = sats / 10^8 * btcUsd / assetUsd * 10^precision
  return ceilDiv(sats * btc.num * asset.den * TEN ** BigInt(precision), SATS_PER_BTC * btc.den * asset.num);
}

/** Sats per whole asset unit, as the decimal string stored in `exchange_rate` (at most 8 decimals). */
export function satsPerUnit(usdPerUnit: string, btcUsd: string): string {
  const btc = decimalToFraction(btcUsd);
  const asset = decimalToFraction(usdPerUnit);
  return formatFraction(asset.num * btc.den * SATS_PER_BTC, asset.den * btc.num, 8);
}

/** 123456n → "1234.56": cents as a plain decimal (CSV, machine-readable). */
export function centsToDecimal(cents: bigint): string {
  const negative = cents < BigInt(0);
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / HUNDRED}.${(abs % HUNDRED).toString().padStart(2, "0")}`;
}

/** 123456n → "1,234.56"; always two decimals (a price, not a minor-unit amount). */
export function formatUsdCents(cents: bigint): string {
  const negative = cents < BigInt(0);
  const abs = negative ? -cents : cents;
  const whole = (abs / HUNDRED).toLocaleString("en");
  const fraction = (abs % HUNDRED).toString().padStart(2, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** A USD price for an invoice of this asset → its amount in minor units, or why not. */
export function checkUsdPrice(cents: bigint, rates: Pick<AssetRates, "precision" | "usdPerUnit">): { ok: true; amount: bigint } | { ok: false; reason: string } {
  const amount = minorFromUsdCents(cents, rates.precision, rates.usdPerUnit);
  const max = maxAmount(rates.precision);
  if (amount > max) return { ok: false, reason: `converts to more than the largest amount an invoice may carry (${displayAmount(max, rates.precision)} at USD ${rates.usdPerUnit} per unit)` };
  return { ok: true, amount };
}
