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
});
