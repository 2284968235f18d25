import { parseArgs } from 'node:util';
import { BackupError, backupDatabase, restoreDatabase, ZBackupKey } from '../src/backup/backup.ts';

// `pnpm --filter @zweck/db backup create [--dir D]` and `... backup restore FILE --target URL`:
// the operator's commands behind infra/backup.sh and infra/restore.sh.
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { dir: { type: 'string' }, target: { type: 'string' } },
});
const [command, file] = positionals;
const pgBin = process.env.PG_BIN;

try {
  // BACKUP_KEY holds the current key; BACKUP_OLD_KEYS (comma-separated) the retired ones a restore may need.
  const key = ZBackupKey.parse(process.env.BACKUP_KEY);
  if (command === 'create') {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) throw new Error('DATABASE_URL is not set');
    const made = await backupDatabase({ databaseUrl, dir: values.dir ?? 'backups', key, ...(pgBin ? { pgBin } : {}) });
    console.log(
      `backup: ${made.path} (${made.bytes} bytes, sha256 ${made.sha256}, key ${made.keyId}, schema ${made.lastMigration ?? 'none'})`,
    );
  } else if (command === 'restore' && file && values.target) {
    const old = (process.env.BACKUP_OLD_KEYS ?? '')
      .split(',')
      .filter(Boolean)
      .map((k) => ZBackupKey.parse(k));
    const { manifest, counts } = await restoreDatabase({
      backupPath: file,
      targetUrl: values.target,
      keys: [key, ...old],
      ...(pgBin ? { pgBin } : {}),
    });
    const rows = Object.entries(manifest.counts).map(([table, n]) => `${table} ${counts[table] ?? 0}/${n}`);
    console.log(`restored ${manifest.file} (schema ${manifest.lastMigration ?? 'none'}); rows restored/backed up: ${rows.join(', ')}`);
    if (Object.entries(manifest.counts).some(([table, n]) => counts[table] !== n)) {
      console.error('restore: the restored row counts differ from the backup manifest');
      process.exit(1);
    }
  } else {
    console.error('usage: backup create [--dir DIR] | backup restore FILE --target DATABASE_URL');
    process.exit(2);
  }
} catch (error) {
  console.error(
    `backup: ${error instanceof BackupError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
}
