-- User administration (issue 6): invitations, and the last-administrator guard.

-- An invited user has no password until they accept the invitation (no guessable or shared
-- initial password, ASVS 5 V6.4.1): sign-in verifies a dummy hash for them and fails.
ALTER TABLE "app_user" ALTER COLUMN "password_hash" DROP NOT NULL;

-- One-time links to set the first password: only the SHA-256 of the 256-bit token is stored.
CREATE TABLE "user_invitation" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    CONSTRAINT "user_invitation_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "user_invitation_token_hash_key" ON "user_invitation"("token_hash");
CREATE INDEX "user_invitation_user_id_idx" ON "user_invitation"("user_id");
ALTER TABLE "user_invitation" ADD CONSTRAINT "user_invitation_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The last-administrator guard, enforced by the database so that no code path (API, seed, a
-- maintenance script, a hand-written UPDATE) can lock the installation out of its own user
-- administration. An administrator counts when the account is active and has a password (an
-- invited administrator who has not accepted cannot sign in, so does not count).
--
-- Concurrency: two administrators demoting each other at the same moment would each see the other
-- still in place. The check therefore runs under one transaction-scoped advisory lock: the second
-- transaction waits for the first to commit and then counts again with a fresh snapshot, which
-- READ COMMITTED gives every statement (under REPEATABLE READ the snapshot would be stale, so the
-- guard refuses to run there, like the audit chain).
CREATE FUNCTION "zweck_last_admin_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'app_user administrators are changed in READ COMMITTED transactions only, not %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  -- 'zweck.last_admin' as a fixed lock key, held until commit.
  PERFORM pg_advisory_xact_lock(7234002);
  IF NOT EXISTS (
    SELECT 1 FROM "app_user" WHERE "role" = 'admin' AND "is_active" AND "password_hash" IS NOT NULL
  ) THEN
    RAISE EXCEPTION 'LAST_ADMIN: There must be at least one active administrator'
      USING ERRCODE = 'check_violation', HINT = 'zweck_last_admin';
  END IF;
  RETURN NULL;
END;
$$;

-- Fires only when the changed row was a counting administrator before the change and is not one
-- after it: changes to anyone else never pay for the lock.
CREATE TRIGGER "app_user_last_admin_update" AFTER UPDATE ON "app_user"
  FOR EACH ROW
  WHEN (OLD."role" = 'admin' AND OLD."is_active" AND OLD."password_hash" IS NOT NULL
    AND NOT (NEW."role" = 'admin' AND NEW."is_active" AND NEW."password_hash" IS NOT NULL))
  EXECUTE FUNCTION "zweck_last_admin_guard"();
CREATE TRIGGER "app_user_last_admin_delete" AFTER DELETE ON "app_user"
  FOR EACH ROW
  WHEN (OLD."role" = 'admin' AND OLD."is_active" AND OLD."password_hash" IS NOT NULL)
  EXECUTE FUNCTION "zweck_last_admin_guard"();
