// Shared lint configuration. The `boundaries` table is docs/ARCHITECTURE.md's arrow table in
// executable form: an import across a forbidden edge fails `pnpm lint` with the reason.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'crypto',
  'stream',
  'worker_threads',
  'dns',
  'tls',
  'zlib',
  'util',
];

const rule = (patterns, message) => ({ group: patterns, message });
/** Exactly this module specifier, not what lies below it. */
const exact = (name, message) => ({ exact: name, message });

/** Forbidden edges per package, keyed by workspace package name. */
export const boundaries = {
  '@zweck/policy': [
    rule(
      ['@zweck/*', '!@zweck/config', '!@zweck/config/*', '@prisma/*', '@temporalio/*', 'nodemailer', 'pg', ...NODE_BUILTINS],
      'packages/policy is pure (DESIGN.md rule 1): no I/O, no other workspace package, no Node built-ins. It must run in the workflow sandbox and the browser.',
    ),
  ],
  '@zweck/db': [
    rule(['@zweck/*', '!@zweck/config', '!@zweck/config/*'], 'packages/db depends on nothing internal; everything else depends on it.'),
  ],
  '@zweck/mail': [
    rule(
      ['@zweck/db', '@zweck/api', '@zweck/web', '@zweck/activities', '@zweck/workflows', '@zweck/worker', '@temporalio/*'],
      'packages/mail builds and sends messages; it may use policy types, nothing above it.',
    ),
  ],
  '@zweck/workflows': [
    rule(
      [
        '@zweck/db',
        '@zweck/db/*',
        '@zweck/mail',
        '@zweck/mail/*',
        '@zweck/temporal-codec',
        '@prisma/*',
        'nodemailer',
        'pg',
        ...NODE_BUILTINS,
      ],
      'Workflow code runs in the Temporal sandbox and must be deterministic: every side effect belongs in an activity (DESIGN.md rule 2).',
    ),
    rule(
      ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
      'The workflow bundler rejects @temporalio/{client,worker,activity}; import @temporalio/workflow only.',
    ),
  ],
  '@zweck/activities': [
    rule(
      ['@zweck/worker', '@zweck/api', '@zweck/web', '@temporalio/worker', '@temporalio/client'],
      'Activities perform side effects for the worker; they never reach the apps or the worker itself.',
    ),
  ],
  '@zweck/decision-facts': [
    rule(
      ['@zweck/*', '!@zweck/config', '!@zweck/config/*', '!@zweck/db', '!@zweck/policy', '@temporalio/*', 'nodemailer'],
      'decision-facts reads the policy inputs from the database; it depends on db and policy only.',
    ),
  ],
  '@zweck/segments': [
    rule(
      ['@zweck/*', '!@zweck/config', '!@zweck/config/*', '!@zweck/db', '!@zweck/db/*', '!@zweck/policy', '@temporalio/*', 'nodemailer'],
      'packages/segments compiles segment definitions to SQL and reads members; it depends on db and policy only.',
    ),
  ],
  '@zweck/consent-receipt': [
    rule(
      ['@zweck/*', '!@zweck/config', '!@zweck/config/*', '@prisma/*', '@temporalio/*', 'nodemailer', 'pg', ...NODE_BUILTINS],
      'packages/consent-receipt is pure: it builds the receipt document from values its callers read (the API for the download, an activity for the mail).',
    ),
  ],
  '@zweck/journeys': [
    rule(
      [
        '@zweck/*',
        '!@zweck/config',
        '!@zweck/config/*',
        '!@zweck/policy',
        '!@zweck/segments',
        '!@zweck/segments/definition',
        '@prisma/*',
        '@temporalio/*',
        'nodemailer',
        'pg',
        ...NODE_BUILTINS,
      ],
      'packages/journeys is pure (zod, policy, the segment definition): the designer, the API and the journey workflow read the same definition.',
    ),
    exact('@zweck/segments', 'packages/journeys may use the pure segment definition (@zweck/segments/definition), never the SQL compiler.'),
  ],
  '@zweck/leads': [
    rule(
      [
        '@zweck/*',
        '!@zweck/config',
        '!@zweck/config/*',
        '!@zweck/db',
        '!@zweck/policy',
        '!@zweck/decision-facts',
        '@temporalio/*',
        'nodemailer',
      ],
      'packages/leads scores and assigns leads against the database; it depends on db, policy and decision-facts only (the API and the activities call it).',
    ),
  ],
  '@zweck/temporal-codec': [rule(['@zweck/*', '!@zweck/config', '!@zweck/config/*'], 'The payload codec depends on nothing internal.')],
  '@zweck/logging': [
    rule(
      ['@zweck/*', '!@zweck/config', '!@zweck/config/*', '@temporalio/*'],
      'The logger factory depends on nothing internal; the API and the worker depend on it.',
    ),
  ],
  '@zweck/worker': [rule(['@zweck/api', '@zweck/web'], 'The worker runs workflows and activities; it never imports the apps.')],
  '@zweck/api': [
    rule(
      ['@zweck/activities', '@temporalio/worker', '@zweck/worker'],
      'The API starts, signals and queries workflows through @temporalio/client; it never runs activities itself.',
    ),
    exact('@zweck/mail', 'The API may not reach the mail transport (only activities send mail); it may use @zweck/mail/unsubscribe-token.'),
  ],
  '@zweck/web': [
    rule(
      [
        '@zweck/db',
        '@zweck/db/*',
        '@zweck/mail',
        '@zweck/mail/*',
        '@zweck/mail-sink',
        '@zweck/mail-sink/*',
        '@zweck/temporal-codec',
        '@zweck/logging',
        '@zweck/activities',
        '@zweck/workflows',
        '@zweck/workflows/*',
        '@zweck/worker',
        '@temporalio/*',
        '@prisma/*',
      ],
      'The web UI talks to the API through tRPC only (DESIGN.md rule 6).',
    ),
    exact(
      '@zweck/segments',
      'The web UI may use the pure segment definition (@zweck/segments/definition), never the SQL compiler and its database.',
    ),
  ],
};

/**
 * @param {{ packageName: keyof typeof boundaries | string, tsconfigRootDir: string, allowTypeImportsFrom?: string[], extra?: any[] }} options
 */
export function createConfig({ packageName, tsconfigRootDir, extra = [] }) {
  const patterns = boundaries[packageName] ?? [];
  return tseslint.config(
    { ignores: ['dist/**', 'src/generated/**', 'coverage/**', '**/*.js', '**/*.mjs', 'e2e/artifacts/**'] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir },
      },
      rules: {
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/no-restricted-imports': [
          'error',
          // Type-only imports cross freely: `import type` of the API router in web, of activities in workflows.
          {
            paths: patterns.filter((p) => p.exact).map((p) => ({ name: p.exact, message: p.message, allowTypeImports: true })),
            patterns: patterns.filter((p) => p.group).map((p) => ({ ...p, allowTypeImports: true })),
          },
        ],
        // STYLE.md principle 3: one env.ts per deployable reads the environment; packages take config as arguments.
        'no-restricted-properties': [
          'error',
          { object: 'process', property: 'env', message: "Read configuration in the deployable's env.ts and pass it down as arguments." },
        ],
      },
    },
    {
      files: [
        '**/env.ts',
        '**/*.test.ts',
        '**/*.spec.ts',
        '**/test/**',
        '**/scripts/**',
        '**/vitest.config.ts',
        '**/vite.config.ts',
        '**/prisma.config.ts',
        '**/bench/**',
      ],
      rules: { 'no-restricted-properties': 'off' },
    },
    ...(packageName === '@zweck/policy'
      ? [
          {
            files: ['src/**/*.ts'],
            ignores: ['src/**/*.test.ts', 'src/**/*.bench.ts'],
            rules: {
              'no-restricted-syntax': [
                'error',
                {
                  selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
                  message: 'policy has no clock of its own: take `now` as an argument.',
                },
                {
                  selector: "NewExpression[callee.name='Date'][arguments.length=0]",
                  message: 'policy has no clock of its own: take `now` as an argument.',
                },
                {
                  selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
                  message: 'policy decisions are deterministic.',
                },
              ],
            },
          },
        ]
      : []),
    ...extra,
  );
}
