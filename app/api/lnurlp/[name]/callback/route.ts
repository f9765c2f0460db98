import { handleLnurl } from "@/lib/lnurl/http";

// The LUD-06 callback of a wallet's Lightning Address: issues an invoice for `amount` msat.
export const dynamic = "force-dynamic";
export const GET = (request: Request) => handleLnurl(request);
