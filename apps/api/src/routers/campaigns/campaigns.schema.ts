import { ZChannel, ZInstant, ZPurposeId } from '@zweck/policy';
import { z } from 'zod';

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export const ZCampaignStatus = z.enum(CAMPAIGN_STATUSES);
export type CampaignStatus = z.infer<typeof ZCampaignStatus>;

export const RECIPIENT_OUTCOMES = ['pending', 'sent', 'skipped', 'failed', 'bounced'] as const;
export const ZRecipientOutcome = z.enum(RECIPIENT_OUTCOMES);
export type RecipientOutcome = z.infer<typeof ZRecipientOutcome>;

/** Statuses in which the workflow runs and takes signals (pause, resume, cancel). */
export const ACTIVE_STATUSES = ['scheduled', 'running', 'paused'] as const satisfies readonly CampaignStatus[];

export const THROTTLE_MAX = 100_000;

/**
 * What a marketer sets on a campaign. The rules between the values (the purpose uses the channel,
 * a direct-marketing purpose sends marketing templates only, the schedule lies ahead) need the
 * catalogue and the clock, so the router checks them, each with its field.
 */
export const ZCampaignValues = z.object({
  name: z.string().trim().min(1, 'Give the campaign a name').max(120, 'At most 120 characters'),
  segmentId: z.uuid('Choose a segment'),
  templateId: z.uuid('Choose a template'),
  purposeId: ZPurposeId,
  channel: ZChannel,
  /** Absent or null: send as soon as it is started. An instant with its offset, in the future. */
  scheduledAt: ZInstant.nullish(),
  /** Messages per minute; absent or null: as fast as the worker's bounded concurrency allows. */
  throttlePerMinute: z
    .number()
    .int('Whole messages per minute')
    .min(1, 'At least 1 message per minute')
    .max(THROTTLE_MAX, `At most ${THROTTLE_MAX.toLocaleString('en')} messages per minute`)
    .nullish(),
  /** Track opens and clicks; each recipient only with consent to `email_tracking`. Absent: false. */
  track: z.boolean().optional(),
});
export type CampaignValues = z.infer<typeof ZCampaignValues>;

export const ZCreateCampaignInput = ZCampaignValues;
export const ZUpdateCampaignInput = ZCampaignValues.extend({ id: z.uuid('Not a campaign ID') });
export const ZCampaignIdInput = z.object({ id: z.uuid('Not a campaign ID') });

export const ZListCampaignsInput = z.object({
  status: ZCampaignStatus.optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

export const ZRecipientsInput = z.object({
  campaignId: z.uuid('Not a campaign ID'),
  outcome: ZRecipientOutcome.optional(),
  /** The last contact ID of the previous page (keyset paging); absent for the first page. */
  cursor: z.uuid().nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** Recipients per outcome; `total` is every recipient resolved from the segment so far. */
export const ZOutcomeCounts = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  sent: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  bounced: z.number().int(),
});
export type OutcomeCounts = z.infer<typeof ZOutcomeCounts>;

export const ZCampaignListItem = z.object({
  id: z.string(),
  name: z.string(),
  status: ZCampaignStatus,
  channel: z.string(),
  purposeId: z.string(),
  purposeName: z.string(),
  segmentId: z.string(),
  segmentName: z.string(),
  templateId: z.string(),
  templateName: z.string(),
  scheduledAt: z.date().nullable(),
  throttlePerMinute: z.number().int().nullable(),
  /** 'user:<id>' of whoever created it. */
  createdBy: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  counts: ZOutcomeCounts,
  /** Whether opens and clicks are tracked (for recipients whose consent covers it). */
  track: z.boolean(),
  /** Unique contacts who opened a message of the campaign, and who clicked a link in one. */
  engagement: z.object({ opened: z.number().int(), clicked: z.number().int() }),
});
export type CampaignListItem = z.infer<typeof ZCampaignListItem>;

/** What the running workflow reports (its query): IDs and counts only. */
export const ZCampaignProgress = z.object({
  status: z.enum(['waiting', 'running', 'paused', 'cancelling', 'completed', 'cancelled', 'refused']),
  phase: z.enum(['resolving', 'sending']),
  totals: z.object({
    recipients: z.number().int(),
    sent: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
  }),
  paused: z.boolean(),
  refusedFor: z.array(z.string()),
});
export type CampaignProgressOut = z.infer<typeof ZCampaignProgress>;

export const ZCampaignOut = ZCampaignListItem.extend({
  templateKind: z.string(),
  purposeIsDirectMarketing: z.boolean(),
  /** Skipped recipients per reason code (a recipient may have several), largest first. */
  skippedByReason: z.array(z.object({ code: z.string(), count: z.number().int() })),
  /** The workflow's live progress while it is scheduled, running or paused; null otherwise or when it does not answer. */
  progress: ZCampaignProgress.nullable(),
  /** Why the workflow refused to start the campaign (it is then cancelled); null when it did not refuse. */
  refusedFor: z.array(z.string()).nullable(),
});
export type CampaignOut = z.infer<typeof ZCampaignOut>;

export const ZStartOut = z.object({ status: z.enum(['started', 'already_started']) });
export const ZSignalOut = z.object({ status: z.literal('signalled') });

export const ZRecipientRow = z.object({
  contactId: z.string(),
  /** Null for roles that may not see addresses (sales), and for erased contacts. */
  email: z.string().nullable(),
  outcome: ZRecipientOutcome,
  reasonCodes: z.array(z.string()),
  /** The SMTP answer of a failed send; shown only to roles that see addresses (it may quote one). */
  smtpResponse: z.string().nullable(),
  messageId: z.string().nullable(),
  decidedAt: z.date().nullable(),
  sentAt: z.date().nullable(),
});
export const ZRecipientsOut = z.object({
  items: z.array(ZRecipientRow),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});
