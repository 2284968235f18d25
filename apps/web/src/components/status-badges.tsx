import { formatDateTime } from '../lib/datetime.ts';
import { label } from '../lib/labels.ts';
import { Badge, type Tone } from './badge.tsx';

type ConsentStatus = 'none' | 'granted' | 'confirmed' | 'withdrawn' | 'expired';

const CONSENT: Record<ConsentStatus, { tone: Tone; text: string }> = {
  granted: { tone: 'success', text: 'Granted' },
  confirmed: { tone: 'success', text: 'Confirmed' },
  withdrawn: { tone: 'danger', text: 'Withdrawn' },
  expired: { tone: 'muted', text: 'Expired' },
  none: { tone: 'neutral', text: 'No consent' },
};

export function ConsentBadge({ status, since }: { status: ConsentStatus; since?: string | null }) {
  const { tone, text } = CONSENT[status];
  return (
    <Badge tone={tone} title={since ? `${text} since ${formatDateTime(since)}` : undefined}>
      {text}
    </Badge>
  );
}

/** The kinds of ledger events, granted to objected. */
export function ConsentEventBadge({ kind }: { kind: string }) {
  const tone: Tone =
    kind === 'granted' || kind === 'confirmed' ? 'success' : kind === 'withdrawn' || kind === 'objected' ? 'danger' : 'muted';
  return <Badge tone={tone}>{label(kind)}</Badge>;
}

export function SubjectStatusBadge({ status }: { status: string }) {
  const tone: Tone = status === 'active' ? 'success' : status === 'restricted' ? 'warning' : 'danger';
  return <Badge tone={tone}>{label(status)}</Badge>;
}

export function MessageStatusBadge({ status }: { status: string }) {
  const tone: Tone = status === 'sent' ? 'success' : status === 'failed' ? 'danger' : 'info';
  return <Badge tone={tone}>{label(status)}</Badge>;
}

export function DecisionBadge({ allowed }: { allowed: boolean }) {
  return <Badge tone={allowed ? 'success' : 'danger'}>{allowed ? 'Allowed' : 'Denied'}</Badge>;
}

/** Temporal's workflow execution status names. */
export function WorkflowStatusBadge({ status }: { status: string }) {
  const tone: Tone =
    status === 'RUNNING'
      ? 'info'
      : status === 'COMPLETED'
        ? 'success'
        : status === 'FAILED' || status === 'TIMED_OUT' || status === 'TERMINATED'
          ? 'danger'
          : 'neutral';
  return <Badge tone={tone}>{label(status.toLowerCase())}</Badge>;
}
