import { randomUUID } from 'node:crypto';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { z } from 'zod';
import { isUniqueViolation, LEDGER_FOLD_ARGS, normalizeEmail, type Prisma } from '@zweck/db';
import { PURPOSE_RULE_SELECT, readSubject, toPurposeRule } from '@zweck/decision-facts';
import { consentAt, evaluate, foldLedger, screenSpecialCategories, toLedgerEvent, type Channel } from '@zweck/policy';
import { audit, truncateIp } from '../../audit.ts';
import { describeWelcome, endWelcomes, startWelcome, type AutomationStart } from '../../automation.ts';
import { findDuplicates, type DuplicateCandidate } from '../../contacts/duplicates.ts';
import {
  assertFieldsWritable,
  catalogueFieldKeys,
  isFieldVisible,
  keepHiddenValues,
  redactContact,
  visibleFieldKeys,
} from '../../contacts/field-visibility.ts';
import { loadFieldCatalogue, loadFieldSealing, sealingOf, storedValues, type ContactValues } from '../../contacts/fields.ts';
import { mergeContacts, previewMerge } from '../../contacts/merge.ts';
import {
  assertContactVisible,
  auditContactRead,
  contactVisibilityWhere,
  grantContactAccess,
  ZOpenContactInput,
} from '../../contacts/read-access.ts';
import { activeJourneyWorkflowIds, cancelJourneyWorkflows } from '../../journeys-runtime/enrollment.ts';
import { checkOrThrow, createContactRecord, formValues, updateContactRecord } from '../../contacts/write.ts';
import type { Context, SessionUser } from '../../trpc/context.ts';
import { AppError } from '../../trpc/errors.ts';
import { procedureFor, router } from '../../trpc/init.ts';
import {
  ZContactDetail,
  ZContactId,
  ZContactListItem,
  ZCreateContactInput,
  ZCreateContactOutput,
  ZDuplicateCandidate,
  ZDuplicateProbeInput,
  ZListContactsInput,
  ZMergeInput,
  ZMergePlan,
  ZUpdateContactInput,
} from './contacts.schema.ts';

/** The purpose whose welcome mail the thin slice sends. */
const WELCOME_PURPOSE = 'newsletter';
const WELCOME_CHANNEL: Channel = 'email';

const ledgerSelect = LEDGER_FOLD_ARGS.select;

const contactListSelect = {
  id: true,
  email: true,
  firstName: true,
  lastName: true,
  organization: true,
  status: true,
  lifecycleStage: true,
  createdAt: true,
  consentEvents: LEDGER_FOLD_ARGS,
} satisfies Prisma.ContactSelect;

/** Candidates with what staff need to recognise them; only for records the caller may see. */
async function describeCandidates(ctx: Context & { user: SessionUser }, candidates: DuplicateCandidate[]) {
  if (candidates.length === 0) return [];
  const rows = await ctx.db.contact.findMany({
    where: { id: { in: candidates.map((c) => c.contactId) }, ...visibleTo(ctx.user) },
    select: { id: true, email: true, firstName: true, lastName: true, organization: true },
  });
  const visible = await visibleFieldKeys(ctx.db, ctx.user.role);
  return candidates.flatMap((candidate) => {
    const row = rows.find((r) => r.id === candidate.contactId);
    return row
      ? [
          redactContact(
            { ...candidate, email: row.email, firstName: row.firstName, lastName: row.lastName, organization: row.organization },
            visible,
          ),
        ]
      : [];
  });
}

const probeOf = (values: ContactValues) => ({
  emailNormalized: values.emailNormalized,
  phoneE164: values.phoneE164,
  firstName: values.firstName,
  lastName: values.lastName,
  organization: values.organization,
});

/** Current consent per purpose and channel, folded by packages/policy exactly as the workflows fold it. */
function consentSummary(events: Prisma.ConsentEventGetPayload<{ select: typeof ledgerSelect }>[], now: Date) {
  const folded = foldLedger(events.map(toLedgerEvent));
  const consents = Object.keys(folded.byPurposeChannel).map((key) => {
    const [purposeId = '', channel = 'email'] = key.split(':');
    const state = consentAt(folded, purposeId, channel as Channel, now.toISOString());
    return { purposeId, channel, status: state.status, since: state.since };
  });
  return { consents, objectedToDirectMarketingAt: folded.objectedToDirectMarketingAt };
}

/**
 * What the send gate would answer now for each consent purpose and channel, computed by the
 * gate's own function (policy.evaluate) from the gate's own reader (decision-facts).
 */
async function sendability(ctx: Context, contactId: string, now: Date) {
  const person = await readSubject(ctx.db, ctx.env.SUPPRESSION_KEY, contactId);
  if (!person) return [];
  const purposes = await ctx.db.purpose.findMany({
    where: { legalBasis: 'consent' },
    select: PURPOSE_RULE_SELECT,
    orderBy: { name: 'asc' },
  });
  return purposes.flatMap((row) => {
    const purpose = toPurposeRule(row);
    return purpose.channels.map((channel) => {
      const verdict = evaluate({ subject: person.subject, purpose, channel, action: 'send', now: now.toISOString() });
      return {
        purposeId: purpose.id,
        channel,
        allowed: verdict.allowed,
        legalBasis: verdict.grounds?.legalBasis ?? null,
        reasonCodes: verdict.reasons.map((r) => r.code),
      };
    });
  });
}

/** Who finds which contacts in lists; opening one is decided by `assertContactVisible` (contacts/read-access.ts). */
const visibleTo = (user: SessionUser): Prisma.ContactWhereInput => contactVisibilityWhere(user);

async function startWelcomeSafely(ctx: Context, contactId: string): Promise<AutomationStart> {
  try {
    return await startWelcome(
      ctx.temporal,
      { contactId, purposeId: WELCOME_PURPOSE, channel: WELCOME_CHANNEL },
      ctx.env.TEMPORAL_TASK_QUEUE,
    );
  } catch (error) {
    // The contact is saved either way; the UI offers to start the automation again.
    ctx.log.error({ contactId, err: error instanceof Error ? error.name : 'unknown' }, 'could not start the welcome workflow');
    return 'not_started';
  }
}

export const contactsRouter = router({
  list: procedureFor('admin', 'marketer', 'dpo', 'sales')
    .input(ZListContactsInput)
    .output(ZContactListItem.array())
    .query(async ({ ctx, input }) => {
      const search = input.search ? normalizeEmail(input.search) : undefined;
      const visible = await visibleFieldKeys(ctx.db, ctx.user.role);
      // A search matches only fields the role sees: a hit must not reveal a withheld value.
      const searchable = (key: string, where: Prisma.ContactWhereInput): Prisma.ContactWhereInput[] =>
        isFieldVisible(visible, key) ? [where] : [];
      const rows = await ctx.db.contact.findMany({
        where: {
          // AND, not a spread: the visibility rule and the search are both an OR, and one must not replace the other.
          AND: [visibleTo(ctx.user)],
          status: { not: 'erased' },
          ...(search
            ? {
                OR: [
                  { emailNormalized: { contains: search } },
                  ...searchable('last_name', { lastName: { contains: input.search, mode: 'insensitive' } }),
                  ...searchable('first_name', { firstName: { contains: input.search, mode: 'insensitive' } }),
                  ...searchable('organization', { organization: { contains: input.search, mode: 'insensitive' } }),
                ],
              }
            : {}),
        },
        select: contactListSelect,
        orderBy: { createdAt: 'desc' },
        take: input.limit,
      });
      const now = new Date();
      return rows.map(({ consentEvents, ...contact }) =>
        redactContact({ ...contact, consents: consentSummary(consentEvents, now).consents }, visible),
      );
    }),

  get: procedureFor('admin', 'marketer', 'dpo', 'sales')
    .input(ZContactId)
    .output(ZContactDetail)
    .query(async ({ ctx, input }) => {
      const access = await assertContactVisible(ctx, input.id);
      const contact = await ctx.db.contact.findFirst({
        where: { id: input.id },
        select: {
          ...contactListSelect,
          phone: true,
          phoneE164: true,
          attributes: true,
          consentEvents: {
            ...LEDGER_FOLD_ARGS,
            select: {
              ...ledgerSelect,
              id: true,
              recordedAt: true,
              method: true,
              source: true,
              wordingVersion: true,
              wordingHash: true,
              actor: true,
            },
          },
          decisions: {
            select: {
              id: true,
              purposeId: true,
              channel: true,
              action: true,
              allowed: true,
              legalBasis: true,
              reasonCodes: true,
              policyVersion: true,
              inputDigest: true,
              decidedBy: true,
              decidedAt: true,
            },
            orderBy: { decidedAt: 'desc' },
            take: 50,
          },
          messages: {
            select: {
              id: true,
              kind: true,
              purposeId: true,
              status: true,
              messageId: true,
              smtpResponse: true,
              createdAt: true,
              sentAt: true,
            },
            orderBy: { createdAt: 'desc' },
          },
          provenance: {
            select: { id: true, field: true, source: true, reference: true, legalBasis: true, actor: true, recordedAt: true },
            orderBy: { recordedAt: 'asc' },
          },
        },
      });
      // Another role's or a missing record look the same: NOT_FOUND, never the record.
      if (!contact) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.');
      await auditContactRead(ctx, contact.id, access, 'contacts.get');
      const automation = await describeWelcome(ctx.temporal, contact.id, WELCOME_PURPOSE).catch(() => null);
      const now = new Date();
      const { attributes: _attributes, ...rest } = contact;
      const [visible, catalogueKeys] = await Promise.all([visibleFieldKeys(ctx.db, ctx.user.role), catalogueFieldKeys(ctx.db)]);
      return redactContact(
        {
          ...rest,
          values: storedValues(contact, await loadFieldSealing(ctx.db, ctx.env.FIELD_ENCRYPTION_KEYS)),
          ...consentSummary(contact.consentEvents, now),
          sendability: await sendability(ctx, contact.id, now),
          automation,
          access: { basis: access.basis, reason: access.reason, expiresAt: access.expiresAt },
        },
        visible,
        catalogueKeys,
      );
    }),

  /**
   * A marketer (or administrator) says why they open one contact; the reason is logged and lets
   * them open it for 8 hours (need to know, Art. 5(1)(f), 32 GDPR).
   */
  open: procedureFor('admin', 'marketer')
    .input(ZOpenContactInput)
    .output(z.object({ expiresAt: z.date() }))
    .mutation(({ ctx, input }) => grantContactAccess(ctx, input)),

  create: procedureFor('admin', 'marketer')
    .input(ZCreateContactInput)
    .output(ZCreateContactOutput)
    .mutation(async ({ ctx, input }) => {
      const id = randomUUID();
      const actor = `user:${ctx.user.id}`;
      // A role may not fill a field it cannot see (field-level need-to-know); refused before anything is written.
      const submitted = formValues(input);
      assertFieldsWritable(submitted, await visibleFieldKeys(ctx.db, ctx.user.role));
      const catalogue = await loadFieldCatalogue(ctx.db);
      const values = checkOrThrow(submitted, catalogue, { defaultCountry: ctx.env.DEFAULT_PHONE_REGION });
      let wordingHash: string | null = null;
      if (input.consent) {
        // Free text typed by staff is screened: special categories (Art. 9) are never stored.
        const [special] = screenSpecialCategories(input.consent.source);
        if (special) {
          throw new AppError(
            'SPECIAL_CATEGORY_DATA',
            `consent.source: this text seems to contain ${special.category.replace(/_/g, ' ')} data ("${special.term}"), which may not be stored (Art. 9(1) GDPR).`,
            'consent.source',
          );
        }
        const { purposeId, channel, wordingVersion, wordingLanguage } = input.consent;
        const purpose = await ctx.db.purpose.findUnique({ where: { id: purposeId }, select: { channels: true } });
        if (!purpose) throw new AppError('PURPOSE_NOT_FOUND', `There is no purpose "${purposeId}" in the catalogue.`, 'consent.purposeId');
        if (!purpose.channels.includes(channel)) {
          throw new AppError(
            'CHANNEL_NOT_IN_PURPOSE',
            `The purpose "${purposeId}" does not use the channel "${channel}".`,
            'consent.channel',
          );
        }
        const wording = await ctx.db.consentWording.findUnique({
          where: { purposeId_version_language: { purposeId, version: wordingVersion, language: wordingLanguage } },
          select: { textHash: true },
        });
        if (!wording)
          throw new AppError(
            'WORDING_NOT_FOUND',
            `There is no wording "${wordingVersion}" (${wordingLanguage}) for "${purposeId}".`,
            'consent.wordingVersion',
          );
        wordingHash = wording.textHash;
      }

      const duplicates = await findDuplicates(ctx.db, probeOf(values));
      if (duplicates.some((d) => d.reasons.includes('email'))) {
        throw new AppError('CONTACT_EMAIL_TAKEN', 'A contact with this e-mail address already exists.', 'email');
      }
      if (duplicates.length > 0 && !input.allowPossibleDuplicate) {
        const by = [...new Set(duplicates.flatMap((d) => d.reasons))].map((r) => r.replace(/_/g, ' ')).join(', ');
        throw new AppError(
          'POSSIBLE_DUPLICATE',
          `${duplicates.length === 1 ? 'A contact' : `${duplicates.length} contacts`} with the same ${by} already exist. Open them, or save anyway if this is another person.`,
          duplicates.some((d) => d.reasons.includes('phone')) ? 'phone' : 'lastName',
        );
      }

      try {
        // One transaction: the contact, where it came from, its consent and the audit entry land together or not at all.
        await ctx.db.$transaction(async (tx) => {
          await createContactRecord(tx, id, values, sealingOf(ctx.env.FIELD_ENCRYPTION_KEYS, catalogue), {
            source: 'staff_entry',
            reference: 'admin-ui',
            legalBasis: input.consent ? 'consent' : 'legitimate_interest',
            actor,
          });
          if (input.consent) {
            await tx.consentEvent.create({
              data: {
                contactId: id,
                purposeId: input.consent.purposeId,
                channel: input.consent.channel,
                kind: 'granted',
                occurredAt: new Date(input.consent.grantedAt),
                method: input.consent.method,
                source: input.consent.source,
                wordingVersion: input.consent.wordingVersion,
                wordingHash,
                actor,
                evidence: { recordedVia: 'admin-ui', ip: truncateIp(ctx.ip) },
              },
            });
          }
          await audit(tx, {
            actor,
            action: 'contact.create',
            entityType: 'contact',
            entityId: id,
            details: { withConsent: input.consent !== undefined, possibleDuplicates: duplicates.map((d) => d.contactId) },
          });
        });
      } catch (error) {
        if (isUniqueViolation(error, 'email_normalized')) {
          throw new AppError('CONTACT_EMAIL_TAKEN', 'A contact with this e-mail address already exists.', 'email');
        }
        throw error;
      }

      return { id, automation: await startWelcomeSafely(ctx, id) };
    }),

  /** Starts the welcome automation again where it could not be started at save time. */
  startWelcome: procedureFor('admin', 'marketer')
    .input(ZContactId)
    .output(ZCreateContactOutput)
    .mutation(async ({ ctx, input }) => {
      const contact = await ctx.db.contact.findUnique({ where: { id: input.id }, select: { id: true } });
      if (!contact) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.');
      await audit(ctx.db, { actor: `user:${ctx.user.id}`, action: 'contact.start_welcome', entityType: 'contact', entityId: contact.id });
      return { id: contact.id, automation: await startWelcomeSafely(ctx, contact.id) };
    }),

  /** Changes the contact's values; every changed field gets its provenance. */
  update: procedureFor('admin', 'marketer', 'sales')
    .input(ZUpdateContactInput)
    .output(z.object({ id: z.string(), changed: z.array(z.string()) }))
    .mutation(async ({ ctx, input }) => {
      const actor = `user:${ctx.user.id}`;
      // Correcting a record needs the same right as opening it (a marketer's reason: `correction`).
      await assertContactVisible(ctx, input.id);
      // A role may not change a field it cannot see (field-level need-to-know); nothing is written.
      const visible = await visibleFieldKeys(ctx.db, ctx.user.role);
      const submitted = formValues(input.values);
      assertFieldsWritable(submitted, visible);
      const catalogue = await loadFieldCatalogue(ctx.db);
      const checkOptions = { defaultCountry: ctx.env.DEFAULT_PHONE_REGION };
      checkOrThrow(submitted, catalogue, checkOptions);
      try {
        const changed = await ctx.db.$transaction(async (tx) => {
          await tx.$queryRaw`SELECT id FROM contact WHERE id = ${input.id}::uuid FOR UPDATE`;
          const contact = await tx.contact.findFirst({
            where: { id: input.id, ...visibleTo(ctx.user), status: { notIn: ['erased', 'erasure_pending'] } },
            select: { id: true, email: true, firstName: true, lastName: true, phone: true, organization: true, attributes: true },
          });
          if (!contact) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.');
          const sealing = sealingOf(ctx.env.FIELD_ENCRYPTION_KEYS, catalogue);
          const before = storedValues(contact, sealing);
          // The fields the role does not see keep their stored values: the form never showed them.
          const values = checkOrThrow(keepHiddenValues(submitted, before, visible), catalogue, checkOptions);
          const keys = await updateContactRecord(tx, input.id, before, values, sealing, {
            source: 'staff_entry',
            reference: 'admin-ui',
            legalBasis: 'legitimate_interest',
            actor,
          });
          if (keys.length > 0) {
            await audit(tx, { actor, action: 'contact.update', entityType: 'contact', entityId: input.id, details: { fields: keys } });
          }
          return keys;
        });
        return { id: input.id, changed };
      } catch (error) {
        if (isUniqueViolation(error, 'email_normalized')) {
          throw new AppError('CONTACT_EMAIL_TAKEN', 'A contact with this e-mail address already exists.', 'email');
        }
        throw error;
      }
    }),

  /** Possible duplicates of values typed into the new-contact form, before they are saved. */
  checkDuplicates: procedureFor('admin', 'marketer', 'sales', 'dpo')
    .input(ZDuplicateProbeInput)
    .output(ZDuplicateCandidate.array())
    .query(async ({ ctx, input }) => {
      const phone = input.phone ? parsePhoneNumberFromString(input.phone, ctx.env.DEFAULT_PHONE_REGION) : undefined;
      const candidates = await findDuplicates(ctx.db, {
        emailNormalized: input.email ? normalizeEmail(input.email) : null,
        phoneE164: phone?.isValid() ? phone.number : null,
        firstName: input.firstName || null,
        lastName: input.lastName || null,
        organization: input.organization || null,
      });
      return describeCandidates(ctx, candidates);
    }),

  /** Other records that may be the same person as this one. */
  duplicates: procedureFor('admin', 'marketer', 'sales', 'dpo')
    .input(ZContactId)
    .output(ZDuplicateCandidate.array())
    .query(async ({ ctx, input }) => {
      const access = await assertContactVisible(ctx, input.id);
      const contact = await ctx.db.contact.findFirst({
        where: { id: input.id },
        select: { emailNormalized: true, phoneE164: true, firstName: true, lastName: true, organization: true },
      });
      if (!contact) throw new AppError('CONTACT_NOT_FOUND', 'There is no such contact.');
      await auditContactRead(ctx, input.id, access, 'contacts.duplicates');
      return describeCandidates(ctx, await findDuplicates(ctx.db, contact, { excludeContactId: input.id }));
    }),

  /** What merging the duplicate into the survivor would do, before it is done. */
  mergePreview: procedureFor('admin', 'marketer', 'dpo')
    .input(ZMergeInput)
    .output(ZMergePlan)
    .query(async ({ ctx, input }) => {
      const survivor = await assertContactVisible(ctx, input.survivorId);
      const duplicate = await assertContactVisible(ctx, input.duplicateId);
      const plan = await previewMerge(ctx.db, ctx.env.FIELD_ENCRYPTION_KEYS, input.survivorId, input.duplicateId);
      await auditContactRead(ctx, input.survivorId, survivor, 'contacts.mergePreview');
      await auditContactRead(ctx, input.duplicateId, duplicate, 'contacts.mergePreview');
      return plan;
    }),

  /** One person, one record: the ledgers and provenance become their union; the merge is recorded. */
  merge: procedureFor('admin', 'marketer', 'dpo')
    .input(ZMergeInput)
    .output(ZMergePlan)
    .mutation(async ({ ctx, input }) => {
      await assertContactVisible(ctx, input.survivorId);
      await assertContactVisible(ctx, input.duplicateId);
      const journeys = await activeJourneyWorkflowIds(ctx.db, input.duplicateId);
      const plan = await mergeContacts(ctx.db, ctx.env.FIELD_ENCRYPTION_KEYS, { ...input, actor: `user:${ctx.user.id}` });
      // Its journeys were ended in the merge (as cancelled): their workflows stop before their next step.
      await cancelJourneyWorkflows(ctx.temporal, journeys).catch((error: unknown) => {
        ctx.log.error(
          { contactId: input.duplicateId, err: error instanceof Error ? error.name : 'unknown' },
          'could not stop the journeys of a merged contact',
        );
      });
      // The merged-away record's automations end; the survivor's go on with the union of ledgers.
      const purposes = await ctx.db.purpose.findMany({ select: { id: true } });
      await endWelcomes(
        ctx.temporal,
        input.duplicateId,
        purposes.map((p) => p.id),
        `contact merged into ${input.survivorId}`,
      ).catch((error: unknown) => {
        ctx.log.error(
          { contactId: input.duplicateId, err: error instanceof Error ? error.name : 'unknown' },
          'could not end the workflows of a merged contact',
        );
      });
      return plan;
    }),
});
