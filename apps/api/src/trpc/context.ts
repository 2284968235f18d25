import type { Client } from '@temporalio/client';
import type { Db, Role } from '@zweck/db';
import type { MailSinkClient } from '@zweck/mail-sink/client';
import type { Logger } from 'pino';
import type { ApiEnv } from '../env.ts';

/** Long-lived dependencies, made once at start-up (layer one of the context). */
export interface ApiDeps {
  db: Db;
  temporal: Client;
  env: ApiEnv;
  log: Logger;
  mailSink: MailSinkClient | null;
}

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

/** Per-request context (layer two): the signed-in user, and what the transport needs. */
export interface Context extends ApiDeps {
  user: SessionUser | null;
  /**
   * The user behind a session opened by the password alone, waiting for the second factor
   * (auth/totp.ts); `user` is null meanwhile. Absent or null otherwise.
   */
  secondFactorPendingUser?: SessionUser | null;
  sessionTokenHash: string | null;
  /** Sets or clears the session cookie; a no-op where there is no HTTP response (createCaller in tests). */
  setSessionCookie(token: string | null, maxAgeSeconds?: number): void;
  /** Sets a response header (Retry-After on a throttled sign-in); absent where there is no HTTP response. */
  setHeader?(name: string, value: string): void;
  /** Client address, truncated before it is stored (Art. 5(1)(c)). */
  ip: string | null;
}
