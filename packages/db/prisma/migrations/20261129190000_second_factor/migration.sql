-- The second factor (issue 6, ASVS 5 V6.5/V6.6): a TOTP secret per user (RFC 6238), sealed in the
-- application with the field key ring (context `user:<userId>:totp`), and ten single-use recovery
-- codes stored as argon2id hashes. A session opened by the password alone waits for the second
-- factor (`second_factor_pending`) and is no signed-in session until then.

CREATE TABLE "user_totp" (
    "user_id" UUID NOT NULL,
    "secret_sealed" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "confirmed_at" TIMESTAMPTZ(3),
    "last_used_step" BIGINT,
    CONSTRAINT "user_totp_pkey" PRIMARY KEY ("user_id"),
    -- Only ciphertext is ever stored: a clear base32 secret would not match the sealed format.
    CONSTRAINT "user_totp_secret_sealed_check" CHECK ("secret_sealed" LIKE 'zf1.%')
);
ALTER TABLE "user_totp" ADD CONSTRAINT "user_totp_user_id_fkey"
    FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "recovery_code" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "code_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "used_at" TIMESTAMPTZ(3),
    CONSTRAINT "recovery_code_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "recovery_code_user_id_idx" ON "recovery_code"("user_id");
ALTER TABLE "recovery_code" ADD CONSTRAINT "recovery_code_user_id_fkey"
    FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "session" ADD COLUMN "second_factor_pending" BOOLEAN NOT NULL DEFAULT false;
