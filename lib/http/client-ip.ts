/** The client's address as the proxy in front of Boltrail reports it (X-Forwarded-For, X-Real-IP), else "unknown". */
export function clientIp(request: Request): string {
  const forwarded = request.headers.get("x-forwarded-for");
  return forwarded?.split(",")[0]?.trim() || request.headers.get("x-real-ip") || "unknown";
}
