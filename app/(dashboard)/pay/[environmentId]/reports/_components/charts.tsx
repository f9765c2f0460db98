"use client";
// The reports page's charts (recharts). Loaded only by this route, after the page itself
// (lazy-charts.tsx), so recharts never weighs on any route's first load. The charts are pictures
// of the tables beside them (which screen readers read): they are hidden from assistive
// technology and take no keyboard focus.
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** One day of one asset's volume, amounts as display strings ("0.0005"). */
export type VolumePoint = { day: string; received: string; sent: string };
/** One day of a group of wallets' balances (display strings by wallet id). */
export type BalancePoint = { day: string; balances: Record<string, string> };
export type ChartWallet = { id: string; name: string };

const dayLabel = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });
const longDayLabel = new Intl.DateTimeFormat("en", { weekday: "short", year: "numeric", month: "short", day: "numeric", timeZone: "UTC" });
const shortDay = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));
const longDay = (day: string) => longDayLabel.format(new Date(`${day}T00:00:00Z`));
const axisNumber = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 3 });

const RECEIVED = "#4f46e5"; // indigo-600
const SENT = "#d97706"; // amber-600
const WALLET_COLORS = ["#4f46e5", "#059669", "#d97706", "#db2777", "#0284c7", "#7c3aed"];
const AXIS = { fontSize: 12, fill: "currentColor" } as const;
const HEIGHT = 240;

/** Legend labels in the text colour (the series colours are for the marks, not for reading). */
const legendText = (value: string) => <span className="text-gray-700 dark:text-gray-300">{value}</span>;

type TooltipRow = { label: string; value: string; color: string };

function TooltipBox({ day, rows, symbol }: { day: string; rows: TooltipRow[]; symbol: string }) {
  return (
    <div className="rounded-md border border-gray-200 bg-white px-3 py-2 text-xs text-gray-900 shadow-md dark:border-gray-700 dark:bg-gray-900 dark:text-gray-100">
      <p className="mb-1 font-semibold">{longDay(day)} (UTC)</p>
      {rows.map((r) => (
        <p key={r.label} className="flex items-center gap-2 tabular-nums">
          <span className="inline-block size-2 rounded-full" style={{ background: r.color }} />
          {r.label}: {r.value} {symbol}
        </p>
      ))}
    </div>
  );
}

type TooltipArgs = { active?: boolean; label?: unknown; payload?: readonly { payload?: unknown }[] };

/** Received and sent per day: two bars a day, exact amounts in the tooltip. */
export function VolumeChart({ symbol, points }: { symbol: string; points: VolumePoint[] }) {
  const data = points.map((p) => ({ ...p, receivedValue: Number(p.received), sentValue: Number(p.sent) }));
  const tooltip = ({ active, payload }: TooltipArgs) => {
    const point = payload?.[0]?.payload as (typeof data)[number] | undefined;
    if (!active || !point) return null;
    return (
      <TooltipBox
        day={point.day}
        symbol={symbol}
        rows={[
          { label: "Received", value: point.received, color: RECEIVED },
          { label: "Sent", value: point.sent, color: SENT },
        ]}
      />
    );
  };
  return (
    <div className="text-gray-600 dark:text-gray-300" style={{ height: HEIGHT }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.2} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={AXIS} stroke="currentColor" minTickGap={16} />
          <YAxis tickFormatter={(v: number) => axisNumber.format(v)} tick={AXIS} stroke="currentColor" width="auto" niceTicks="snap125" allowDecimals />
          <Tooltip content={tooltip} cursor={{ fill: "currentColor", fillOpacity: 0.08 }} />
          <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
          <Bar dataKey="receivedValue" name={`Received (${symbol})`} fill={RECEIVED} radius={[2, 2, 0, 0]} isAnimationActive={false} />
          <Bar dataKey="sentValue" name={`Sent (${symbol})`} fill={SENT} radius={[2, 2, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Each wallet's end-of-day balance: one line per wallet of the same asset. */
export function BalanceChart({ symbol, wallets, points }: { symbol: string; wallets: ChartWallet[]; points: BalancePoint[] }) {
  const data = points.map((p) => ({ day: p.day, ...Object.fromEntries(wallets.map((w) => [w.id, Number(p.balances[w.id] ?? "0")])), labels: p.balances }));
  const color = (i: number) => WALLET_COLORS[i % WALLET_COLORS.length];
  const tooltip = ({ active, payload }: TooltipArgs) => {
    const point = payload?.[0]?.payload as (typeof data)[number] | undefined;
    if (!active || !point) return null;
    return <TooltipBox day={point.day} symbol={symbol} rows={wallets.map((w, i) => ({ label: w.name, value: point.labels[w.id] ?? "0", color: color(i) }))} />;
  };
  return (
    <div className="text-gray-600 dark:text-gray-300" style={{ height: HEIGHT }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid vertical={false} strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.2} />
          <XAxis dataKey="day" tickFormatter={shortDay} tick={AXIS} stroke="currentColor" minTickGap={16} />
          <YAxis tickFormatter={(v: number) => axisNumber.format(v)} tick={AXIS} stroke="currentColor" width="auto" niceTicks="snap125" allowDecimals />
          <Tooltip content={tooltip} />
          <Legend wrapperStyle={{ fontSize: 12 }} formatter={legendText} />
          {wallets.map((w, i) => (
            <Line key={w.id} dataKey={w.id} name={w.name} type="linear" stroke={color(i)} strokeWidth={2} dot={false} isAnimationActive={false} />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
