import { type Db } from '@zweck/db';
import { escapeHtml, type Mailer } from '@zweck/mail';
import type { ActivitiesConfig } from './activities.ts';
import { notifyDpo } from './dpo-notices.ts';
import type { MailGate } from './journey.activities.ts';

/**
 * The duty to inform (Art. 14 GDPR): a person whose data came from someone else (an import of a
 * list, an event partner, an API client) is told who holds it, why, on which basis, what kind of
 * data, where it came from, who receives it, how long it is kept and what their rights are, within
 * a month of collection (Art. 14(3)(a)). The API records an `art14_duty` row when such data
 * arrives; the daily run here mails the notice under `data_subject_rights` (legal obligation,
 * Art. 6(1)(c)), gated like every mail, and records it on the duty. Where the product cannot mail
 * (the policy refuses, the address bounced), it reminds the DPO once per duty through the inbox,
 * who informs the person another way or records an exemption (Art. 14(5)).
 */

/** The catalogue purpose of answers and notices the law requires (seeded with the catalogue). */
const DATA_SUBJECT_RIGHTS_PURPOSE = 'data_subject_rights';

/** The notice's mail-log key: one notice per duty, whatever is retried. */
export const art14IdempotencyKey = (dutyId: string): string => `art14:${dutyId}`;

export interface Art14ActivityDeps extends MailGate {
  db: Db;
  mailer: Mailer;
  config: ActivitiesConfig;
  now: () => Date;
}

export interface Art14BatchOutcome {
  notified: number;
  remindedDpo: number;
  skipped: number;
}

const BASIS_TEXT: Record<string, { en: string; de: string }> = {
  consent: { en: 'your consent (Art. 6(1)(a) GDPR)', de: 'Ihre Einwilligung (Art. 6 Abs. 1 lit. a DSGVO)' },
  contract: { en: 'a contract with you (Art. 6(1)(b) GDPR)', de: 'einen Vertrag mit Ihnen (Art. 6 Abs. 1 lit. b DSGVO)' },
  legal_obligation: { en: 'a legal obligation (Art. 6(1)(c) GDPR)', de: 'eine rechtliche Verpflichtung (Art. 6 Abs. 1 lit. c DSGVO)' },
  legitimate_interest: {
    en: 'our legitimate interest (Art. 6(1)(f) GDPR)',
    de: 'unser berechtigtes Interesse (Art. 6 Abs. 1 lit. f DSGVO)',
  },
};

const CATEGORY_TEXT: Record<string, { en: string; de: string }> = {
  identity: { en: 'name', de: 'Name' },
  contact: { en: 'contact details (e-mail address, phone)', de: 'Kontaktdaten (E-Mail-Adresse, Telefon)' },
  professional: { en: 'professional details (organization, job title, notes)', de: 'berufliche Angaben (Organisation, Position, Notizen)' },
  location: { en: 'location (city)', de: 'Ort' },
  preference: { en: 'preferences', de: 'Präferenzen' },
  behavioural: { en: 'how you use our mails', de: 'Nutzung unserer E-Mails' },
  transaction: { en: 'purchases', de: 'Käufe' },
};

export interface Art14NoticeContent {
  firstName: string | null;
  controllerName: string;
  dpoContact: string;
  privacyNoticeUrl: string;
  imprint: string;
  /** Where the data came from, as staff described the import (or the provenance source). */
  source: string;
  collectedAt: Date;
  purposes: { name: string; description: string; legalBasis: string; legitimateInterest: string | null }[];
  categories: string[];
  recipients: { name: string; service: string; country: string }[];
  retention: string[];
}

/** The notice, in English and German in one mail (Art. 12(1): concise, plain language). */
export function renderArt14Notice(c: Art14NoticeContent): { subject: string; text: string; html: string } {
  const basis = (b: string, lang: 'en' | 'de') => BASIS_TEXT[b]?.[lang] ?? b;
  const category = (k: string, lang: 'en' | 'de') => CATEGORY_TEXT[k]?.[lang] ?? k;
  const when = c.collectedAt.toISOString().slice(0, 10);
  const none = { en: 'none', de: 'keine' };
  const en = [
    c.firstName ? `Hello ${c.firstName},` : 'Hello,',
    '',
    `${c.controllerName} received data about you from a source other than you, and the law (Art. 14 GDPR) asks us to tell you about it.`,
    '',
    `Who we are: ${c.controllerName}. Our data protection officer: ${c.dpoContact}.`,
    `Where your data came from: ${c.source} (received on ${when}).`,
    `What kind of data: ${c.categories.map((k) => category(k, 'en')).join(', ') || none.en}.`,
    'Why we keep it, and on which legal basis:',
    ...c.purposes.map(
      (p) =>
        `  - ${p.name}: ${p.description} Basis: ${basis(p.legalBasis, 'en')}.${p.legitimateInterest ? ` Our interest: ${p.legitimateInterest}` : ''}`,
    ),
    `Who receives it (our processors): ${c.recipients.map((r) => `${r.name} (${r.service}, ${r.country})`).join('; ') || none.en}.`,
    `How long we keep it: ${c.retention.join('; ') || 'as long as the purpose needs it, then it is deleted'}.`,
    'Your rights: you may ask for a copy of your data (Art. 15) and take it elsewhere (Art. 20), have it corrected (Art. 16), erased (Art. 17) or restricted (Art. 18), object to its use (Art. 21; for direct marketing at any time), withdraw any consent at any time (Art. 7(3)), and complain to a data protection authority (Art. 77).',
    `To use them, reply to this mail or write to our data protection officer. Privacy notice: ${c.privacyNoticeUrl}`,
  ];
  const de = [
    c.firstName ? `Guten Tag ${c.firstName},` : 'Guten Tag,',
    '',
    `${c.controllerName} hat Daten über Sie nicht von Ihnen selbst erhalten. Darüber informieren wir Sie nach Art. 14 DSGVO.`,
    '',
    `Verantwortlicher: ${c.controllerName}. Datenschutzbeauftragte(r): ${c.dpoContact}.`,
    `Herkunft der Daten: ${c.source} (erhalten am ${when}).`,
    `Art der Daten: ${c.categories.map((k) => category(k, 'de')).join(', ') || none.de}.`,
    'Zwecke und Rechtsgrundlagen:',
    ...c.purposes.map((p) => `  - ${p.name}: ${basis(p.legalBasis, 'de')}.`),
    `Empfänger (Auftragsverarbeiter): ${c.recipients.map((r) => `${r.name} (${r.country})`).join('; ') || none.de}.`,
    `Speicherdauer: ${c.retention.join('; ') || 'solange der Zweck es erfordert, danach werden sie gelöscht'}.`,
    'Ihre Rechte: Auskunft (Art. 15), Datenübertragbarkeit (Art. 20), Berichtigung (Art. 16), Löschung (Art. 17), Einschränkung (Art. 18), Widerspruch (Art. 21, gegen Direktwerbung jederzeit), Widerruf einer Einwilligung jederzeit (Art. 7 Abs. 3) und Beschwerde bei einer Aufsichtsbehörde (Art. 77).',
    `Datenschutzhinweise: ${c.privacyNoticeUrl}`,
  ];
  const subject = 'Information about your data (Art. 14 GDPR) / Information über Ihre Daten';
  const text = [...en, '', '---', '', ...de, '', '--', c.imprint].join('\n');
  const html = `<!doctype html><html><body>${[...en, '', '<hr>', '', ...de]
    .map((line) => (line === '<hr>' ? '<hr>' : line === '' ? '' : `<p style="white-space:pre-wrap">${escapeHtml(line)}</p>`))
    .join('\n')}<hr><p style="font-size:12px;color:#52606d;white-space:pre-line">${escapeHtml(c.imprint)}</p></body></html>`;
  return { subject, text, html };
}

/** An ISO 8601 period of a retention policy, said in words ("P24M" -> "24 months"). */
function periodText(period: string): string {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(period);
  if (!m) return period;
  const parts = [
    [m[1], 'year'],
    [m[2], 'month'],
    [m[3], 'week'],
    [m[4], 'day'],
  ].flatMap(([n, unit]) => (n ? [`${n} ${unit}${n === '1' ? '' : 's'}`] : []));
  return parts.join(' ') || period;
}

export function createArt14Activities({ db, mailer, config, now, gate, sendOnce }: Art14ActivityDeps) {
  /** What the notice says about this person and this duty, read fresh. */
  async function contentOf(contactId: string, duty: { source: string; reference: string; collectedAt: Date }, firstName: string | null) {
    const [events, provenance, attributes] = await Promise.all([
      db.consentEvent.findMany({ where: { contactId }, select: { purposeId: true }, distinct: ['purposeId'] }),
      db.provenance.findMany({ where: { contactId }, select: { field: true, legalBasis: true } }),
      db.contact.findUniqueOrThrow({
        where: { id: contactId },
        select: { attributes: true, phone: true, organization: true, lastName: true },
      }),
    ]);
    const bases = new Set(provenance.map((p) => p.legalBasis).filter((b) => b !== 'consent'));
    const purposes = await db.purpose.findMany({
      where: {
        OR: [{ id: { in: events.map((e) => e.purposeId) } }, { legalBasis: { in: [...bases] } }],
        id: { notIn: ['consent_confirmation', DATA_SUBJECT_RIGHTS_PURPOSE, 'staff_notifications'] },
      },
      select: { id: true, name: true, description: true, legalBasis: true, balancingTest: true },
      orderBy: { id: 'asc' },
    });
    const purposeIds = purposes.map((p) => p.id);
    // The categories of the fields this contact has values in (Art. 14(1)(d)).
    const keys = new Set(provenance.flatMap((p) => (p.field ? [p.field] : [])));
    keys.add('email');
    if (attributes.lastName) keys.add('last_name');
    if (attributes.phone) keys.add('phone');
    if (attributes.organization) keys.add('organization');
    if (attributes.attributes && typeof attributes.attributes === 'object' && !Array.isArray(attributes.attributes)) {
      for (const key of Object.keys(attributes.attributes)) keys.add(key);
    }
    const [fields, processors, policies, batch] = await Promise.all([
      db.fieldDefinition.findMany({ where: { key: { in: [...keys] } }, select: { category: true } }),
      db.processor.findMany({
        where: { purposes: { some: { purposeId: { in: purposeIds } } } },
        select: { name: true, service: true, country: true },
        orderBy: { name: 'asc' },
      }),
      db.retentionPolicy.findMany({
        where: { active: true, purposeId: { in: purposeIds } },
        select: { purpose: { select: { name: true } }, period: true, anchor: true, action: true },
        orderBy: { name: 'asc' },
      }),
      duty.reference.startsWith('import:')
        ? db.importBatch.findUnique({ where: { id: duty.reference.slice('import:'.length) }, select: { source: true } })
        : Promise.resolve(null),
    ]);
    return {
      firstName,
      controllerName: config.controllerName,
      dpoContact: config.dpoContact ?? 'see the privacy notice',
      privacyNoticeUrl: config.sender.privacyNoticeUrl,
      imprint: config.sender.imprint,
      source: batch ? `“${batch.source}” (an imported list)` : duty.source.replace(/_/g, ' '),
      collectedAt: duty.collectedAt,
      purposes: purposes.map((p) => ({
        name: p.name,
        description: p.description,
        legalBasis: p.legalBasis,
        legitimateInterest: p.legalBasis === 'legitimate_interest' ? p.balancingTest : null,
      })),
      categories: [...new Set(fields.map((f) => f.category))].sort(),
      recipients: processors,
      retention: policies.map(
        (p) =>
          `${p.purpose?.name ?? 'data'}: ${periodText(p.period)} from ${p.anchor.replace(/_/g, ' ')}, then ${p.action.replace(/_/g, ' ')}`,
      ),
    } satisfies Art14NoticeContent;
  }

  return {
    /** Open duties the run has not handled yet (no notice sent, the DPO not yet reminded), soonest due first: IDs only. */
    async findOpenArt14Duties(input: { limit: number }): Promise<{ dutyIds: string[] }> {
      const rows = await db.art14Duty.findMany({
        where: { status: 'open', dpoRemindedAt: null },
        select: { id: true },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: input.limit,
      });
      return { dutyIds: rows.map((r) => r.id) };
    },

    /**
     * Inform the person of each duty: a fresh read, the gate's decision (recorded), the notice at
     * most once per duty, then the duty marked notified with the message. Where the notice cannot
     * go out, the DPO is reminded (once per duty) and the duty stays open for them. Counts only.
     */
    async sendArt14NoticeBatch(input: { dutyIds: string[] }): Promise<Art14BatchOutcome> {
      const counts: Art14BatchOutcome = { notified: 0, remindedDpo: 0, skipped: 0 };
      for (const dutyId of input.dutyIds) {
        const duty = await db.art14Duty.findUnique({
          where: { id: dutyId },
          select: { id: true, contactId: true, source: true, reference: true, collectedAt: true, dueAt: true, status: true },
        });
        if (!duty || duty.status !== 'open') {
          counts.skipped++;
          continue;
        }
        const remind = async (reasonCodes: string[]) => {
          await notifyDpo(
            { db, mailer, config, now },
            {
              kind: 'art14_due',
              subjectType: 'contact',
              subjectId: duty.contactId,
              dueAt: duty.dueAt.toISOString(),
              dedupeKey: `art14:${duty.id}`,
            },
          );
          await db.art14Duty.update({ where: { id: duty.id }, data: { dpoRemindedAt: now(), reasonCodes } });
          counts.remindedDpo++;
        };

        const gated = await gate(duty.contactId, DATA_SUBJECT_RIGHTS_PURPOSE, 'email', 'activity:sendArt14NoticeBatch');
        if (!gated.allowed) {
          const codes = gated.skipped.outcome === 'skipped' ? gated.skipped.reasonCodes : ['NOT_SENT'];
          // Erased: nothing is left to inform about; the duty ends with the data.
          if (codes.includes('SUBJECT_ERASED')) {
            await db.art14Duty.update({
              where: { id: duty.id },
              data: { status: 'exempt', exemption: 'data_erased', reasonCodes: codes, decidedBy: 'system:art14' },
            });
            counts.skipped++;
          } else await remind(codes);
          continue;
        }
        if (gated.facts.emailUndeliverableAt !== null) {
          await remind(['ADDRESS_UNDELIVERABLE']);
          continue;
        }
        const content = await contentOf(duty.contactId, duty, gated.facts.firstName);
        const sent = await sendOnce(
          {
            contactId: duty.contactId,
            purposeId: DATA_SUBJECT_RIGHTS_PURPOSE,
            channel: 'email',
            kind: 'art14_notice',
            idempotencyKey: art14IdempotencyKey(duty.id),
            decision: gated.decision,
          },
          () => ({ to: gated.facts.email, ...renderArt14Notice(content), unsubscribe: null }),
        );
        if (sent.outcome !== 'sent') {
          await remind(sent.outcome === 'failed' ? ['SMTP_REFUSED'] : sent.reasonCodes);
          continue;
        }
        await db.$transaction([
          db.art14Duty.update({
            where: { id: duty.id },
            data: { status: 'notified', notifiedAt: now(), method: 'email', messageRef: sent.messageRef, decidedBy: 'system:art14' },
          }),
          db.auditEvent.create({
            data: {
              actor: 'system:worker',
              action: 'art14.notified',
              entityType: 'contact',
              entityId: duty.contactId,
              details: { dutyId: duty.id, messageRef: sent.messageRef, method: 'email' },
            },
          }),
        ]);
        counts.notified++;
      }
      return counts;
    },
  };
}

export type Art14Activities = ReturnType<typeof createArt14Activities>;
