-- CreateEnum
CREATE TYPE "Role" AS ENUM ('admin', 'marketer', 'sales', 'dpo');

-- CreateEnum
CREATE TYPE "ContactStatus" AS ENUM ('active', 'restricted', 'erasure_pending', 'erased');

-- CreateEnum
CREATE TYPE "LifecycleStage" AS ENUM ('subscriber', 'lead', 'marketing_qualified', 'sales_qualified', 'customer');

-- CreateEnum
CREATE TYPE "LegalBasis" AS ENUM ('consent', 'contract', 'legal_obligation', 'legitimate_interest');

-- CreateEnum
CREATE TYPE "ConsentEventKind" AS ENUM ('granted', 'confirmed', 'withdrawn', 'expired', 'objected');

-- CreateEnum
CREATE TYPE "ConsentMethod" AS ENUM ('web_form', 'double_opt_in', 'import', 'in_person', 'phone', 'api', 'one_click_unsubscribe', 'staff_entry');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('sending', 'sent', 'failed');

-- CreateTable
CREATE TABLE "app_user" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "password_hash" TEXT NOT NULL,
    "is_active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "app_user_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session" (
    "token_hash" TEXT NOT NULL,
    "user_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "session_pkey" PRIMARY KEY ("token_hash")
);

-- CreateTable
CREATE TABLE "purpose" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "legal_basis" "LegalBasis" NOT NULL,
    "channels" TEXT[],
    "is_direct_marketing" BOOLEAN NOT NULL,
    "balancing_test" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "purpose_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_wording" (
    "purpose_id" TEXT NOT NULL,
    "version" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "text_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "consent_wording_pkey" PRIMARY KEY ("purpose_id","version","language")
);

-- CreateTable
CREATE TABLE "contact" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "email_normalized" TEXT NOT NULL,
    "first_name" TEXT,
    "last_name" TEXT,
    "status" "ContactStatus" NOT NULL DEFAULT 'active',
    "lifecycle_stage" "LifecycleStage" NOT NULL DEFAULT 'subscriber',
    "owner_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "consent_event" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" "ConsentEventKind" NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "method" "ConsentMethod" NOT NULL,
    "source" TEXT NOT NULL,
    "wording_version" TEXT,
    "wording_hash" TEXT,
    "actor" TEXT NOT NULL,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "dedupe_key" TEXT,

    CONSTRAINT "consent_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provenance" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "field" TEXT,
    "source" TEXT NOT NULL,
    "reference" TEXT,
    "legal_basis" "LegalBasis" NOT NULL,
    "actor" TEXT NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provenance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "policy_decision" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "legal_basis" "LegalBasis",
    "reason_codes" TEXT[],
    "policy_version" TEXT NOT NULL,
    "input_digest" TEXT NOT NULL,
    "decided_by" TEXT NOT NULL,
    "decided_at" TIMESTAMPTZ(3) NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "policy_decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "message" (
    "id" UUID NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "message_id" TEXT NOT NULL,
    "contact_id" UUID NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "MessageStatus" NOT NULL,
    "smtp_response" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "entity_type" TEXT NOT NULL,
    "entity_id" TEXT,
    "details" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "suppression_entry" (
    "address_hash" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "suppression_entry_pkey" PRIMARY KEY ("address_hash")
);

-- CreateIndex
CREATE UNIQUE INDEX "app_user_email_key" ON "app_user"("email");

-- CreateIndex
CREATE INDEX "session_user_id_idx" ON "session"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "contact_email_normalized_key" ON "contact"("email_normalized");

-- CreateIndex
CREATE INDEX "contact_created_at_idx" ON "contact"("created_at");

-- CreateIndex
CREATE UNIQUE INDEX "consent_event_dedupe_key_key" ON "consent_event"("dedupe_key");

-- CreateIndex
CREATE INDEX "consent_event_contact_id_occurred_at_idx" ON "consent_event"("contact_id", "occurred_at");

-- CreateIndex
CREATE INDEX "provenance_contact_id_idx" ON "provenance"("contact_id");

-- CreateIndex
CREATE INDEX "policy_decision_contact_id_decided_at_idx" ON "policy_decision"("contact_id", "decided_at");

-- CreateIndex
CREATE UNIQUE INDEX "message_idempotency_key_key" ON "message"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "message_message_id_key" ON "message"("message_id");

-- CreateIndex
CREATE INDEX "message_contact_id_idx" ON "message"("contact_id");

-- CreateIndex
CREATE INDEX "audit_event_entity_type_entity_id_idx" ON "audit_event"("entity_type", "entity_id");

-- AddForeignKey
ALTER TABLE "session" ADD CONSTRAINT "session_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "app_user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_wording" ADD CONSTRAINT "consent_wording_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_event" ADD CONSTRAINT "consent_event_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "consent_event" ADD CONSTRAINT "consent_event_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provenance" ADD CONSTRAINT "provenance_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "policy_decision" ADD CONSTRAINT "policy_decision_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "message" ADD CONSTRAINT "message_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Append-only ledgers (not expressible in schema.prisma). The consent ledger and the audit log
-- refuse UPDATE and DELETE; only the erasure path, which sets `zweck.erasure = 'on'` inside its
-- own transaction, may remove what Art. 17 requires to be removed.
CREATE FUNCTION "zweck_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('zweck.erasure', true) = 'on' THEN
    RETURN COALESCE(NEW, OLD);
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "consent_event_append_only" BEFORE UPDATE OR DELETE ON "consent_event"
  FOR EACH ROW EXECUTE FUNCTION "zweck_refuse_change"();

CREATE TRIGGER "audit_event_append_only" BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "zweck_refuse_change"();
