-- Nurture journeys (issue 4): a journey with its working draft, immutable published versions,
-- one enrolment per contact and run, and the named events that the API receives for contacts.

CREATE TYPE "JourneyStatus" AS ENUM ('draft', 'active', 'paused', 'archived');
CREATE TYPE "EnrollmentStatus" AS ENUM ('active', 'exited');

CREATE TABLE "journey" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "status" "JourneyStatus" NOT NULL DEFAULT 'draft',
    -- The working copy the designer edits; publishing freezes it into a journey_version.
    "draft" JSONB NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "journey_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "journey_name_key" ON "journey"("name");

-- A published version: never changed; contacts enrolled in it finish it.
CREATE TABLE "journey_version" (
    "id" UUID NOT NULL,
    "journey_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "definition" JSONB NOT NULL,
    -- SHA-256 of the canonical definition, shown with the version.
    "definition_hash" TEXT NOT NULL,
    "published_by" TEXT NOT NULL,
    "published_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "journey_version_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "journey_version_journey_id_number_key" ON "journey_version"("journey_id", "number");
ALTER TABLE "journey_version" ADD CONSTRAINT "journey_version_journey_id_fkey" FOREIGN KEY ("journey_id") REFERENCES "journey"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE FUNCTION journey_version_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'journey_version is immutable: publish a new version instead' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER journey_version_no_update BEFORE UPDATE ON "journey_version"
  FOR EACH ROW EXECUTE FUNCTION journey_version_immutable();

-- One run of one contact through one version. The workflow keeps current_step_id up to date, so
-- the designer can count contacts per step and where they left.
CREATE TABLE "journey_enrollment" (
    "id" UUID NOT NULL,
    "journey_id" UUID NOT NULL,
    "journey_version_id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "workflow_id" TEXT NOT NULL,
    "status" "EnrollmentStatus" NOT NULL DEFAULT 'active',
    "current_step_id" TEXT,
    "step_entered_at" TIMESTAMPTZ(3),
    "entered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "exited_at" TIMESTAMPTZ(3),
    "exit_reason" TEXT,
    "exit_step_id" TEXT,
    CONSTRAINT "journey_enrollment_pkey" PRIMARY KEY ("id")
);
-- At most one running enrolment per journey and contact.
CREATE UNIQUE INDEX "journey_enrollment_one_active" ON "journey_enrollment"("journey_id", "contact_id") WHERE "status" = 'active';
CREATE INDEX "journey_enrollment_journey_version_id_status_current_step_id_idx" ON "journey_enrollment"("journey_version_id", "status", "current_step_id");
CREATE INDEX "journey_enrollment_contact_id_status_idx" ON "journey_enrollment"("contact_id", "status");
CREATE INDEX "journey_enrollment_journey_id_contact_id_idx" ON "journey_enrollment"("journey_id", "contact_id");
ALTER TABLE "journey_enrollment" ADD CONSTRAINT "journey_enrollment_journey_id_fkey" FOREIGN KEY ("journey_id") REFERENCES "journey"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "journey_enrollment" ADD CONSTRAINT "journey_enrollment_journey_version_id_fkey" FOREIGN KEY ("journey_version_id") REFERENCES "journey_version"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "journey_enrollment" ADD CONSTRAINT "journey_enrollment_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A named business event sent through the API for a contact (`webinar.registered`). The details
-- are the caller's and may not hold personal data beyond the contact's ID (the API refuses text
-- that looks like an address).
CREATE TABLE "contact_event" (
    "id" BIGSERIAL NOT NULL,
    "contact_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "details" JSONB NOT NULL DEFAULT '{}',
    CONSTRAINT "contact_event_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "contact_event_contact_id_name_occurred_at_idx" ON "contact_event"("contact_id", "name", "occurred_at");
ALTER TABLE "contact_event" ADD CONSTRAINT "contact_event_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
