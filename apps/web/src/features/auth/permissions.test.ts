import { describe, expect, it } from 'vitest';
import { can } from './permissions.ts';

describe('role permissions in the UI', () => {
  it('hides the outbox from sales', () => {
    expect(can('sales', 'outbox.read')).toBe(false);
    expect(can('dpo', 'outbox.read')).toBe(true);
  });

  it('lets marketers and admins add contacts, nobody else', () => {
    expect(can('marketer', 'contacts.create')).toBe(true);
    expect(can('admin', 'contacts.create')).toBe(true);
    expect(can('dpo', 'contacts.create')).toBe(false);
    expect(can('sales', 'contacts.create')).toBe(false);
  });

  it('lets sales edit the contacts it sees, but not merge them', () => {
    expect(can('sales', 'contacts.update')).toBe(true);
    expect(can('sales', 'contacts.merge')).toBe(false);
    expect(can('marketer', 'contacts.merge')).toBe(true);
    expect(can('dpo', 'contacts.merge')).toBe(true);
    expect(can('dpo', 'contacts.update')).toBe(false);
  });

  it('lets administrators alone manage users', () => {
    expect(can('admin', 'users.manage')).toBe(true);
    for (const role of ['marketer', 'sales', 'dpo'] as const) expect(can(role, 'users.manage')).toBe(false);
  });
});
