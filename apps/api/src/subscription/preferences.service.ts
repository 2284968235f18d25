import type { Client } from '@temporalio/client';
import { LEDGER_FOLD_ARGS, type Db, type Prisma } from '@zweck/db';
import { lockAndFoldLedger } from '@zweck/decision-facts';
import { verifyPreferencesToken } from '@zweck/mail/unsubscribe-token';
import { consentAt, foldLedger, toLedgerEvent } from '@zweck/policy';
import { audit, truncateIp } from '../audit.ts';
import { startConsentReceipt } from '../automation.ts';

export interface PreferenceItem {
  purposeId: string;
  name: string;
  description: string;
  /** The wording a person agrees to by switching the purpose on. */
  wording: { version: string; text: string; textHash: string } | null;
  isOn: boolean;
}

export interface Preferences {
  contactId: string;
  items: PreferenceItem[];
  hasObjected: boolean;
}

const purposeSelect = {
  id: true,
  name: true,
  description: true,
  isDirectMarketing: true,
  wordings: {
    where: { language: 'en' },
    orderBy: [{ createdAt: 'desc' }, { version: 'desc' }],
    take: 1,
    select: { version: true, text: true, textHash: true },
  },
} satisfies Prisma.PurposeSelect;

/** Every consent-based e-mail purpose with the person's current choice, as the ledger fold says. */
export async function readPreferences(db: Db, secret: string, token: string, now = new Date()): Promise<Preferences> {
  const { c: contactId } = verifyPreferencesToken(secret, token);
  const [purposes, events] = await Promise.all([
    db.purpose.findMany({ where: { legalBasis: 'consent', channels: { has: 'email' } }, select: purposeSelect, orderBy: { name: 'asc' } }),
    db.consentEvent.findMany({ where: { contactId }, ...LEDGER_FOLD_ARGS }),
  ]);
  const folded = foldLedger(events.map(toLedgerEvent));
  return {
    contactId,
    hasObjected: folded.objectedToDirectMarketingAt !== null,
    items: purposes.map((p) => {
      const status = consentAt(folded, p.id, 'email', now.toISOString()).status;
      return {
        purposeId: p.id,
        name: p.name,
        description: p.description,
        wording: p.wordings[0] ?? null,
        isOn: status === 'granted' || status === 'confirmed',
      };
    }),
  };
}

export type PreferenceChange = { purposeId: string; to: 'on' | 'off' };

/**
 * Apply the person's choices: each purpose switched on is a grant with the wording shown, each
 * switched off a withdrawal (Art. 7(3)); "no marketing at all" is an objection (Art. 21(2)),
 * which ends direct marketing on every channel for good. Only changes are recorded, under the
 * contact's row lock, so a repeated submission adds nothing.
 */
export async function savePreferences(
  db: Db,
  secret: string,
  token: string,
  choice: { on: string[]; objectToAll: boolean },
  ip: string | null,
  now = new Date(),
): Promise<{ contactId: string; changes: PreferenceChange[] }> {
  const { c: contactId } = verifyPreferencesToken(secret, token);
  return db.$transaction(async (tx) => {
    const locked = await lockAndFoldLedger(tx, contactId);
    if (!locked || locked.status === 'erased') return { contactId, changes: [] };
    const purposes = await tx.purpose.findMany({ where: { legalBasis: 'consent', channels: { has: 'email' } }, select: purposeSelect });
    const folded = locked.consents;
    const base = {
      contactId,
      channel: 'email',
      occurredAt: now,
      method: 'preference_center' as const,
      source: 'preference-center',
      actor: 'contact',
      evidence: { ip: truncateIp(ip) },
    };
    const changes: PreferenceChange[] = [];

    for (const p of purposes) {
      const status = consentAt(folded, p.id, 'email', now.toISOString()).status;
      const isOn = status === 'granted' || status === 'confirmed';
      const wantsOn = !choice.objectToAll && choice.on.includes(p.id);
      if (wantsOn && !isOn && p.wordings[0]) {
        const wording = p.wordings[0];
        await tx.consentEvent.create({
          data: { ...base, purposeId: p.id, kind: 'granted', wordingVersion: wording.version, wordingHash: wording.textHash },
        });
        changes.push({ purposeId: p.id, to: 'on' });
      } else if (!wantsOn && isOn) {
        await tx.consentEvent.create({ data: { ...base, purposeId: p.id, kind: 'withdrawn' } });
        changes.push({ purposeId: p.id, to: 'off' });
      }
    }
    if (choice.objectToAll && folded.objectedToDirectMarketingAt === null) {
      const marketing = purposes.find((p) => p.isDirectMarketing);
      if (marketing) await tx.consentEvent.create({ data: { ...base, purposeId: marketing.id, kind: 'objected' } });
    }
    if (changes.length > 0 || choice.objectToAll) {
      await audit(tx, {
        actor: `contact:${contactId}`,
        action: 'consent.preferences',
        entityType: 'contact',
        entityId: contactId,
        details: {
          on: changes.filter((c) => c.to === 'on').map((c) => c.purposeId),
          off: changes.filter((c) => c.to === 'off').map((c) => c.purposeId),
          objected: choice.objectToAll,
        },
      });
    }
    return { contactId, changes };
  });
}

/** The most receipts one mail carries: the latest entry of each purpose and channel is far fewer. */
const MAX_RECEIPTS = 50;

/**
 * The person asks for a copy of their consent records (Art. 15(3) GDPR) from the preference
 * center: the latest ledger entry of each purpose and channel, i.e. what holds now, mailed by the
 * worker. The same records requested twice send one mail. Verifies the token first.
 */
export async function requestConsentReceipts(
  deps: { db: Db; temporal: Client },
  secret: string,
  token: string,
  taskQueue: string | undefined,
): Promise<{ status: 'requested' | 'already_running' | 'nothing_recorded' }> {
  const { c: contactId } = verifyPreferencesToken(secret, token);
  const contact = await deps.db.contact.findUnique({ where: { id: contactId }, select: { status: true } });
  if (!contact || contact.status === 'erased') return { status: 'nothing_recorded' };
  const events = await deps.db.consentEvent.findMany({
    where: { contactId },
    orderBy: [{ occurredAt: 'desc' }, { recordedAt: 'desc' }],
    select: { id: true, purposeId: true, channel: true },
  });
  const latest = new Map<string, string>();
  for (const e of events) if (!latest.has(`${e.purposeId}:${e.channel}`)) latest.set(`${e.purposeId}:${e.channel}`, e.id);
  const consentEventIds = [...latest.values()].slice(0, MAX_RECEIPTS);
  if (consentEventIds.length === 0) return { status: 'nothing_recorded' };

  const status = await startConsentReceipt(deps.temporal, { contactId, consentEventIds, requestedBy: 'contact' }, taskQueue);
  await audit(deps.db, {
    actor: `contact:${contactId}`,
    action: 'consent.receipt.request',
    entityType: 'contact',
    entityId: contactId,
    details: { eventIds: consentEventIds, status },
  });
  return { status };
}
