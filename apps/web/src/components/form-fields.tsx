import type { ReactNode } from 'react';
import type { FieldError, FieldValues, Path, UseFormRegisterReturn, UseFormSetError } from 'react-hook-form';
import { appCodeOf, describeError, fieldErrorsOf, fieldOf } from '../lib/errors.ts';

const describedBy = (id: string, hint: ReactNode, error: unknown): string | undefined =>
  [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;

function FieldLabel({ id, label, required }: { id: string; label: string; required?: boolean }) {
  return (
    <label htmlFor={id}>
      {label}
      {required ? (
        <span className="required-mark" aria-hidden="true">
          {' '}
          (required)
        </span>
      ) : null}
    </label>
  );
}

/** The hint and the error below a field, with the IDs its `aria-describedby` names. */
function FieldMessages({
  id,
  hint,
  error,
  children,
}: {
  id: string;
  hint?: ReactNode;
  error: FieldError | undefined;
  children?: ReactNode;
}) {
  return (
    <>
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error.message}
          {children ? <> {children}</> : null}
        </p>
      ) : null}
    </>
  );
}

/** A labelled input with its hint and error tied to it for assistive technology. */
export function TextField({
  id,
  label,
  type = 'text',
  hint,
  required,
  autoComplete,
  autoFocus,
  max,
  registration,
  error,
  children,
}: {
  id: string;
  label: string;
  type?: string;
  hint?: string;
  required?: boolean;
  autoComplete?: string;
  autoFocus?: boolean;
  max?: string;
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
  /** Shown after the error message, e.g. a way out of it. */
  children?: ReactNode;
}) {
  return (
    <div className="field">
      <FieldLabel id={id} label={label} required={required} />
      <input
        id={id}
        type={type}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        max={max}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        aria-required={required}
        {...registration}
      />
      <FieldMessages id={id} hint={hint} error={error}>
        {children}
      </FieldMessages>
    </div>
  );
}

/** A labelled multi-line input with its hint and error tied to it. */
export function TextAreaField({
  id,
  label,
  hint,
  rows = 4,
  required,
  isFullWidth,
  registration,
  error,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  rows?: number;
  required?: boolean;
  /** Spans every column of a grid of fields. */
  isFullWidth?: boolean;
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
}) {
  return (
    <div className={isFullWidth ? 'field field-full' : 'field'}>
      <FieldLabel id={id} label={label} required={required} />
      <textarea
        id={id}
        rows={rows}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        aria-required={required}
        {...registration}
      />
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}

/** A labelled select with its error tied to it. */
export function SelectField({
  id,
  label,
  registration,
  error,
  children,
}: {
  id: string;
  label: string;
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
  children: ReactNode;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, null, error)} {...registration}>
        {children}
      </select>
      <FieldMessages id={id} error={error} />
    </div>
  );
}

/** One checkbox with its label, a hint below, and the error the form or the server gives it. */
export function CheckboxField({
  id,
  label,
  hint,
  registration,
  error,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
}) {
  return (
    <div className="field">
      <div className="checkbox-field">
        <input
          id={id}
          type="checkbox"
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy(id, hint, error)}
          {...registration}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <FieldMessages id={id} hint={hint} error={error} />
    </div>
  );
}

/** Several checkboxes for one list value (channels, fields, purposes), as a labelled group. */
export function CheckboxGroup({
  id,
  legend,
  hint,
  options,
  registration,
  error,
}: {
  id: string;
  legend: string;
  hint?: ReactNode;
  options: readonly { value: string; label: ReactNode }[];
  registration: UseFormRegisterReturn;
  error: FieldError | undefined;
}) {
  return (
    <fieldset className="field checkbox-group" aria-describedby={describedBy(id, hint, error)} aria-invalid={error ? true : undefined}>
      <legend>{legend}</legend>
      <div className="checkbox-options">
        {options.map((option) => (
          <div className="checkbox-field" key={option.value}>
            <input id={`${id}-${option.value}`} type="checkbox" value={option.value} {...registration} />
            <label htmlFor={`${id}-${option.value}`}>{option.label}</label>
          </div>
        ))}
      </div>
      <FieldMessages id={id} hint={hint} error={error} />
    </fieldset>
  );
}

/** What the server said about a form that it did not place beside a field (`root.server`), above the form. */
export function FormServerError({ title, error }: { title: string; error: { message?: string } | undefined }) {
  return error ? (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{title}</p>
      <p>{error.message}</p>
    </div>
  ) : null;
}

/**
 * Puts a server error where it belongs: beside the field it names (`data.field`, and every field
 * of the field errors where there are several), otherwise above the form (`root.server`).
 */
export function showServerError<T extends FieldValues>(
  setError: UseFormSetError<T>,
  error: unknown,
  isPath: (path: string) => path is Path<T> & string,
): void {
  let placed = false;
  const field = fieldOf(error);
  if (field && isPath(field)) {
    setError(field, { type: appCodeOf(error) ?? 'server', message: describeError(error) }, { shouldFocus: true });
    placed = true;
  }
  for (const [key, messages] of Object.entries(fieldErrorsOf(error) ?? {})) {
    const message = messages?.[0];
    if (!message || !isPath(key)) continue;
    setError(key, { type: 'server', message }, { shouldFocus: !placed });
    placed = true;
  }
  if (!placed) setError('root.server', { type: 'server', message: describeError(error) });
}

/**
 * The submit and cancel row of an edit form. Cancel calls `onCancel`, which puts the form back
 * and leaves; `children` stand after the buttons (a note on what saving does).
 */
export function SubmitCancelActions({
  busy,
  submitLabel,
  onCancel,
  children,
}: {
  busy: boolean;
  submitLabel: string;
  onCancel: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="form-actions">
      <button type="submit" className="button button-primary" disabled={busy}>
        {busy ? 'Saving…' : submitLabel}
      </button>
      <button type="button" className="button button-secondary" onClick={onCancel}>
        Cancel
      </button>
      {children}
    </div>
  );
}
