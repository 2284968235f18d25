import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation } from '@tanstack/react-query';
import { useState, type FocusEvent } from 'react';
import { useForm, useWatch } from 'react-hook-form';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.tsx';
import { FormServerError, SelectField, TextAreaField, TextField } from '../../components/form-fields.tsx';
import { PageHeader } from '../../components/page-header.tsx';
import { appCodeOf, describeError, fieldErrorsOf } from '../../lib/errors.ts';
import { trpc, type RouterOutputs } from '../../lib/trpc.ts';
import { can } from '../auth/permissions.ts';
import { useSessionUser } from '../auth/session.tsx';
import { PlaceholderPalette } from './placeholder-palette.tsx';
import {
  insertAt,
  KIND_LABELS,
  NEW_TEMPLATE,
  templateFieldMessages,
  withRequiredFooter,
  ZTemplateForm,
  type TemplateField,
  type TemplateFormValues,
} from './template-editor.ts';
import { TemplatePreview } from './template-preview.tsx';
import { invalidateTemplates, usePlaceholders, useTemplate, type Placeholders } from './use-templates.ts';

type TestSendResult = RouterOutputs['templates']['testSend'];

/** `/templates/new` and `/templates/:id`: the same editor, empty or loaded. */
export function TemplateEditorPage() {
  const { id } = useParams();
  const isNew = id === undefined;
  const template = useTemplate(id);
  const placeholders = usePlaceholders();
  const title = isNew ? 'New template' : (template.data?.name ?? 'Template');

  let body;
  if (placeholders.isPending || (!isNew && template.isPending)) body = <Loading label="Loading the template…" />;
  else if (placeholders.isError) {
    body = (
      <ErrorNotice title="The placeholders could not be loaded" error={placeholders.error} onRetry={() => void placeholders.refetch()} />
    );
  } else if (!isNew && template.isError) {
    body = <ErrorNotice title="The template could not be loaded" error={template.error} onRetry={() => void template.refetch()} />;
  } else {
    const initial: TemplateFormValues = isNew || !template.data ? NEW_TEMPLATE : template.data;
    body = <TemplateEditor key={id ?? 'new'} templateId={id ?? null} initial={initial} placeholders={placeholders.data} />;
  }

  return (
    <>
      <title>{`${title} · Templates · Zweck`}</title>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/templates">Templates</Link> <span aria-hidden="true">/</span> <span aria-current="page">{title}</span>
      </nav>
      <PageHeader
        title={title}
        subtitle="Placeholders in double braces are filled in per contact and escaped; a template cannot run code. The preview shows the message as a sample contact would receive it."
      />
      {body}
    </>
  );
}

function TemplateEditor({
  templateId,
  initial,
  placeholders,
}: {
  templateId: string | null;
  initial: TemplateFormValues;
  placeholders: Placeholders;
}) {
  const user = useSessionUser();
  const navigate = useNavigate();
  const canEdit = can(user.role, 'templates.edit');
  const form = useForm<TemplateFormValues>({ resolver: zodResolver(ZTemplateForm), defaultValues: initial });
  const { errors, isSubmitting, isDirty } = form.formState;
  const values = useWatch({ control: form.control }) as TemplateFormValues;
  const [lastField, setLastField] = useState<TemplateField>('html');
  const [testResult, setTestResult] = useState<TestSendResult | null>(null);
  const [isConfirmingDelete, setConfirmingDelete] = useState(false);
  // A new template arrives here saved, after the navigation from /templates/new.
  const location = useLocation() as { state: { saved?: boolean } | null };
  const [isSaved, setSaved] = useState(location.state?.saved === true);
  const create = useMutation(trpc.templates.create.mutationOptions());
  const update = useMutation(trpc.templates.update.mutationOptions());
  const remove = useMutation(trpc.templates.delete.mutationOptions());
  const testSend = useMutation(trpc.templates.testSend.mutationOptions());
  const busy = isSubmitting || create.isPending || update.isPending;

  /** Server problems beside their fields; the rest above the form. */
  const showServerError = (error: unknown) => {
    const code = appCodeOf(error);
    if (code === 'TEMPLATE_NAME_TAKEN') {
      form.setError('name', { type: 'server', message: describeError(error) }, { shouldFocus: true });
      return;
    }
    const byField = templateFieldMessages(code === 'TEMPLATE_INVALID' || code === null ? fieldErrorsOf(error) : null);
    const fields = Object.entries(byField) as [TemplateField, string][];
    fields.forEach(([field, message], index) => form.setError(field, { type: 'server', message }, { shouldFocus: index === 0 }));
    if (fields.length === 0 || code !== 'TEMPLATE_INVALID') form.setError('root.server', { type: 'server', message: describeError(error) });
  };

  const onSubmit = form.handleSubmit(async (input) => {
    if (busy || !canEdit) return;
    try {
      if (templateId === null) {
        const { id } = await create.mutateAsync(input);
        await invalidateTemplates();
        form.reset(input);
        await navigate(`/templates/${id}`, { replace: true, state: { saved: true } });
      } else {
        await update.mutateAsync({ id: templateId, ...input });
        await invalidateTemplates();
        form.reset(input);
        setSaved(true);
      }
    } catch (error) {
      showServerError(error);
    }
  });

  const onFocus = (event: FocusEvent<HTMLFormElement>) => {
    const name = (event.target as HTMLElement).getAttribute('name');
    if (name === 'subject' || name === 'html' || name === 'text') setLastField(name);
  };

  /** Puts a placeholder at the cursor of the subject or body last edited. */
  const insertPlaceholder = (key: string) => {
    const element = document.getElementById(`template-${lastField}`) as HTMLInputElement | HTMLTextAreaElement | null;
    const current = form.getValues(lastField);
    const start = element?.selectionStart ?? current.length;
    const end = element?.selectionEnd ?? current.length;
    const next = insertAt(current, start, end, `{{${key}}}`);
    form.setValue(lastField, next.value, { shouldDirty: true });
    form.clearErrors(lastField);
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(next.caret, next.caret);
    });
  };

  const insertFooter = () => {
    const required = placeholders.requiredForMarketing;
    form.setValue('html', withRequiredFooter(form.getValues('html'), placeholders.requiredFooter.html, required, true), {
      shouldDirty: true,
    });
    form.setValue('text', withRequiredFooter(form.getValues('text'), placeholders.requiredFooter.text, required, false), {
      shouldDirty: true,
    });
    form.clearErrors(['html', 'text']);
  };

  const sendTest = async () => {
    setTestResult(null);
    form.clearErrors('root.server');
    const { kind, subject, html, text } = form.getValues();
    try {
      const result = await testSend.mutateAsync(
        templateId !== null && !isDirty ? { templateId } : { draft: { kind, subject, html, text } },
      );
      setTestResult(result);
    } catch (error) {
      showServerError(error);
    }
  };

  const deleteTemplate = async () => {
    if (templateId === null) return;
    try {
      await remove.mutateAsync({ id: templateId });
      await invalidateTemplates();
      await navigate('/templates');
    } catch (error) {
      setConfirmingDelete(false);
      form.setError('root.server', { type: 'server', message: describeError(error) });
    }
  };

  return (
    <div className="template-workspace">
      <form
        className="form template-form card"
        onSubmit={(e) => void onSubmit(e)}
        onFocus={onFocus}
        noValidate
        aria-busy={busy}
        aria-label="Template"
      >
        <div className="card-body">
          {!canEdit ? <p className="muted small">Read only: marketers and administrators write templates.</p> : null}
          <FormServerError title="That did not work" error={errors.root?.server} />
          {isSaved && !isDirty && !busy ? (
            <Notice tone="success" title="Template saved">
              <p>Campaigns that use it send the saved version.</p>
            </Notice>
          ) : null}
          <fieldset className="fieldset template-fields" disabled={!canEdit}>
            <legend className="visually-hidden">Template</legend>
            <div className="field-row template-name-row">
              <TextField
                id="template-name"
                label="Name"
                required
                autoComplete="off"
                registration={form.register('name')}
                error={errors.name}
              />
              <SelectField id="template-kind" label="Kind" registration={form.register('kind')} error={errors.kind}>
                {(['marketing', 'transactional'] as const).map((kind) => (
                  <option key={kind} value={kind}>
                    {KIND_LABELS[kind].label}
                  </option>
                ))}
              </SelectField>
            </div>
            <p className="field-hint field-hint-after">{KIND_LABELS[values.kind].hint}</p>
            <TextField
              id="template-subject"
              label="Subject"
              required
              autoComplete="off"
              registration={form.register('subject')}
              error={errors.subject}
            />
            <TextAreaField
              id="template-html"
              label="HTML body"
              required
              rows={16}
              registration={form.register('html')}
              error={errors.html}
              hint="Personal values may stand in text and in quoted alt or title attributes, never in a link, a style or a script."
            />
            <TextAreaField
              id="template-text"
              label="Text body"
              required
              rows={9}
              registration={form.register('text')}
              error={errors.text}
              hint="For mail programs that do not show HTML, and for screen readers."
            />
          </fieldset>
          {canEdit ? (
            <div className="form-actions template-actions">
              <button type="submit" className="button button-primary" disabled={busy}>
                {busy ? 'Saving…' : templateId === null ? 'Create template' : 'Save changes'}
              </button>
              <button type="button" className="button button-secondary" disabled={testSend.isPending} onClick={() => void sendTest()}>
                {testSend.isPending ? 'Sending…' : 'Send a test to me'}
              </button>
              {templateId !== null ? (
                isConfirmingDelete ? (
                  <span className="template-delete-confirm">
                    <button
                      type="button"
                      className="button button-danger button-small"
                      disabled={remove.isPending}
                      onClick={() => void deleteTemplate()}
                    >
                      Delete for good
                    </button>
                    <button type="button" className="button button-secondary button-small" onClick={() => setConfirmingDelete(false)}>
                      Keep it
                    </button>
                  </span>
                ) : (
                  <button
                    type="button"
                    className="button button-secondary button-small template-delete"
                    onClick={() => setConfirmingDelete(true)}
                  >
                    Delete…
                  </button>
                )
              ) : null}
            </div>
          ) : null}
          {testResult ? <TestSendNotice result={testResult} /> : null}
        </div>
      </form>

      <div className="template-side">
        <PlaceholderPalette
          placeholders={placeholders}
          kind={values.kind}
          html={values.html}
          text={values.text}
          target={lastField}
          canEdit={canEdit}
          onInsert={insertPlaceholder}
          onInsertFooter={insertFooter}
        />
        <TemplatePreview draft={{ kind: values.kind, subject: values.subject, html: values.html, text: values.text }} />
      </div>
    </div>
  );
}

function TestSendNotice({ result }: { result: TestSendResult }) {
  switch (result.status) {
    case 'sent':
      return (
        <Notice tone="success" title="Test sent">
          <p>
            A copy marked “[Test]” went to <strong>{result.to}</strong>, with your name as sample data and example links.
          </p>
        </Notice>
      );
    case 'requested':
      return (
        <Notice tone="info" title="Test on its way">
          <p>
            It will arrive at <strong>{result.to}</strong> shortly. {result.detail}
          </p>
        </Notice>
      );
    default:
      return (
        <Notice tone="warning" title="The test was not sent">
          <p>{result.detail}</p>
        </Notice>
      );
  }
}
