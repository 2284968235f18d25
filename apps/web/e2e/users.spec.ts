// User administration in Chromium: the admin invites a user and sees the one-time link once; the
// invited person opens it in a browser of their own, meets the password rule, sets a password and
// signs in; the admin changes the user's role, which ends the user's session at once; and the
// admin cannot deactivate the last active administrator. The users this spec changes are its own
// (unique addresses); the seeded admin is only ever refused a change.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE, totpCode } from './sessions';
import { ADMIN, createOwnUser, emailInput, mainNav, requireEnv, signIn, trpcQuery, uniqueEmail, uniqueSuffix, useBrowser } from './support';

const PASSWORD = 'welcome aboard long passphrase';

interface ListedUser {
  email: string;
  role: string;
  isActive: boolean;
  invitation: string;
}

async function openUsers(page: Page): Promise<void> {
  await mainNav(page).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
}

const rowOf = (page: Page, email: string) => page.getByTestId(`user-row-${email}`);

/** A tRPC mutation over HTTP with a session token: the answer's data and the new session cookie, if one was set. */
async function post<T>(path: string, input: unknown, token: string | null): Promise<{ data: T | null; cookie: string | null }> {
  const response = await fetch(`${requireEnv('ZWECK_E2E_URL')}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-zweck-csrf': '1', ...(token ? { cookie: `${SESSION_COOKIE}=${token}` } : {}) },
    body: JSON.stringify(input ?? {}),
  });
  const body = (await response.json()) as { result?: { data: T } };
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return { data: body.result?.data ?? null, cookie: setCookie ? (setCookie.slice(SESSION_COOKIE.length + 1).split(';')[0] ?? null) : null };
}

/** The address of the user a session token signs in, or null (`auth.me`). */
async function whoIs(token: string): Promise<string | null> {
  const response = await fetch(`${requireEnv('ZWECK_E2E_URL')}/trpc/auth.me`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
  const body = (await response.json()) as { result?: { data: { email: string } | null } };
  return body.result?.data?.email ?? null;
}

/** Signs a DPO of the spec's own in over HTTP and enrols an authenticator (forced for the role); returns the session token. */
async function enrolOverHttp(email: string, password: string): Promise<string> {
  const pending = await post<{ secondFactor: string }>('auth.signIn', { email, password }, null);
  expect(pending.data?.secondFactor).toBe('enroll');
  const begun = await post<{ secret: string }>('auth.beginTotpEnrollment', undefined, pending.cookie);
  const confirmed = await post<{ recoveryCodes: string[] }>(
    'auth.confirmTotpEnrollment',
    { code: totpCode(begun.data!.secret) },
    pending.cookie,
  );
  expect(confirmed.data?.recoveryCodes).toHaveLength(10);
  return confirmed.cookie!;
}

describe('admin UI: users', () => {
  const withPage = useBrowser();

  it('invites a user who sets a password with the link and signs in; a role change ends their session', async () => {
    const email = uniqueEmail('invited');
    const name = `Ivy Invited ${uniqueSuffix()}`;
    await withPage('users-invite', async (admin) => {
      await signIn(admin, ADMIN);
      await openUsers(admin);

      // The form names what is wrong, beside the field, before anything is sent.
      await admin.getByRole('button', { name: 'Invite user' }).click();
      await admin.getByText('Enter a name').waitFor();
      await admin.getByLabel('Name').fill(name);
      await admin.getByLabel('Work e-mail').fill(email);
      await admin.getByLabel('Role', { exact: true }).selectOption('marketer');
      await admin.getByRole('button', { name: 'Invite user' }).click();

      // The link, once, with its validity and a copy button.
      await admin.getByText(`Invitation link for ${name}`).waitFor();
      await admin.getByText(/Valid for 72 hours/).waitFor();
      await admin.getByRole('button', { name: 'Copy link' }).waitFor();
      const link = await admin.getByTestId('invitation-url').inputValue();
      expect(link).toMatch(/\/welcome\/[A-Za-z0-9_-]{43}$/);
      await rowOf(admin, email).getByText('Invitation pending').waitFor();

      // The invited person, in a browser of their own.
      await withPage('users-welcome', async (invitee) => {
        await invitee.goto(new URL(link).pathname);
        await invitee.getByRole('heading', { name: 'Welcome to Zweck', level: 1 }).waitFor();
        await invitee.getByLabel('Password', { exact: true }).fill('Qwerty123456');
        await invitee.getByLabel('Password again').fill('Qwerty123456');
        await invitee.getByRole('button', { name: 'Set password' }).click();
        await invitee.getByText('This password is on a list of common or breached passwords').waitFor();

        await invitee.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await invitee.getByLabel('Password again').fill(PASSWORD);
        await invitee.getByRole('button', { name: 'Set password' }).click();
        await invitee.getByText('Your password is set.').waitFor();
        await invitee.getByRole('link', { name: 'Sign in' }).click();
        await emailInput(invitee).fill(email);
        await invitee.getByLabel('Password').fill(PASSWORD);
        await invitee.getByRole('button', { name: 'Sign in' }).click();
        await invitee.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor();
        await invitee.getByText(name).waitFor();
        // A marketer has no user administration.
        expect(await mainNav(invitee).getByRole('link', { name: 'Users' }).count()).toBe(0);

        // The link works once.
        await invitee.goto(new URL(link).pathname);
        await invitee.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await invitee.getByLabel('Password again').fill(PASSWORD);
        await invitee.getByRole('button', { name: 'Set password' }).click();
        await invitee.getByText(/This invitation link is not valid/).waitFor();

        // The admin makes them the DPO's colleague: the dialog says their sessions end, and they do.
        // (Not sales: an active sales user is a lead-routing rep, and the leads spec running
        // beside this one expects its lead to go to the demo rep.)
        await admin.reload();
        await rowOf(admin, email).getByRole('button', { name: 'Change role' }).click();
        const dialog = admin.getByRole('dialog', { name: `Change the role of ${name}` });
        await dialog.getByText('sessions end at once').waitFor();
        await dialog.getByLabel('New role').selectOption('dpo');
        await dialog.getByRole('button', { name: 'Change role' }).click();
        await dialog.waitFor({ state: 'hidden' });
        await rowOf(admin, email).getByText('Data protection officer', { exact: true }).waitFor();

        await invitee.goto('/');
        await invitee.getByRole('heading', { name: 'Sign in', level: 1 }).waitFor();
      });

      const listed = await trpcQuery<ListedUser[]>(admin.request, 'users.list');
      expect(listed.find((u) => u.email === email)).toMatchObject({ role: 'dpo', isActive: true, invitation: 'accepted' });
    });
  });

  it('refuses to deactivate the last active administrator and says why', async () => {
    await withPage('users-last-admin', async (admin) => {
      await signIn(admin, ADMIN);
      // Specs create no administrators of their own, so the seeded one is the only one: the
      // refusal below is then certain, and the seeded account is never changed.
      const admins = (await trpcQuery<ListedUser[]>(admin.request, 'users.list')).filter(
        (u) => u.role === 'admin' && u.isActive && u.invitation === 'accepted',
      );
      expect(admins.map((u) => u.email)).toEqual([ADMIN.email]);

      await openUsers(admin);
      await rowOf(admin, ADMIN.email).getByRole('button', { name: 'Deactivate' }).click();
      const dialog = admin.getByRole('dialog', { name: /^Deactivate / });
      await dialog.getByRole('button', { name: 'Deactivate' }).click();
      await dialog.getByText('There must be at least one active administrator').waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // Still signed in, still an active administrator.
      await rowOf(admin, ADMIN.email).getByText('Active', { exact: true }).waitFor();
      const after = await trpcQuery<ListedUser[]>(admin.request, 'users.list');
      expect(after.find((u) => u.email === ADMIN.email)).toMatchObject({ role: 'admin', isActive: true });
    });
  });
  it('resets the second factor of a user who lost it: their session ends, the factor is gone', async () => {
    const dpo = await createOwnUser('lost-factor', 'dpo');
    const token = await enrolOverHttp(dpo.email, dpo.password);
    expect(await whoIs(token)).toBe(dpo.email);
    await withPage('users-reset-second-factor', async (admin) => {
      await signIn(admin, ADMIN);
      await openUsers(admin);
      const row = rowOf(admin, dpo.email);
      await row.getByText('Set up', { exact: true }).waitFor();
      await row.getByRole('button', { name: 'Reset second factor' }).click();
      const dialog = admin.getByRole('dialog', { name: `Reset the second factor of ${dpo.displayName}?` });
      await dialog.getByText('all their sessions end at once').waitFor();
      await dialog.getByRole('button', { name: 'Reset second factor' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await row.getByText('Not set up', { exact: true }).waitFor();
      expect(await row.getByRole('button', { name: 'Reset second factor' }).count()).toBe(0);
    });
    expect(await whoIs(token)).toBeNull();
    // Their session ended; the next sign-in asks for a new authenticator before anything else.
    const again = await post<{ secondFactor: string }>('auth.signIn', { email: dpo.email, password: dpo.password }, null);
    expect(again.data?.secondFactor).toBe('enroll');
  });
});
