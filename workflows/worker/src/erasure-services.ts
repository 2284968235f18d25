import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
// A CommonJS module: its namespace comes in as the default export under Node's ESM loader.
import proto from '@temporalio/proto';
import type { ErasureMailSink, ErasureServices, ErasureTemporal } from '@zweck/activities';
import { contactPayloadKeyRows, type Db } from '@zweck/db';
import { createContactScope, EncryptionCodec, PayloadKeyMissingError, type ContactScope, type KeyRing } from '@zweck/temporal-codec';
import { contactScopeOfWorkflowId } from '@zweck/workflows/contracts';

/**
 * The contact scope of the payload codec (crypto-shredding): per-contact workflows, known by
 * their IDs, are sealed with the contact's own key from `contact_payload_key`. The API's client
 * builds the same scope over the same table.
 */
export const createWorkerContactScope = (db: Db, ring: KeyRing): ContactScope =>
  createContactScope(ring, contactPayloadKeyRows(db), contactScopeOfWorkflowId);

const { temporal } = proto;

const GRPC_NOT_FOUND = 5;
const isNotFound = (error: unknown): boolean =>
  error instanceof WorkflowNotFoundError ||
  (typeof error === 'object' && error !== null && (error as { code?: unknown }).code === GRPC_NOT_FOUND);

/** Every Payload in a history event (inputs, results, signals, failures, memos, markers), wherever it sits. */
function collectPayloads(value: unknown, out: Payload[]): void {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (Array.isArray(value)) {
    for (const item of value) collectPayloads(item, out);
    return;
  }
  const record = value as Record<string, unknown>;
  if (record['data'] instanceof Uint8Array && typeof record['metadata'] === 'object' && record['metadata'] !== null) {
    out.push(record);
    return;
  }
  for (const child of Object.values(record)) collectPayloads(child, out);
}

/** Temporal as the erasure activity needs it, through @temporalio/client (which activities may not import). */
export function createErasureTemporal(client: Client, codec: EncryptionCodec): ErasureTemporal {
  const namespace = client.options.namespace;
  return {
    async listWorkflowIds(query) {
      const ids = new Set<string>();
      for await (const execution of client.workflow.list({ query })) ids.add(execution.workflowId);
      return [...ids];
    },
    async terminate(workflowId, reason) {
      try {
        const description = await client.workflow.getHandle(workflowId).describe();
        if (description.status.name !== 'RUNNING') return false;
        await client.workflow.getHandle(workflowId).terminate(reason);
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async deleteExecution(workflowId) {
      try {
        await client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution: { workflowId } });
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    async history(workflowId) {
      const events: proto.temporal.api.history.v1.IHistoryEvent[] = [];
      let nextPageToken: Uint8Array | undefined;
      try {
        do {
          const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, nextPageToken });
          events.push(...(page.history?.events ?? []));
          nextPageToken = page.nextPageToken && page.nextPageToken.length > 0 ? page.nextPageToken : undefined;
        } while (nextPageToken);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      const raw = temporal.api.history.v1.History.encode({ events }).finish();
      const payloads: Payload[] = [];
      collectPayloads(events, payloads);
      return { raw, payloads };
    },
    async decodeText(payload) {
      try {
        const [plain] = await codec.decode([payload]);
        return Buffer.from(plain?.data ?? []).toString('utf8');
      } catch (error) {
        if (error instanceof PayloadKeyMissingError) return null;
        throw error;
      }
    },
  };
}

/** The development SMTP sink's HTTP API (infra/mail-sink): delete and search by recipient and terms. */
export function createErasureMailSink(baseUrl: string): ErasureMailSink {
  return {
    async removeByRecipient(address) {
      const url = new URL('/api/messages', baseUrl);
      url.searchParams.set('recipient', address);
      const res = await fetch(url, { method: 'DELETE' });
      if (!res.ok) throw new Error(`mail sink answered ${res.status} to a delete by recipient`);
      return ((await res.json()) as { deleted: number }).deleted;
    },
    async search(terms) {
      const res = await fetch(new URL('/api/messages/search', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ terms }),
      });
      if (!res.ok) throw new Error(`mail sink answered ${res.status} to a search`);
      return (await res.json()) as { messages: number; matches: number };
    },
  };
}

export function createErasureServices(options: {
  client: Client;
  db: Db;
  scope: ContactScope;
  ring: KeyRing;
  mailSinkUrl?: string;
}): ErasureServices {
  return {
    temporal: createErasureTemporal(options.client, new EncryptionCodec(options.ring, options.scope)),
    keys: options.scope.keys,
    mailSink: options.mailSinkUrl ? createErasureMailSink(options.mailSinkUrl) : null,
  };
}
