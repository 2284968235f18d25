import type { Db } from '@zweck/db';

/** A campaign message whose SMTP answer came back: what its mail-log row and its recipient's row record. */
export interface AnsweredMessage {
  messageRowId: string;
  contactId: string;
  /** `bounced`: the server refused the recipient (a synchronous bounce); the mail log says `failed`. */
  outcome: 'sent' | 'failed' | 'bounced';
  smtpResponse: string | null;
  messageId: string;
  /** When the policy's pre-send check for this recipient began. */
  decidedAt: Date;
  /** When the SMTP answer arrived. */
  answeredAt: Date;
}

/**
 * The outcomes of many campaign messages in one statement: each message's mail-log row and its
 * recipient's row, from arrays (`unnest`), so that a group costs one round trip and one commit.
 */
export async function writeCampaignOutcomes(db: Db, campaignId: string, items: readonly AnsweredMessage[]): Promise<void> {
  if (items.length === 0) return;
  const sentAt = items.map((i) => (i.outcome === 'sent' ? i.answeredAt.toISOString() : null));
  await db.$executeRaw`
    WITH v AS (
      SELECT * FROM unnest(
        ${items.map((i) => i.messageRowId)}::uuid[], ${items.map((i) => i.contactId)}::uuid[], ${items.map((i) => i.outcome)}::text[],
        ${items.map((i) => i.smtpResponse)}::text[], ${items.map((i) => i.messageId)}::text[],
        ${items.map((i) => i.decidedAt.toISOString())}::timestamptz[], ${sentAt}::timestamptz[]
      ) AS v(row_id, contact_id, outcome, smtp_response, message_id, decided_at, sent_at)
    ), m AS (
      UPDATE message SET status = (CASE WHEN v.outcome = 'sent' THEN 'sent' ELSE 'failed' END)::"MessageStatus",
        smtp_response = v.smtp_response, sent_at = v.sent_at
      FROM v WHERE message.id = v.row_id
    )
    UPDATE campaign_recipient r SET outcome = v.outcome::"RecipientOutcome", decided_at = v.decided_at, sent_at = v.sent_at,
      message_id = v.message_id, smtp_response = CASE WHEN v.outcome = 'sent' THEN NULL ELSE v.smtp_response END
    FROM v WHERE r.campaign_id = ${campaignId}::uuid AND r.contact_id = v.contact_id`;
}

export interface OutcomeBufferOptions {
  /**
   * The most messages whose outcome is not yet committed: handed to the transport (on the wire,
   * or queued for a connection) plus answered but not yet written. Set it to the SMTP pool's
   * size: a worker killed outright resends at most this many, each with its Message-ID.
   */
  bound: number;
  /** Write a group of answers (one statement). */
  write: (items: AnsweredMessage[]) => Promise<void>;
  /** Called after each committed group (the activity heartbeats from here). */
  onWritten?: (count: number) => void;
  /** Write at the latest this long after the first answer of a group, even if no sender waits. */
  maxDelayMs?: number;
  /** Groups written at once (each on its own connection), so that an answer rarely waits for another group's commit. */
  maxWriters?: number;
}

/**
 * Group commit of campaign outcomes with a hard bound on what a crash can repeat.
 *
 * SMTP has no idempotency key: a message whose answer came back but whose outcome was not yet
 * committed when the process died is sent again on retry (with the same Message-ID). So a sender
 * may start a message only while `inFlight + answered-but-not-committed < bound`; when the bound
 * is reached, the waiting sender triggers a write of every answer collected so far, in one
 * statement. Hence, at any instant, the messages a retry would repeat are at most `bound`, and a
 * message whose outcome was committed is never repeated (the retry finds its mail-log row final).
 * Groups form by themselves: while the writers are busy, the next answers collect.
 *
 * Hand-written rather than a queue library: the bound spans two states (on the wire, answered)
 * that a generic concurrency limiter cannot see.
 */
export function createOutcomeBuffer({ bound, write, onWritten, maxDelayMs = 50, maxWriters = 4 }: OutcomeBufferOptions) {
  if (!Number.isInteger(bound) || bound < 1) throw new RangeError('the outcome bound must be a positive integer');
  let inFlight = 0;
  let answered: AnsweredMessage[] = [];
  /** Answers in groups being written right now. */
  let writing = 0;
  const writes = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let failure: Error | null = null;
  let waiters: (() => void)[] = [];

  const unrecorded = () => inFlight + answered.length + writing;
  const wake = () => {
    const ready = waiters;
    waiters = [];
    for (const resolve of ready) resolve();
  };

  /** Start writing what has been answered, as one group per free writer. */
  const kick = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    while (writes.size < maxWriters && answered.length > 0 && failure === null) {
      const group = answered;
      answered = [];
      writing += group.length;
      const done: Promise<void> = write(group)
        .then(
          () => onWritten?.(group.length),
          (error: unknown) => {
            // Not written: the answers stay unrecorded (and keep counting against the bound).
            answered = [...group, ...answered];
            failure ??= error instanceof Error ? error : new Error(String(error));
          },
        )
        .finally(() => {
          writing -= group.length;
          writes.delete(done);
          wake();
          // Answers that came while every writer was busy go now.
          if (answered.length > 0) kick();
        });
      writes.add(done);
    }
  };

  return {
    /** Messages whose outcome a crash right now would lose (on the wire or answered, not written). */
    get unrecorded(): number {
      return unrecorded();
    },
    /** Wait for room under the bound, then count one message as handed to the transport. */
    async acquire(): Promise<void> {
      while (unrecorded() >= bound) {
        if (failure !== null) throw failure;
        kick();
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      inFlight++;
    },
    /** The message was not sent after all, or its attempt ended without an answer to record. */
    release(): void {
      inFlight--;
      wake();
    },
    /** The SMTP answer of an acquired message: recorded with the next group. */
    answer(item: AnsweredMessage): void {
      inFlight--;
      answered.push(item);
      if (waiters.length > 0) kick();
      else if (timer === null) timer = setTimeout(kick, maxDelayMs);
    },
    /** Write every answer collected; retries once a group whose write failed. Throws if it still cannot. */
    async drain(): Promise<void> {
      // One more try after a failed write (a dropped connection, a failover): what is written is never resent.
      failure = null;
      while (answered.length > 0 || writes.size > 0) {
        kick();
        await Promise.all(writes);
        // (Set by a write's callback: the compiler's narrowing cannot see it.)
        if (failure !== null) throw failure as Error;
      }
    },
  };
}
export type OutcomeBuffer = ReturnType<typeof createOutcomeBuffer>;

/**
 * Recipients in windows, each prepared (pre-send check, decisions, mail-log rows) just before it
 * is needed: window k+1 is prepared while window k is being sent, so the senders rarely wait for
 * the database, and a recipient's check is at most about two windows' sending time old when its
 * message goes out (what the withdrawal-lag benchmark measures). The caller sizes each window
 * when it is cut (`windowSize()`), from the sending rate, so that this stays a fraction of a
 * second at any speed. `take` hands out ready items one by one to many senders; it returns null
 * at the end, or once `shouldStop()` says so.
 */
export function createWindowPipeline<In, Ready>(options: {
  items: readonly In[];
  windowSize: () => number;
  prepare: (window: In[]) => Promise<Ready[]>;
  shouldStop: () => boolean;
}) {
  let cut = 0;
  let current: Ready[] = [];
  let index = 0;
  let preparing: Promise<Ready[]> | null = null;
  const startNext = () => {
    if (cut < options.items.length && !options.shouldStop()) {
      const size = Math.max(1, Math.floor(options.windowSize()));
      preparing = options.prepare(options.items.slice(cut, cut + size));
      cut += size;
      // Observed by `take` or `settle`; never an unhandled rejection when the senders stop early.
      preparing.catch(() => undefined);
    } else preparing = null;
  };
  startNext();

  const takeOne = async (): Promise<Ready | null> => {
    while (index >= current.length) {
      if (preparing === null || options.shouldStop()) return null;
      current = await preparing;
      index = 0;
      startNext();
    }
    return current[index++]!;
  };
  // Senders call `take` concurrently; one at a time moves the windows along.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    take(): Promise<Ready | null> {
      const next = queue.then(takeOne);
      queue = next.catch(() => undefined);
      return next;
    },
    /** Wait for a window still being prepared (its writes finish before the activity returns). */
    async settle(): Promise<void> {
      await queue;
      if (preparing !== null) await preparing.catch(() => undefined);
    },
  };
}
