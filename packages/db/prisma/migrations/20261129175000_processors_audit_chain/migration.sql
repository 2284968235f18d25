-- Issue 5 (slice F): the register of processors (Art. 28) with the purposes whose data each one
-- receives, and the hash chain that makes the audit log tamper-evident (issue 6).

CREATE TYPE "TransferMechanism" AS ENUM (
  'eu_eea', 'adequacy_decision', 'standard_contractual_clauses', 'binding_corporate_rules', 'derogation_art49'
);

CREATE TABLE "processor" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "service" TEXT NOT NULL,
    -- A business address of the processor, for Art. 19 notices and contract matters.
    "notice_email" TEXT NOT NULL,
    "contract_signed_on" DATE NOT NULL,
    -- ISO 3166-1 alpha-2 of where the data is processed.
    "country" CHAR(2) NOT NULL,
    "transfer_mechanism" "TransferMechanism" NOT NULL,
    "data_categories" "DataCategory"[] DEFAULT '{}',
    "review_on" DATE,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "processor_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "processor_country_alpha2" CHECK ("country" ~ '^[A-Z]{2}$')
);

CREATE TABLE "processor_purpose" (
    "processor_id" UUID NOT NULL,
    "purpose_id" TEXT NOT NULL,
    CONSTRAINT "processor_purpose_pkey" PRIMARY KEY ("processor_id", "purpose_id"),
    CONSTRAINT "processor_purpose_processor_id_fkey" FOREIGN KEY ("processor_id") REFERENCES "processor"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "processor_purpose_purpose_id_fkey" FOREIGN KEY ("purpose_id") REFERENCES "purpose"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "processor_purpose_purpose_id_idx" ON "processor_purpose"("purpose_id");

-- ---------------------------------------------------------------------------------------------
-- The audit chain. Each row carries the hash of the row before it (prev_hash) and its own hash:
-- SHA-256 over a canonical serialisation of prev_hash and the row (every column, each prefixed
-- with its length in UTF-8 bytes so that no two rows serialise alike; NULL as '~').
-- The chain is computed in a BEFORE INSERT trigger rather than in the application: audit rows are
-- written by the API, by activities and by packages/leads, through Prisma and raw SQL alike; a
-- trigger chains every one of them without each writer having to know, and no writer can forget.
-- Writers are serialised by a transaction-level advisory lock (held until commit): the next writer
-- waits, then reads the newest row through the primary key (once per transaction). The row's id is drawn under that lock,
-- so that walking by id walks the chain in the order it was built. The newest committed row is
-- only visible to a READ COMMITTED statement, so the trigger refuses other isolation levels rather
-- than fork the chain. (A head row updated per insert was tried first: a transaction writing many
-- audit rows then walks an ever longer chain of its own row versions, 4 ms per row at 20,000.)
-- The verifier (apps/api/src/audit-chain.ts) recomputes the hashes in TypeScript, independently.
-- ---------------------------------------------------------------------------------------------

ALTER TABLE "audit_event" ADD COLUMN "prev_hash" TEXT NOT NULL DEFAULT '', ADD COLUMN "hash" TEXT NOT NULL DEFAULT '';
CREATE INDEX "audit_event_at_idx" ON "audit_event"("at");
CREATE INDEX "audit_event_actor_idx" ON "audit_event"("actor");

CREATE FUNCTION "zweck_audit_field"(v TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN '~;' ELSE octet_length(v)::text || ':' || v || ';' END
$$;

CREATE FUNCTION "zweck_audit_hash"(
  p_id BIGINT, p_at TIMESTAMPTZ, p_actor TEXT, p_action TEXT, p_entity_type TEXT, p_entity_id TEXT, p_details JSONB, p_prev_hash TEXT
) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(
    "zweck_audit_field"(p_prev_hash)
    || "zweck_audit_field"(p_id::text)
    || "zweck_audit_field"(to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
    || "zweck_audit_field"(p_actor)
    || "zweck_audit_field"(p_action)
    || "zweck_audit_field"(p_entity_type)
    || "zweck_audit_field"(p_entity_id)
    || "zweck_audit_field"(p_details::text),
    'UTF8')), 'hex')
$$;

-- Existing rows join the chain in id order; the genesis (64 zeros) stands for "no row before".
-- The old append-only trigger goes first: this is the one time rows are written after insertion.
DROP TRIGGER "audit_event_append_only" ON "audit_event";
DO $$
DECLARE
  r RECORD;
  prev TEXT := repeat('0', 64);
  h TEXT;
BEGIN
  FOR r IN SELECT * FROM "audit_event" ORDER BY "id" LOOP
    h := "zweck_audit_hash"(r."id", r."at", r."actor", r."action", r."entity_type", r."entity_id", r."details", prev);
    UPDATE "audit_event" SET "prev_hash" = prev, "hash" = h WHERE "id" = r."id";
    prev := h;
  END LOOP;
END;
$$;

CREATE FUNCTION "zweck_audit_chain"() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  head TEXT;
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'audit_event is written in READ COMMITTED transactions only (the chain links to the newest committed row), not %',
      current_setting('transaction_isolation') USING ERRCODE = 'invalid_transaction_state';
  END IF;
  -- One chain writer at a time, until commit ('zweck.audit_chain' as a fixed lock key).
  PERFORM pg_advisory_xact_lock(7234001);
  -- Once this transaction holds the lock, its own last row is the newest: kept in a
  -- transaction-local setting (undone with a rolled-back savepoint, like the rows themselves), so
  -- that a transaction writing many rows reads the table once, not once per row.
  head := NULLIF(current_setting('zweck.audit_head', true), '');
  IF head IS NULL THEN
    SELECT "hash" INTO head FROM "audit_event" WHERE "id" = (SELECT max("id") FROM "audit_event");
  END IF;
  NEW."id" := nextval(pg_get_serial_sequence('audit_event', 'id'));
  NEW."prev_hash" := COALESCE(head, repeat('0', 64));
  NEW."hash" := "zweck_audit_hash"(NEW."id", NEW."at", NEW."actor", NEW."action", NEW."entity_type", NEW."entity_id", NEW."details", NEW."prev_hash");
  PERFORM set_config('zweck.audit_head', NEW."hash", true);
  RETURN NEW;
END;
$$;

CREATE TRIGGER "audit_event_chain" BEFORE INSERT ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "zweck_audit_chain"();

-- Append-only without exception: unlike the consent ledger, not even the erasure path may change
-- or remove audit rows (they carry IDs and codes only, so Art. 17 does not reach them).
CREATE FUNCTION "zweck_audit_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "audit_event_append_only" BEFORE UPDATE OR DELETE ON "audit_event"
  FOR EACH ROW EXECUTE FUNCTION "zweck_audit_refuse_change"();
CREATE TRIGGER "audit_event_no_truncate" BEFORE TRUNCATE ON "audit_event"
  FOR EACH STATEMENT EXECUTE FUNCTION "zweck_audit_refuse_change"();
