import { z } from "zod";
import type { AssetRates } from "@/lib/assets/convert";
import { enter } from "@/lib/form-messages";
import { resolveAmount, type AmountValue } from "../amount-input";

/**
 * An AmountInput's value in a useServerForm schema: refused with the reason AmountInput shows
 * (the same resolveAmount the submit converts with), so an amount error is listed with the others.
 */
export function amountValue(rates: AssetRates) {
  return z.custom<AmountValue>().superRefine((value, ctx) => {
    const resolved = resolveAmount(value, rates);
    if (!resolved) ctx.addIssue({ code: "custom", message: enter("an amount") });
    else if (!resolved.ok) ctx.addIssue({ code: "custom", message: resolved.reason });
  });
}
