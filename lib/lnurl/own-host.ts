import { env } from "../env";

/** This instance's public origin (APP_URL), or the local server's when APP_URL is unset. */
export function ownOrigin(): string {
  const { APP_URL, PORT } = env();
  return APP_URL ? new URL(APP_URL).origin : `http://localhost:${PORT}`;
}

/** The host of this instance's Lightning Addresses (`name@<host>`). */
export function ownHost(): string {
  return new URL(ownOrigin()).host;
}

/** A wallet's full Lightning Address from its name, or null. */
export const fullAddress = (name: string | null) => (name ? `${name}@${ownHost()}` : null);
