"use client";
import type { Ref } from "react";
import { centsToDecimal, checkUsdPrice, formatUsdCents, MAX_USD_CENTS, satsForMinor, satsPerUnit, usdCentsOf, type AssetRates } from "@/lib/assets/convert";
import { displayAmount, maxAmount, parseDisplayAmount } from "@/lib/money";
import { Labelled } from "./field";

/**
 * An amount field that says what its number means (issue 15 §4): the unit is always shown and
 * chosen (a BTC wallet takes sats, as the API does, or BTC; an invoice can also be priced in USD),
 * and a live line converts what is typed (sats ↔ BTC ↔ USD, a stablecoin ↔ the sats its payer pays)
 * at the rates the server passed in (lib/assets/prices.ts `assetRates`), with the very functions the
 * service converts with (lib/assets/convert.ts), so the preview is what the invoice will be.
 * Controlled (`value` / `onChange`), so it works with useState or react-hook-form's Controller.
 */
export type AmountUnit = "sats" | "btc" | "asset" | "usd";
export type AmountValue = { text: string; unit: AmountUnit };

/** What was typed, resolved: an amount in the asset's minor units, and for a USD price the cents it came from. */
export type ResolvedAmount = { ok: true; minor: bigint; usdCents: bigint | null } | { ok: false; reason: string };

export function amountUnits(rates: AssetRates, allowUsd: boolean): AmountUnit[] {
  return [...(rates.base ? (["sats", "btc"] as const) : (["asset"] as const)), ...(allowUsd ? (["usd"] as const) : [])];
}

/** A BTC wallet starts in sats, the unit the API's `amount` takes; a stablecoin in its own unit. */
export const emptyAmount = (rates: AssetRates): AmountValue => ({ text: "", unit: rates.base ? "sats" : "asset" });

const unitLabel = (unit: AmountUnit, rates: AssetRates) => (unit === "sats" ? "sats" : unit === "btc" ? "BTC" : unit === "usd" ? "USD" : rates.symbol);

const grouped = (n: bigint) => n.toLocaleString("en");

/** The typed text in its unit → the amount, or why not (null while empty). */
export function resolveAmount(value: AmountValue, rates: AssetRates): ResolvedAmount | null {
  const text = value.text.trim();
  if (text === "") return null;
  if (value.unit === "sats") {
    const digits = text.replace(/[\s,_]/g, "");
    if (/^\d*\.\d*$/.test(digits)) return { ok: false, reason: "Sats are whole numbers; choose BTC to type a fraction of a bitcoin such as 0.0015" };
    if (!/^\d+$/.test(digits)) return { ok: false, reason: "Use digits only, e.g. 150000" };
    const minor = BigInt(digits);
    if (minor <= BigInt(0)) return { ok: false, reason: "The amount must be greater than zero" };
    if (minor > maxAmount(8)) return { ok: false, reason: `At most ${grouped(maxAmount(8))} sats` };
    return { ok: true, minor, usdCents: null };
  }
  if (value.unit === "usd") {
    const parsed = parseDisplayAmount(text.replace(/^\$\s*/, "").replace(/,/g, ""), 2);
    if (!parsed.ok) return { ok: false, reason: parsed.reason.replace("e.g. 0.001", "e.g. 25.00") };
    const cents = BigInt(parsed.minor);
    if (cents > BigInt(MAX_USD_CENTS)) return { ok: false, reason: `At most USD ${formatUsdCents(BigInt(MAX_USD_CENTS))}` };
    const priced = checkUsdPrice(cents, rates);
    return priced.ok ? { ok: true, minor: priced.amount, usdCents: cents } : { ok: false, reason: `That price ${priced.reason}` };
  }
  const parsed = parseDisplayAmount(text.replace(/,/g, ""), rates.precision);
  return parsed.ok ? { ok: true, minor: BigInt(parsed.minor), usdCents: null } : { ok: false, reason: parsed.reason };
}

/** The service input for a resolved amount: `amount` (minor units, as the API takes it) or `amount_usd_cents`. */
export function amountFields(resolved: Extract<ResolvedAmount, { ok: true }>): { amount: string } | { amount_usd_cents: number } {
  return resolved.usdCents !== null ? { amount_usd_cents: Number(resolved.usdCents) } : { amount: resolved.minor.toString() };
}

/** The amount written in another unit (when the unit is switched, what was typed is converted, not reinterpreted). */
function inUnit(resolved: Extract<ResolvedAmount, { ok: true }>, unit: AmountUnit, rates: AssetRates): string {
  if (unit === "usd") return resolved.usdCents !== null ? centsToDecimal(resolved.usdCents) : centsToDecimal(usdCentsOf(resolved.minor, rates.precision, rates.usdPerUnit));
  if (unit === "sats") return resolved.minor.toString();
  return displayAmount(resolved.minor, rates.precision);
}

/** The live conversion of a resolved amount, in every unit but the one typed. */
function conversion(resolved: Extract<ResolvedAmount, { ok: true }>, unit: AmountUnit, rates: AssetRates): string {
  const usd = resolved.usdCents ?? usdCentsOf(resolved.minor, rates.precision, rates.usdPerUnit);
  const parts: string[] = [];
  if (rates.base) {
    if (unit !== "sats") parts.push(`${grouped(resolved.minor)} sats`);
    if (unit !== "btc") parts.push(`${displayAmount(resolved.minor, 8)} BTC`);
  } else {
    if (unit !== "asset") parts.push(`${displayAmount(resolved.minor, rates.precision)} ${rates.symbol}`);
    parts.push(`${grouped(resolved.minor)} minor units`);
    parts.push(`paid as ${grouped(satsForMinor(resolved.minor, rates.precision, rates.usdPerUnit, rates.btcUsd))} sats`);
  }
  parts.push(unit === "usd" ? `priced at USD ${formatUsdCents(usd)} (rounded up to the next ${rates.base ? "sat" : "minor unit"})` : `≈ USD ${formatUsdCents(usd)}`);
  return `= ${parts.join(" · ")}`;
}

const usdRate = (usd: string) => formatUsdCents(BigInt(centsOfDecimal(usd)));
const centsOfDecimal = (usd: string) => {
  const [whole, fraction = ""] = usd.split(".");
  return `${whole}${fraction.padEnd(2, "0").slice(0, 2)}`;
};

export function AmountInput({
  id,
  name,
  label,
  rates,
  allowUsd = false,
  value,
  onChange,
  error,
  hint,
  ref,
}: {
  id: string;
  name: string;
  label: string;
  rates: AssetRates;
  /** Offer USD as a unit (a USD-priced invoice: the service converts it at creation). */
  allowUsd?: boolean;
  value: AmountValue;
  onChange: (value: AmountValue) => void;
  /** A server error, shown instead of the live one. */
  error?: string;
  hint?: string;
  ref?: Ref<HTMLInputElement>;
}) {
  const units = amountUnits(rates, allowUsd);
  const resolved = resolveAmount(value, rates);
  const shownError = error ?? (resolved && !resolved.ok ? resolved.reason : undefined);
  const unit = unitLabel(value.unit, rates);
  const rateText = rates.base
    ? `USD ${usdRate(rates.usdPerUnit)} per BTC`
    : `USD ${usdRate(rates.usdPerUnit)} per ${rates.symbol}, ${satsPerUnit(rates.usdPerUnit, rates.btcUsd)} sats per ${rates.symbol}`;
  const described = [`${id}-conversion`, hint ? `${id}-hint` : null, shownError ? `${id}-error` : null].filter(Boolean).join(" ");

  function switchUnit(next: AmountUnit) {
    if (next === value.unit) return;
    onChange({ unit: next, text: resolved?.ok ? inUnit(resolved, next, rates) : value.text });
  }

  return (
    <Labelled id={id} label={`${label} (in ${unit})`} hint={hint} error={shownError}>
      <div className="flex flex-wrap items-stretch gap-2">
        <div className="relative min-w-0 flex-1 basis-40">
          <input
            id={id}
            name={name}
            ref={ref}
            inputMode={value.unit === "sats" ? "numeric" : "decimal"}
            autoComplete="off"
            spellCheck={false}
            placeholder={value.unit === "sats" ? "150000" : value.unit === "btc" ? "0.0015" : value.unit === "usd" ? "25.00" : "12.50"}
            value={value.text}
            onChange={(e) => onChange({ ...value, text: e.target.value })}
            aria-invalid={shownError ? true : undefined}
            aria-describedby={described}
            className="block w-full rounded-md border border-gray-300 bg-white py-2 pr-14 pl-3 text-sm text-gray-900 tabular-nums shadow-xs placeholder:text-gray-500 focus:border-indigo-500 focus:outline-2 focus:outline-indigo-500 aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 dark:placeholder:text-gray-400"
          />
          <span aria-hidden="true" className="pointer-events-none absolute inset-y-0 right-3 flex items-center text-sm text-gray-600 dark:text-gray-400">
            {unit}
          </span>
        </div>
        {units.length > 1 && (
          <fieldset className="flex shrink-0 rounded-md border border-gray-300 p-0.5 dark:border-gray-600">
            <legend className="sr-only">Unit of the {label.toLowerCase()}</legend>
            {units.map((u) => (
              <label
                key={u}
                className="relative cursor-pointer rounded px-3 py-1.5 text-sm font-medium text-gray-700 has-[:checked]:bg-indigo-600 has-[:checked]:text-white has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-indigo-500 dark:text-gray-300"
              >
                <input type="radio" name={`${name}-unit`} value={u} checked={value.unit === u} onChange={() => switchUnit(u)} className="absolute inset-0 size-full cursor-pointer appearance-none rounded opacity-0" />
                {unitLabel(u, rates)}
              </label>
            ))}
          </fieldset>
        )}
      </div>
      <output id={`${id}-conversion`} htmlFor={id} aria-live="polite" className="block text-xs break-words text-gray-700 tabular-nums dark:text-gray-300">
        {resolved?.ok ? `${conversion(resolved, value.unit, rates)}, at ${rateText}.` : `Rate: ${rateText}.`}
      </output>
    </Labelled>
  );
}
