-- Lead scoring and the handoff to sales (issue 4): marketers' scoring rules, the score changes the
-- policy allowed (each names its recorded decision), the handoff's settings, the sales reps with
-- their territories and managers, and the leads with their follow-up task.

CREATE TYPE "ScoringSource" AS ENUM ('interaction', 'event');
CREATE TYPE "LeadAssignmentMode" AS ENUM ('round_robin', 'territory');
CREATE TYPE "LeadStatus" AS ENUM ('open', 'accepted', 'recycled');

CREATE TABLE "scoring_rule" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "source_type" "ScoringSource" NOT NULL,
    "match" TEXT NOT NULL,
    "points" INTEGER NOT NULL,
    "half_life_days" INTEGER,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "scoring_rule_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "scoring_rule_points_range" CHECK ("points" BETWEEN -1000 AND 1000),
    CONSTRAINT "scoring_rule_half_life_positive" CHECK ("half_life_days" IS NULL OR "half_life_days" > 0)
);
CREATE INDEX "scoring_rule_source_type_match_idx" ON "scoring_rule"("source_type", "match");

-- Written only after the policy allowed profiling (consent to `lead_scoring`, Art. 6(1)(a), 22):
-- a refusal is recorded in policy_decision and writes nothing here.
CREATE TABLE "score_event" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "points" INTEGER NOT NULL,
    "half_life_days" INTEGER,
    "reason" TEXT NOT NULL,
    "rule_id" UUID,
    "interaction_id" TEXT,
    "journey_enrollment_id" UUID,
    "journey_step_id" TEXT,
    "decision_id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "score_event_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "score_event_idempotency_key_key" ON "score_event"("idempotency_key");
CREATE INDEX "score_event_contact_id_occurred_at_idx" ON "score_event"("contact_id", "occurred_at");
ALTER TABLE "score_event" ADD CONSTRAINT "score_event_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "score_event" ADD CONSTRAINT "score_event_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "scoring_rule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "lead_settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "threshold" INTEGER NOT NULL DEFAULT 50,
    "due_hours" INTEGER NOT NULL DEFAULT 24,
    "assignment_mode" "LeadAssignmentMode" NOT NULL DEFAULT 'round_robin',
    "territory_field_key" TEXT,
    "updated_by" TEXT NOT NULL DEFAULT 'system:migration',
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lead_settings_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "lead_settings_single_row" CHECK ("id" = 1),
    CONSTRAINT "lead_settings_threshold_positive" CHECK ("threshold" > 0),
    CONSTRAINT "lead_settings_due_hours_positive" CHECK ("due_hours" > 0)
);
INSERT INTO "lead_settings" ("id") VALUES (1);

CREATE TABLE "sales_rep" (
    "user_id" UUID NOT NULL,
    "territories" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "manager_id" UUID,
    "last_assigned_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "sales_rep_pkey" PRIMARY KEY ("user_id")
);
CREATE INDEX "sales_rep_manager_id_idx" ON "sales_rep"("manager_id");
ALTER TABLE "sales_rep" ADD CONSTRAINT "sales_rep_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "sales_rep" ADD CONSTRAINT "sales_rep_manager_id_fkey" FOREIGN KEY ("manager_id") REFERENCES "app_user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "lead" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "status" "LeadStatus" NOT NULL DEFAULT 'open',
    "purpose_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "trigger" JSONB NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "handoff_key" TEXT NOT NULL,
    "decision_id" UUID NOT NULL,
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "escalated_at" TIMESTAMPTZ(3),
    "accepted_at" TIMESTAMPTZ(3),
    "recycled_at" TIMESTAMPTZ(3),
    "recycle_reason" TEXT,
    "settled_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "lead_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "lead_handoff_key_key" ON "lead"("handoff_key");
-- At most one open lead per contact: a second handoff while one is open is refused by the database.
CREATE UNIQUE INDEX "lead_one_open_per_contact" ON "lead"("contact_id") WHERE "status" = 'open';
CREATE INDEX "lead_owner_id_status_due_at_idx" ON "lead"("owner_id", "status", "due_at");
CREATE INDEX "lead_contact_id_idx" ON "lead"("contact_id");
ALTER TABLE "lead" ADD CONSTRAINT "lead_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "lead" ADD CONSTRAINT "lead_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "app_user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
