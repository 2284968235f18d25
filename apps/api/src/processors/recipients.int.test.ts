import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../test/harness.ts';
import { recipientsOfContact } from './recipients.ts';

describe('recipientsOfContact', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  async function addProcessor(name: string, purposeIds: string[]): Promise<string> {
    const id = randomUUID();
    await h.db.processor.create({
      data: {
        id,
        name,
        service: 'test service',
        noticeEmail: `notices@${name.toLowerCase()}.example`,
        contractSignedOn: new Date('2025-01-01T00:00:00.000Z'),
        country: 'DE',
        transferMechanism: 'eu_eea',
        dataCategories: ['contact'],
        purposes: { create: purposeIds.map((purposeId) => ({ purposeId })) },
      },
    });
    return id;
  }

  async function addContact(): Promise<string> {
    const id = randomUUID();
    await h.db.contact.create({ data: { id, email: `${id}@example.org`, emailNormalized: `${id}@example.org` } });
    return id;
  }

  it('names the processors of the purposes the person’s data was processed under, with those purposes only', async () => {
    const mail = await addProcessor('Mailer', ['newsletter', 'data_subject_rights', 'product_updates']);
    const crm = await addProcessor('Crmhost', ['customer_relationship', 'lead_scoring']);
    await addProcessor('Analytics', ['lead_scoring', 'email_tracking']);
    await addProcessor('Staffmail', ['staff_notifications']);

    const person = await addContact();
    // A consent event, even one withdrawn later, means the data was processed under the purpose.
    await h.db.consentEvent.create({
      data: {
        contactId: person,
        purposeId: 'newsletter',
        channel: 'email',
        kind: 'withdrawn',
        occurredAt: new Date('2026-11-01T10:00:00.000Z'),
        method: 'web_form',
        source: 'test',
        actor: 'contact',
      },
    });
    // Held on legitimate interest: the purposes resting on it (not the system purposes).
    await h.db.provenance.create({
      data: { contactId: person, source: 'staff_entry', legalBasis: 'legitimate_interest', actor: 'user:x' },
    });
    // A message under a system purpose (an answer to a request) went through the mail processor.
    await h.db.message.create({
      data: {
        idempotencyKey: `dsr:${person}`,
        messageId: `<${person}@zweck.test>`,
        contactId: person,
        purposeId: 'data_subject_rights',
        channel: 'email',
        kind: 'transactional',
        status: 'sent',
      },
    });

    expect(await recipientsOfContact(h.db, person)).toEqual([
      { processorId: crm, name: 'Crmhost', noticeEmail: 'notices@crmhost.example', purposeIds: ['customer_relationship'] },
      { processorId: mail, name: 'Mailer', noticeEmail: 'notices@mailer.example', purposeIds: ['data_subject_rights', 'newsletter'] },
    ]);

    // Someone with nothing recorded went to no processor; and a consent-basis provenance implies nothing.
    const stranger = await addContact();
    expect(await recipientsOfContact(h.db, stranger)).toEqual([]);
    await h.db.provenance.create({ data: { contactId: stranger, source: 'import', legalBasis: 'consent', actor: 'user:x' } });
    expect(await recipientsOfContact(h.db, stranger)).toEqual([]);
  });
});
