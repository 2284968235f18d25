-- The field catalogue (every contact attribute declares its data category and the purposes that
-- may use it), contact attributes with phone numbers in E.164, retention per purpose, immutable
-- consent wordings, import batches, and the merge path of the consent ledger.

-- Trigram similarity for the fuzzy duplicate check (name plus organization). pg_trgm is a trusted
-- extension: the database owner may create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- AlterEnum: the mailto unsubscribe of List-Unsubscribe (RFC 2369) withdraws like the one-click link.
ALTER TYPE "ConsentMethod" ADD VALUE 'mailto_unsubscribe';

-- Ordinary categories only: the special categories of Art. 9(1) GDPR (and Art. 10) have no value
-- here, so the database itself cannot hold a declaration of one.
CREATE TYPE "DataCategory" AS ENUM ('identity', 'contact', 'professional', 'location', 'preference', 'behavioural', 'transaction');

CREATE TYPE "FieldType" AS ENUM ('text', 'free_text', 'email', 'phone', 'date', 'url');

CREATE TABLE "field_definition" (
    "key" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "category" "DataCategory" NOT NULL,
    "type" "FieldType" NOT NULL,
    -- Built-in fields are columns of "contact"; the others live in "contact"."attributes".
    "is_builtin" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "field_definition_pkey" PRIMARY KEY ("key"),
    CONSTRAINT "field_definition_key_check" CHECK ("key" ~ '^[a-z][a-z0-9_]{1,62}$')
);

CREATE TABLE "purpose_field" (
    "purpose_id" TEXT NOT NULL,
    "field_key" TEXT NOT NULL,
    CONSTRAINT "purpose_field_pkey" PRIMARY KEY ("purpose_id", "field_key")
);
CREATE INDEX "purpose_field_field_key_idx" ON "purpose_field"("field_key");
ALTER TABLE "purpose_field" ADD CONSTRAINT "purpose_field_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "purpose_field" ADD CONSTRAINT "purpose_field_field_key_fkey" FOREIGN KEY ("field_key") REFERENCES "field_definition"("key") ON DELETE CASCADE ON UPDATE CASCADE;

-- How long data kept for a purpose may stay after its basis ends; null: the catalogue says nothing yet.
ALTER TABLE "purpose" ADD COLUMN "retention_months" INTEGER,
  ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  ADD CONSTRAINT "purpose_retention_months_check" CHECK ("retention_months" IS NULL OR "retention_months" BETWEEN 1 AND 600);

ALTER TABLE "contact" ADD COLUMN "phone" TEXT,
  ADD COLUMN "phone_e164" TEXT,
  ADD COLUMN "organization" TEXT,
  ADD COLUMN "attributes" JSONB NOT NULL DEFAULT '{}',
  ADD CONSTRAINT "contact_attributes_object_check" CHECK (jsonb_typeof("attributes") = 'object');
CREATE INDEX "contact_phone_e164_idx" ON "contact"("phone_e164");
-- Fuzzy duplicates: trigram indexes on the full name and the organization, lower-cased.
CREATE INDEX "contact_full_name_trgm_idx" ON "contact" USING gin (lower(coalesce("first_name", '') || ' ' || coalesce("last_name", '')) gin_trgm_ops);
CREATE INDEX "contact_organization_trgm_idx" ON "contact" USING gin (lower("organization") gin_trgm_ops);

-- A wording that a person may have agreed to never changes: a new text is a new version.
CREATE FUNCTION "zweck_refuse_wording_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'consent_wording is immutable: % refused; add a new version instead', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER "consent_wording_immutable" BEFORE UPDATE OR DELETE ON "consent_wording"
  FOR EACH ROW EXECUTE FUNCTION "zweck_refuse_wording_change"();

-- The consent ledger stays append-only, with one more way through: merging two records of the
-- same person moves events to the surviving contact (`zweck.merge = 'on'`, set only by the merge
-- transaction) and may change nothing but "contact_id".
CREATE FUNCTION "zweck_consent_event_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('zweck.erasure', true) = 'on' THEN
    RETURN COALESCE(NEW, OLD);
  END IF;
  IF TG_OP = 'UPDATE' AND current_setting('zweck.merge', true) = 'on'
     AND (to_jsonb(NEW) - 'contact_id') = (to_jsonb(OLD) - 'contact_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
DROP TRIGGER "consent_event_append_only" ON "consent_event";
CREATE TRIGGER "consent_event_append_only" BEFORE UPDATE OR DELETE ON "consent_event"
  FOR EACH ROW EXECUTE FUNCTION "zweck_consent_event_guard"();

CREATE TYPE "ImportMode" AS ENUM ('all_or_nothing', 'valid_rows_only');

-- One committed import. The report keeps row numbers, outcomes and reason codes, never values.
CREATE TABLE "import_batch" (
    "id" UUID NOT NULL,
    "format" TEXT NOT NULL,
    "mode" "ImportMode" NOT NULL,
    "source" TEXT NOT NULL,
    "file_sha256" TEXT NOT NULL,
    "row_count" INTEGER NOT NULL,
    "created_count" INTEGER NOT NULL,
    "merged_count" INTEGER NOT NULL,
    "rejected_count" INTEGER NOT NULL,
    "report" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "import_batch_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "import_batch_created_at_idx" ON "import_batch"("created_at");
