import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { ErrorNotice, Loading } from '../../components/feedback.tsx';
import { FormServerError, showServerError, SubmitCancelActions } from '../../components/form-fields.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { trpc } from '../../lib/trpc.ts';
import { usePurposes } from '../purposes/use-purposes.ts';
import { JourneyBasicsFields } from './journey-basics-fields.tsx';
import { isJourneyFormPath, NEW_JOURNEY, toTrigger, ZJourneySettingsForm, type JourneySettingsForm } from './journey-form.schema.ts';
import { invalidateJourneys, useSegmentChoices } from './use-journeys.ts';

export function NewJourneyPage() {
  const navigate = useNavigate();
  const purposes = usePurposes();
  const segments = useSegmentChoices();
  const failed = [purposes, segments].find((q) => q.isError);
  return (
    <>
      <title>New journey · Zweck</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/journeys">Journeys</Link> <span aria-hidden="true">/</span> <span aria-current="page">New journey</span>
      </nav>
      <PageHeader
        title="New journey"
        subtitle="Name it, choose the purpose it serves and how contacts enter. You then draw its steps in the designer; nothing runs until you publish."
      />
      <div className="form-card">
        {failed ? (
          <ErrorNotice title="The choices could not be loaded" error={failed.error} onRetry={() => void failed.refetch()} />
        ) : !purposes.data || !segments.data ? (
          <Loading label="Loading purposes and segments…" />
        ) : (
          <NewJourneyForm
            purposes={purposes.data}
            segments={segments.data}
            onCreated={(id) => void navigate(`/journeys/${id}`)}
            onCancel={() => void navigate('/journeys')}
          />
        )}
      </div>
    </>
  );
}

function NewJourneyForm({
  purposes,
  segments,
  onCreated,
  onCancel,
}: {
  purposes: NonNullable<ReturnType<typeof usePurposes>['data']>;
  segments: NonNullable<ReturnType<typeof useSegmentChoices>['data']>;
  onCreated: (id: string) => void;
  onCancel: () => void;
}) {
  const form = useForm<JourneySettingsForm>({
    resolver: zodResolver(ZJourneySettingsForm),
    defaultValues: { ...NEW_JOURNEY, conversionStages: [], allowReentry: false },
  });
  const create = useMutation(trpc.journeys.create.mutationOptions());
  const busy = form.formState.isSubmitting || create.isPending;
  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const journey = await create.mutateAsync({
        name: values.name,
        description: values.description,
        purposeId: values.purposeId,
        trigger: toTrigger(values),
      });
      await invalidateJourneys();
      onCreated(journey.id);
    } catch (error) {
      showServerError(form.setError, error, isJourneyFormPath);
    }
  });
  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="New journey">
      <FormServerError title="The journey was not created" error={form.formState.errors.root?.server} />
      <fieldset className="fieldset">
        <legend>The journey</legend>
        <JourneyBasicsFields form={form} purposes={purposes} segments={segments} idPrefix="new-journey" />
      </fieldset>
      <SubmitCancelActions busy={busy} submitLabel="Create and open the designer" onCancel={onCancel} />
    </form>
  );
}
