import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpHarness, type Harness } from '../test/harness.ts';

describe('request size', () => {
  let h: Harness & { app: FastifyInstance };
  beforeAll(async () => {
    h = await createHttpHarness();
  });
  afterAll(async () => h?.close());

  const post = (procedure: string, bytes: number) =>
    h.app.inject({
      method: 'POST',
      url: `/trpc/${procedure}`,
      headers: { 'content-type': 'application/json', 'x-zweck-csrf': '1' },
      payload: JSON.stringify({ format: 'csv', source: 'x', content: `email\n${'a'.repeat(bytes)}` }),
    });

  it('lets a file-sized body reach the import procedures, and keeps every other procedure small', async () => {
    // Signed out: the procedure answers (401), so the body got past the limit.
    expect((await post('import.dryRun', 3 * 1024 * 1024)).statusCode).toBe(401);
    expect((await post('import.commit', 3 * 1024 * 1024)).statusCode).toBe(401);
    expect((await post('contacts.create', 300 * 1024)).statusCode).toBe(413);
    expect((await post('import.dryRun,contacts.create', 300 * 1024)).statusCode).toBe(413);
    expect((await post('contacts.create', 1024)).statusCode).toBe(401);
  });
});
