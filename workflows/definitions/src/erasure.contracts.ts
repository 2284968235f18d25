import { z } from 'zod';

/**
 * Erasure across every store (issue 5, Art. 17 GDPR). One workflow per contact, `erasure:<contactId>`,
 * whose own payloads are encrypted with the installation's key ring, never the contact's own key:
 * the workflow must outlive the key it destroys. IDs, counts and store names only in its history.
 */
export const erasureWorkflowId = (contactId: string): string => `erasure:${contactId}`;

export const ZErasureMode = z.enum(['erase', 'anonymize']);
export type ErasureMode = z.infer<typeof ZErasureMode>;

export const ZErasureCause = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('data_subject_request'), requestId: z.uuid() }),
  z.object({ kind: z.literal('retention'), policyId: z.uuid(), runId: z.uuid() }),
]);
export type ErasureCause = z.infer<typeof ZErasureCause>;

export const ZEraseContactInput = z.object({
  contactId: z.uuid(),
  mode: ZErasureMode,
  cause: ZErasureCause,
  /** 'user:<id>' or 'system:<component>'. */
  actor: z.string().min(1).max(80),
});
export interface EraseContactInput {
  contactId: string;
  mode: ErasureMode;
  cause: ErasureCause;
  actor: string;
}

export interface ErasureOutcome {
  contactId: string;
  mode: ErasureMode;
  erasedAt: string;
  database: { rowsDeleted: number; rowsAnonymized: number };
  mailLog: { removed: number };
  mailSink: { removed: number };
  temporal: { terminated: number; deleted: number; keyDestroyed: boolean };
}

export type ErasureStore = 'database' | 'mail_log' | 'mail_sink' | 'temporal';

/** The verifier's report: where it found the person's identifiers, as counts; never the identifiers themselves. */
export interface ErasureVerification {
  verifiedAt: string;
  clean: boolean;
  hits: Array<{ store: ErasureStore; where: string /* table.column or workflow ID */; count: number }>;
  /** What was searched, so that "clean" can be judged: tables and columns, messages, histories. */
  searched?: { database: { tables: number; columns: number }; mailSink: { messages: number } | null; temporal: { histories: number } };
}

export interface ContactErasureResult {
  outcome: ErasureOutcome;
  verification: ErasureVerification;
}

/**
 * The contact a workflow belongs to, from its ID: the payload codec encrypts that workflow's
 * payloads with the contact's own key (crypto-shredding). Campaigns (many contacts), the erasure
 * itself (must outlive the key) and everything else are not contact-scoped. A single-entry consent
 * receipt's ID names the ledger entry, not the contact: `consentEventId` lets the caller look it up.
 */
export function contactScopeOfWorkflowId(workflowId: string): { contactId: string } | { consentEventId: string } | null {
  for (const pattern of CONTACT_SCOPED_WORKFLOW_IDS) {
    const groups = pattern.exec(workflowId)?.groups;
    if (groups?.contact) return { contactId: groups.contact };
    if (groups?.event) return { consentEventId: groups.event };
  }
  return null;
}

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** The per-contact workflows (their ID builders: contracts.ts, journey.contracts.ts, lead.contracts.ts). */
const CONTACT_SCOPED_WORKFLOW_IDS: readonly RegExp[] = [
  new RegExp(`^welcome:[^:]+:(?<contact>${UUID})$`),
  new RegExp(`^journey:${UUID}:(?<contact>${UUID})$`),
  new RegExp(`^handoff:(?<contact>${UUID})$`),
  new RegExp(`^consent-receipt:(?<contact>${UUID}):[0-9a-f]+$`),
  new RegExp(`^consent-receipt:(?<event>${UUID})$`),
];
