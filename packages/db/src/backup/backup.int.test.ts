import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, withDatabase } from '../testing.ts';
import { BackupError, backupDatabase, restoreDatabase, ZBackupKey } from './backup.ts';

const run = promisify(execFile);
const POSTGRES_SH = fileURLToPath(new URL('../../../../infra/postgres.sh', import.meta.url));
const PG_BIN = process.env.PG_BIN ?? '';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

/**
 * A second PostgreSQL cluster, made with initdb for this test only (the same script that starts
 * the development cluster, pointed at a scratch directory and port): "restores into a fresh cluster".
 */
async function freshCluster(): Promise<{ serverUrl: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'zweck-restore-'));
  await chmod(dir, 0o755); // as root (CI), the cluster runs as the postgres user, who must reach it
  const port = await freePort();
  const serverUrl = `postgresql://zweck@127.0.0.1:${port}/postgres`;
  const env = {
    ...process.env,
    ZWECK_DATA_DIR: dir,
    ZWECK_PG_PORT: String(port),
    ZWECK_PG_SERVER_URL: serverUrl,
    ZWECK_PG_EXTERNAL: '',
    ZWECK_PG_FSYNC: 'off',
  };
  await run('bash', [POSTGRES_SH, 'start'], { env });
  return {
    serverUrl,
    async stop() {
      await run('bash', [POSTGRES_SH, 'stop'], { env }).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function createEmptyDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return withDatabase(serverUrl, name);
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

describe('backup and restore', () => {
  const key = ZBackupKey.parse(`test-1:${randomBytes(32).toString('base64')}`);
  const address = `restore-canary-${randomBytes(4).toString('hex')}@example.org`;
  let source: TestDatabase;
  let cluster: Awaited<ReturnType<typeof freshCluster>>;
  let dir: string;
  let backupPath = '';

  beforeAll(async () => {
    source = await createTestDatabase(process.env.ZWECK_PG_SERVER_URL!, 'backup');
    const contactId = randomUUID();
    await query(source.url, `INSERT INTO contact (id, email, email_normalized, first_name) VALUES ($1, $2, $2, 'Rieke')`, [
      contactId,
      address,
    ]);
    dir = await mkdtemp(join(tmpdir(), 'zweck-backups-'));
    cluster = await freshCluster();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
    await source?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a sealed backup: the person is not readable in it, the manifest has its checksum and counts', async () => {
    const made = await backupDatabase({ databaseUrl: source.url, dir, key, pgBin: PG_BIN });
    backupPath = made.path;
    expect(made.counts.contact).toBe(1);
    expect(made.lastMigration).toMatch(/^\d{14}_/);
    const bytes = await readFile(made.path);
    expect(bytes.length).toBe(made.bytes);
    expect(bytes.includes(Buffer.from(address))).toBe(false);
    expect(bytes.includes(Buffer.from('Rieke'))).toBe(false);
    expect(bytes.subarray(0, 8).toString()).toBe('ZWECKBK1');
  }, 120_000);

  it('restores into an empty database of a fresh cluster, and the data is there', async () => {
    const target = await createEmptyDatabase(cluster.serverUrl, 'zweck_restored');
    const { manifest, counts } = await restoreDatabase({ backupPath, targetUrl: target, keys: [key], pgBin: PG_BIN });
    expect(counts).toEqual(manifest.counts);
    const rows = await query<{ email: string; first_name: string }>(target, 'SELECT email, first_name FROM contact');
    expect(rows).toEqual([{ email: address, first_name: 'Rieke' }]);
    // The schema came along whole: the migrations table names the same last migration.
    const [last] = await query<{ name: string }>(target, 'SELECT max(migration_name) AS name FROM _prisma_migrations');
    expect(last?.name).toBe(manifest.lastMigration);
  }, 120_000);

  it('refuses a non-empty target, a wrong key, and a changed backup, and restores nothing', async () => {
    const used = withDatabase(cluster.serverUrl, 'zweck_restored');
    await expect(restoreDatabase({ backupPath, targetUrl: used, keys: [key], pgBin: PG_BIN })).rejects.toMatchObject({
      code: 'RESTORE_TARGET_NOT_EMPTY',
    });

    const empty = await createEmptyDatabase(cluster.serverUrl, 'zweck_refused');
    const other = ZBackupKey.parse(`test-2:${randomBytes(32).toString('base64')}`);
    await expect(restoreDatabase({ backupPath, targetUrl: empty, keys: [other], pgBin: PG_BIN })).rejects.toMatchObject({
      code: 'BACKUP_WRONG_KEY',
    });
    // The same key ID with other key material: the tag fails.
    const impostor = ZBackupKey.parse(`test-1:${randomBytes(32).toString('base64')}`);
    await expect(restoreDatabase({ backupPath, targetUrl: empty, keys: [impostor], pgBin: PG_BIN })).rejects.toMatchObject({
      code: 'BACKUP_DAMAGED',
    });

    // One bit changed in the middle: the manifest's checksum catches it...
    const bytes = await readFile(backupPath);
    const changed = Buffer.from(bytes);
    const at = Math.floor(changed.length / 2);
    changed[at] = changed[at]! ^ 1;
    const changedPath = join(dir, 'changed.zbak');
    await writeFile(changedPath, changed);
    const manifest = JSON.parse(await readFile(`${backupPath}.json`, 'utf8')) as Record<string, unknown>;
    await writeFile(`${changedPath}.json`, JSON.stringify({ ...manifest, file: 'changed.zbak' }));
    const damaged = await restoreDatabase({ backupPath: changedPath, targetUrl: empty, keys: [key], pgBin: PG_BIN }).catch(
      (e: unknown) => e,
    );
    expect(damaged).toBeInstanceOf(BackupError);
    expect((damaged as BackupError).message).toMatch(/SHA-256/);
    // ...and with a forged checksum, the authentication tag does.
    await writeFile(
      `${changedPath}.json`,
      JSON.stringify({ ...manifest, file: 'changed.zbak', sha256: createHash('sha256').update(changed).digest('hex') }),
    );
    const forged = await restoreDatabase({ backupPath: changedPath, targetUrl: empty, keys: [key], pgBin: PG_BIN }).catch(
      (e: unknown) => e,
    );
    expect((forged as BackupError).code).toBe('BACKUP_DAMAGED');
    expect((forged as BackupError).message).toMatch(/authentication tag/);

    const [tables] = await query<{ n: string }>(empty, "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'");
    expect(Number(tables?.n)).toBe(0);
  }, 120_000);
});
