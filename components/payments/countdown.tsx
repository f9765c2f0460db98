"use client";
import { useEffect, useState } from "react";

function format(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, "0");
  return d > 0 ? `${d}d ${pad(h)}:${pad(m)}:${pad(s)}` : h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${pad(m)}:${pad(s)}`;
}

/** Time left until an invoice expires, ticking every second (announced only on request). */
export function Countdown({ expiresAt, active }: { expiresAt: string; active: boolean }) {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, []);
  if (!active) return null;
  if (now === null) return <span className="tabular-nums">--:--</span>;
  const left = new Date(expiresAt).getTime() - now;
  return (
    <span className="tabular-nums" title={`Expires at ${new Date(expiresAt).toISOString()}`}>
      {left > 0 ? `Expires in ${format(left)}` : "Expiring…"}
    </span>
  );
}
