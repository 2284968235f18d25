import type { RouterInputs, RouterOutputs } from '../../lib/trpc.ts';

export type ImportFormat = RouterInputs['import']['dryRun']['format'];
export type ImportGuide = RouterOutputs['import']['guide'];
export type DryRun = RouterOutputs['import']['dryRun'];
export type ReportRow = DryRun['rows'][number];
export type Outcome = ReportRow['outcome'];
export type CommitResult = RouterOutputs['import']['commit'];

export interface ChosenFile {
  name: string;
  size: number;
  format: ImportFormat;
  content: string;
}

/** CSV or the Zweck contacts document, by the file's name, then its type. */
export function formatOf(file: { name: string; type: string }): ImportFormat | null {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv') || name.endsWith('.txt') || file.type === 'text/csv') return 'csv';
  if (name.endsWith('.json') || file.type === 'application/json') return 'json';
  return null;
}

export const formatSize = (bytes: number): string =>
  bytes < 1024 ? `${bytes} bytes` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(0)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Reads the file in the browser (UTF-8; the decoder drops a byte order mark). The API checks
 * again and is the authority; this check saves uploading a file that cannot pass.
 */
export async function readImportFile(
  file: File,
  maxBytes: number,
): Promise<{ ok: true; file: ChosenFile } | { ok: false; message: string }> {
  const format = formatOf(file);
  if (format === null) return { ok: false, message: 'Choose a CSV file (.csv) or a Zweck contacts export (.json).' };
  if (file.size === 0) return { ok: false, message: 'The file is empty.' };
  if (file.size > maxBytes) {
    return {
      ok: false,
      message: `The file has ${formatSize(file.size)}; an import takes at most ${formatSize(maxBytes)}. Split it into smaller files.`,
    };
  }
  const content = await file.text();
  // Not UTF-8: the decoder put replacement characters where the bytes made no sense.
  if (content.includes('\uFFFD')) {
    return {
      ok: false,
      message: 'The file is not UTF-8 encoded. In Excel, save it as “CSV UTF-8 (comma delimited)”, then choose it again.',
    };
  }
  return { ok: true, file: { name: file.name, size: file.size, format, content } };
}

const cell = (value: string): string => (/[",;\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * A CSV template from the catalogues as they are: every field a purpose uses, the consent
 * columns, and two example rows (one with consent and its proof, one on another legal basis).
 */
export function csvTemplate(guide: ImportGuide): string {
  const fields = guide.fields.filter((f) => f.isUsable).map((f) => f.key);
  const header = [...fields, ...guide.importColumns];
  const purpose = guide.consentPurposes[0];
  const wording = purpose?.wordings.find((w) => w.language === 'en') ?? purpose?.wordings[0];
  const example = (values: Record<string, string>) => header.map((column) => cell(values[column] ?? '')).join(',');
  const lines = [header.join(',')];
  if (purpose && wording) {
    lines.push(
      example({
        email: 'lena.beispiel@example.org',
        first_name: 'Lena',
        last_name: 'Beispiel',
        consent_purposes: purpose.id,
        consent_channel: purpose.channels[0] ?? 'email',
        consent_method: 'web_form',
        consent_wording_version: wording.version,
        consent_language: wording.language,
        consent_given_at: '2026-10-01T09:30:00+02:00',
        consent_source: 'Newsletter form on our website',
      }),
    );
  }
  const basis = guide.nonConsentBases[0];
  if (basis) {
    lines.push(
      example({
        email: 'jonas.muster@example.org',
        first_name: 'Jonas',
        last_name: 'Muster',
        organization: 'Muster GmbH',
        legal_basis: basis,
      }),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
