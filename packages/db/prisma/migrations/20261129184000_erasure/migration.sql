-- Erasure that reaches every store (issue 5, slice E).

-- Each contact's own payload key (crypto-shredding, DESIGN.md rule 5): the payload codec seals the
-- payloads of the contact's workflows with it; the erasure destroys it, so that the histories that
-- remain in Temporal can no longer be read. Stored wrapped (AES-256-GCM) under the key ring of
-- TEMPORAL_PAYLOAD_KEYS (`wrapped_with` names the ring's key). No foreign key: the key is created by
-- the codec on the first payload of a contact's workflow, and the row (destroyed) outlives the key.
CREATE TABLE "contact_payload_key" (
    "contact_id" UUID NOT NULL,
    "wrapped_key" BYTEA,
    "wrapped_with" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "destroyed_at" TIMESTAMPTZ(3),

    CONSTRAINT "contact_payload_key_pkey" PRIMARY KEY ("contact_id"),
    -- A destroyed key has no key material left: destruction is not a flag beside the key.
    CONSTRAINT "contact_payload_key_destroyed_check" CHECK (("destroyed_at" IS NULL) = ("wrapped_key" IS NOT NULL))
);

-- The identifiers an erasure must search for afterwards (address, name, phone), captured before
-- anything is removed and sealed under the key ring, so that a retried erasure can still verify
-- after the first attempt wiped the contact; the verifier removes the row once the stores are clean.
-- Sealed bytes, never text: the verifier's own search over text columns cannot meet them.
CREATE TABLE "erasure_capture" (
    "contact_id" UUID NOT NULL,
    "sealed" BYTEA NOT NULL,
    "sealed_with" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "erasure_capture_pkey" PRIMARY KEY ("contact_id")
);
