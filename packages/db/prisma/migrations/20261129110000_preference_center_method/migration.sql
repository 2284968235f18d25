-- Consent given or withdrawn in the preference center, reached by a signed link that was mailed
-- to the address: the click itself shows control of the mailbox.

-- AlterEnum
ALTER TYPE "ConsentMethod" ADD VALUE 'preference_center';
