-- Whether the contact's address is on the suppression list, on the contact row (issue 4: a segment
-- preview over a million contacts in under a second). The preview then counts suppressed and
-- unsuppressed members in its one pass over the contacts, instead of a second query that looks up
-- every suppressed hash by index. The truth stays where it was: `suppression_entry` (the keyed
-- hashes) and `contact_address_hash` (each contact's hash, filled by the application, which holds
-- the key). The database keeps this flag equal to "the contact's hash is on the list" in the
-- transaction of every change of either table, as it keeps `consent_facts` with the ledger, so that
-- no writer can forget it. The send gate does not read it: it hashes each address afresh.
ALTER TABLE "contact" ADD COLUMN "suppressed" BOOLEAN NOT NULL DEFAULT false;

-- The flag of these contacts, recomputed; rows whose flag is already right are not touched. No
-- IDs, no statement: statement triggers fire for zero rows too, and the contact's own triggers
-- (which delete from contact_address_hash) would otherwise call back here without end.
CREATE FUNCTION "zweck_contact_suppressed_refresh"(ids UUID[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  UPDATE "contact" c SET "suppressed" = f."flag"
  FROM (
    SELECT x."id", EXISTS (
      SELECT 1 FROM "contact_address_hash" h JOIN "suppression_entry" se ON se."address_hash" = h."address_hash"
      WHERE h."contact_id" = x."id"
    ) AS "flag"
    FROM (SELECT DISTINCT unnest(ids) AS "id") AS x
  ) AS f
  WHERE c."id" = f."id" AND c."suppressed" IS DISTINCT FROM f."flag";
END;
$$;

-- A contact's hash written, changed or removed.
CREATE FUNCTION "zweck_contact_suppressed_after_hash_insert"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_contact_suppressed_refresh"(ARRAY(SELECT "contact_id" FROM "new_rows"));
  RETURN NULL;
END;
$$;
CREATE FUNCTION "zweck_contact_suppressed_after_hash_update"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_contact_suppressed_refresh"(ARRAY(SELECT "contact_id" FROM "new_rows" UNION SELECT "contact_id" FROM "old_rows"));
  RETURN NULL;
END;
$$;
CREATE FUNCTION "zweck_contact_suppressed_after_hash_delete"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_contact_suppressed_refresh"(ARRAY(SELECT "contact_id" FROM "old_rows"));
  RETURN NULL;
END;
$$;
CREATE TRIGGER "contact_suppressed_after_hash_insert" AFTER INSERT ON "contact_address_hash"
  REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_hash_insert"();
CREATE TRIGGER "contact_suppressed_after_hash_update" AFTER UPDATE ON "contact_address_hash"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_hash_update"();
CREATE TRIGGER "contact_suppressed_after_hash_delete" AFTER DELETE ON "contact_address_hash"
  REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_hash_delete"();

-- An address hash put on the suppression list, changed or taken off it.
CREATE FUNCTION "zweck_contact_suppressed_after_entry_insert"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_contact_suppressed_refresh"(ARRAY(
    SELECT h."contact_id" FROM "contact_address_hash" h JOIN "new_rows" n ON n."address_hash" = h."address_hash"));
  RETURN NULL;
END;
$$;
CREATE FUNCTION "zweck_contact_suppressed_after_entry_update"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_contact_suppressed_refresh"(ARRAY(
    SELECT h."contact_id" FROM "contact_address_hash" h
    WHERE h."address_hash" IN (SELECT "address_hash" FROM "new_rows" UNION SELECT "address_hash" FROM "old_rows")));
  RETURN NULL;
END;
$$;
CREATE FUNCTION "zweck_contact_suppressed_after_entry_delete"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "zweck_contact_suppressed_refresh"(ARRAY(
    SELECT h."contact_id" FROM "contact_address_hash" h JOIN "old_rows" o ON o."address_hash" = h."address_hash"));
  RETURN NULL;
END;
$$;
CREATE FUNCTION "zweck_contact_suppressed_after_entry_truncate"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "contact" SET "suppressed" = false WHERE "suppressed";
  RETURN NULL;
END;
$$;
CREATE TRIGGER "contact_suppressed_after_entry_insert" AFTER INSERT ON "suppression_entry"
  REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_entry_insert"();
CREATE TRIGGER "contact_suppressed_after_entry_update" AFTER UPDATE ON "suppression_entry"
  REFERENCING OLD TABLE AS "old_rows" NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_entry_update"();
CREATE TRIGGER "contact_suppressed_after_entry_delete" AFTER DELETE ON "suppression_entry"
  REFERENCING OLD TABLE AS "old_rows" FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_entry_delete"();
CREATE TRIGGER "contact_suppressed_after_entry_truncate" AFTER TRUNCATE ON "suppression_entry"
  FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_entry_truncate"();
CREATE TRIGGER "contact_suppressed_after_hash_truncate" AFTER TRUNCATE ON "contact_address_hash"
  FOR EACH STATEMENT EXECUTE FUNCTION "zweck_contact_suppressed_after_entry_truncate"();

-- Backfill from the hashes and the list as they stand.
UPDATE "contact" c SET "suppressed" = true
FROM "contact_address_hash" h JOIN "suppression_entry" se ON se."address_hash" = h."address_hash"
WHERE h."contact_id" = c."id";
