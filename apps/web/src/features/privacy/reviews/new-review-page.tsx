import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { addMonths, format } from 'date-fns';
import { useForm, useWatch } from 'react-hook-form';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  FormServerError,
  SelectField,
  showServerError,
  SubmitCancelActions,
  TextAreaField,
  TextField,
} from '../../../components/form-fields.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { trpc } from '../../../lib/trpc.ts';
import { usePurposes } from '../../purposes/use-purposes.ts';
import { PrivacyNav } from '../privacy-nav.tsx';
import { isNewReviewPath, ZNewReviewForm, type NewReviewFormInput, type NewReviewFormValues } from './review-forms.schema.ts';
import { RECURRENCE_OPTIONS, SUBJECT_TYPE_LABEL, SUBJECT_TYPES } from './review-labels.ts';
import { invalidateReviews } from './use-reviews.ts';

/** "New review": what it is about, a title, the due date and how often it comes back. */
export function NewReviewPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const requestedType = params.get('subjectType');
  const initial: NewReviewFormInput = {
    subjectType: (SUBJECT_TYPES as readonly string[]).includes(requestedType ?? '')
      ? (requestedType as NewReviewFormInput['subjectType'])
      : 'purpose',
    subjectId: params.get('subjectId') ?? '',
    title: '',
    notes: '',
    dueOn: format(addMonths(new Date(), 1), 'yyyy-MM-dd'),
    recurrenceMonths: '12',
    reminderLeadDays: '14',
    escalateAfterDays: '14',
  };
  const form = useForm<NewReviewFormInput, unknown, NewReviewFormValues>({ resolver: zodResolver(ZNewReviewForm), defaultValues: initial });
  const { errors, isSubmitting } = form.formState;
  const subjectType = useWatch({ control: form.control, name: 'subjectType' });
  const create = useMutation(trpc.reviews.create.mutationOptions());

  const onSubmit = form.handleSubmit(async (values) => {
    try {
      const { reviewId } = await create.mutateAsync(values);
      await invalidateReviews();
      await navigate(`/privacy/reviews/${reviewId}`);
    } catch (error) {
      showServerError(form.setError, error, isNewReviewPath);
    }
  });
  const busy = isSubmitting || create.isPending;

  return (
    <>
      <title>New review · Privacy · Zweck</title>
      <PrivacyNav />
      <p className="small">
        <Link to="/privacy/reviews">← All reviews</Link>
      </p>
      <PageHeader
        title="New review"
        subtitle="A dated review of an object. You are reminded before it is due; a recurring review comes back after it is done."
      />
      <form className="form card card-body" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="New review">
        <FormServerError title="The review was not created" error={errors.root?.server} />
        <fieldset className="fieldset">
          <legend>What is reviewed</legend>
          <SelectField
            id="review-subject-type"
            label="Subject type"
            registration={form.register('subjectType', { onChange: () => form.setValue('subjectId', '') })}
            error={errors.subjectType}
          >
            {SUBJECT_TYPES.map((t) => (
              <option key={t} value={t}>
                {SUBJECT_TYPE_LABEL[t]}
              </option>
            ))}
          </SelectField>
          <SubjectField type={subjectType} form={form} />
        </fieldset>
        <fieldset className="fieldset">
          <legend>The review</legend>
          <TextField
            id="review-title"
            label="Title"
            required
            autoComplete="off"
            registration={form.register('title')}
            error={errors.title}
          />
          <TextAreaField id="review-notes" label="Notes" rows={3} registration={form.register('notes')} error={errors.notes} />
          <TextField id="review-due" label="Due on" type="date" required registration={form.register('dueOn')} error={errors.dueOn} />
          <SelectField
            id="review-recurrence"
            label="Recurrence"
            registration={form.register('recurrenceMonths')}
            error={errors.recurrenceMonths}
          >
            {RECURRENCE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </SelectField>
          <TextField
            id="review-lead"
            label="Remind this many days before"
            type="number"
            required
            registration={form.register('reminderLeadDays')}
            error={errors.reminderLeadDays}
          />
          <TextField
            id="review-escalate"
            label="Escalate to the administrators this many days after it is overdue"
            type="number"
            required
            registration={form.register('escalateAfterDays')}
            error={errors.escalateAfterDays}
          />
        </fieldset>
        <SubmitCancelActions busy={busy} submitLabel="Create review" onCancel={() => void navigate('/privacy/reviews')} />
      </form>
    </>
  );
}

type ReviewForm = ReturnType<typeof useForm<NewReviewFormInput, unknown, NewReviewFormValues>>;

/** The subject: picked from the catalogue or the processor register where there is one, else its ID. */
function SubjectField({ type, form }: { type: NewReviewFormInput['subjectType']; form: ReviewForm }) {
  const purposes = usePurposes();
  const processors = useQuery({ ...trpc.processors.list.queryOptions(), enabled: type === 'processor' });
  const error = form.formState.errors.subjectId;
  if (type === 'purpose' || type === 'processor') {
    const options =
      type === 'purpose'
        ? (purposes.data ?? []).map((p) => ({ id: p.id, name: p.name }))
        : (processors.data ?? []).map((p) => ({ id: p.id, name: p.name }));
    return (
      <SelectField
        id="review-subject"
        label={type === 'purpose' ? 'Purpose' : 'Processor'}
        registration={form.register('subjectId')}
        error={error}
      >
        <option value="">Choose…</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </SelectField>
    );
  }
  return (
    <TextField
      id="review-subject"
      label={`${SUBJECT_TYPE_LABEL[type] ?? type} ID`}
      hint="The ID from the address of its page."
      required
      autoComplete="off"
      registration={form.register('subjectId')}
      error={error}
    />
  );
}
