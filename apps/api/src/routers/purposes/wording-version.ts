/**
 * Consent wording versions: `YYYY-MM` of the month the text was added (UTC), as the shipped
 * catalogue's `2026-11`, then `YYYY-MM-2`, `YYYY-MM-3`, ... for further texts in the same month
 * and language. Versions name a text; which one is current is decided by time of creation, never
 * by comparing these strings (`2026-11-10` sorts before `2026-11-9`).
 */
export function nextWordingVersion(existing: readonly string[], now: Date): string {
  const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
  const taken = new Set(existing);
  if (!taken.has(month)) return month;
  let n = 2;
  while (taken.has(`${month}-${n}`)) n += 1;
  return `${month}-${n}`;
}

/** How the API and its readers order wordings: newest first, by time of creation. */
export const LATEST_WORDING_FIRST = [{ createdAt: 'desc' }, { version: 'desc' }] as const;
