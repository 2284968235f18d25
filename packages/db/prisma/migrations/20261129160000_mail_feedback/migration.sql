-- What comes back from mail (issue 4): open and click tracking where consent covers it, bounces
-- and complaints, and the re-permission asked before a consent expires.

-- A complaint ("this is spam") is an objection to direct marketing (Art. 21(2) GDPR); a consent
-- renewed through the signed link of a re-permission mail is proven by that link.
ALTER TYPE "ConsentMethod" ADD VALUE 'spam_complaint';
ALTER TYPE "ConsentMethod" ADD VALUE 're_permission';

-- The marketer's choice to track a campaign; each recipient is still tracked only with consent.
ALTER TABLE "campaign" ADD COLUMN "track" BOOLEAN NOT NULL DEFAULT false;

-- The links of tracked messages, content-addressed: a click token names a list by its digest and a
-- link by its index, so that the redirect target comes from here and never from the URL (no open
-- redirect). Recipients of one template share one list. The links hold no personal values: a
-- template may not put a personal placeholder into a link, and the way-out links stay untracked.
CREATE TABLE "tracked_link_list" (
    "digest" TEXT NOT NULL,
    "urls" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "tracked_link_list_pkey" PRIMARY KEY ("digest")
);

-- Campaign results count unique contacts who opened or clicked.
CREATE INDEX "interaction_campaign_id_kind_contact_id_idx" ON "interaction"("campaign_id", "kind", "contact_id");

-- One re-permission request per grant: the grant whose expiry comes near is asked about once.
CREATE TABLE "repermission_ask" (
    "id" UUID NOT NULL,
    "contact_id" UUID NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    -- The ledger entry (a grant) whose expiry is near.
    "grant_event_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "asked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- 'sent', 'skipped' (with the policy's reasons) or 'failed' (a permanent SMTP refusal).
    "outcome" TEXT NOT NULL,
    "reason_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "message_ref" UUID,
    "renewed_at" TIMESTAMPTZ(3),
    "renewal_event_id" UUID,
    CONSTRAINT "repermission_ask_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "repermission_ask_grant_event_id_key" ON "repermission_ask"("grant_event_id");
CREATE INDEX "repermission_ask_contact_id_idx" ON "repermission_ask"("contact_id");
ALTER TABLE "repermission_ask" ADD CONSTRAINT "repermission_ask_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contact"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "repermission_ask" ADD CONSTRAINT "repermission_ask_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Finding grants that expire soon: a partial index over the grants that carry an expiry.
CREATE INDEX "consent_event_expires_at_idx" ON "consent_event"("expires_at") WHERE "kind" = 'granted' AND "expires_at" IS NOT NULL;
