import type { ReactNode } from 'react';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';

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
  children?: ReactNode;
}) {
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}
        {required ? (
          <span className="required-mark" aria-hidden="true">
            {' '}
            (required)
          </span>
        ) : null}
      </label>
      <input
        id={id}
        type={type}
        autoComplete={autoComplete}
        autoFocus={autoFocus}
        max={max}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        aria-required={required}
        {...registration}
      />
      {hint ? (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error.message} {children}
        </p>
      ) : null}
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
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...registration}>
        {children}
      </select>
      {error ? (
        <p className="field-error" id={`${id}-error`}>
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
