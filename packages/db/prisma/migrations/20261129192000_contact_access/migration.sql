-- Need to know at record level (issue 6). A contact's owner becomes a real reference to a member
-- of staff (sales sees the contacts it owns and its team's), and a marketer (or administrator)
-- records why they open one contact: the grant lasts 8 hours and every read names it.

-- Owners that are not (or no longer) users would otherwise block the reference.
UPDATE "contact" SET "owner_id" = NULL WHERE "owner_id" IS NOT NULL AND "owner_id" NOT IN (SELECT "id" FROM "app_user");
ALTER TABLE "contact" ADD CONSTRAINT "contact_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TYPE "ContactAccessReason" AS ENUM ('campaign_check', 'data_subject_request', 'correction', 'complaint', 'other');

CREATE TABLE "contact_access" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "reason" "ContactAccessReason" NOT NULL,
    "note" TEXT,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "contact_access_pkey" PRIMARY KEY ("id"),
    -- `other` says what the other reason is; a grant ends after it starts.
    CONSTRAINT "contact_access_note_for_other" CHECK ("reason" <> 'other' OR length(btrim(coalesce("note", ''))) > 0),
    CONSTRAINT "contact_access_expires_after_grant" CHECK ("expires_at" > "granted_at")
);
CREATE INDEX "contact_access_user_id_contact_id_expires_at_idx" ON "contact_access"("user_id", "contact_id", "expires_at");
CREATE INDEX "contact_access_contact_id_idx" ON "contact_access"("contact_id");
ALTER TABLE "contact_access" ADD CONSTRAINT "contact_access_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "contact_access" ADD CONSTRAINT "contact_access_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;
