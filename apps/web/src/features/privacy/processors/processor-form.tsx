import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { TRANSFER_MECHANISM_LABELS, ZDataCategory, ZTransferMechanism } from '@zweck/policy';
import { useForm, type FieldError } from 'react-hook-form';
import {
  CheckboxGroup,
  FormServerError,
  SelectField,
  showServerError,
  SubmitCancelActions,
  TextAreaField,
  TextField,
} from '../../../components/form-fields.tsx';
import { queryClient, trpc } from '../../../lib/trpc.ts';
import { CATEGORY_LABELS } from '../../catalogue/catalogue.schema.ts';
import { usePurposes } from '../../purposes/use-purposes.ts';
import { COUNTRY_OPTIONS } from './countries.ts';
import {
  isProcessorFormPath,
  toProcessorInput,
  ZProcessorForm,
  type Processor,
  type ProcessorFormInput,
  type ProcessorFormValues,
} from './processor-form.schema.ts';

/** After a change: the register, the records of processing (built from it) and the audit log. */
export async function invalidateProcessors(): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries(trpc.processors.pathFilter()),
    queryClient.invalidateQueries(trpc.records.pathFilter()),
    queryClient.invalidateQueries(trpc.audit.pathFilter()),
  ]);
}

/** The DPO's form for one processor, new (`id` null) or existing. */
export function ProcessorForm({
  id,
  initial,
  onSaved,
  onCancel,
}: {
  id: string | null;
  initial: ProcessorFormInput;
  onSaved: (processor: Processor) => void | Promise<void>;
  onCancel: () => void;
}) {
  const form = useForm<ProcessorFormInput, unknown, ProcessorFormValues>({ resolver: zodResolver(ZProcessorForm), defaultValues: initial });
  const { errors, isSubmitting } = form.formState;
  const purposes = usePurposes();
  const create = useMutation(trpc.processors.create.mutationOptions());
  const update = useMutation(trpc.processors.update.mutationOptions());
  const busy = isSubmitting || create.isPending || update.isPending;

  const onSubmit = form.handleSubmit(async (values) => {
    if (busy) return;
    try {
      const input = toProcessorInput(values);
      const saved = id === null ? await create.mutateAsync(input) : await update.mutateAsync({ id, ...input });
      await invalidateProcessors();
      form.reset(values);
      await onSaved(saved);
    } catch (error) {
      showServerError(form.setError, error, isProcessorFormPath);
    }
  });

  return (
    <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate aria-busy={busy} aria-label="Processor">
      <FormServerError title="The processor was not saved" error={errors.root?.server} />
      <fieldset className="fieldset">
        <legend>Processor</legend>
        <TextField id="processor-name" label="Name" required autoComplete="off" registration={form.register('name')} error={errors.name} />
        <TextAreaField
          id="processor-service"
          label="Service"
          required
          rows={2}
          registration={form.register('service')}
          error={errors.service}
          hint="What it does with the data on your behalf (Art. 28(3) GDPR)."
        />
        <TextField
          id="processor-notice-email"
          label="Notice address"
          type="email"
          required
          autoComplete="off"
          registration={form.register('noticeEmail')}
          error={errors.noticeEmail}
          hint="The processor's business address for notices, e.g. of a rectification or erasure (Art. 19 GDPR)."
        />
        <TextField
          id="processor-contract-signed-on"
          label="Contract signed on"
          type="date"
          required
          registration={form.register('contractSignedOn')}
          error={errors.contractSignedOn}
        />
        <TextField
          id="processor-review-on"
          label="Next review"
          type="date"
          registration={form.register('reviewOn')}
          error={errors.reviewOn}
          hint="When the contract and the processor's measures are checked again; leave empty for none."
        />
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>Where the data goes</legend>
        <SelectField id="processor-country" label="Country" registration={form.register('country')} error={errors.country}>
          <option value="">Choose a country</option>
          {COUNTRY_OPTIONS.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name} ({c.code})
            </option>
          ))}
        </SelectField>
        <SelectField
          id="processor-transfer-mechanism"
          label="Transfer mechanism"
          registration={form.register('transferMechanism')}
          error={errors.transferMechanism}
        >
          {ZTransferMechanism.options.map((m) => (
            <option key={m} value={m}>
              {TRANSFER_MECHANISM_LABELS[m]}
            </option>
          ))}
        </SelectField>
      </fieldset>

      <hr className="form-divider" />

      <fieldset className="fieldset">
        <legend>What it receives</legend>
        <CheckboxGroup
          id="processor-data-categories"
          legend="Data categories"
          options={ZDataCategory.options.map((c) => ({ value: c, label: CATEGORY_LABELS[c].label }))}
          registration={form.register('dataCategories')}
          error={errors.dataCategories as FieldError | undefined}
        />
        <CheckboxGroup
          id="processor-purposes"
          legend="Purposes"
          hint="The purposes whose data it processes: the records of processing list it as their recipient."
          options={(purposes.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
          registration={form.register('purposeIds')}
          error={errors.purposeIds as FieldError | undefined}
        />
      </fieldset>

      <SubmitCancelActions busy={busy} submitLabel={id === null ? 'Add processor' : 'Save processor'} onCancel={onCancel} />
    </form>
  );
}
