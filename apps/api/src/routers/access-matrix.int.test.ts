import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Role } from '@zweck/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, SESSION_COOKIE } from '../auth/session.ts';
import { createHttpHarness, type Harness } from '../test/harness.ts';
import { codeOf } from '../test/helpers.ts';
import type { ProcedureMeta } from '../trpc/init.ts';
import { appRouter } from './index.ts';
import type { FastifyInstance } from 'fastify';

/**
 * The role matrix: docs/ACCESS.md is the permission concept an auditor reads, and this test holds
 * the code to it. Every procedure and HTTP route is called signed out and as every role; a row
 * marked – must be refused (UNAUTHORIZED / FORBIDDEN, 401 / 403), a row marked ✓ must get past the
 * role check (any other answer: a refused empty input counts).
 */

/** 'password only': a session opened by the password, still waiting for its second factor. */
const CALLERS = ['signed out', 'password only', 'admin', 'marketer', 'sales', 'dpo'] as const;
type Caller = (typeof CALLERS)[number];
const ROLES = ['admin', 'marketer', 'sales', 'dpo'] as const satisfies readonly Role[];
const roleOf = (caller: Caller): Role | null => (caller === 'signed out' || caller === 'password only' ? null : caller);

interface Row {
  name: string;
  allowed: Record<Caller, boolean>;
}

const ACCESS_MD = fileURLToPath(new URL('../../../../docs/ACCESS.md', import.meta.url));

/** The table's rows: a first cell in backticks names a procedure (`router.procedure`) or a route (`GET /path`). */
function readMatrix(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const headerIndex = lines.findIndex((l) => l.startsWith('|') && l.includes('signed out') && l.includes('marketer'));
  if (headerIndex < 0) throw new Error('docs/ACCESS.md has no table with the columns signed out / admin / marketer / sales / dpo');
  const cellsOf = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const header = cellsOf(lines[headerIndex]!);
  const column = Object.fromEntries(CALLERS.map((c) => [c, header.indexOf(c)])) as Record<Caller, number>;
  for (const c of CALLERS) if (column[c] < 0) throw new Error(`docs/ACCESS.md: the table has no column "${c}"`);

  const rows: Row[] = [];
  for (const line of lines.slice(headerIndex + 2)) {
    if (!line.startsWith('|')) break;
    const cells = cellsOf(line);
    const name = /^`([^`]+)`$/.exec(cells[0] ?? '')?.[1];
    if (!name) throw new Error(`docs/ACCESS.md: a row's first cell is not a procedure or route in backticks: ${line}`);
    const allowed = Object.fromEntries(
      CALLERS.map((c) => {
        const cell = cells[column[c]];
        if (cell !== '✓' && cell !== '–') throw new Error(`docs/ACCESS.md: ${name}, column "${c}" is "${cell}", not ✓ or –`);
        return [c, cell === '✓'];
      }),
    ) as Record<Caller, boolean>;
    rows.push({ name, allowed });
  }
  return rows;
}

const ROUTE_ROW = /^(GET|POST|PUT|PATCH|DELETE) (\/\S*)$/;

/**
 * The routes the server registered, from Fastify's own listing (`printRoutes` with full paths;
 * a nested line continues its parent's path). tRPC's single route and the HEAD twins of GET
 * routes are left out: procedures have their own rows, and HEAD answers like GET.
 */
function registeredRoutes(app: FastifyInstance): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + match[2]!;
    stack.push(path);
    if (path.startsWith('/trpc/')) continue;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (method && method !== 'HEAD') routes.push(`${method} ${path}`);
    }
  }
  return routes;
}

/** A path with its parameters filled by values that are well formed and name nothing. */
const concretePath = (path: string): string =>
  path
    .replace(':contactId', randomUUID())
    .replace(':purposeId', 'newsletter')
    .replace(':file', 'not-a-token.gif')
    .replace(':token', 'not-a-token');

describe('role matrix (docs/ACCESS.md)', () => {
  let h: Harness & { app: FastifyInstance };
  const rows = readMatrix(readFileSync(ACCESS_MD, 'utf8'));
  const procedureRows = rows.filter((r) => !ROUTE_ROW.test(r.name));
  const routeRows = rows.filter((r) => ROUTE_ROW.test(r.name));
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>;

  beforeAll(async () => {
    h = await createHttpHarness();
  });
  afterAll(async () => h?.close());

  it('has one row per procedure, and every row names one', () => {
    expect(procedureRows.length).toBeGreaterThan(100);
    const names = rows.map((r) => r.name);
    expect(
      names.filter((n, i) => names.indexOf(n) !== i),
      'rows named twice',
    ).toEqual([]);
    const paths = Object.keys(procedures);
    expect(
      paths.filter((p) => !procedureRows.some((r) => r.name === p)),
      'procedures missing from docs/ACCESS.md',
    ).toEqual([]);
    expect(
      procedureRows.filter((r) => !paths.includes(r.name)).map((r) => r.name),
      'rows of docs/ACCESS.md naming no procedure',
    ).toEqual([]);
  });

  it('has one row per HTTP route of the server, and every row names one', () => {
    const routes = registeredRoutes(h.app);
    expect(routes).toContain('GET /api/subject-archive/:contactId');
    expect(
      routes.filter((r) => !routeRows.some((row) => row.name === r)),
      'routes missing from docs/ACCESS.md',
    ).toEqual([]);
    expect(
      routeRows.filter((row) => !routes.includes(row.name)).map((row) => row.name),
      'rows of docs/ACCESS.md naming no route',
    ).toEqual([]);
  });

  it('answers every procedure, signed out and as every role, as the table says', async () => {
    // The DPO must have a second factor: between password and code their session is this.
    const pendingUser = await h.db.user.findFirstOrThrow({
      where: { id: h.userId('dpo') },
      select: { id: true, email: true, displayName: true, role: true },
    });
    const callers = Object.fromEntries(
      CALLERS.map((c) => [
        c,
        (c === 'password only' ? h.callerFor(null, { secondFactorPendingUser: pendingUser }) : h.callerFor(roleOf(c))).caller as unknown,
      ]),
    ) as Record<Caller, unknown>;
    const contactsBefore = await h.db.contact.count();
    const mismatches: string[] = [];
    // A row naming no procedure fails the test above; here it would only repeat that.
    for (const row of procedureRows.filter((r) => r.name in procedures)) {
      for (const caller of CALLERS) {
        // The caller is a proxy: walk `router.procedure` to the function. No input: a procedure
        // that needs one refuses it after the role check, so nothing is written.
        const call = row.name.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], callers[caller]) as (
          input?: unknown,
        ) => Promise<unknown>;
        const code = await codeOf(call(undefined));
        // Without a complete session: UNAUTHORIZED. A role not listed: FORBIDDEN. A public
        // procedure has no role to check; one that refuses a signed-in user (the sign-in's second
        // step, to a complete session) says UNAUTHORIZED.
        const isPublic = procedures[row.name]?._def.meta?.access !== undefined && 'public' in procedures[row.name]!._def.meta!.access;
        const refusals = roleOf(caller) === null ? ['UNAUTHORIZED'] : isPublic ? ['UNAUTHORIZED', 'FORBIDDEN'] : ['FORBIDDEN'];
        const ok = row.allowed[caller] ? code !== 'UNAUTHORIZED' && code !== 'FORBIDDEN' : refusals.includes(code);
        if (!ok)
          mismatches.push(`${row.name} as ${caller}: ${code}, the table says ${row.allowed[caller] ? 'allowed' : refusals.join(' or ')}`);
        // Past the role check, an empty input is refused or answered, never a crash.
        if (code === 'INTERNAL_SERVER_ERROR') mismatches.push(`${row.name} as ${caller}: INTERNAL_SERVER_ERROR on an empty input`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(await h.db.contact.count()).toBe(contactsBefore);
  });

  it("answers every HTTP route, signed out and with each role's session cookie, as the table says", async () => {
    const cookies = { 'signed out': {} } as Record<Caller, Record<string, string>>;
    const pending = await createSession(h.db, h.userId('dpo'), 1, new Date(), { secondFactorPending: true });
    cookies['password only'] = { [SESSION_COOKIE]: pending.token };
    for (const role of ROLES) cookies[role] = { [SESSION_COOKIE]: (await createSession(h.db, h.userId(role), 1)).token };
    const requestsBefore = await h.db.dataSubjectRequest.count();
    const mismatches: string[] = [];
    for (const row of routeRows) {
      const [, method, path] = ROUTE_ROW.exec(row.name)!;
      for (const caller of CALLERS) {
        const response = await h.app.inject({
          method: method as 'GET' | 'POST',
          url: concretePath(path!),
          cookies: cookies[caller],
          ...(method === 'GET' ? {} : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' }),
        });
        const refusal = roleOf(caller) === null ? 401 : 403;
        const status = response.statusCode;
        const ok = row.allowed[caller] ? status !== 401 && status !== 403 : status === refusal;
        if (!ok) mismatches.push(`${row.name} as ${caller}: ${status}, the table says ${row.allowed[caller] ? 'allowed' : refusal}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Empty forms and tokens that name nothing wrote nothing.
    expect(await h.db.contact.count()).toBe(0);
    expect(await h.db.dataSubjectRequest.count()).toBe(requestsBefore);
  });
});
