import type { Db } from '@zweck/db';

export interface AuditEntry {
  /** 'user:<id>', 'contact:<id>' (the person themself, e.g. unsubscribing) or 'system:<component>'. */
  actor: string;
  action: string;
  entityType: string;
  entityId?: string | null;
  /** IDs and codes only: never personal data in clear text. */
  details?: Record<string, string | number | boolean | null | string[]>;
}

type AuditWriter = Pick<Db, 'auditEvent'>;

export async function audit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      details: entry.details ?? {},
    },
  });
}

/** Keeps the network, drops the host part (Art. 5(1)(c)): 203.0.113.42 -> 203.0.113.0. */
export function truncateIp(ip: string | null): string | null {
  if (ip === null) return null;
  const v4 = ip.replace(/^::ffff:/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return v4.replace(/\.\d+$/, '.0');
  if (ip.includes(':')) return `${ip.split(':').slice(0, 3).join(':')}::`;
  return null;
}
