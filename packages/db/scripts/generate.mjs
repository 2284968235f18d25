// `prisma generate` without downloading the schema engine, which cannot be fetched on machines
// without the open internet (ENVIRONMENT.md): generate needs no engine, only a path that exists.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const result = spawnSync('pnpm', ['exec', 'prisma', 'generate'], { cwd: here, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
