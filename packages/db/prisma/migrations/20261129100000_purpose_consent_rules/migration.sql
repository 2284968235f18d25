-- Per-purpose consent rules the policy applies: double opt-in for e-mail (UWG § 7(2) Nr. 2) with
-- the hours a pending consent waits for its confirmation, and the existing-customer exception
-- (UWG § 7(3)) for purposes limited to the seller's own similar products.

-- AlterTable
ALTER TABLE "purpose" ADD COLUMN     "allows_existing_customer_exception" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "double_opt_in_deadline_hours" INTEGER NOT NULL DEFAULT 72,
ADD COLUMN     "requires_double_opt_in" BOOLEAN NOT NULL DEFAULT false;
