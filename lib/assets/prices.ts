import "server-only";
import { env } from "../env";
import { ceilDiv, decimalToFraction, formatFraction } from "../money";

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
  const btc = decimalToFraction(usdPrice("BTC"));
  const asset = decimalToFraction(usdPrice(symbol));
  // sats = minor / 10^precision * assetUsd / btcUsd * 10^8
  const num = minor * asset.num * btc.den * BigInt(100_000_000);
  const den = BigInt(10) ** BigInt(precision) * asset.den * btc.num;
  const rateNum = asset.num * btc.den * BigInt(100_000_000);
  const rateDen = asset.den * btc.num;
  return { amountSats: ceilDiv(num, den), exchangeRate: formatFraction(rateNum, rateDen, 8) };
}

/**
 * What a stablecoin wallet pays for `sats`: the asset amount in minor units rounded up (the payee
 * never gets less than the invoice asks, the wallet never pays less than it spends), at the rate
 * receives use; `exchangeRate` as in quoteInSats.
 */
export function quoteFromSats(sats: bigint, precision: number, symbol: string): { amount: bigint; exchangeRate: string } {
  const btc = decimalToFraction(usdPrice("BTC"));
  const asset = decimalToFraction(usdPrice(symbol));
  // minor = sats / 10^8 * btcUsd / assetUsd * 10^precision
  const num = sats * btc.num * asset.den * BigInt(10) ** BigInt(precision);
  const den = BigInt(100_000_000) * btc.den * asset.num;
  return { amount: ceilDiv(num, den), exchangeRate: quoteInSats(BigInt(1), precision, symbol).exchangeRate };
}
