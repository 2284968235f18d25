-- The DPO's inbox and dated reviews ("Wiedervorlage", issue 5). IDs, kinds and dates only: the
-- inbox and the mails link to the subject's page, they never carry personal data.

CREATE TABLE "dpo_notice" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "due_at" TIMESTAMPTZ(3),
    "dedupe_key" TEXT NOT NULL,
    "escalated" BOOLEAN NOT NULL DEFAULT false,
    "mailed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "read_at" TIMESTAMPTZ(3),
    "read_by" UUID,
    CONSTRAINT "dpo_notice_pkey" PRIMARY KEY ("id")
);
-- A retried activity or a second reminder with the same key writes (and mails) nothing.
CREATE UNIQUE INDEX "dpo_notice_dedupe_key_key" ON "dpo_notice"("dedupe_key");
CREATE INDEX "dpo_notice_read_at_created_at_idx" ON "dpo_notice"("read_at", "created_at");
CREATE INDEX "dpo_notice_subject_type_subject_id_idx" ON "dpo_notice"("subject_type", "subject_id");

CREATE TYPE "ReviewStatus" AS ENUM ('open', 'snoozed', 'done');

CREATE TABLE "review" (
    "id" UUID NOT NULL,
    "subject_type" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "notes" TEXT NOT NULL DEFAULT '',
    "due_on" DATE NOT NULL,
    "reminder_lead_days" INTEGER NOT NULL DEFAULT 14,
    "recurrence_months" INTEGER,
    "escalate_after_days" INTEGER NOT NULL DEFAULT 14,
    "status" "ReviewStatus" NOT NULL DEFAULT 'open',
    "snoozed_until" DATE,
    "snooze_reason" TEXT,
    "escalated_at" TIMESTAMPTZ(3),
    "done_at" TIMESTAMPTZ(3),
    "done_by" UUID,
    "previous_id" UUID,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "review_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "review_lead_days_range" CHECK ("reminder_lead_days" BETWEEN 0 AND 365),
    CONSTRAINT "review_recurrence_positive" CHECK ("recurrence_months" IS NULL OR "recurrence_months" BETWEEN 1 AND 120),
    CONSTRAINT "review_escalate_days_range" CHECK ("escalate_after_days" BETWEEN 1 AND 365),
    -- A snooze always has its reason (the DPO must be able to show why a review waited).
    CONSTRAINT "review_snooze_has_reason" CHECK ("snoozed_until" IS NULL OR "snooze_reason" IS NOT NULL),
    CONSTRAINT "review_done_complete" CHECK (("status" = 'done') = ("done_at" IS NOT NULL))
);
CREATE UNIQUE INDEX "review_previous_id_key" ON "review"("previous_id");
CREATE INDEX "review_status_due_on_idx" ON "review"("status", "due_on");
CREATE INDEX "review_subject_type_subject_id_idx" ON "review"("subject_type", "subject_id");

CREATE TABLE "review_event" (
    "id" UUID NOT NULL,
    "review_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "details" JSONB NOT NULL DEFAULT '{}',
    "dedupe_key" TEXT,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "review_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "review_event_dedupe_key_key" ON "review_event"("dedupe_key");
CREATE INDEX "review_event_review_id_occurred_at_idx" ON "review_event"("review_id", "occurred_at");
ALTER TABLE "review_event" ADD CONSTRAINT "review_event_review_id_fkey" FOREIGN KEY ("review_id") REFERENCES "review"("id") ON DELETE CASCADE ON UPDATE CASCADE;
