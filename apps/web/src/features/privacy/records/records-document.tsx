import type { RouterOutputs } from '../../../lib/trpc.ts';
import { CATEGORY_LABELS } from '../../catalogue/catalogue.schema.ts';

export type RecordsOfProcessing = RouterOutputs['records']['get'];

const CHANNEL_NAMES: Record<string, string> = { email: 'E-mail', phone: 'Phone', sms: 'SMS', post: 'Post' };

/**
 * The records of processing activities (Art. 30(1) GDPR) as a document a person reads: the same
 * component renders the page and, as static markup, the HTML download.
 */
export function RecordsDocument({ records }: { records: RecordsOfProcessing }) {
  const { controller } = records;
  return (
    <article className="records-document" aria-label="Records of processing activities">
      <h1>Records of processing activities (Art. 30(1) GDPR)</h1>
      <dl className="records-facts">
        <dt>Controller</dt>
        <dd>
          {controller.name}, {controller.address}, {controller.email}
        </dd>
        <dt>Data protection officer</dt>
        <dd>
          {controller.dpoName}, {controller.dpoEmail}
        </dd>
        <dt>Generated</dt>
        <dd>
          {records.generatedAt.replace('T', ' ').slice(0, 16)} UTC, from the purpose and field catalogues, the processors and the retention
          policies
        </dd>
        <dt>Processing activities</dt>
        <dd>{records.activities.length}</dd>
      </dl>
      {records.activities.map((a) => (
        <section key={a.purposeId} className="records-activity" aria-labelledby={`activity-${a.purposeId}`}>
          <h2 id={`activity-${a.purposeId}`}>{a.name}</h2>
          <dl className="records-facts">
            <dt>Purpose (Art. 30(1)(b))</dt>
            <dd>{a.description}</dd>
            <dt>Legal basis</dt>
            <dd>{a.legalBasisText}</dd>
            {a.balancingTest ? (
              <>
                <dt>Balancing test</dt>
                <dd>{a.balancingTest}</dd>
              </>
            ) : null}
            <dt>Channels</dt>
            <dd>
              {a.channels.map((c) => CHANNEL_NAMES[c] ?? c).join(', ')}
              {a.isDirectMarketing ? ' (direct marketing)' : ''}
            </dd>
            <dt>Data subjects (Art. 30(1)(c))</dt>
            <dd>{a.dataSubjects}</dd>
            <dt>Personal data (Art. 30(1)(c))</dt>
            <dd>
              {a.dataCategories.length === 0
                ? 'No fields of the catalogue'
                : a.dataCategories
                    .map((c) => `${CATEGORY_LABELS[c.category].label}: ${c.fields.map((f) => f.label).join(', ')}`)
                    .join('\n')}
            </dd>
            <dt>Recipients (Art. 30(1)(d))</dt>
            <dd>
              {a.recipients.length === 0
                ? 'No processors'
                : a.recipients.map((r) => `${r.name}: ${r.service} (${r.countryName}, contract of ${r.contractSignedOn})`).join('\n')}
            </dd>
            <dt>Third-country transfers (Art. 30(1)(e))</dt>
            <dd>
              {a.recipients.some((r) => r.thirdCountry)
                ? a.recipients
                    .filter((r) => r.thirdCountry)
                    .map((r) => `${r.name}: ${r.countryName}, ${r.transferMechanismText}`)
                    .join('\n')
                : 'None'}
            </dd>
            <dt>Erasure (Art. 30(1)(f))</dt>
            <dd>{a.retentionText}</dd>
            <dt>Security measures (Art. 30(1)(g))</dt>
            <dd>{a.securityMeasures}</dd>
          </dl>
        </section>
      ))}
    </article>
  );
}
