import type { SessionUser } from '../../lib/trpc.ts';

type Role = SessionUser['role'];

/**
 * What each role may do, mirrored from the API's procedure roles so that the UI offers only what
 * will work. The API stays the authority: it answers FORBIDDEN whatever the UI shows.
 */
const PERMISSIONS = {
  'contacts.create': ['admin', 'marketer'],
  'contacts.update': ['admin', 'marketer', 'sales'],
  'contacts.merge': ['admin', 'marketer', 'dpo'],
  'automation.start': ['admin', 'marketer'],
  'outbox.read': ['admin', 'marketer', 'dpo'],
  'consents.receipt': ['admin', 'dpo'],
  'catalogue.read': ['admin', 'dpo', 'marketer'],
  'catalogue.edit': ['admin', 'dpo'],
  'segments.read': ['admin', 'marketer', 'dpo'],
  'segments.edit': ['admin', 'marketer'],
  'templates.read': ['admin', 'marketer', 'dpo'],
  'templates.edit': ['admin', 'marketer'],
  'campaigns.read': ['admin', 'marketer', 'dpo', 'sales'],
  'campaigns.write': ['admin', 'marketer'],
  'journeys.read': ['admin', 'marketer', 'dpo'],
  'journeys.write': ['admin', 'marketer'],
  'contacts.import': ['admin', 'marketer'],
  'leads.read': ['admin', 'sales'],
  'scoring.edit': ['admin', 'marketer'],
  'privacy.read': ['admin', 'dpo'],
  'privacy.manage': ['dpo'],
  'users.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const can = (role: Role, permission: Permission): boolean => (PERMISSIONS[permission] as readonly Role[]).includes(role);
