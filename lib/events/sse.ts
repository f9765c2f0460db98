/**
 * Server-sent events framing (WHATWG HTML §9.2): pure. Each message is `field: value` lines ended by
 * a blank line; a line starting with ":" is a comment (heartbeats); `id:` is what the browser sends
 * back as Last-Event-ID when it reconnects; `retry:` its reconnection delay.
 */

/** One event. `data` is JSON-encoded (one line: JSON.stringify escapes newlines). */
export function sseEvent(event: { id?: string; event?: string; data: unknown }): string {
  let frame = "";
  if (event.id !== undefined) frame += `id: ${singleLine(event.id)}\n`;
  if (event.event !== undefined) frame += `event: ${singleLine(event.event)}\n`;
  return `${frame}data: ${JSON.stringify(event.data)}\n\n`;
}

/** A comment: ignored by EventSource, keeps proxies and the TCP connection from idling out. */
export function sseComment(text: string): string {
  return `: ${singleLine(text)}\n\n`;
}

/** How long the browser waits before reconnecting after the connection drops. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}

/** A field value may not contain a line break (it would end the field, or inject another one). */
function singleLine(value: string): string {
  return value.replace(/[\r\n]+/g, " ");
}

/**
 * The Last-Event-ID a browser sent: a live event id (decimal, within bigint; "0" when its page was
 * rendered before the team had any event), else null.
 */
export function parseLastEventId(raw: string | null | undefined): bigint | null {
  const value = raw?.trim() ?? "";
  if (!/^(0|[1-9][0-9]{0,18})$/.test(value)) return null;
  const id = BigInt(value);
  return id <= BigInt("9223372036854775807") ? id : null;
}
