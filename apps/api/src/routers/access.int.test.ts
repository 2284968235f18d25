import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHarness, type Harness } from '../test/harness.ts';
import { codeOf } from '../test/helpers.ts';
import type { ProcedureMeta } from '../trpc/init.ts';
import { appRouter } from './index.ts';

describe('access control', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h?.close());

  it('every procedure declares who may call it', () => {
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: ProcedureMeta } }>);
    expect(procedures.length).toBeGreaterThan(5);
    const undeclared = procedures
      .filter(([, p]) => {
        const access = p._def.meta?.access;
        if (!access) return true;
        return 'roles' in access ? access.roles.length === 0 : access.public.trim().length < 10;
      })
      .map(([path]) => path);
    expect(undeclared).toEqual([]);
  });

  it('every procedure declares its output, so that an answer carries nothing but the declared fields', () => {
    // tRPC 11 keeps the parser given to `.output(...)` in `_def.output` and parses every answer
    // through it before it leaves (zod objects drop keys they do not declare).
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { output?: unknown } }>);
    expect(procedures.length).toBeGreaterThan(5);
    const undeclared = procedures
      .filter(
        ([, p]) => !(p._def.output instanceof z.ZodType) || p._def.output instanceof z.ZodAny || p._def.output instanceof z.ZodUnknown,
      )
      .map(([path]) => path);
    expect(undeclared).toEqual([]);
  });

  it('answers UNAUTHORIZED without a session and FORBIDDEN for a role the procedure does not allow', async () => {
    const anonymous = h.callerFor(null).caller;
    const sales = h.callerFor('sales').caller;
    const dpo = h.callerFor('dpo').caller;
    expect(await codeOf(anonymous.contacts.list({}))).toBe('UNAUTHORIZED');
    expect(await codeOf(anonymous.contacts.create({ email: 'x@example.org' }))).toBe('UNAUTHORIZED');
    expect(await codeOf(sales.contacts.create({ email: 'x@example.org' }))).toBe('FORBIDDEN');
    expect(await codeOf(dpo.contacts.create({ email: 'x@example.org' }))).toBe('FORBIDDEN');
    expect(await codeOf(sales.outbox.list())).toBe('FORBIDDEN');
    expect(await codeOf(sales.contacts.list({}))).toBe('OK');
    expect(await codeOf(anonymous.auth.me())).toBe('OK');
    // Nothing was written by the refused calls.
    expect(await h.db.contact.count()).toBe(0);
  });

  it('shows sales only the contacts it owns; another record is NOT_FOUND, not the record', async () => {
    const marketer = h.callerFor('marketer').caller;
    const { id: mine } = await marketer.contacts.create({ email: 'owned@example.org' });
    const { id: theirs } = await marketer.contacts.create({ email: 'not-owned@example.org' });
    await h.db.contact.update({ where: { id: mine }, data: { ownerId: h.userId('sales') } });

    const sales = h.callerFor('sales').caller;
    expect((await sales.contacts.list({})).map((c) => c.id)).toEqual([mine]);
    expect((await sales.contacts.get({ id: mine })).email).toBe('owned@example.org');
    expect(await codeOf(sales.contacts.get({ id: theirs }))).toBe('NOT_FOUND');
  });
});
