-- Issue 13 §3: an optional send macaroon (offchain:write) per attached node, stored encrypted.
ALTER TABLE "nodes" ADD COLUMN "sendMacaroonEncrypted" TEXT;
