import { handleLnurl } from "@/lib/lnurl/http";

// The LUD-06 pay request of a wallet's Lightning Address; /.well-known/lnurlp/<name> is rewritten here (next.config.ts).
export const dynamic = "force-dynamic";
export const GET = (request: Request) => handleLnurl(request);
