import { spawn } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { z } from 'zod';

/*
 * Encrypted database backups (Art. 32(1)(b), (c): confidentiality of the copies, and the ability
 * to restore availability). pg_dump's custom format, sealed with AES-256-GCM under BACKUP_KEY.
 *
 * Written with Node's crypto rather than gpg or age: neither is installed on these machines, and
 * a backup that depends on a tool the restore host may lack is not a backup. The container is
 * small and documented here: MAGIC | key ID length (1 byte) | key ID | IV (12) | ciphertext | tag (16).
 * The manifest beside it carries the file's SHA-256, so that a damaged copy is found before any
 * of it is decrypted; the GCM tag then proves the content, and the restore decrypts to a private
 * temporary file first, so that a tampered backup restores nothing at all.
 */

const MAGIC = Buffer.from('ZWECKBK1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `BACKUP_KEY="<id>:<base64 of 32 bytes>"`; the ID goes into the file, so that an old backup names the key it needs. */
export const ZBackupKey = z.string({ error: 'BACKUP_KEY is not set' }).transform((value, ctx) => {
  const [id, material] = value.split(':');
  const key = Buffer.from(material ?? '', 'base64');
  if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id) || key.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'BACKUP_KEY must be written as <id>:<base64 of 32 bytes>' });
    return z.NEVER;
  }
  return { id, key };
});
export type BackupKey = z.infer<typeof ZBackupKey>;

export const ZBackupManifest = z.object({
  format: z.literal('zweck-backup/1'),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
  keyId: z.string(),
  createdAt: z.iso.datetime(),
  /** The last migration applied in the backed-up database: a restore target gets the same schema. */
  lastMigration: z.string().nullable(),
  /** Row counts of a few tables, to check a restore against (counts only, no personal data). */
  counts: z.record(z.string(), z.number().int()),
});
export type BackupManifest = z.infer<typeof ZBackupManifest>;

export type BackupErrorCode = 'PG_TOOL_FAILED' | 'BACKUP_DAMAGED' | 'BACKUP_WRONG_KEY' | 'RESTORE_TARGET_NOT_EMPTY';

export class BackupError extends Error {
  override readonly name = 'BackupError';
  constructor(
    readonly code: BackupErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const COUNTED_TABLES = ['contact', 'consent_event', 'audit_event', 'campaign', 'app_user'] as const;

async function countsOf(databaseUrl: string): Promise<{ counts: Record<string, number>; lastMigration: string | null }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of COUNTED_TABLES) {
      // A database behind on its migrations may lack a table: it is left out of the counts.
      const { rows: exists } = await client.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [`public."${table}"`]);
      if (exists[0]?.t == null) continue;
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
      counts[table] = Number(rows[0]?.n ?? 0);
    }
    const { rows } = await client.query<{ name: string }>(
      'SELECT migration_name AS name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name DESC LIMIT 1',
    );
    return { counts, lastMigration: rows[0]?.name ?? null };
  } finally {
    await client.end();
  }
}

/** Runs a PostgreSQL client tool; its stderr (which may name tables, never rows) goes into the error. */
function runTool(
  tool: string,
  args: string[],
  io: { stdout?: NodeJS.WritableStream },
): { done: Promise<void>; stdout: NodeJS.ReadableStream } {
  const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error) => reject(new BackupError('PG_TOOL_FAILED', `${tool} could not be started: ${error.message}`)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new BackupError('PG_TOOL_FAILED', `${tool} exited with ${code ?? 'a signal'}: ${stderr.trim()}`)),
    );
  });
  if (io.stdout) child.stdout.pipe(io.stdout);
  return { done, stdout: child.stdout };
}

const sha256OfFile = async (path: string): Promise<string> => {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
};

/** Dumps `databaseUrl`, seals it, writes `<dir>/zweck-<time>.zbak` and its manifest; returns the manifest. */
export async function backupDatabase(input: {
  databaseUrl: string;
  dir: string;
  key: BackupKey;
  now?: Date;
  pgBin?: string;
}): Promise<BackupManifest & { path: string }> {
  const now = input.now ?? new Date();
  await mkdir(input.dir, { recursive: true, mode: 0o700 });
  const file = `zweck-${now.toISOString().replace(/[:.]/g, '-')}.zbak`;
  const path = join(input.dir, file);
  const { counts, lastMigration } = await countsOf(input.databaseUrl);

  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', input.key.key, iv);
  const keyId = Buffer.from(input.key.id);
  const out = createWriteStream(path, { mode: 0o600 });
  out.write(Buffer.concat([MAGIC, Buffer.from([keyId.length]), keyId, iv]));
  const dump = runTool(
    join(input.pgBin ?? '', 'pg_dump'),
    ['--format=custom', '--no-owner', '--no-privileges', `--dbname=${input.databaseUrl}`],
    {},
  );
  try {
    await Promise.all([pipeline(dump.stdout, cipher, out, { end: false }), dump.done]);
    await new Promise<void>((resolve, reject) =>
      out.end(cipher.getAuthTag(), (error?: Error | null) => (error ? reject(error) : resolve())),
    );
  } catch (error) {
    out.destroy();
    await rm(path, { force: true });
    throw error;
  }

  const manifest: BackupManifest = {
    format: 'zweck-backup/1',
    file,
    sha256: await sha256OfFile(path),
    bytes: (await stat(path)).size,
    keyId: input.key.id,
    createdAt: now.toISOString(),
    lastMigration,
    counts,
  };
  await writeFile(`${path}.json`, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return { ...manifest, path };
}

/** Emits everything but the last `keep` bytes (the GCM tag), which it hands to `onTail` at the end. */
function withholdTail(keep: number, onTail: (tail: Buffer) => void): Transform {
  let held = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const all = Buffer.concat([held, chunk]);
      const cut = Math.max(0, all.length - keep);
      held = all.subarray(cut);
      callback(null, all.subarray(0, cut));
    },
    flush(callback) {
      onTail(held);
      callback();
    },
  });
}

/**
 * Restores a backup into `targetUrl`, which must be an empty database (a restore never overwrites:
 * the operator drops what is to be replaced, on purpose). Checks the manifest's checksum, then the
 * GCM tag, before pg_restore sees a byte. Returns the restored database's counts beside the manifest's.
 */
export async function restoreDatabase(input: {
  backupPath: string;
  targetUrl: string;
  keys: BackupKey[];
  pgBin?: string;
  tmpDir?: string;
}): Promise<{ manifest: BackupManifest; counts: Record<string, number> }> {
  const manifest = ZBackupManifest.parse(JSON.parse(await readFile(`${input.backupPath}.json`, 'utf8')));
  if ((await sha256OfFile(input.backupPath)) !== manifest.sha256) {
    throw new BackupError(
      'BACKUP_DAMAGED',
      `${basename(input.backupPath)} does not match its manifest's SHA-256: the copy is damaged or was changed`,
    );
  }

  const target = new pg.Client({ connectionString: input.targetUrl });
  await target.connect();
  try {
    const { rows } = await target.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    );
    if (Number(rows[0]?.n ?? 0) > 0) {
      throw new BackupError('RESTORE_TARGET_NOT_EMPTY', 'The target database already has tables; restore into an empty database');
    }
  } finally {
    await target.end();
  }

  const handle = await open(input.backupPath, 'r');
  const header = Buffer.alloc(MAGIC.length + 1 + 255 + IV_BYTES);
  await handle.read(header, 0, header.length, 0);
  await handle.close();
  if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError('BACKUP_DAMAGED', 'Not a Zweck backup (wrong magic bytes)');
  const idLength = header[MAGIC.length]!;
  const keyId = header.subarray(MAGIC.length + 1, MAGIC.length + 1 + idLength).toString();
  const iv = header.subarray(MAGIC.length + 1 + idLength, MAGIC.length + 1 + idLength + IV_BYTES);
  const key = input.keys.find((k) => k.id === keyId);
  if (!key) throw new BackupError('BACKUP_WRONG_KEY', `The backup was sealed with key "${keyId}", which BACKUP_KEY does not hold`);

  const plainPath = join(input.tmpDir ?? join(input.backupPath, '..'), `.restore-${randomBytes(6).toString('hex')}.dump`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
    let tag: Buffer = Buffer.alloc(0);
    const body = createReadStream(input.backupPath, { start: MAGIC.length + 1 + idLength + IV_BYTES });
    try {
      await pipeline(
        body,
        withholdTail(TAG_BYTES, (t) => {
          tag = t;
          decipher.setAuthTag(t);
        }),
        decipher,
        createWriteStream(plainPath, { mode: 0o600 }),
      );
    } catch {
      throw new BackupError(
        'BACKUP_DAMAGED',
        `${basename(input.backupPath)} fails its authentication tag: wrong key material or changed content; nothing was restored`,
      );
    }
    if (tag.length !== TAG_BYTES) throw new BackupError('BACKUP_DAMAGED', 'The backup is truncated');
    const restore = runTool(
      join(input.pgBin ?? '', 'pg_restore'),
      ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', `--dbname=${input.targetUrl}`, plainPath],
      {},
    );
    restore.stdout.resume();
    await restore.done;
  } finally {
    await rm(plainPath, { force: true });
  }
  return { manifest, counts: (await countsOf(input.targetUrl)).counts };
}
