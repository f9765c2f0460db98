-- Issue 14: Rails' client-held custody. The team password's verifier and the client-encrypted symmetric key,
-- checks of password_hash (lockout and change proofs), client-encrypted admin macaroons per node, whether the
-- management macaroon can follow payments, and live sends the client pays.
ALTER TABLE "teams" ADD COLUMN "passwordVerifier" TEXT, ADD COLUMN "encryptedSymmetricKey" TEXT, ADD COLUMN "passwordSetAt" TIMESTAMP(3);

CREATE TABLE "team_password_attempts" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "userId" TEXT,
    "keyId" TEXT,
    "success" BOOLEAN NOT NULL,
    "consumedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "team_password_attempts_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "team_password_attempts_teamId_createdAt_idx" ON "team_password_attempts"("teamId", "createdAt");
ALTER TABLE "team_password_attempts" ADD CONSTRAINT "team_password_attempts_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "node_admin_credentials" (
    "id" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "location" TEXT NOT NULL,
    "macaroonType" TEXT NOT NULL,
    "encryptedMacaroon" TEXT NOT NULL,
    "permissions" TEXT[],
    "createdByUserId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "node_admin_credentials_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "node_admin_credentials_nodeId_location_key" ON "node_admin_credentials"("nodeId", "location");
ALTER TABLE "node_admin_credentials" ADD CONSTRAINT "node_admin_credentials_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "nodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "nodes" ADD COLUMN "managementCanTrack" BOOLEAN;
ALTER TABLE "transactions" ADD COLUMN "clientPays" BOOLEAN NOT NULL DEFAULT false;
