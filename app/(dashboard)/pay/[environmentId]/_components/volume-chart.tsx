import { displayAmount } from "@/lib/money";

type Point = { day: string; symbol: string; precision: number; amount: bigint };

/** Received volume per UTC day over the last 30 days, one small bar chart per asset (SVG, with a table for screen readers). */
export function VolumeChart({ points, today }: { points: Point[]; today: string }) {
  const days: string[] = [];
  const end = Date.parse(`${today}T00:00:00Z`);
  for (let i = 29; i >= 0; i--) days.push(new Date(end - i * 86_400_000).toISOString().slice(0, 10));
  const symbols = [...new Set(points.map((p) => p.symbol))];
  if (symbols.length === 0) return <p className="text-sm text-gray-600 dark:text-gray-400">No payments received in the last 30 days.</p>;
  return (
    <div className="space-y-6">
      {symbols.map((symbol) => {
        const series = points.filter((p) => p.symbol === symbol);
        const precision = series[0].precision;
        const byDay = new Map(series.map((p) => [p.day, p.amount]));
        const max = series.reduce((m, p) => (p.amount > m ? p.amount : m), BigInt(1));
        const total = series.reduce((s, p) => s + p.amount, BigInt(0));
        const width = 600;
        const height = 120;
        const barWidth = width / days.length;
        return (
          <figure key={symbol}>
            <figcaption className="mb-2 text-sm">
              <span className="font-semibold">{symbol}</span> received: {displayAmount(total, precision)} {symbol}
            </figcaption>
            <svg viewBox={`0 0 ${width} ${height}`} className="h-32 w-full text-indigo-600 dark:text-indigo-400" role="img" aria-label={`${symbol} received per day over the last 30 days; total ${displayAmount(total, precision)} ${symbol}`}>
              {days.map((day, i) => {
                const amount = byDay.get(day) ?? BigInt(0);
                const h = amount === BigInt(0) ? 0 : Math.max(2, Number((amount * BigInt(height - 4)) / max));
                return (
                  <rect key={day} x={i * barWidth + 2} y={height - h} width={barWidth - 4} height={h} rx={2} fill="currentColor">
                    <title>{`${day}: ${displayAmount(amount, precision)} ${symbol}`}</title>
                  </rect>
                );
              })}
            </svg>
            <table className="sr-only">
              <caption>{symbol} received per day</caption>
              <tbody>
                {series.map((p) => (
                  <tr key={p.day}>
                    <th scope="row">{p.day}</th>
                    <td>{displayAmount(p.amount, precision)} {symbol}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </figure>
        );
      })}
    </div>
  );
}
