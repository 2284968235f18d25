import { createHash } from 'node:crypto';
import type { Db } from '@zweck/db';
import { readDecisionFacts } from '@zweck/decision-facts';
import { consentAt, decide, ZChannel, type Channel, type LegalBasis } from '@zweck/policy';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The purposes under which sales follows a lead up; seeded with the catalogue (`sales_calls` where the phone is wanted). */
export const SALES_PURPOSE_IDS = ['sales_follow_up', 'sales_calls'] as const;

export interface MayDoItem {
  channel: Channel;
  allowed: boolean;
  /** The sales purpose that carries the answer (the allowing one, else the first that uses the channel); null: none uses it. */
  purpose: { id: string; name: string; description: string } | null;
  legalBasis: LegalBasis | null;
  /** The article behind the "yes", or behind the first reason of the "no". */
  article: string | null;
  reasonCodes: string[];
  /** Where the basis comes from: the consent's proof, or the contact's provenance. */
  source:
    | { kind: 'consent'; method: string; source: string; at: Date }
    | { kind: 'provenance'; source: string; reference: string | null; at: Date }
    | null;
  /** Until when the answer holds: a consent's expiry, or the end of retention after the last interaction; null: until withdrawn or not limited. */
  until: Date | null;
}

/**
 * What a rep may do with a lead, per channel: the send gate's own answer (`decide`, action
 * `send`, from the same reader as the gate), under each sales purpose that uses the channel,
 * with the legal basis, where it comes from and until when (Art. 5(2), 13, 14 GDPR). Computed
 * for display; nothing is recorded, as nothing is processed.
 */
export async function mayDo(db: Db, suppressionKey: string, contactId: string, now: Date): Promise<MayDoItem[] | null> {
  const purposes = await db.purpose.findMany({
    where: { id: { in: [...SALES_PURPOSE_IDS] } },
    select: { id: true, name: true, description: true, channels: true, retentionMonths: true },
    orderBy: { id: 'desc' },
  });
  // sales_follow_up first: it is the purpose the lead was handed off under.
  purposes.sort((a, b) => SALES_PURPOSE_IDS.indexOf(a.id as never) - SALES_PURPOSE_IDS.indexOf(b.id as never));
  const factsByPurpose = new Map<string, NonNullable<Awaited<ReturnType<typeof readDecisionFacts>>>>();
  for (const purpose of purposes) {
    const facts = await readDecisionFacts(db, suppressionKey, contactId, purpose.id);
    if (facts === null) return null;
    factsByPurpose.set(purpose.id, facts);
  }
  const provenance = await db.provenance.findFirst({
    where: { contactId, field: null },
    orderBy: { recordedAt: 'asc' },
    select: { source: true, reference: true, recordedAt: true },
  });
  const lastInteraction = await db.interaction.findFirst({
    where: { contactId },
    orderBy: { occurredAt: 'desc' },
    select: { occurredAt: true },
  });

  const items: MayDoItem[] = [];
  for (const channel of ZChannel.options) {
    const candidates = purposes.filter((p) => p.channels.includes(channel));
    if (candidates.length === 0) {
      items.push({
        channel,
        allowed: false,
        purpose: null,
        legalBasis: null,
        article: 'Art. 5(1)(b) GDPR',
        reasonCodes: ['CHANNEL_NOT_IN_PURPOSE'],
        source: null,
        until: null,
      });
      continue;
    }
    let chosen: MayDoItem | null = null;
    for (const purpose of candidates) {
      const facts = factsByPurpose.get(purpose.id);
      if (!facts) continue;
      const decision = decide(
        { subject: facts.subject, purpose: facts.purpose, channel, action: 'send', now: now.toISOString() },
        { sha256Hex },
      );
      const base = { channel, purpose: { id: purpose.id, name: purpose.name, description: purpose.description } };
      if (decision.allowed) {
        const { legalBasis, article, consentGrantedAt } = decision.grounds;
        let source: MayDoItem['source'] = null;
        let until: Date | null = null;
        if (legalBasis === 'consent' && consentGrantedAt !== null) {
          const grant = await db.consentEvent.findFirst({
            where: { contactId, purposeId: purpose.id, channel, kind: 'granted', occurredAt: new Date(consentGrantedAt) },
            select: { method: true, source: true, occurredAt: true },
          });
          if (grant) source = { kind: 'consent', method: grant.method, source: grant.source, at: grant.occurredAt };
          const expiresAt = consentAt(facts.subject.consents, purpose.id, channel, now.toISOString()).expiresAt;
          until = expiresAt === null ? null : new Date(expiresAt);
        } else {
          if (provenance)
            source = { kind: 'provenance', source: provenance.source, reference: provenance.reference, at: provenance.recordedAt };
          if (purpose.retentionMonths !== null) {
            until = new Date(lastInteraction?.occurredAt ?? provenance?.recordedAt ?? now);
            until.setUTCMonth(until.getUTCMonth() + purpose.retentionMonths);
          }
        }
        chosen = { ...base, allowed: true, legalBasis, article, reasonCodes: [], source, until };
        break;
      }
      chosen ??= {
        ...base,
        allowed: false,
        legalBasis: facts.purpose.legalBasis,
        article: decision.reasons[0].article,
        reasonCodes: decision.reasons.map((r) => r.code),
        source: null,
        until: null,
      };
    }
    if (chosen) items.push(chosen);
  }
  return items;
}
