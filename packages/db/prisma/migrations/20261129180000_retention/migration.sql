-- The deletion concept (issue 5): retention policies, legal holds, and the runs that carry them out.
-- A period is an ISO 8601 duration of whole years, months, weeks and days ("P24M"), counted from
-- an anchor; the same text is a PostgreSQL interval, so that SQL can pre-filter what is near its
-- deadline (the exact deadline is the pure `retentionDeadline` of @zweck/policy).

CREATE TYPE "RetentionScopeKind" AS ENUM ('purpose', 'data_category');
CREATE TYPE "RetentionAnchor" AS ENUM ('last_interaction', 'contract_end', 'consent_withdrawn', 'created');
CREATE TYPE "RetentionAction" AS ENUM ('delete', 'anonymize', 'review');
CREATE TYPE "LegalHoldKind" AS ENUM ('commercial_hgb_257', 'tax_ao_147', 'litigation', 'other');
CREATE TYPE "LegalHoldScopeKind" AS ENUM ('purpose', 'data_category', 'contact');
CREATE TYPE "RetentionRunStatus" AS ENUM ('pending_approval', 'approved', 'rejected', 'done');
CREATE TYPE "RetentionItemOutcome" AS ENUM ('deleted', 'anonymized', 'restricted_by_hold', 'skipped');

CREATE TABLE "retention_policy" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "scope_kind" "RetentionScopeKind" NOT NULL,
    "purpose_id" TEXT,
    "data_category" "DataCategory",
    "period" TEXT NOT NULL,
    "anchor" "RetentionAnchor" NOT NULL,
    "action" "RetentionAction" NOT NULL,
    "reminder_lead_days" INTEGER NOT NULL DEFAULT 30,
    "requires_approval" BOOLEAN NOT NULL DEFAULT true,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,
    CONSTRAINT "retention_policy_pkey" PRIMARY KEY ("id"),
    -- Exactly the scope's own column is set.
    CONSTRAINT "retention_policy_scope_check" CHECK (
        ("scope_kind" = 'purpose' AND "purpose_id" IS NOT NULL AND "data_category" IS NULL)
        OR ("scope_kind" = 'data_category' AND "data_category" IS NOT NULL AND "purpose_id" IS NULL)),
    -- Date components only; PostgreSQL reads the same text as an interval.
    CONSTRAINT "retention_policy_period_check" CHECK ("period" ~ '^P(?=\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$'),
    CONSTRAINT "retention_policy_reminder_check" CHECK ("reminder_lead_days" BETWEEN 0 AND 365)
);
CREATE UNIQUE INDEX "retention_policy_name_key" ON "retention_policy"("name");
CREATE INDEX "retention_policy_active_idx" ON "retention_policy"("active");
ALTER TABLE "retention_policy" ADD CONSTRAINT "retention_policy_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "legal_hold" (
    "id" UUID NOT NULL,
    "kind" "LegalHoldKind" NOT NULL,
    "scope_kind" "LegalHoldScopeKind" NOT NULL,
    "purpose_id" TEXT,
    "data_category" "DataCategory",
    -- One contact (a litigation hold); no foreign key, so that the hold's record outlives the contact's data.
    "contact_id" UUID,
    "reason" TEXT NOT NULL,
    "starts_on" DATE NOT NULL,
    "ends_on" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" UUID,
    CONSTRAINT "legal_hold_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "legal_hold_scope_check" CHECK (
        ("scope_kind" = 'purpose' AND "purpose_id" IS NOT NULL AND "data_category" IS NULL AND "contact_id" IS NULL)
        OR ("scope_kind" = 'data_category' AND "data_category" IS NOT NULL AND "purpose_id" IS NULL AND "contact_id" IS NULL)
        OR ("scope_kind" = 'contact' AND "contact_id" IS NOT NULL AND "purpose_id" IS NULL AND "data_category" IS NULL)),
    CONSTRAINT "legal_hold_dates_check" CHECK ("ends_on" IS NULL OR "ends_on" >= "starts_on")
);
CREATE INDEX "legal_hold_contact_id_idx" ON "legal_hold"("contact_id");
ALTER TABLE "legal_hold" ADD CONSTRAINT "legal_hold_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "retention_run" (
    "id" UUID NOT NULL,
    "policy_id" UUID NOT NULL,
    "status" "RetentionRunStatus" NOT NULL,
    "action" "RetentionAction" NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "contacts_total" INTEGER NOT NULL DEFAULT 0,
    "deleted_count" INTEGER NOT NULL DEFAULT 0,
    "anonymized_count" INTEGER NOT NULL DEFAULT 0,
    "restricted_count" INTEGER NOT NULL DEFAULT 0,
    "skipped_count" INTEGER NOT NULL DEFAULT 0,
    "approved_by" UUID,
    "approved_at" TIMESTAMPTZ(3),
    "decision_note" TEXT,
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "retention_run_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "retention_run_policy_id_created_at_idx" ON "retention_run"("policy_id", "created_at");
CREATE INDEX "retention_run_status_idx" ON "retention_run"("status");
ALTER TABLE "retention_run" ADD CONSTRAINT "retention_run_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "retention_policy"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- No foreign key to the contact: the record of what was done must outlive the erasure.
CREATE TABLE "retention_run_item" (
    "run_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "deadline" TIMESTAMPTZ(3) NOT NULL,
    "planned_action" "RetentionAction" NOT NULL,
    "outcome" "RetentionItemOutcome",
    "reason" TEXT,
    "hold_id" UUID,
    "processed_at" TIMESTAMPTZ(3),
    CONSTRAINT "retention_run_item_pkey" PRIMARY KEY ("run_id", "contact_id")
);
CREATE INDEX "retention_run_item_contact_id_idx" ON "retention_run_item"("contact_id");
ALTER TABLE "retention_run_item" ADD CONSTRAINT "retention_run_item_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "retention_run"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
