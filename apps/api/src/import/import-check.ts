import { LEDGER_FOLD_ARGS, normalizeEmail, suppressionHash, type FieldKeyRing, type LegalBasis, type Prisma } from '@zweck/db';
import { SYSTEM_PURPOSE_IDS } from '@zweck/db/seed';
import {
  consentKey,
  foldLedger,
  screenSpecialCategories,
  toLedgerEvent,
  ZChannel,
  ZConsentMethod,
  ZInstant,
  type Channel,
  type ConsentEventKind,
  type ConsentMethod,
} from '@zweck/policy';
import type { CountryCode } from 'libphonenumber-js';
import { z } from 'zod';
import { fullNameOf } from '../contacts/duplicates.ts';
import {
  checkContactValues,
  loadFieldCatalogue,
  sealingOf,
  storedValues,
  type ContactValues,
  type FieldCatalogue,
} from '../contacts/fields.ts';
import type { PortableProvenance } from './contacts-format.ts';
import type { ImportRecord, RawConsent } from './import-file.ts';
import { findPossibleDuplicates, type PossibleDuplicate } from './import-lookups.ts';
import { fieldProblemCode, type ImportReason } from './import-reasons.ts';

/**
 * The checks of an import, row by row, against the catalogues and the database. The dry run
 * shows their result; the commit runs them again inside its transaction and writes exactly
 * what they planned, so that what is written is what the person reviewed.
 */

export const NON_CONSENT_BASES = ['contract', 'legitimate_interest', 'legal_obligation'] as const;
export type NonConsentBasis = (typeof NON_CONSENT_BASES)[number];
const isNonConsentBasis = (basis: string): basis is NonConsentBasis => (NON_CONSENT_BASES as readonly string[]).includes(basis);

export interface ImportOptions {
  /** Where the whole file came from ("Trade fair list, partner X"): the import batch's source. */
  source: string;
  /** The basis of rows without consent that name none themselves. */
  defaultLegalBasis: NonConsentBasis | null;
  /** Create rows that may be the same person as an existing contact (staff merge them later). */
  allowPossibleDuplicates: boolean;
}

export interface CheckContext {
  suppressionKey: string;
  /** Opens the existing contacts' free-text values, to compare them with the file's. */
  fieldKeys: FieldKeyRing;
  defaultCountry: CountryCode;
  now: Date;
  /** Lock the contacts the file names (the commit does; the dry run only reads). */
  lockExisting: boolean;
}

export interface PlannedConsent {
  index: number;
  purposeId: string;
  channel: Channel;
  kind: ConsentEventKind;
  occurredAt: Date;
  expiresAt: Date | null;
  method: ConsentMethod;
  source: string;
  wordingVersion: string | null;
  wordingHash: string | null;
  /** The evidence the document brought along, or null. */
  evidence: Record<string, unknown> | null;
}

interface Accepted {
  values: ContactValues;
  /** The basis written to the contact's provenance. */
  legalBasis: LegalBasis;
  consents: PlannedConsent[];
  provenance: PortableProvenance[];
}

export type RowPlan =
  ({ outcome: 'create' } & Accepted) | ({ outcome: 'merge'; contactId: string; fill: string[] } & Accepted) | { outcome: 'reject' };

export type RowOutcome = RowPlan['outcome'];

export interface ReportRow {
  row: number;
  outcome: RowOutcome;
  /** The existing contact a merge goes into. */
  contactId: string | null;
  reasons: ImportReason[];
  /** Consent events the row writes. */
  consents: number;
}

export interface ImportCheck {
  rows: ReportRow[];
  /** One per row, in the same order. */
  plans: RowPlan[];
  summary: Record<RowOutcome, number>;
}

type Tx = Prisma.TransactionClient;

/** Methods that obtain a consent; the unsubscribe methods and a spam complaint only end one. */
const GRANT_METHODS: readonly ConsentMethod[] = ZConsentMethod.options.filter(
  (m) => m !== 'one_click_unsubscribe' && m !== 'mailto_unsubscribe' && m !== 'spam_complaint',
);
/** A minute of slack for clocks that differ, as the staff form allows. */
const CLOCK_SLACK_MS = 60_000;
/** Purposes Zweck itself sends under: their bases do not carry keeping imported contacts. */

export interface CataloguePurpose {
  id: string;
  legalBasis: LegalBasis;
  channels: string[];
  isDirectMarketing: boolean;
  balancingTest: string | null;
  wordings: { version: string; language: string; textHash: string }[];
}

export async function loadPurposes(tx: Pick<Tx, 'purpose'>): Promise<Map<string, CataloguePurpose>> {
  const rows = await tx.purpose.findMany({
    select: {
      id: true,
      legalBasis: true,
      channels: true,
      isDirectMarketing: true,
      balancingTest: true,
      wordings: { select: { version: true, language: true, textHash: true } },
    },
  });
  return new Map(rows.map((p) => [p.id, p]));
}

/**
 * The bases other than consent that some purpose of the catalogue rests on: data is kept for a
 * purpose (Art. 5(1)(b)), and legitimate interest only with its documented balancing test (Art. 6(1)(f)).
 */
export function basesCarried(purposes: ReadonlyMap<string, CataloguePurpose>): Set<LegalBasis> {
  const bases = new Set<LegalBasis>();
  for (const p of purposes.values()) {
    if (SYSTEM_PURPOSE_IDS.has(p.id) || p.legalBasis === 'consent') continue;
    if (p.legalBasis === 'legitimate_interest' && (p.balancingTest ?? '').trim() === '') continue;
    bases.add(p.legalBasis);
  }
  return bases;
}

const BASIS_LABEL: Record<LegalBasis, string> = {
  consent: 'consent',
  contract: 'contract (Art. 6(1)(b) GDPR)',
  legal_obligation: 'legal obligation (Art. 6(1)(c) GDPR)',
  legitimate_interest: 'legitimate interest (Art. 6(1)(f) GDPR)',
};

const PROOF_TEXT = {
  occurredAt: 'when the person consented',
  method: 'how the consent was given',
  source: 'where the consent was given',
  wordingVersion: 'which wording the person agreed to',
} as const;

const shortId = (text: string): string => (text.length > 64 ? `${text.slice(0, 61)}…` : text);

/** One ledger event of a row, checked against the purpose catalogue: its proof, or what is wrong with it. */
function checkConsent(
  raw: RawConsent,
  purposes: ReadonlyMap<string, CataloguePurpose>,
  now: Date,
): { planned: PlannedConsent | null; reasons: ImportReason[] } {
  const reasons: ImportReason[] = [];
  const { paths } = raw;
  const purpose = purposes.get(raw.purposeId);
  if (!purpose) {
    reasons.push({
      code: 'UNKNOWN_PURPOSE',
      field: paths.purposeId,
      message: `${paths.purposeId}: there is no purpose “${shortId(raw.purposeId)}” in the purpose catalogue.`,
    });
    return { planned: null, reasons };
  }
  const isGrant = raw.kind === 'granted' || raw.kind === 'confirmed';
  if (isGrant && purpose.legalBasis !== 'consent') {
    reasons.push({
      code: 'PURPOSE_NOT_CONSENT_BASED',
      field: paths.purposeId,
      message: `${paths.purposeId}: the purpose “${purpose.id}” rests on ${BASIS_LABEL[purpose.legalBasis]}, not on consent; a consent to it cannot be imported.`,
    });
  }
  const channel = ZChannel.safeParse(raw.channel);
  if (!channel.success || !purpose.channels.includes(channel.data)) {
    reasons.push({
      code: 'CHANNEL_NOT_IN_PURPOSE',
      field: paths.channel,
      message: `${paths.channel}: the purpose “${purpose.id}” uses ${purpose.channels.join(', ')}, not “${shortId(raw.channel)}”.`,
    });
  }

  const required =
    raw.kind === 'granted'
      ? (['method', 'occurredAt', 'wordingVersion', 'source'] as const)
      : (['method', 'occurredAt', 'source'] as const);
  for (const part of required) {
    if (raw[part] === null || raw[part].trim() === '') {
      reasons.push({
        code: 'MISSING_CONSENT_PROOF',
        field: paths[part],
        message: `${paths[part]} is missing: ${PROOF_TEXT[part]} is part of the proof of consent (Art. 7(1) GDPR).`,
      });
    }
  }

  const method = raw.method === null ? null : ZConsentMethod.safeParse(raw.method.trim());
  if (method && (!method.success || (raw.kind === 'granted' && !GRANT_METHODS.includes(method.data)))) {
    reasons.push({
      code: 'INVALID_CONSENT_PROOF',
      field: paths.method,
      message: `${paths.method}: not a method of obtaining consent; use web_form, double_opt_in, in_person, phone, import or api.`,
    });
  }
  let occurredAt: Date | null = null;
  if (raw.occurredAt !== null) {
    if (!ZInstant.safeParse(raw.occurredAt).success) {
      reasons.push({
        code: 'INVALID_CONSENT_PROOF',
        field: paths.occurredAt,
        message: `${paths.occurredAt}: not a time in ISO 8601 with its offset, like 2026-10-01T09:30:00+02:00.`,
      });
    } else if (Date.parse(raw.occurredAt) > now.getTime() + CLOCK_SLACK_MS) {
      reasons.push({ code: 'INVALID_CONSENT_PROOF', field: paths.occurredAt, message: `${paths.occurredAt}: lies in the future.` });
    } else {
      occurredAt = new Date(raw.occurredAt);
    }
  }
  let expiresAt: Date | null = null;
  if (raw.expiresAt !== null) {
    if (ZInstant.safeParse(raw.expiresAt).success) expiresAt = new Date(raw.expiresAt);
    else
      reasons.push({
        code: 'INVALID_CONSENT_PROOF',
        field: paths.expiresAt,
        message: `${paths.expiresAt}: not a time in ISO 8601 with its offset.`,
      });
  }
  if (raw.source !== null) {
    const [special] = screenSpecialCategories(raw.source);
    if (special) {
      reasons.push({
        code: 'SPECIAL_CATEGORY_DATA',
        field: paths.source,
        message: `${paths.source}: this text seems to contain ${special.category.replace(/_/g, ' ')} data ("${special.term}"), which may not be stored (Art. 9(1) GDPR).`,
      });
    }
  }

  // The wording names the text the person agreed to: it must be the catalogue's, version and language (and hash, where the file names one).
  let wordingHash: string | null = null;
  if (raw.kind === 'granted' && raw.wordingVersion !== null && raw.wordingVersion.trim() !== '') {
    const version = raw.wordingVersion.trim();
    const language = raw.wordingLanguage?.trim().toLowerCase() || null;
    const candidates = purpose.wordings.filter((w) => w.version === version && (language === null || w.language === language));
    const wording =
      raw.wordingHash !== null
        ? candidates.find((w) => w.textHash === raw.wordingHash)
        : candidates.find((w) => w.language === (language ?? 'en'));
    if (!wording) {
      const named = `“${shortId(version)}”${language ? ` (${shortId(language)})` : ''}`;
      reasons.push(
        raw.wordingHash !== null && candidates.length > 0
          ? {
              code: 'UNKNOWN_WORDING',
              field: paths.wordingHash,
              message: `${paths.wordingHash}: differs from the catalogue's text of wording ${named} of “${purpose.id}”: the person agreed to another text.`,
            }
          : {
              code: 'UNKNOWN_WORDING',
              field: paths.wordingVersion,
              message: `${paths.wordingVersion}: there is no wording ${named} of the purpose “${purpose.id}” in the catalogue.`,
            },
      );
    } else {
      wordingHash = wording.textHash;
    }
  }

  if (reasons.length > 0 || occurredAt === null || !method?.success || raw.source === null || !channel.success) {
    return { planned: null, reasons };
  }
  return {
    planned: {
      index: raw.index,
      purposeId: purpose.id,
      channel: channel.data,
      kind: raw.kind,
      occurredAt,
      expiresAt,
      method: method.data,
      source: raw.source.trim(),
      wordingVersion: raw.kind === 'granted' ? (raw.wordingVersion?.trim() ?? null) : null,
      wordingHash,
      evidence: raw.evidence,
    },
    reasons,
  };
}

interface FirstPass {
  record: ImportRecord;
  reasons: ImportReason[];
  values: ContactValues | null;
  /** The normalised address, also where other values are wrong (for suppression and duplicates in the file). */
  email: string | null;
  legalBasis: LegalBasis | null;
  consents: PlannedConsent[];
  provenance: PortableProvenance[];
}

const ZEmail = z.email();

/** What a row says on its own: its values, its consent claims and their proof, its legal basis. */
function checkRecord(
  record: ImportRecord,
  catalogue: FieldCatalogue,
  purposes: ReadonlyMap<string, CataloguePurpose>,
  carriers: ReadonlySet<LegalBasis>,
  options: ImportOptions,
  context: CheckContext,
): FirstPass {
  const rawEmail = record.values.email?.trim() ?? '';
  const email = ZEmail.safeParse(rawEmail).success ? normalizeEmail(rawEmail) : null;
  const pass: FirstPass = { record, reasons: [], values: null, email, legalBasis: null, consents: [], provenance: [] };
  if (record.unreadable.length > 0) {
    pass.reasons.push(...record.unreadable);
    return pass;
  }

  const checked = checkContactValues(record.values, catalogue, { defaultCountry: context.defaultCountry });
  if (checked.ok) pass.values = checked.values;
  else pass.reasons.push(...checked.problems.map((p) => ({ code: fieldProblemCode(p.code), field: p.field, message: p.message })));
  pass.reasons.push(...record.findings);

  for (const raw of record.consents) {
    const { planned, reasons } = checkConsent(raw, purposes, context.now);
    pass.reasons.push(...reasons);
    if (planned) pass.consents.push(planned);
  }
  // A confirmation proves a grant before it; on its own it proves nothing.
  for (const c of pass.consents) {
    if (c.kind !== 'confirmed') continue;
    const granted = pass.consents.some(
      (g) => g.kind === 'granted' && g.purposeId === c.purposeId && g.channel === c.channel && g.occurredAt <= c.occurredAt,
    );
    if (!granted) {
      const path = record.consents[c.index]?.paths.purposeId ?? 'consents';
      pass.reasons.push({
        code: 'INVALID_CONSENT_PROOF',
        field: path,
        message: `${path}: a confirmation of “${c.purposeId}” without the grant it confirms.`,
      });
    }
  }

  // Art. 6(1): without consent, the data is kept only on another basis that a purpose of the catalogue rests on.
  const claimsConsent = record.consents.some((c) => c.kind === 'granted');
  const own = record.legalBasis?.trim() || null;
  if (own !== null && !isNonConsentBasis(own)) {
    pass.reasons.push({
      code: 'INVALID_VALUE',
      field: record.legalBasisPath,
      message: `${record.legalBasisPath}: one of contract, legitimate_interest or legal_obligation (consent is given in the consent columns).`,
    });
  } else {
    const basis = own ?? (claimsConsent ? 'consent' : options.defaultLegalBasis);
    if (basis === null) {
      pass.reasons.push({
        code: 'NO_LEGAL_BASIS',
        field: record.legalBasisPath,
        message: 'No consent and no other legal basis: name one in the legal basis column, or choose a default legal basis for the import.',
      });
    } else if (basis !== 'consent' && !carriers.has(basis)) {
      pass.reasons.push({
        code: 'NO_LEGAL_BASIS',
        field: record.legalBasisPath,
        message:
          basis === 'legitimate_interest'
            ? 'No purpose of the catalogue rests on legitimate interest with a documented balancing test (Art. 6(1)(f) GDPR), so no contact can be kept on it.'
            : `No purpose of the catalogue rests on ${BASIS_LABEL[basis]}; ask your data protection officer to declare the purpose these contacts are kept for.`,
      });
    } else {
      pass.legalBasis = basis;
    }
  }

  // Provenance brought along (JSON): free text is screened; entries about values not imported are dropped.
  record.provenance.forEach((p, i) => {
    for (const part of ['source', 'reference'] as const) {
      const [special] = screenSpecialCategories(p[part] ?? '');
      if (special) {
        pass.reasons.push({
          code: 'SPECIAL_CATEGORY_DATA',
          field: `provenance[${i}].${part}`,
          message: `provenance[${i}].${part}: this text seems to contain ${special.category.replace(/_/g, ' ')} data ("${special.term}"), which may not be stored (Art. 9(1) GDPR).`,
        });
      }
    }
  });
  pass.provenance = record.provenance.filter((p) => p.field === null || record.values[p.field] !== undefined);
  return pass;
}

const keyedValues = (values: ContactValues): Record<string, string | null> => ({
  email: values.email,
  first_name: values.firstName,
  last_name: values.lastName,
  phone: values.phone,
  organization: values.organization,
  ...values.attributes,
});

const EXISTING_SELECT = {
  id: true,
  status: true,
  emailNormalized: true,
  email: true,
  firstName: true,
  lastName: true,
  phone: true,
  phoneE164: true,
  organization: true,
  attributes: true,
} satisfies Prisma.ContactSelect;

const describeDuplicate = (d: PossibleDuplicate): string =>
  d.phone && d.nameAndOrganization
    ? 'the same phone number and a similar name at a similar organization'
    : d.phone
      ? 'the same phone number'
      : 'a similar name at a similar organization';

/** Check every row of a file. Reads only; the commit writes what the returned plans say. */
export async function checkImport(
  tx: Tx,
  records: readonly ImportRecord[],
  options: ImportOptions,
  context: CheckContext,
): Promise<ImportCheck> {
  const catalogue = await loadFieldCatalogue(tx);
  const sealing = sealingOf(context.fieldKeys, catalogue);
  const purposes = await loadPurposes(tx);
  const carriers = basesCarried(purposes);
  const passes = records.map((record) => checkRecord(record, catalogue, purposes, carriers, options, context));

  // The database, asked once per file.
  const emails = [...new Set(passes.flatMap((p) => (p.email === null ? [] : [p.email])))];
  if (context.lockExisting && emails.length > 0) {
    // The lock lockAndFoldLedger takes, for every contact the file names, in ID order so that two imports cannot deadlock.
    await tx.$queryRaw`SELECT id FROM contact WHERE email_normalized = ANY(${emails}::text[]) ORDER BY id FOR UPDATE`;
  }
  const existing =
    emails.length === 0 ? [] : await tx.contact.findMany({ where: { emailNormalized: { in: emails } }, select: EXISTING_SELECT });
  const existingByEmail = new Map(existing.map((c) => [c.emailNormalized, c]));
  const hashOf = new Map(emails.map((e) => [e, suppressionHash(context.suppressionKey, e)]));
  const suppressedHashes =
    emails.length === 0
      ? new Set<string>()
      : new Set(
          (await tx.suppressionEntry.findMany({ where: { addressHash: { in: [...hashOf.values()] } }, select: { addressHash: true } })).map(
            (s) => s.addressHash,
          ),
        );
  const isSuppressed = (email: string): boolean => {
    const hash = hashOf.get(email);
    const contact = existingByEmail.get(email);
    // Erased or awaiting erasure: a re-import must not bring the person back (Art. 17).
    return (hash !== undefined && suppressedHashes.has(hash)) || contact?.status === 'erased' || contact?.status === 'erasure_pending';
  };

  // Which rows are new people, to be checked for possible duplicates.
  const firstRowOf = new Map<string, number>();
  const duplicateOf = passes.map((p) => {
    if (p.email === null) return null;
    const first = firstRowOf.get(p.email);
    if (first === undefined) firstRowOf.set(p.email, p.record.row);
    return first ?? null;
  });
  const probes = passes.flatMap((p, i) =>
    p.values !== null &&
    p.reasons.length === 0 &&
    duplicateOf[i] === null &&
    p.email !== null &&
    !existingByEmail.has(p.email) &&
    !isSuppressed(p.email)
      ? [
          {
            key: i,
            phoneE164: p.values.phoneE164,
            firstName: p.values.firstName,
            lastName: p.values.lastName,
            organization: p.values.organization,
          },
        ]
      : [],
  );
  const possibleDuplicates = await findPossibleDuplicates(tx, probes);

  const mergeTargets = passes.flatMap((p) => {
    const contact = p.email === null ? undefined : existingByEmail.get(p.email);
    return contact && p.reasons.length === 0 ? [contact.id] : [];
  });
  const ledgers = new Map<string, Prisma.ConsentEventGetPayload<{ select: typeof LEDGER_FOLD_ARGS.select & { contactId: true } }>[]>();
  if (mergeTargets.length > 0) {
    const events = await tx.consentEvent.findMany({
      where: { contactId: { in: [...new Set(mergeTargets)] } },
      select: { ...LEDGER_FOLD_ARGS.select, contactId: true },
      orderBy: LEDGER_FOLD_ARGS.orderBy,
    });
    for (const e of events) ledgers.set(e.contactId, [...(ledgers.get(e.contactId) ?? []), e]);
  }

  // In-file matches of phone and of name plus organization, among the rows before.
  const phoneRow = new Map<string, number>();
  const nameRow = new Map<string, number>();
  const nameKey = (v: ContactValues): string | null => {
    const name = fullNameOf(v.firstName, v.lastName).trim();
    const organization = (v.organization ?? '').trim().toLowerCase();
    return name !== '' && organization !== '' ? `${name}\u0000${organization}` : null;
  };

  const rows: ReportRow[] = [];
  const plans: RowPlan[] = [];
  passes.forEach((pass, i) => {
    const { record, values, email } = pass;
    const reject = (reasons: ImportReason[]) => {
      rows.push({ row: record.row, outcome: 'reject', contactId: null, reasons, consents: 0 });
      plans.push({ outcome: 'reject' });
    };
    // Nothing more is said about a suppressed address, not even whether a record of it exists.
    if (email !== null && isSuppressed(email)) {
      return reject([
        {
          code: 'SUPPRESSED',
          field: 'email',
          message: 'This address is on the suppression list (erasure or objection); it cannot be imported.',
        },
      ]);
    }
    const earlier = duplicateOf[i] ?? null;
    if (earlier !== null) {
      return reject([
        ...pass.reasons,
        {
          code: 'DUPLICATE_IN_FILE',
          field: 'email',
          otherRow: earlier,
          message: `The same e-mail address as row ${earlier}: merge the two rows in the file, or remove one.`,
        },
      ]);
    }
    if (pass.reasons.length > 0 || values === null || pass.legalBasis === null) return reject(pass.reasons);

    // In-file matches count for the rows after this one, whether this one is created or merged.
    const inFile: ImportReason[] = [];
    const phoneMatch = values.phoneE164 === null ? undefined : phoneRow.get(values.phoneE164);
    const key = nameKey(values);
    const nameMatch = key === null ? undefined : nameRow.get(key);
    for (const otherRow of [...new Set([phoneMatch, nameMatch].filter((r): r is number => r !== undefined))]) {
      const what =
        otherRow === phoneMatch && otherRow === nameMatch
          ? 'the same phone number and the same name and organization'
          : otherRow === phoneMatch
            ? 'the same phone number'
            : 'the same name and organization';
      inFile.push({
        code: 'POSSIBLE_DUPLICATE',
        field: otherRow === phoneMatch ? 'phone' : undefined,
        otherRow,
        message: `${what} as row ${otherRow} of this file.`,
      });
    }
    if (values.phoneE164 !== null && !phoneRow.has(values.phoneE164)) phoneRow.set(values.phoneE164, record.row);
    if (key !== null && !nameRow.has(key)) nameRow.set(key, record.row);

    const accepted: Accepted = { values, legalBasis: pass.legalBasis, consents: pass.consents, provenance: pass.provenance };
    const target = existingByEmail.get(values.emailNormalized);
    if (target) {
      if (target.status === 'restricted') {
        return reject([
          {
            code: 'CONTACT_RESTRICTED',
            field: 'email',
            contactId: target.id,
            message:
              'The contact with this address is restricted (Art. 18 GDPR): it is kept, but not changed or processed. Staff handle it on the contact page.',
          },
        ]);
      }
      const notes: ImportReason[] = [];
      const stored = storedValues(target, sealing);
      const fill: string[] = [];
      for (const [field, value] of Object.entries(keyedValues(values))) {
        if (field === 'email' || value === null) continue;
        const current = stored[field];
        if (current === null || current === undefined || current.trim() === '') fill.push(field);
        else if (field === 'phone' ? target.phoneE164 !== values.phoneE164 : current.trim().toLowerCase() !== value.trim().toLowerCase()) {
          notes.push({
            code: 'KEPT_EXISTING_VALUE',
            field,
            message: `${field}: the contact has another value; it is kept, and the file's value is not imported.`,
          });
        }
      }
      const ledger = ledgers.get(target.id) ?? [];
      const folded = foldLedger(ledger.map(toLedgerEvent));
      const consents = pass.consents.filter((c) => {
        const label = `${c.purposeId} (${c.channel})`;
        const path = record.consents[c.index]?.paths.purposeId;
        const recorded = ledger.some(
          (e) =>
            e.purposeId === c.purposeId &&
            e.channel === c.channel &&
            e.kind === c.kind &&
            e.occurredAt.getTime() === c.occurredAt.getTime(),
        );
        if (recorded) {
          notes.push({
            code: 'CONSENT_ALREADY_RECORDED',
            field: path,
            message: `${label}: this ${c.kind} event is already in the contact's consent ledger.`,
          });
          return false;
        }
        if (c.kind === 'granted') {
          const state = folded.byPurposeChannel[consentKey(c.purposeId, c.channel)];
          const purpose = purposes.get(c.purposeId);
          if (folded.objectedToDirectMarketingAt !== null && purpose?.isDirectMarketing) {
            notes.push({
              code: 'CONSENT_SUPERSEDED',
              field: path,
              message: `${label}: the person objected to direct marketing (Art. 21(2) GDPR); the objection stays in force.`,
            });
          } else if (
            state &&
            (state.status === 'withdrawn' || state.status === 'expired') &&
            state.since !== null &&
            Date.parse(state.since) > c.occurredAt.getTime()
          ) {
            notes.push({
              code: 'CONSENT_SUPERSEDED',
              field: path,
              message: `${label}: the contact's ledger has a later withdrawal or expiry; it stays in force.`,
            });
          }
        }
        return true;
      });
      rows.push({ row: record.row, outcome: 'merge', contactId: target.id, reasons: notes, consents: consents.length });
      plans.push({ outcome: 'merge', contactId: target.id, fill, ...accepted, consents });
      return;
    }

    const matches = [
      ...(possibleDuplicates.get(i) ?? []).map((d) => ({
        field: d.phone ? 'phone' : undefined,
        contactId: d.contactId,
        message: `${describeDuplicate(d)} as the existing contact ${d.contactId}.`,
      })),
      ...inFile,
    ];
    if (matches.length > 0 && !options.allowPossibleDuplicates) {
      return reject(
        matches.map((m) => ({
          ...m,
          code: 'POSSIBLE_DUPLICATE',
          message: `Possibly the same person: ${m.message} Tick “Create possible duplicates anyway” if it is another person.`,
        })),
      );
    }
    rows.push({
      row: record.row,
      outcome: 'create',
      contactId: null,
      reasons: matches.map((m) => ({
        ...m,
        code: 'POSSIBLE_DUPLICATE_ALLOWED',
        message: `Created although possibly the same person: ${m.message}`,
      })),
      consents: pass.consents.length,
    });
    plans.push({ outcome: 'create', ...accepted });
  });

  const summary = { create: 0, merge: 0, reject: 0 };
  for (const row of rows) summary[row.outcome] += 1;
  return { rows, plans, summary };
}
