-- Live environments: a team's own LND node (lib/nodes). One per team, serving its LIVE environment.
CREATE TYPE "LightningNodeState" AS ENUM ('CONNECTED', 'RECONNECTING');

CREATE TABLE "nodes" (
    "id" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "environmentId" TEXT NOT NULL,
    "pubkey" TEXT NOT NULL,
    "alias" TEXT,
    "network" TEXT NOT NULL,
    "restUrl" TEXT NOT NULL,
    "grpc" TEXT NOT NULL,
    "tlsCertEncrypted" TEXT,
    "macaroonEncrypted" TEXT NOT NULL,
    "state" "LightningNodeState" NOT NULL DEFAULT 'CONNECTED',
    "lastError" TEXT,
    "settleIndex" BIGINT NOT NULL DEFAULT 0,
    "addIndex" BIGINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "nodes_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "nodes_teamId_key" ON "nodes"("teamId");
CREATE INDEX "nodes_environmentId_idx" ON "nodes"("environmentId");

ALTER TABLE "nodes" ADD CONSTRAINT "nodes_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_environmentId_fkey" FOREIGN KEY ("environmentId") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE CASCADE;
