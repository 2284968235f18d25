import { TRPCError } from '@trpc/server';
import { expect } from 'vitest';
import type { AppError } from '../trpc/errors.ts';

/** Awaits a call that must fail and returns its TRPCError, with the AppError it maps (`cause`) for the code and field. */
export async function rejection(promise: Promise<unknown>): Promise<TRPCError & { cause: AppError }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError & { cause: AppError };
}

/** Newsletter consent by e-mail as a marketer records it for someone met in person, with `overrides`. */
export const newsletterConsent = (overrides: Record<string, unknown> = {}) => ({
  purposeId: 'newsletter',
  channel: 'email' as const,
  method: 'in_person' as const,
  wordingVersion: '2026-11',
  wordingLanguage: 'en' as const,
  grantedAt: '2026-11-01T10:00:00.000Z',
  source: 'fair',
  ...overrides,
});

/** 'OK' when the call succeeds, else the code of the TRPCError it fails with (anything else is rethrown). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}
