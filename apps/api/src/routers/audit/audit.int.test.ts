import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../audit.ts';
import { createHarness, type Harness } from '../../test/harness.ts';
import { codeOf } from '../../test/helpers.ts';

describe('audit router', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
    for (let i = 0; i < 7; i++) {
      await audit(h.db, {
        actor: `user:${i % 2 === 0 ? 'even' : 'odd'}`,
        action: i < 3 ? 'contact.read' : 'processor.update',
        entityType: i < 3 ? 'contact' : 'processor',
        entityId: `e${i}`,
      });
    }
  });
  afterAll(async () => h?.close());

  it('lists newest first in pages, filtered by actor, action, entity and date', async () => {
    const dpo = h.callerFor('dpo').caller;
    const first = await dpo.audit.list({ action: 'processor.', limit: 3 });
    expect(first.items.map((e) => e.entityId)).toEqual(['e6', 'e5', 'e4']);
    expect(first.items[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const second = await dpo.audit.list({ action: 'processor.', limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((e) => e.entityId)).toEqual(['e3']);
    expect(second.nextCursor).toBeNull();

    expect((await dpo.audit.list({ actor: 'user:even', entityType: 'contact' })).items.map((e) => e.entityId)).toEqual(['e2', 'e0']);
    expect((await dpo.audit.list({ entityType: 'processor', entityId: 'e5' })).items).toHaveLength(1);
    expect((await dpo.audit.list({ from: '2000-01-01T00:00:00Z', to: '2000-12-31T00:00:00Z' })).items).toEqual([]);
    expect(await codeOf(dpo.audit.list({ from: 'yesterday' }))).toBe('BAD_REQUEST');
  });

  it('verifies the chain for the DPO and admins only', async () => {
    const result = await h.callerFor('admin').caller.audit.verify();
    expect(result).toEqual({ ok: true, checked: await h.db.auditEvent.count() });
    expect(await codeOf(h.callerFor('marketer').caller.audit.verify())).toBe('FORBIDDEN');
    expect(await codeOf(h.callerFor('sales').caller.audit.list({}))).toBe('FORBIDDEN');
  });
});
