import { describe, expect, it } from 'vitest';
import { toDateTimeLocalValue } from '../../lib/datetime.ts';
import { NEW_CAMPAIGN, purposesFor, toCampaignInput, ZCampaignForm } from './campaign-form.schema.ts';

const valid = {
  ...NEW_CAMPAIGN,
  name: 'November',
  segmentId: '6d3c8a52-6f0e-4c41-9d51-0f1f5cdb2f10',
  templateId: '0b8b7d3e-2f6c-4f1d-8a4e-5b2d8f3b9c11',
  purposeId: 'newsletter',
};

const issues = (values: unknown) => {
  const parsed = ZCampaignForm.safeParse(values);
  return parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('the campaign composer’s values', () => {
  it('turns a send-now draft into the API input', () => {
    const parsed = ZCampaignForm.parse({ ...valid, throttlePerMinute: ' 600 ' });
    expect(toCampaignInput(parsed)).toEqual({
      name: 'November',
      segmentId: valid.segmentId,
      templateId: valid.templateId,
      purposeId: 'newsletter',
      channel: 'email',
      scheduledAt: null,
      throttlePerMinute: 600,
      track: false,
    });
  });

  it('asks for tracking only on e-mail, where consent to measurement can cover it', () => {
    expect(toCampaignInput(ZCampaignForm.parse({ ...valid, track: true })).track).toBe(true);
    expect(toCampaignInput(ZCampaignForm.parse({ ...valid, channel: 'sms', track: true })).track).toBe(false);
  });

  it('sends a later time with its offset, and refuses a time that has passed', () => {
    const inAnHour = toDateTimeLocalValue(new Date(Date.now() + 3_600_000));
    const later = toCampaignInput(ZCampaignForm.parse({ ...valid, when: 'later', scheduledAt: inAnHour }));
    expect(later.scheduledAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00[+-]\d{2}:\d{2}$/);
    expect(issues({ ...valid, when: 'later', scheduledAt: '' })).toEqual({ scheduledAt: 'Choose the date and time to send' });
    const anHourAgo = toDateTimeLocalValue(new Date(Date.now() - 3_600_000));
    expect(issues({ ...valid, when: 'later', scheduledAt: anHourAgo })).toEqual({ scheduledAt: 'Choose a time ahead, or send now' });
    // "Now" ignores a leftover time.
    expect(toCampaignInput(ZCampaignForm.parse({ ...valid, when: 'now', scheduledAt: anHourAgo })).scheduledAt).toBeNull();
  });

  it('names each missing choice and a throttle out of bounds', () => {
    expect(issues({ ...NEW_CAMPAIGN, throttlePerMinute: '0' })).toEqual({
      name: 'Give the campaign a name',
      segmentId: 'Choose a segment',
      templateId: 'Choose a template',
      purposeId: 'Choose a purpose',
      throttlePerMinute: 'Between 1 and 100,000 per minute',
    });
    expect(issues({ ...valid, throttlePerMinute: '1.5' })).toEqual({ throttlePerMinute: 'Whole messages per minute' });
  });

  it('offers only the purposes that use the channel', () => {
    const purposes = [
      { id: 'newsletter', channels: ['email'] },
      { id: 'customer_relationship', channels: ['email', 'phone'] },
    ];
    expect(purposesFor(purposes, 'phone').map((p) => p.id)).toEqual(['customer_relationship']);
    expect(purposesFor(purposes, 'email')).toHaveLength(2);
  });
});
