import type { Db } from '@zweck/db';
import { SYSTEM_PURPOSE_IDS } from '@zweck/db/seed';

export interface ContactRecipient {
  processorId: string;
  name: string;
  /** The processor's business address for notices (Art. 19): not the contact's. */
  noticeEmail: string;
  /** The purposes, among those the processor serves, under which this person's data was processed. */
  purposeIds: string[];
}

type Reader = Pick<Db, '$queryRaw'>;

/**
 * The processors that received this person's data (Art. 15(1)(c), Art. 19): those serving a
 * purpose the person's data was processed under, which is
 * - a purpose the person has a consent event under (any kind: a withdrawn consent was processed
 *   before it was withdrawn),
 * - a purpose a message was sent to the person under (a confirmation, an answer to a request),
 * - a catalogue purpose whose legal basis is not consent and matches the legal basis of the
 *   person's provenance (data held on legitimate interest is processed for the purposes resting on
 *   it; consent-based purposes need the person's own consent event, and the product's own system
 *   purposes need a message, so neither is implied).
 */
export async function recipientsOfContact(db: Reader, contactId: string): Promise<ContactRecipient[]> {
  const rows = await db.$queryRaw<Array<{ processor_id: string; name: string; notice_email: string; purpose_ids: string[] }>>`
    WITH used AS (
      SELECT DISTINCT ce.purpose_id FROM consent_event ce WHERE ce.contact_id = ${contactId}::uuid
      UNION
      SELECT DISTINCT m.purpose_id FROM message m WHERE m.contact_id = ${contactId}::uuid
      UNION
      SELECT p.id FROM purpose p
      WHERE p.legal_basis <> 'consent'
        AND p.id <> ALL (${[...SYSTEM_PURPOSE_IDS]}::text[])
        AND EXISTS (SELECT 1 FROM provenance v WHERE v.contact_id = ${contactId}::uuid AND v.legal_basis = p.legal_basis)
    )
    SELECT pr.id::text AS processor_id, pr.name, pr.notice_email,
           array_agg(pp.purpose_id ORDER BY pp.purpose_id)::text[] AS purpose_ids
    FROM processor pr
    JOIN processor_purpose pp ON pp.processor_id = pr.id
    JOIN used u ON u.purpose_id = pp.purpose_id
    GROUP BY pr.id, pr.name, pr.notice_email
    ORDER BY pr.name, pr.id`;
  return rows.map((r) => ({ processorId: r.processor_id, name: r.name, noticeEmail: r.notice_email, purposeIds: r.purpose_ids }));
}
