-- Field-level need-to-know (issue 6, Art. 5(1)(c), 32 GDPR): the roles whose daily work serves a
-- purpose. A role other than admin and dpo sees a contact's fields only where a purpose it works
-- for may use them (plus the e-mail address that identifies the record).

ALTER TABLE "purpose" ADD COLUMN "staff_roles" "Role"[] DEFAULT ARRAY[]::"Role"[];

-- Installations that already hold the shipped catalogue get the shipped staff roles once, here
-- (a migration runs once; the seed never overwrites what the DPO sets afterwards). Purposes the
-- DPO created keep no roles: the DPO names them in the catalogue.
UPDATE "purpose" SET "staff_roles" = ARRAY['marketer']::"Role"[]
  WHERE "id" IN ('newsletter', 'product_updates', 'email_tracking', 'lead_scoring');
UPDATE "purpose" SET "staff_roles" = ARRAY['sales']::"Role"[]
  WHERE "id" IN ('sales_follow_up', 'sales_calls', 'customer_relationship');
UPDATE "purpose" SET "staff_roles" = ARRAY['dpo']::"Role"[]
  WHERE "id" IN ('consent_confirmation', 'data_subject_rights');
UPDATE "purpose" SET "staff_roles" = ARRAY['admin']::"Role"[]
  WHERE "id" = 'staff_notifications';
