-- The consent state as a projection of the ledger (issue 4: a segment preview over a million
-- contacts in under a second). The ledger stays the truth; these rows are what packages/policy's
-- foldLedger gives for it, kept by the database itself in the same transaction as every change
-- of the ledger (append, the merge's move, the erasure's delete), so that no writer can forget it.
-- Expiry is not stored as a state: `expires_at` is kept and compared with the time of the read.

-- One row per (contact, purpose, channel) that has a folded state (a purpose and channel whose
-- only events are ignored ones, a confirmation or expiry without a grant, have none, as in the fold).
CREATE TABLE "consent_state" (
    "contact_id" UUID NOT NULL,
    "purpose_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "granted_at" TIMESTAMPTZ(3),
    "confirmed_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "grant_method" "ConsentMethod",
    CONSTRAINT "consent_state_pkey" PRIMARY KEY ("contact_id", "purpose_id", "channel"),
    CONSTRAINT "consent_state_status_check" CHECK ("status" IN ('granted', 'confirmed', 'withdrawn', 'expired'))
);
-- The preview reads one purpose and channel for many contacts.
CREATE INDEX "consent_state_purpose_id_channel_contact_id_idx" ON "consent_state"("purpose_id", "channel", "contact_id");

-- An objection to direct marketing (Art. 21(2)) covers every purpose and channel: one row per contact who objected.
CREATE TABLE "consent_objection" (
    "contact_id" UUID NOT NULL,
    "objected_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "consent_objection_pkey" PRIMARY KEY ("contact_id")
);

-- The same states on the contact row, for scans over many contacts (a segment preview reads a
-- million contacts in one pass, without joining a million projection rows): "purpose:channel" ->
-- "status|grant method", "purpose:channel:expires_at" -> the expiry (UTC, ISO 8601 with
-- milliseconds) where there is one, and the first objection.
ALTER TABLE "contact" ADD COLUMN "consent_facts" JSONB NOT NULL DEFAULT '{}';
ALTER TABLE "contact" ADD COLUMN "objected_at" TIMESTAMPTZ(3);

-- The fold of packages/policy (consent-ledger.ts, foldLedger) as an ordered aggregate, step for step.
CREATE TYPE "consent_fold_state" AS (
    "status" TEXT,
    "since" TIMESTAMPTZ(3),
    "granted_at" TIMESTAMPTZ(3),
    "confirmed_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "grant_method" "ConsentMethod"
);

CREATE FUNCTION "zweck_consent_fold_step"(
    s "consent_fold_state", kind "ConsentEventKind", occurred_at TIMESTAMPTZ, expires_at TIMESTAMPTZ, method "ConsentMethod"
) RETURNS "consent_fold_state"
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  CASE kind
    WHEN 'granted' THEN
      RETURN ROW('granted', occurred_at, occurred_at, NULL, expires_at, method)::"consent_fold_state";
    WHEN 'confirmed' THEN
      -- A confirmation without a preceding grant proves nothing: it stays ignored.
      IF s.status = 'granted' THEN
        RETURN ROW('confirmed', occurred_at, s.granted_at, occurred_at, s.expires_at, s.grant_method)::"consent_fold_state";
      END IF;
    WHEN 'withdrawn', 'objected' THEN
      RETURN ROW('withdrawn', occurred_at, s.granted_at, s.confirmed_at, s.expires_at, s.grant_method)::"consent_fold_state";
    WHEN 'expired' THEN
      IF s.status IN ('granted', 'confirmed') THEN
        RETURN ROW('expired', occurred_at, s.granted_at, s.confirmed_at, s.expires_at, s.grant_method)::"consent_fold_state";
      END IF;
  END CASE;
  RETURN s;
END;
$$;

-- Call with the ledger order: ORDER BY occurred_at, recorded_at, id (LEDGER_FOLD_ARGS in packages/db).
CREATE AGGREGATE "zweck_consent_fold"("ConsentEventKind", TIMESTAMPTZ, TIMESTAMPTZ, "ConsentMethod") (
    SFUNC = "zweck_consent_fold_step",
    STYPE = "consent_fold_state"
);

-- Recompute the projection of these contacts from their whole ledgers. The contacts' rows are
-- locked first (FOR NO KEY UPDATE: compatible with the foreign key's KEY SHARE lock on the same
-- row, so no deadlock with a concurrent append), so that two transactions changing one person's
-- ledger recompute one after the other, each from the other's committed events.
CREATE FUNCTION "zweck_consent_state_refresh"(contact_ids UUID[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "contact" WHERE "id" IN (SELECT unnest(contact_ids)) ORDER BY "id" FOR NO KEY UPDATE;
  DELETE FROM "consent_state" WHERE "contact_id" IN (SELECT unnest(contact_ids));
  INSERT INTO "consent_state" ("contact_id", "purpose_id", "channel", "status", "since", "granted_at", "confirmed_at", "expires_at", "grant_method")
  SELECT f."contact_id", f."purpose_id", f."channel", (f.s)."status", (f.s)."since", (f.s)."granted_at", (f.s)."confirmed_at",
         (f.s)."expires_at", (f.s)."grant_method"
  FROM (
    SELECT e."contact_id", e."purpose_id", e."channel",
           "zweck_consent_fold"(e."kind", e."occurred_at", e."expires_at", e."method"
                                ORDER BY e."occurred_at", e."recorded_at", e."id") AS s
    FROM "consent_event" e
    WHERE e."contact_id" IN (SELECT unnest(contact_ids))
    GROUP BY e."contact_id", e."purpose_id", e."channel"
  ) f
  WHERE (f.s)."status" IS NOT NULL;
  DELETE FROM "consent_objection" WHERE "contact_id" IN (SELECT unnest(contact_ids));
  -- The first objection in ledger order is the earliest one.
  INSERT INTO "consent_objection" ("contact_id", "objected_at")
  SELECT e."contact_id", min(e."occurred_at")
  FROM "consent_event" e
  WHERE e."contact_id" IN (SELECT unnest(contact_ids)) AND e."kind" = 'objected'
  GROUP BY e."contact_id";
  UPDATE "contact" c SET "consent_facts" = coalesce(f."facts", '{}'), "objected_at" = o."objected_at"
  FROM (SELECT DISTINCT unnest(contact_ids) AS "id") k
  LEFT JOIN (
    SELECT p."contact_id", jsonb_object_agg(p."key", p."value") AS "facts"
    FROM (
      SELECT s."contact_id", s."purpose_id" || ':' || s."channel" AS "key",
             s."status" || '|' || coalesce(s."grant_method"::text, '') AS "value"
      FROM "consent_state" s WHERE s."contact_id" IN (SELECT unnest(contact_ids))
      UNION ALL
      SELECT s."contact_id", s."purpose_id" || ':' || s."channel" || ':expires_at',
             to_char(s."expires_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      FROM "consent_state" s WHERE s."contact_id" IN (SELECT unnest(contact_ids)) AND s."expires_at" IS NOT NULL
    ) p
    GROUP BY p."contact_id"
  ) f ON f."contact_id" = k."id"
  LEFT JOIN "consent_objection" o ON o."contact_id" = k."id"
  WHERE c."id" = k."id"
    AND (c."consent_facts" IS DISTINCT FROM coalesce(f."facts", '{}') OR c."objected_at" IS DISTINCT FROM o."objected_at");
END;
$$;

-- Statement-level, with the statement's rows: a bulk append (an import) recomputes once.
CREATE FUNCTION "zweck_consent_state_after_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_consent_state_refresh"(ARRAY(SELECT DISTINCT "contact_id" FROM "changed_rows"));
  RETURN NULL;
END;
$$;

-- The merge moves events between contacts: both sides change.
CREATE FUNCTION "zweck_consent_state_after_move"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_consent_state_refresh"(ARRAY(
    SELECT "contact_id" FROM "old_rows" UNION SELECT "contact_id" FROM "changed_rows"));
  RETURN NULL;
END;
$$;

CREATE FUNCTION "zweck_consent_state_after_truncate"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "consent_state", "consent_objection";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "consent_state_after_insert" AFTER INSERT ON "consent_event"
  REFERENCING NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_consent_state_after_change"();
CREATE TRIGGER "consent_state_after_delete" AFTER DELETE ON "consent_event"
  REFERENCING OLD TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_consent_state_after_change"();
CREATE TRIGGER "consent_state_after_update" AFTER UPDATE ON "consent_event"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "changed_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_consent_state_after_move"();
CREATE TRIGGER "consent_state_after_truncate" AFTER TRUNCATE ON "consent_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "zweck_consent_state_after_truncate"();

-- Backfill from the ledger as it stands.
SELECT "zweck_consent_state_refresh"(ARRAY(SELECT DISTINCT "contact_id" FROM "consent_event"));

-- The keyed hash of each contact's address (packages/db suppressionHash), so that a preview
-- matches a million contacts against the suppression list with a join instead of a million
-- HMACs. The key lives in the application, not here, so the application fills these rows: the
-- database only marks which are missing or stale (`contact_address_hash_pending`), for every
-- writer of contacts alike. An erased contact keeps none (Art. 17: its hash is on the suppression
-- list already, if anywhere).
CREATE TABLE "contact_address_hash" (
    "contact_id" UUID NOT NULL,
    "address_hash" TEXT NOT NULL,
    CONSTRAINT "contact_address_hash_pkey" PRIMARY KEY ("contact_id")
);
CREATE INDEX "contact_address_hash_address_hash_idx" ON "contact_address_hash"("address_hash");

-- Contacts whose hash is missing or stale; `version` changes with every new reason, so that a
-- filler deletes only the marks it has served.
CREATE TABLE "contact_address_hash_pending" (
    "contact_id" UUID NOT NULL,
    "version" BIGSERIAL NOT NULL,
    CONSTRAINT "contact_address_hash_pending_pkey" PRIMARY KEY ("contact_id")
);

-- Which key the hashes were made with (a fingerprint of it, not the key): another key starts over.
CREATE TABLE "contact_address_hash_key" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "key_id" TEXT NOT NULL,
    CONSTRAINT "contact_address_hash_key_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "contact_address_hash_key_single_row" CHECK ("id" = 1)
);

CREATE FUNCTION "zweck_contact_address_hash_after_insert"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "contact_address_hash_pending" ("contact_id")
  SELECT "id" FROM "new_rows" WHERE "status" <> 'erased'
  ON CONFLICT ("contact_id") DO UPDATE SET "version" = DEFAULT;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "zweck_contact_address_hash_after_update"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "contact_address_hash" h USING "new_rows" n JOIN "old_rows" o ON o."id" = n."id"
  WHERE h."contact_id" = n."id" AND (n."email" IS DISTINCT FROM o."email" OR n."status" = 'erased');
  DELETE FROM "contact_address_hash" h USING "old_rows" o
  WHERE h."contact_id" = o."id" AND NOT EXISTS (SELECT 1 FROM "new_rows" n WHERE n."id" = o."id");
  DELETE FROM "contact_address_hash_pending" p USING "new_rows" n WHERE p."contact_id" = n."id" AND n."status" = 'erased';
  INSERT INTO "contact_address_hash_pending" ("contact_id")
  SELECT n."id" FROM "new_rows" n LEFT JOIN "old_rows" o ON o."id" = n."id"
  WHERE n."status" <> 'erased' AND (o."id" IS NULL OR n."email" IS DISTINCT FROM o."email")
  ON CONFLICT ("contact_id") DO UPDATE SET "version" = DEFAULT;
  RETURN NULL;
END;
$$;

CREATE FUNCTION "zweck_contact_address_hash_after_delete"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "contact_address_hash" h USING "old_rows" o WHERE h."contact_id" = o."id";
  DELETE FROM "contact_address_hash_pending" p USING "old_rows" o WHERE p."contact_id" = o."id";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "contact_address_hash_after_insert" AFTER INSERT ON "contact"
  REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_address_hash_after_insert"();
CREATE TRIGGER "contact_address_hash_after_update" AFTER UPDATE ON "contact"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_address_hash_after_update"();
CREATE TRIGGER "contact_address_hash_after_delete" AFTER DELETE ON "contact"
  REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_address_hash_after_delete"();

INSERT INTO "contact_address_hash_pending" ("contact_id") SELECT "id" FROM "contact" WHERE "status" <> 'erased';
