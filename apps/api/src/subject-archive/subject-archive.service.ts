import { randomUUID } from 'node:crypto';
import type { Db } from '@zweck/db';
import { audit } from '../audit.ts';
import type { ApiEnv } from '../env.ts';
import { buildSubjectArchive, type SubjectArchive } from './build-archive.ts';

export interface ProducedArchive {
  id: string;
  contactId: string;
  sha256: string;
  byteSize: number;
  requestId: string | null;
  producedAt: Date;
}

type Deps = { db: Db; env: Pick<ApiEnv, 'CONTROLLER_NAME' | 'PRIVACY_NOTICE_URL' | 'FIELD_ENCRYPTION_KEYS'> };

/**
 * Build a person's archive and record that it was produced: its SHA-256, size, by whom, for which
 * request, and an audit entry (an export of personal data, Art. 5(2), 32), in one transaction.
 * The bytes are handed to the caller and never stored.
 */
export async function produceSubjectArchive(
  deps: Deps,
  input: { contactId: string; actor: string; requestId?: string | null },
  now = new Date(),
): Promise<{ archive: SubjectArchive; record: ProducedArchive }> {
  const archive = await buildSubjectArchive(deps.db, deps.env.FIELD_ENCRYPTION_KEYS, input.contactId, {
    controller: { name: deps.env.CONTROLLER_NAME, privacyNoticeUrl: deps.env.PRIVACY_NOTICE_URL },
    now,
  });
  const record: ProducedArchive = {
    id: randomUUID(),
    contactId: input.contactId,
    sha256: archive.sha256,
    byteSize: archive.zip.byteLength,
    requestId: input.requestId ?? null,
    producedAt: now,
  };
  await deps.db.$transaction(async (tx) => {
    await tx.subjectArchive.create({ data: { ...record, producedBy: input.actor } });
    await audit(tx, {
      actor: input.actor,
      action: 'subject_archive.export',
      entityType: 'contact',
      entityId: input.contactId,
      details: { archiveId: record.id, sha256: record.sha256, bytes: record.byteSize, requestId: record.requestId },
    });
  });
  return { archive, record };
}

/** `subject-archive-<contact>-<date>.zip`: IDs and a date, nothing that names the person. */
export const archiveFileName = (contactId: string, producedAt: Date): string =>
  `subject-archive-${contactId}-${producedAt.toISOString().slice(0, 10)}.zip`;
