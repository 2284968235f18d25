-- Marketing automation (issue 4): interactions, saved segments, templates, broadcast campaigns
-- with one outcome row per recipient, and what the contact policy needs (time zone, bounces).

CREATE TYPE "InteractionKind" AS ENUM ('opened', 'clicked', 'attended', 'bought', 'complained', 'bounced', 'form_submitted');
CREATE TYPE "TemplateKind" AS ENUM ('marketing', 'transactional');
CREATE TYPE "CampaignStatus" AS ENUM ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled');
CREATE TYPE "RecipientOutcome" AS ENUM ('pending', 'sent', 'skipped', 'failed', 'bounced');

-- IANA time zone for quiet hours and local-time schedules; a hard bounce marks the address
-- undeliverable (accuracy, Art. 5(1)(d)), which is not a consent matter.
ALTER TABLE "contact" ADD COLUMN "time_zone" TEXT,
  ADD COLUMN "email_undeliverable_at" TIMESTAMPTZ(3);
CREATE INDEX "contact_lifecycle_stage_idx" ON "contact"("lifecycle_stage");

-- What a person did: opened, clicked, attended, bought, complained. Segments filter on these.
CREATE TABLE "interaction" (
    "id" BIGSERIAL NOT NULL,
    "contact_id" UUID NOT NULL,
    "kind" "InteractionKind" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "campaign_id" UUID,
    "details" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "interaction_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "interaction_contact_id_kind_occurred_at_idx" ON "interaction"("contact_id", "kind", "occurred_at");
CREATE INDEX "interaction_kind_occurred_at_idx" ON "interaction"("kind", "occurred_at");
ALTER TABLE "interaction" ADD CONSTRAINT "interaction_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "segment" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    -- A versioned condition tree (apps/api segments module), compiled to SQL when evaluated.
    "definition" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "segment_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "segment_name_key" ON "segment"("name");

CREATE TABLE "template" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "TemplateKind" NOT NULL,
    "subject" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "template_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "template_name_key" ON "template"("name");

CREATE TABLE "campaign" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "segment_id" UUID NOT NULL,
    "template_id" UUID NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "status" "CampaignStatus" NOT NULL DEFAULT 'draft',
    "scheduled_at" TIMESTAMPTZ(3),
    -- Messages per minute; null: as fast as the worker's bounded concurrency allows.
    "throttle_per_minute" INTEGER,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "campaign_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "campaign_throttle_check" CHECK ("throttle_per_minute" IS NULL OR "throttle_per_minute" BETWEEN 1 AND 1000000)
);
CREATE INDEX "campaign_created_at_idx" ON "campaign"("created_at");
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_segment_id_fkey" FOREIGN KEY ("segment_id") REFERENCES "segment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_template_id_fkey" FOREIGN KEY ("template_id") REFERENCES "template"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "campaign" ADD CONSTRAINT "campaign_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One row per (campaign, contact): the database makes sure nobody gets two outcomes.
CREATE TABLE "campaign_recipient" (
    "campaign_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "outcome" "RecipientOutcome" NOT NULL DEFAULT 'pending',
    "reason_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "message_id" TEXT,
    "smtp_response" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "sent_at" TIMESTAMPTZ(3),
    CONSTRAINT "campaign_recipient_pkey" PRIMARY KEY ("campaign_id", "contact_id")
);
CREATE INDEX "campaign_recipient_campaign_id_outcome_idx" ON "campaign_recipient"("campaign_id", "outcome");
CREATE INDEX "campaign_recipient_contact_id_idx" ON "campaign_recipient"("contact_id");
ALTER TABLE "campaign_recipient" ADD CONSTRAINT "campaign_recipient_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaign"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "campaign_recipient" ADD CONSTRAINT "campaign_recipient_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
