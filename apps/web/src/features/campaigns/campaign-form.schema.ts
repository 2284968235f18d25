import { ZChannel, type Channel } from '@zweck/policy';
import { z } from 'zod';
import { localValueToIsoWithOffset, toDateTimeLocalValue } from '../../lib/datetime.ts';
import type { RouterInputs } from '../../lib/trpc.ts';
import type { Campaign } from './campaign-labels.ts';

/** The API's bound on the throttle. */
export const THROTTLE_MAX = 100_000;

/**
 * The composer's values as the inputs hold them (strings), under the API's input names so that an
 * error the server names lands beside its field. The catalogue rules (the purpose uses the channel,
 * direct marketing sends marketing templates only) are checked again by the server.
 */
export const ZCampaignForm = z
  .object({
    name: z.string().trim().min(1, 'Give the campaign a name').max(120, 'At most 120 characters'),
    segmentId: z.string().min(1, 'Choose a segment'),
    templateId: z.string().min(1, 'Choose a template'),
    purposeId: z.string().min(1, 'Choose a purpose'),
    channel: ZChannel,
    when: z.enum(['now', 'later']),
    /** A `datetime-local` value, in the browser's time zone. */
    scheduledAt: z.string(),
    /** Messages per minute; empty: as fast as the worker allows. */
    throttlePerMinute: z
      .string()
      .trim()
      .refine((v) => v === '' || /^\d+$/.test(v), 'Whole messages per minute')
      .refine(
        (v) => v === '' || (Number(v) >= 1 && Number(v) <= THROTTLE_MAX),
        `Between 1 and ${THROTTLE_MAX.toLocaleString('en')} per minute`,
      ),
    /** Track opens and clicks, for recipients whose consent to e-mail tracking covers it. */
    track: z.boolean(),
  })
  .superRefine(
    (values, ctx) => {
      if (values.when !== 'later') return;
      const iso = localValueToIsoWithOffset(values.scheduledAt);
      if (iso === null) {
        ctx.addIssue({ code: 'custom', path: ['scheduledAt'], message: 'Choose the date and time to send' });
      } else if (Date.parse(iso) <= Date.now()) {
        ctx.addIssue({ code: 'custom', path: ['scheduledAt'], message: 'Choose a time ahead, or send now' });
      }
    },
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  );

export type CampaignFormInput = z.input<typeof ZCampaignForm>;
export type CampaignFormValues = z.output<typeof ZCampaignForm>;
export type CampaignInput = RouterInputs['campaigns']['create'];

export const CAMPAIGN_FORM_PATHS = [
  'name',
  'segmentId',
  'templateId',
  'purposeId',
  'channel',
  'when',
  'scheduledAt',
  'throttlePerMinute',
  'track',
] as const;
export type CampaignFormPath = (typeof CAMPAIGN_FORM_PATHS)[number];
export const isCampaignFormPath = (path: string): path is CampaignFormPath => (CAMPAIGN_FORM_PATHS as readonly string[]).includes(path);

export const NEW_CAMPAIGN: CampaignFormInput = {
  name: '',
  segmentId: '',
  templateId: '',
  purposeId: '',
  channel: 'email',
  when: 'now',
  scheduledAt: '',
  throttlePerMinute: '',
  track: false,
};

/** A draft's values in the composer. */
export function toCampaignForm(campaign: Campaign): CampaignFormInput {
  const channel: Channel = ZChannel.safeParse(campaign.channel).data ?? 'email';
  return {
    name: campaign.name,
    segmentId: campaign.segmentId,
    templateId: campaign.templateId,
    purposeId: campaign.purposeId,
    channel,
    when: campaign.scheduledAt ? 'later' : 'now',
    scheduledAt: campaign.scheduledAt ? toDateTimeLocalValue(new Date(campaign.scheduledAt)) : '',
    throttlePerMinute: campaign.throttlePerMinute === null ? '' : String(campaign.throttlePerMinute),
    track: campaign.track,
  };
}

/** The API's input for the composer's values. */
export function toCampaignInput(values: CampaignFormValues): CampaignInput {
  return {
    name: values.name,
    segmentId: values.segmentId,
    templateId: values.templateId,
    purposeId: values.purposeId,
    channel: values.channel,
    scheduledAt: values.when === 'later' ? localValueToIsoWithOffset(values.scheduledAt) : null,
    throttlePerMinute: values.throttlePerMinute === '' ? null : Number(values.throttlePerMinute),
    track: values.channel === 'email' && values.track,
  };
}

/** The purposes a campaign on `channel` may use: those whose channels include it. */
export const purposesFor = <P extends { channels: readonly string[] }>(purposes: readonly P[], channel: string): P[] =>
  purposes.filter((p) => p.channels.includes(channel));
