import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDMMF } from '@prisma/get-dmmf';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareFacts, factsFromDatabase, factsFromPrisma } from './drift.ts';
import { migrate, MIGRATIONS_DIR } from './migrate.ts';
import { createTestDatabase, type TestDatabase } from './testing.ts';

const serverUrl = process.env.ZWECK_PG_SERVER_URL;
if (!serverUrl) throw new Error('ZWECK_PG_SERVER_URL is not set: run the tests through infra/test.sh (it starts PostgreSQL)');

const schemaPath = new URL('../prisma/schema.prisma', import.meta.url);

async function prismaFacts(schema?: string) {
  const dmmf = getDMMF({ datamodel: schema ?? (await readFile(schemaPath, 'utf8')) });
  if ('type' in dmmf) throw dmmf.error;
  return factsFromPrisma(dmmf.datamodel);
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(serverUrl, 'migrations');
  });
  afterAll(async () => db?.drop());

  it('apply to an empty database and record themselves the way Prisma does', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM _prisma_migrations',
    );
    await client.end();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
    }
  });

  it('apply nothing the second time', async () => {
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it('refuse a migration that was edited after it was applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zweck-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = (await readdir(dir)).filter((n) => /^\d/.test(n)).sort();
    await writeFile(join(dir, first!, 'migration.sql'), '-- edited\n', { flag: 'a' });
    await expect(migrate(db.url, dir)).rejects.toThrow(/changed after it had been applied/);
  });

  it('roll back a failing migration completely', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zweck-migrations-'));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    await mkdir(join(dir, '99990101000000_broken'));
    await writeFile(join(dir, '99990101000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;');
    await expect(migrate(db.url, dir)).rejects.toThrow(/99990101000000_broken/);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const leftover = await client.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'`);
    const recorded = await client.query(`SELECT 1 FROM _prisma_migrations WHERE migration_name = '99990101000000_broken'`);
    await client.end();
    expect(leftover.rowCount).toBe(0);
    expect(recorded.rowCount).toBe(0);
  });

  it('produce exactly the schema that schema.prisma declares (drift test)', async () => {
    const report = compareFacts(await prismaFacts(), await factsFromDatabase(db.url));
    expect(report).toEqual({ onlyInPrisma: [], onlyInDatabase: [] });
  });

  it('drift is detected when schema.prisma gains a field the SQL lacks', async () => {
    const schema = (await readFile(schemaPath, 'utf8')).replace(
      '  lastName        String?         @map("last_name")',
      '  lastName        String?         @map("last_name")\n  nickname        String',
    );
    const report = compareFacts(await prismaFacts(schema), await factsFromDatabase(db.url));
    expect(report.onlyInPrisma).toEqual(['column contact.nickname text NOT NULL']);
  });

  it('keep the consent ledger and the audit log append-only', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO purpose (id, name, description, legal_basis, channels, is_direct_marketing) VALUES ('p', 'P', 'd', 'consent', '{email}', true)`,
      );
      await client.query(
        `INSERT INTO contact (id, email, email_normalized) VALUES ('00000000-0000-4000-8000-000000000001', 'a@example.org', 'a@example.org')`,
      );
      await client.query(`INSERT INTO consent_event (id, contact_id, purpose_id, channel, kind, occurred_at, method, source, actor)
        VALUES ('00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000001', 'p', 'email', 'granted', now(), 'web_form', 'test', 'contact')`);
      await expect(client.query(`UPDATE consent_event SET kind = 'withdrawn'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM consent_event`)).rejects.toThrow(/append-only/);
      await client.query(`INSERT INTO audit_event (actor, action, entity_type) VALUES ('system:test', 'x', 'y')`);
      await expect(client.query(`UPDATE audit_event SET action = 'z'`)).rejects.toThrow(/append-only/);
      // Only the erasure path, inside its own transaction, may remove ledger rows (Art. 17).
      await client.query('BEGIN');
      await client.query(`SET LOCAL zweck.erasure = 'on'`);
      await client.query(`DELETE FROM consent_event`);
      await client.query('COMMIT');
      expect((await client.query('SELECT 1 FROM consent_event')).rowCount).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('let a merge move ledger events to the surviving contact, and change nothing else', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO purpose (id, name, description, legal_basis, channels, is_direct_marketing)
        VALUES ('m', 'M', 'd', 'consent', '{email}', true) ON CONFLICT DO NOTHING`);
      await client.query(`INSERT INTO contact (id, email, email_normalized) VALUES
        ('00000000-0000-4000-8000-000000000011', 'b@example.org', 'b@example.org'),
        ('00000000-0000-4000-8000-000000000012', 'c@example.org', 'c@example.org')`);
      await client.query(`INSERT INTO consent_event (id, contact_id, purpose_id, channel, kind, occurred_at, method, source, actor)
        VALUES ('00000000-0000-4000-8000-000000000013', '00000000-0000-4000-8000-000000000011', 'm', 'email', 'granted', now(), 'web_form', 'test', 'contact')`);
      const move = `UPDATE consent_event SET contact_id = '00000000-0000-4000-8000-000000000012' WHERE id = '00000000-0000-4000-8000-000000000013'`;
      await expect(client.query(move)).rejects.toThrow(/append-only/);
      await client.query('BEGIN');
      await client.query(`SET LOCAL zweck.merge = 'on'`);
      // Even inside a merge, the proof itself cannot be rewritten.
      await expect(
        client.query(`UPDATE consent_event SET source = 'forged' WHERE id = '00000000-0000-4000-8000-000000000013'`),
      ).rejects.toThrow(/append-only/);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query(`SET LOCAL zweck.merge = 'on'`);
      await client.query(move);
      await client.query('COMMIT');
      const { rows } = await client.query<{ contact_id: string; source: string }>(
        `SELECT contact_id, source FROM consent_event WHERE id = '00000000-0000-4000-8000-000000000013'`,
      );
      expect(rows).toEqual([{ contact_id: '00000000-0000-4000-8000-000000000012', source: 'test' }]);
    } finally {
      await client.end();
    }
  });

  it('keep consent wordings immutable: a new text is a new version', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO purpose (id, name, description, legal_basis, channels, is_direct_marketing)
        VALUES ('w', 'W', 'd', 'consent', '{email}', true) ON CONFLICT DO NOTHING`);
      await client.query(
        `INSERT INTO consent_wording (purpose_id, version, language, text, text_hash) VALUES ('w', '1', 'en', 'Yes', 'sha256:x')`,
      );
      await expect(client.query(`UPDATE consent_wording SET text = 'No' WHERE purpose_id = 'w'`)).rejects.toThrow(/immutable/);
      await expect(client.query(`DELETE FROM consent_wording WHERE purpose_id = 'w'`)).rejects.toThrow(/immutable/);
    } finally {
      await client.end();
    }
  });

  it('refuse a field declared with a special category (Art. 9): the enum has no such value', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(
        client.query(
          `INSERT INTO field_definition (key, label, description, category, type) VALUES ('diagnosis', 'D', 'd', 'health', 'text')`,
        ),
      ).rejects.toThrow(/invalid input value for enum "DataCategory"/);
    } finally {
      await client.end();
    }
  });
});
