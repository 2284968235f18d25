import { z } from 'zod';
import { ZStoredMessage, ZStoredMessageSummary, type StoredMessage, type StoredMessageSummary } from './types.ts';

export type { StoredMessage, StoredMessageSummary } from './types.ts';

/** Reads the sink's HTTP API; used by tests and by the API's outbox view. */
export function createMailSinkClient(baseUrl: string) {
  const get = async (path: string): Promise<unknown> => {
    const res = await fetch(new URL(path, baseUrl));
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`mail sink answered ${res.status} for ${path}`);
    return res.json();
  };
  return {
    async list(): Promise<StoredMessageSummary[]> {
      return z.array(ZStoredMessageSummary).parse(await get('/api/messages'));
    },
    async get(id: string): Promise<StoredMessage | null> {
      const body = await get(`/api/messages/${encodeURIComponent(id)}`);
      return body === null ? null : ZStoredMessage.parse(body);
    },
    async clear(): Promise<void> {
      const res = await fetch(new URL('/api/messages', baseUrl), { method: 'DELETE' });
      if (!res.ok) throw new Error(`mail sink answered ${res.status} to DELETE`);
    },
  };
}
export type MailSinkClient = ReturnType<typeof createMailSinkClient>;
