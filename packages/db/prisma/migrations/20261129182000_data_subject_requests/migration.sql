-- Data-subject requests (issue 5): access (Art. 15), rectification (16), erasure (17),
-- restriction (18), portability (20), objection (21) and the inquiry about the data's origin
-- (Art. 14(2)(f), 15(1)(g)). Each carries its deadline (Art. 12(3)), a timeline and the notices
-- sent to recipients after a change (Art. 19).

CREATE TYPE "DsrType" AS ENUM ('access', 'rectification', 'erasure', 'restriction', 'portability', 'objection', 'origin_inquiry');
CREATE TYPE "DsrIntake" AS ENUM ('staff', 'web_form');
CREATE TYPE "DsrStatus" AS ENUM ('awaiting_verification', 'open', 'in_progress', 'completed', 'rejected');

CREATE TABLE "data_subject_request" (
    "id" UUID NOT NULL,
    "type" "DsrType" NOT NULL,
    -- Null while a web form request is unmatched, when no contact has the address, or after an erasure.
    "contact_id" UUID,
    "intake" "DsrIntake" NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "extended_due_at" TIMESTAMPTZ(3),
    "extension_reason" TEXT,
    "status" "DsrStatus" NOT NULL,
    "identity_check" JSONB,
    -- The web form's address never in clear: a keyed hash to find repeats, and a sealed copy
    -- (AES-256-GCM) to answer it, cleared when the request closes.
    "requester_hash" TEXT,
    "requester_sealed" TEXT,
    "closing_note" TEXT,
    "closed_at" TIMESTAMPTZ(3),
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "data_subject_request_pkey" PRIMARY KEY ("id"),
    -- An extension needs its reason (Art. 12(3) sentence 3).
    CONSTRAINT "data_subject_request_extension_reason" CHECK ("extended_due_at" IS NULL OR "extension_reason" IS NOT NULL)
);
CREATE INDEX "data_subject_request_status_due_at_idx" ON "data_subject_request"("status", "due_at");
CREATE INDEX "data_subject_request_contact_id_idx" ON "data_subject_request"("contact_id");
CREATE INDEX "data_subject_request_requester_hash_idx" ON "data_subject_request"("requester_hash");
ALTER TABLE "data_subject_request" ADD CONSTRAINT "data_subject_request_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "dsr_event" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "idempotency_key" TEXT,
    CONSTRAINT "dsr_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "dsr_event_idempotency_key_key" ON "dsr_event"("idempotency_key");
CREATE INDEX "dsr_event_request_id_at_idx" ON "dsr_event"("request_id", "at");
ALTER TABLE "dsr_event" ADD CONSTRAINT "dsr_event_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "data_subject_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "dsr_notice" (
    "id" UUID NOT NULL,
    "request_id" UUID NOT NULL,
    -- The processor register's ID; no foreign key, so that the record outlives a register entry.
    "processor_id" UUID NOT NULL,
    "change" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3),
    "message_id" TEXT,
    -- pending, sent, failed (a permanent SMTP refusal) or skipped (the policy said no, or the processor is gone).
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "dsr_notice_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "dsr_notice_request_id_processor_id_change_key" ON "dsr_notice"("request_id", "processor_id", "change");
ALTER TABLE "dsr_notice" ADD CONSTRAINT "dsr_notice_request_id_fkey" FOREIGN KEY ("request_id") REFERENCES "data_subject_request"("id") ON DELETE CASCADE ON UPDATE CASCADE;
