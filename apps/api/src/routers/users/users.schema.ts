import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../auth/password-policy.ts';

export const ZRole = z.enum(['admin', 'marketer', 'sales', 'dpo'], 'Choose a role: admin, marketer, sales or dpo');

export const ZUserId = z.uuid('A user ID');

const ZDisplayName = z.string().trim().min(1, 'Enter a name').max(200, 'At most 200 characters');

/** The sales manager of a sales user (their team lead sees the rep's leads); null: none. */
const ZManagerId = z.uuid('A user ID').nullable();

export const ZCreateUserInput = z
  .object({
    // Stored lower case: sign-in looks accounts up by the lower-cased address.
    email: z.string().trim().toLowerCase().pipe(z.email('Enter a valid e-mail address').max(254, 'At most 254 characters')),
    displayName: ZDisplayName,
    role: ZRole,
    managerId: ZManagerId.optional(),
  })
  .refine((v) => v.role === 'sales' || v.managerId === undefined || v.managerId === null, {
    path: ['managerId'],
    message: 'Only a sales user has a sales manager',
  });

export const ZUpdateUserInput = z.object({
  id: ZUserId,
  displayName: ZDisplayName.optional(),
  role: ZRole.optional(),
  isActive: z.boolean().optional(),
  managerId: ZManagerId.optional(),
});

export const ZUserIdInput = z.object({ id: ZUserId });

/** The one-time link, shown once to the administrator who hands it over. */
export const ZInvitationOut = z.object({
  id: z.string(),
  invitationUrl: z.string(),
  expiresAt: z.date(),
});

export const ZInvitationStatus = z.enum(['pending', 'expired', 'accepted']);

export const ZUserOut = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: ZRole,
  isActive: z.boolean(),
  createdAt: z.date(),
  /** From the audit log's `auth.sign_in` rows: nothing is stored twice. */
  lastSignInAt: z.date().nullable(),
  /** Whether a confirmed authenticator (TOTP) is set up; required for admin and dpo at sign-in. */
  secondFactor: z.enum(['enrolled', 'not_enrolled']),
  /** `accepted`: the user has set a password; `pending`: a link is valid; `expired`: the last link ran out. */
  invitation: ZInvitationStatus,
  invitationExpiresAt: z.date().nullable(),
  /** For sales users: their manager, and whether they take new leads. */
  managerId: z.string().nullable(),
  isSalesRep: z.boolean(),
});
export type UserOut = z.infer<typeof ZUserOut>;

export const ZUpdateUserOut = z.object({
  user: ZUserOut,
  /** Sessions of the user ended by this change (role change or deactivation). */
  sessionsEnded: z.number().int(),
});

export const ZAcceptInvitationInput = z.object({
  token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'This is not an invitation link'),
  // The rule itself (length, common passwords, e-mail) is checked in the procedure, with its own message.
  password: z
    .string()
    .min(1, 'Enter a password')
    .max(PASSWORD_MAX_LENGTH * 4),
});
