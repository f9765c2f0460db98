import "server-only";
import { headers } from "next/headers";
import { CLIENT_IP_HEADER } from "../http/client-ip";

/** The client address of the current server action or page request (see lib/http/client-ip.ts), or "unknown". */
export async function requestIp(): Promise<string> {
  return (await headers()).get(CLIENT_IP_HEADER) || "unknown";
}
