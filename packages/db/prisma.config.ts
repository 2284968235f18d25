import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI only (generate; migrate deploy where the schema engine exists).
// At run time the deployables pass their own validated DATABASE_URL to createDb().
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/zweck' },
});
