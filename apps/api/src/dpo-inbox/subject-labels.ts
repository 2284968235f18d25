import type { Db } from '@zweck/db';
import { dsrReference } from '../dsr/dsr.service.ts';

export const subjectLabelKey = (subjectType: string, subjectId: string): string => `${subjectType}:${subjectId}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * How the inbox names what a notice is about: a review's title, a policy's or processor's name,
 * a request's reference. A contact is named by its short ID only: a name in the inbox would be a
 * read of that person's data that nobody asked for; the link opens (and audits) the record. One
 * query per kind of subject on the page, never one per notice.
 */
export async function subjectLabels(db: Db, subjects: readonly { subjectType: string; subjectId: string }[]): Promise<Map<string, string>> {
  const idsOf = (type: string): string[] => [
    ...new Set(subjects.filter((s) => s.subjectType === type && UUID.test(s.subjectId)).map((s) => s.subjectId)),
  ];
  const key = subjectLabelKey;
  const labels = new Map<string, string>();
  const [reviews, policies, runs, requests, processors] = [
    idsOf('review'),
    idsOf('retention_policy'),
    idsOf('retention_run'),
    idsOf('data_subject_request'),
    idsOf('processor'),
  ];
  if (reviews.length > 0) {
    for (const r of await db.review.findMany({ where: { id: { in: reviews } }, select: { id: true, title: true } }))
      labels.set(key('review', r.id), r.title);
  }
  if (policies.length > 0) {
    for (const p of await db.retentionPolicy.findMany({ where: { id: { in: policies } }, select: { id: true, name: true } }))
      labels.set(key('retention_policy', p.id), p.name);
  }
  if (runs.length > 0) {
    for (const r of await db.retentionRun.findMany({
      where: { id: { in: runs } },
      select: { id: true, dueAt: true, policy: { select: { name: true } } },
    }))
      labels.set(key('retention_run', r.id), `${r.policy.name}, run due ${r.dueAt.toISOString().slice(0, 10)}`);
  }
  if (requests.length > 0) {
    for (const r of await db.dataSubjectRequest.findMany({ where: { id: { in: requests } }, select: { id: true, type: true } }))
      labels.set(key('data_subject_request', r.id), `${dsrReference(r.id)} (${r.type.replace(/_/g, ' ')})`);
  }
  if (processors.length > 0) {
    for (const p of await db.processor.findMany({ where: { id: { in: processors } }, select: { id: true, name: true } }))
      labels.set(key('processor', p.id), p.name);
  }
  for (const id of idsOf('contact')) labels.set(key('contact', id), `Contact ${id.slice(0, 8)}`);
  return labels;
}
