import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import { assignLead } from './handoff.ts';
import { applyScoreChange } from './scoring.ts';

/** Demo reps for `infra/up.sh` (development only); the seeded `sales@zweck.test` is their manager. */
export const DEMO_REPS = [
  { email: 'nora.nord@zweck.test', displayName: 'Nora Nord', password: 'zweck-sales-demo', territories: ['Hamburg', 'Berlin', 'Bremen'] },
  {
    email: 'sven.sued@zweck.test',
    displayName: 'Sven Süd',
    password: 'zweck-sales-demo',
    territories: ['München', 'Stuttgart', 'Frankfurt'],
  },
] as const;

const DEMO_RULES = [
  { name: 'Clicked a link in a mail', sourceType: 'interaction', match: 'clicked', points: 10, halfLifeDays: 30 },
  { name: 'Attended an event', sourceType: 'interaction', match: 'attended', points: 25, halfLifeDays: 60 },
  { name: 'Submitted a form', sourceType: 'interaction', match: 'form_submitted', points: 20, halfLifeDays: 90 },
  { name: 'Requested a demo', sourceType: 'event', match: 'demo.requested', points: 40, halfLifeDays: 30 },
  { name: 'Complained', sourceType: 'interaction', match: 'complained', points: -50, halfLifeDays: null },
] as const;

/**
 * A sales manager with two reps and territories, scoring rules, and a few scored leads, for the
 * demo. Everything goes through the same functions as production (the policy decides every score
 * change and the handoff, and records it); the demo leads have no running workflow, so the API
 * settles their answers itself. Idempotent: does nothing once reps exist.
 */
export async function seedDemoLeads(
  db: Db,
  options: { suppressionKey: string; hashPassword: (password: string) => Promise<string>; now?: Date },
): Promise<void> {
  if ((await db.salesRep.count()) > 0) return;
  const now = options.now ?? new Date();
  const manager = await db.user.findUnique({ where: { email: 'sales@zweck.test' }, select: { id: true } });
  for (const rep of DEMO_REPS) {
    const user = await db.user.upsert({
      where: { email: rep.email },
      create: { email: rep.email, displayName: rep.displayName, role: 'sales', passwordHash: await options.hashPassword(rep.password) },
      update: {},
      select: { id: true },
    });
    await db.salesRep.create({ data: { userId: user.id, territories: [...rep.territories], managerId: manager?.id ?? null } });
  }
  const rules = new Map<string, { id: string; points: number; name: string }>();
  for (const rule of DEMO_RULES) {
    const id = randomUUID();
    await db.scoringRule.create({ data: { id, ...rule, createdBy: 'system:seed' } });
    rules.set(rule.match, { id, points: rule.points, name: rule.name });
  }

  // Who consented to interest scoring, and what they did.
  const plan: { email: string; consent: boolean; did: ('clicked' | 'attended' | 'form_submitted')[] }[] = [
    { email: 'lena.schulz@example.org', consent: true, did: ['clicked', 'attended', 'form_submitted'] },
    { email: 'mia.wagner@example.org', consent: true, did: ['clicked', 'clicked'] },
    { email: 'jonas.becker@example.org', consent: false, did: ['clicked', 'attended'] },
  ];
  for (const person of plan) {
    const contact = await db.contact.findUnique({ where: { emailNormalized: person.email }, select: { id: true } });
    if (!contact) continue;
    if (person.consent) {
      await db.consentEvent.create({
        data: {
          contactId: contact.id,
          purposeId: 'lead_scoring',
          channel: 'email',
          kind: 'granted',
          occurredAt: new Date(now.getTime() - 20 * 86_400_000),
          method: 'web_form',
          source: 'website/demo-request',
          wordingVersion: '2026-11',
          actor: 'contact',
        },
      });
    }
    let crossedBy: string | null = null;
    for (const [i, kind] of person.did.entries()) {
      const interaction = await db.interaction.create({
        data: { contactId: contact.id, kind, occurredAt: new Date(now.getTime() - (person.did.length - i) * 86_400_000) },
        select: { id: true },
      });
      const rule = rules.get(kind);
      if (!rule) continue;
      const change = await applyScoreChange(
        { db, suppressionKey: options.suppressionKey },
        {
          contactId: contact.id,
          purposeId: 'lead_scoring',
          points: rule.points,
          reason: rule.name,
          source: { kind: 'rule', ruleId: rule.id, interactionId: interaction.id.toString() },
        },
        { now, decidedBy: 'system:seed' },
      );
      if (change.applied && change.crossedThreshold) crossedBy = change.scoreEventId;
    }
    if (crossedBy !== null) {
      await assignLead(
        { db, suppressionKey: options.suppressionKey },
        {
          contactId: contact.id,
          purposeId: 'sales_follow_up',
          channel: 'email',
          trigger: { kind: 'threshold', scoreEventId: crossedBy },
          workflowId: `handoff:${contact.id}`,
          handoffKey: `demo-seed:${contact.id}`,
        },
        { now, decidedBy: 'system:seed' },
      );
    }
  }
}
