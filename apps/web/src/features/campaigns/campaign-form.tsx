import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { ZChannel } from '@zweck/policy';
import { useEffect } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { Link } from 'react-router';
import { ErrorNotice, Loading } from '../../components/feedback.tsx';
import { FormServerError, SelectField, showServerError, SubmitCancelActions, TextField } from '../../components/form-fields.tsx';
import { label } from '../../lib/labels.ts';
import { trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { usePurposes } from '../purposes/use-purposes.ts';
import {
  isCampaignFormPath,
  purposesFor,
  THROTTLE_MAX,
  toCampaignInput,
  ZCampaignForm,
  type CampaignFormInput,
  type CampaignFormValues,
} from './campaign-form.schema.ts';
import type { Campaign } from './campaign-labels.ts';
import { invalidateCampaigns, useSegmentOptions, useTemplateOptions } from './use-campaigns.ts';

type SegmentOption = RouterOutputs['segments']['list'][number];
type TemplateOption = RouterOutputs['templates']['list'][number];

/** The composer's choices load first: segments, templates and the purpose catalogue. */
export function CampaignForm(props: {
  initial: CampaignFormInput;
  /** The draft being edited; absent for a new campaign. */
  campaign?: Campaign;
  onSaved: (campaign: Campaign) => void | Promise<void>;
  onCancel: () => void;
}) {
  const segments = useSegmentOptions();
  const templates = useTemplateOptions();
  const purposes = usePurposes();
  const failed = [segments, templates, purposes].find((q) => q.isError);
  if (failed)
    return <ErrorNotice title="The composer’s choices could not be loaded" error={failed.error} onRetry={() => void failed.refetch()} />;
  if (!segments.data || !templates.data || !purposes.data) return <Loading label="Loading segments, templates and purposes…" />;
  return <CampaignFormView {...props} segments={segments.data} templates={templates.data} purposes={purposes.data} />;
}

function CampaignFormView({
  initial,
  campaign,
  segments,
  templates,
  purposes,
  onSaved,
  onCancel,
}: {
  initial: CampaignFormInput;
  campaign?: Campaign;
  segments: readonly SegmentOption[];
  templates: readonly TemplateOption[];
  purposes: NonNullable<ReturnType<typeof usePurposes>['data']>;
  onSaved: (campaign: Campaign) => void | Promise<void>;
  onCancel: () => void;
}) {
  const form = useForm<CampaignFormInput, unknown, CampaignFormValues>({ resolver: zodResolver(ZCampaignForm), defaultValues: initial });
  const { errors, isSubmitting } = form.formState;
  const [channel, purposeId, templateId, when] = useWatch({ control: form.control, name: ['channel', 'purposeId', 'templateId', 'when'] });
  const create = useMutation(trpc.campaigns.create.mutationOptions());
  const update = useMutation(trpc.campaigns.update.mutationOptions());
  const busy = isSubmitting || create.isPending || update.isPending;

  const usable = purposesFor(purposes, channel);
  const purpose = purposes.find((p) => p.id === purposeId);
  const template = templates.find((t) => t.id === templateId);
  // A purpose that does not use the newly chosen channel is no choice any more.
  useEffect(() => {
    if (purposeId && !usable.some((p) => p.id === purposeId)) form.setValue('purposeId', '', { shouldValidate: false });
  }, [channel, purposeId, usable, form]);

  const onSubmit = form.handleSubmit(async (values) => {
    if (busy) return;
    try {
      const input = toCampaignInput(values);
      const saved = campaign ? await update.mutateAsync({ id: campaign.id, ...input }) : await create.mutateAsync(input);
      await invalidateCampaigns();
      form.reset(values);
      await onSaved(saved);
    } catch (error) {
      showServerError(form.setError, error, isCampaignFormPath);
    }
  });

  const templateMismatch = purpose?.isDirectMarketing === true && template !== undefined && template.kind !== 'marketing';

  return (
    <form className="form campaign-form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="Campaign">
      <FormServerError title="The campaign was not saved" error={errors.root?.server} />

      <fieldset className="fieldset">
        <legend>What and to whom</legend>
        <TextField id="campaign-name" label="Name" required autoComplete="off" registration={form.register('name')} error={errors.name} />
        <SelectField id="campaign-segment" label="Segment" registration={form.register('segmentId')} error={errors.segmentId}>
          <option value="">Choose a segment…</option>
          {segments.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name} ({s.memberCount.toLocaleString('en-GB')} {s.memberCount === 1 ? 'contact' : 'contacts'})
            </option>
          ))}
        </SelectField>
        {segments.length === 0 ? (
          <p className="field-hint field-hint-after">
            There are no segments yet. <Link to="/segments/new">Build one</Link> first.
          </p>
        ) : null}
        <SelectField id="campaign-template" label="Template" registration={form.register('templateId')} error={errors.templateId}>
          <option value="">Choose a template…</option>
          {templates.map((t) => (
            <option key={t.id} value={t.id} disabled={purpose?.isDirectMarketing === true && t.kind !== 'marketing'}>
              {t.name} ({t.kind === 'marketing' ? 'marketing' : 'transactional'})
            </option>
          ))}
        </SelectField>
        {templateMismatch && !errors.templateId ? (
          <p className="field-error field-hint-after">
            “{purpose.name}” is direct marketing: it sends marketing templates only, which carry the unsubscribe link, the preference
            center, the privacy notice and the imprint.
          </p>
        ) : null}
        {templates.length === 0 ? (
          <p className="field-hint field-hint-after">
            There are no templates yet. <Link to="/templates/new">Write one</Link> first.
          </p>
        ) : null}
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Channel and purpose</legend>
        <div className="field-row">
          <SelectField id="campaign-channel" label="Channel" registration={form.register('channel')} error={errors.channel}>
            {ZChannel.options.map((c) => (
              <option key={c} value={c}>
                {label(c)}
              </option>
            ))}
          </SelectField>
          <SelectField id="campaign-purpose" label="Purpose" registration={form.register('purposeId')} error={errors.purposeId}>
            <option value="">{usable.length === 0 ? 'No purpose uses this channel' : 'Choose a purpose…'}</option>
            {usable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
        </div>
        <p className="field-hint field-hint-after" id="campaign-purpose-hint">
          {purpose
            ? `${label(purpose.legalBasis)}${purpose.isDirectMarketing ? ' · direct marketing: an objection ends it for good (Art. 21 GDPR)' : ''}${purpose.requiresDoubleOptIn ? ' · double opt-in required' : ''}. Only purposes that use the chosen channel are offered (Art. 5(1)(b) GDPR).`
            : 'Only purposes that use the chosen channel are offered (Art. 5(1)(b) GDPR). The policy checks every recipient against this purpose right before the send.'}
        </p>
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Schedule and pace</legend>
        <fieldset className="campaign-when">
          <legend className="field-label">When</legend>
          <label className="campaign-radio">
            <input type="radio" value="now" {...form.register('when')} /> As soon as it is started
          </label>
          <label className="campaign-radio">
            <input type="radio" value="later" {...form.register('when')} /> Later, at a set time
          </label>
        </fieldset>
        {when === 'later' ? (
          <div className="field-row">
            <TextField
              id="campaign-scheduled-at"
              label="Send at"
              type="datetime-local"
              registration={form.register('scheduledAt')}
              error={errors.scheduledAt}
              hint="In your time zone. Start the campaign afterwards: it waits until then, and can be cancelled meanwhile."
            />
          </div>
        ) : null}
        <div className="field-row">
          <TextField
            id="campaign-throttle"
            label="Messages per minute"
            type="number"
            registration={form.register('throttlePerMinute')}
            error={errors.throttlePerMinute}
            hint={`Optional, 1 to ${THROTTLE_MAX.toLocaleString('en-GB')}. Empty: as fast as the mail server takes them.`}
          />
        </div>
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Results</legend>
        <label className="campaign-radio" htmlFor="campaign-track">
          <input
            id="campaign-track"
            type="checkbox"
            disabled={channel !== 'email'}
            aria-describedby="campaign-track-hint"
            {...form.register('track')}
          />{' '}
          Track opens and clicks
        </label>
        <p className="field-hint field-hint-after" id="campaign-track-hint">
          {channel === 'email'
            ? 'Only for recipients who consented to e-mail open and click measurement (§ 25 TDDDG, Art. 6(1)(a) GDPR); everyone else gets plain links and no pixel. The unsubscribe and preference links are never tracked.'
            : 'Tracking exists for e-mail only.'}
        </p>
      </fieldset>

      <SubmitCancelActions
        busy={busy}
        submitLabel={campaign ? 'Save draft' : 'Create draft'}
        onCancel={() => {
          form.reset(initial);
          onCancel();
        }}
      >
        <span className="muted small">Nothing is sent until you start the campaign on its page.</span>
      </SubmitCancelActions>
    </form>
  );
}
