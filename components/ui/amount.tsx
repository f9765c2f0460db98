import { displayAmount } from "@/lib/money";

/** An amount in display units with its symbol: "0.001 BTC", "12.5 USDT". */
export function Amount({ minor, precision, symbol, className = "" }: { minor: bigint | string; precision: number; symbol: string; className?: string }) {
  const value = typeof minor === "bigint" ? minor : BigInt(minor);
  return (
    <span className={`tabular-nums ${className}`}>
      {displayAmount(value, precision)} <span className="text-gray-600 dark:text-gray-400">{symbol}</span>
    </span>
  );
}
