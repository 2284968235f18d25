import { formatDateTime } from '../lib/datetime.ts';

export function Time({ value }: { value: string | Date | null | undefined }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  const iso = typeof value === 'string' ? value : value.toISOString();
  return <time dateTime={iso}>{formatDateTime(value)}</time>;
}
