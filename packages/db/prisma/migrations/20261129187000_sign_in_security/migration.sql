-- Failed sign-ins, counted per account and per client address for throttling (issue 6). Both
-- are keyed hashes; rows older than the window are pruned at every failure.

CREATE TABLE "sign_in_failure" (
    "id" BIGSERIAL NOT NULL,
    "account_key" TEXT NOT NULL,
    "address_key" TEXT NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sign_in_failure_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "sign_in_failure_account_key_failed_at_idx" ON "sign_in_failure"("account_key", "failed_at");
CREATE INDEX "sign_in_failure_address_key_failed_at_idx" ON "sign_in_failure"("address_key", "failed_at");
CREATE INDEX "sign_in_failure_failed_at_idx" ON "sign_in_failure"("failed_at");
