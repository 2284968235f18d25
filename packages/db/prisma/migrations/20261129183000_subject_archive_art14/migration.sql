-- Issue 5, slice D2: the access and portability archive (Art. 15(3), 20 GDPR) and the duty to
-- inform a person whose data was not collected from them (Art. 14 GDPR).

-- Every archive produced for a person: its SHA-256 and size, who produced it and when. The archive
-- itself is never stored (it would be one more copy of the person's data for an erasure to reach);
-- the hash proves which bytes were handed out.
CREATE TABLE "subject_archive" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "sha256" TEXT NOT NULL,
    "byte_size" INTEGER NOT NULL,
    -- The data-subject request it answers, where there is one (no foreign key: the requests are another slice's table).
    "request_id" UUID,
    -- 'user:<id>'.
    "produced_by" TEXT NOT NULL,
    "produced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "subject_archive_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "subject_archive_contact_id_produced_at_idx" ON "subject_archive"("contact_id", "produced_at");
ALTER TABLE "subject_archive" ADD CONSTRAINT "subject_archive_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- open: the person must still be informed; notified: the notice went out (or was given otherwise);
-- exempt: Art. 14(5) applies, with its reason.
CREATE TYPE "Art14DutyStatus" AS ENUM ('open', 'notified', 'exempt');

-- One duty per contact and source of data not collected from the person (an import batch, an
-- API client, a partner's list): the person is informed within a month (Art. 14(3)(a)).
CREATE TABLE "art14_duty" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    -- The provenance source ('import') and its reference ('import:<batch id>'): IDs, no personal data.
    "source" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "collected_at" TIMESTAMPTZ(3) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "Art14DutyStatus" NOT NULL DEFAULT 'open',
    -- Art. 14(5): 'already_informed' (a), 'impossible_or_disproportionate' (b), 'required_by_law' (c), 'professional_secrecy' (d).
    "exemption" TEXT,
    "exemption_note" TEXT,
    "notified_at" TIMESTAMPTZ(3),
    -- 'email' (the product's notice), or how the DPO informed the person otherwise.
    "method" TEXT,
    "message_ref" UUID,
    -- When the DPO was reminded because the product could not send the notice.
    "dpo_reminded_at" TIMESTAMPTZ(3),
    "reason_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "decided_by" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "art14_duty_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "art14_duty_contact_id_reference_key" ON "art14_duty"("contact_id", "reference");
CREATE INDEX "art14_duty_status_due_at_idx" ON "art14_duty"("status", "due_at");
ALTER TABLE "art14_duty" ADD CONSTRAINT "art14_duty_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;
