import type { DataCategory, Db, LegalBasis, TransferMechanism } from '@zweck/db';
import { countryName, EEA_COUNTRIES, TRANSFER_MECHANISM_LABELS } from '@zweck/policy';
import { stringify } from 'csv-stringify/sync';
import { retentionPeriodsFor } from '../retention/periods.ts';
import { isoDate } from '../routers/processors/processors.router.ts';

/** The controller and its DPO, from the API's configuration (Art. 30(1)(a)). */
export interface ControllerInfo {
  name: string;
  address: string;
  email: string;
  dpoName: string;
  dpoEmail: string;
}

export const LEGAL_BASIS_ARTICLES: Record<LegalBasis, string> = {
  consent: 'Consent, Art. 6(1)(a) GDPR',
  contract: 'Performance of a contract, Art. 6(1)(b) GDPR',
  legal_obligation: 'Legal obligation, Art. 6(1)(c) GDPR',
  legitimate_interest: 'Legitimate interest, Art. 6(1)(f) GDPR',
};

/** Art. 30(1)(c): whose data the CRM holds. One description for every purpose: they all process the CRM's contacts. */
export const DATA_SUBJECTS = 'Contacts in the CRM: prospects, customers, newsletter subscribers and event participants';

/** Art. 30(1)(g): a general description of the measures of Art. 32 (detailed in docs/SECURITY.md). */
export const SECURITY_MEASURES =
  'Role-based access on a need-to-know basis with logged reads of personal data; a hash-chained, append-only audit log; ' +
  'encrypted workflow payloads with per-contact keys; consent checked before every processing step; ' +
  'database backups with tested restore (see docs/SECURITY.md).';

export interface ProcessingActivity {
  purposeId: string;
  name: string;
  description: string;
  legalBasis: LegalBasis;
  legalBasisText: string;
  balancingTest: string | null;
  channels: string[];
  isDirectMarketing: boolean;
  dataSubjects: string;
  dataCategories: Array<{ category: DataCategory; fields: Array<{ key: string; label: string }> }>;
  recipients: Array<{
    processorId: string;
    name: string;
    service: string;
    country: string;
    countryName: string;
    transferMechanism: TransferMechanism;
    transferMechanismText: string;
    thirdCountry: boolean;
    contractSignedOn: string;
  }>;
  retention: Array<
    { source: 'policy'; policyName: string; period: string; anchor: string; action: string } | { source: 'purpose'; months: number }
  >;
  /** One sentence for documents and CSV. */
  retentionText: string;
  securityMeasures: string;
}

export interface RecordsOfProcessing {
  generatedAt: string;
  controller: ControllerInfo;
  activities: ProcessingActivity[];
}

const ANCHOR_TEXT: Record<string, string> = {
  last_interaction: 'the last interaction',
  contract_end: 'the end of the contract',
  consent_withdrawn: 'the withdrawal of consent',
  created: 'the creation of the record',
};

/** "P24M" -> "24 months", "P3Y6M" -> "3 years 6 months". */
export function durationText(period: string): string {
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(period);
  if (!match) return period;
  const units = ['year', 'month', 'week', 'day'];
  const parts = match
    .slice(1)
    .map((n, i) => (n === undefined ? null : `${n} ${units[i]}${n === '1' ? '' : 's'}`))
    .filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(' ') : period;
}

function retentionText(retention: ProcessingActivity['retention']): string {
  if (retention.length === 0) return 'Not yet set by the DPO';
  return retention
    .map((r) =>
      r.source === 'policy'
        ? `${durationText(r.period)} after ${ANCHOR_TEXT[r.anchor] ?? r.anchor}, then ${r.action} (policy "${r.policyName}")`
        : `${r.months} month${r.months === 1 ? '' : 's'} after the legal basis ends (purpose setting)`,
    )
    .join('; ');
}

/**
 * The records of processing activities (Art. 30(1) GDPR), generated from what the system itself
 * runs on: one activity per purpose of the catalogue, with its legal basis (and balancing test),
 * channels, the fields it may use grouped by data category, the processors that receive its
 * data and where they are, and its retention (the retention policies that apply, else the
 * purpose's own setting).
 */
export async function buildRecords(db: Db, controller: ControllerInfo, now: Date): Promise<RecordsOfProcessing> {
  const purposes = await db.purpose.findMany({
    select: {
      id: true,
      name: true,
      description: true,
      legalBasis: true,
      balancingTest: true,
      channels: true,
      isDirectMarketing: true,
      retentionMonths: true,
      fields: { select: { field: { select: { key: true, label: true, category: true } } } },
      processors: {
        select: {
          processor: {
            select: { id: true, name: true, service: true, country: true, transferMechanism: true, contractSignedOn: true },
          },
        },
      },
    },
    orderBy: { name: 'asc' },
  });
  const periods = await retentionPeriodsFor(
    db,
    purposes.map((p) => p.id),
  );
  const policyNames = new Map(
    (
      await db.retentionPolicy.findMany({
        where: { id: { in: [...new Set(periods.map((p) => p.policyId))] } },
        select: { id: true, name: true },
      })
    ).map((p) => [p.id, p.name]),
  );

  const activities = purposes.map((p): ProcessingActivity => {
    const byCategory = new Map<DataCategory, Array<{ key: string; label: string }>>();
    for (const { field } of p.fields) {
      const list = byCategory.get(field.category) ?? [];
      list.push({ key: field.key, label: field.label });
      byCategory.set(field.category, list);
    }
    const dataCategories = [...byCategory.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([category, fields]) => ({ category, fields: fields.sort((a, b) => a.key.localeCompare(b.key)) }));
    const recipients = p.processors
      .map(({ processor: r }) => ({
        processorId: r.id,
        name: r.name,
        service: r.service,
        country: r.country,
        countryName: countryName(r.country) ?? r.country,
        transferMechanism: r.transferMechanism,
        transferMechanismText: TRANSFER_MECHANISM_LABELS[r.transferMechanism],
        thirdCountry: !EEA_COUNTRIES.has(r.country),
        contractSignedOn: isoDate(r.contractSignedOn),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const fromPolicies: ProcessingActivity['retention'] = periods
      .filter((r) => r.purposeId === p.id)
      .map((r) => ({
        source: 'policy',
        policyName: policyNames.get(r.policyId) ?? r.policyId,
        period: r.period,
        anchor: r.anchor,
        action: r.action,
      }));
    const retention: ProcessingActivity['retention'] =
      fromPolicies.length > 0 ? fromPolicies : p.retentionMonths !== null ? [{ source: 'purpose', months: p.retentionMonths }] : [];
    return {
      purposeId: p.id,
      name: p.name,
      description: p.description,
      legalBasis: p.legalBasis,
      legalBasisText: LEGAL_BASIS_ARTICLES[p.legalBasis],
      balancingTest: p.balancingTest,
      channels: [...p.channels],
      isDirectMarketing: p.isDirectMarketing,
      dataSubjects: DATA_SUBJECTS,
      dataCategories,
      recipients,
      retention,
      retentionText: retentionText(retention),
      securityMeasures: SECURITY_MEASURES,
    };
  });
  return { generatedAt: now.toISOString(), controller, activities };
}

export const RECORDS_CSV_COLUMNS = [
  'purpose_id',
  'processing_activity',
  'description',
  'legal_basis',
  'balancing_test',
  'channels',
  'data_subjects',
  'data_categories',
  'fields',
  'recipients',
  'third_country_transfers',
  'retention',
  'security_measures',
  'controller',
  'dpo',
] as const;

/** One row per processing activity, lists joined with "; " (RFC 4180 quoting by csv-stringify). */
export function recordsCsv(records: RecordsOfProcessing): string {
  const controller = `${records.controller.name}, ${records.controller.address}, ${records.controller.email}`;
  const dpo = `${records.controller.dpoName}, ${records.controller.dpoEmail}`;
  const rows = records.activities.map((a) => [
    a.purposeId,
    a.name,
    a.description,
    a.legalBasisText,
    a.balancingTest ?? '',
    a.channels.join('; '),
    a.dataSubjects,
    a.dataCategories.map((c) => c.category).join('; '),
    a.dataCategories.flatMap((c) => c.fields.map((f) => f.key)).join('; '),
    a.recipients.map((r) => `${r.name} (${r.service}; ${r.countryName})`).join('; '),
    a.recipients
      .filter((r) => r.thirdCountry)
      .map((r) => `${r.name}: ${r.countryName}, ${r.transferMechanismText}`)
      .join('; '),
    a.retentionText,
    a.securityMeasures,
    controller,
    dpo,
  ]);
  return stringify([[...RECORDS_CSV_COLUMNS], ...rows], { eof: true, record_delimiter: 'windows' });
}
