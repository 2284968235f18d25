import type { ReactNode } from 'react';
import type { FieldError, UseFormRegisterReturn } from 'react-hook-form';
import { TextAreaField, TextField } from '../../components/form-fields.tsx';
import { INPUT_TYPES, labelFromKey, labelOf, type CatalogueField, type ValuePath } from './contact-fields.ts';

/** Shown under every free-text field: the API screens such text and refuses special categories. */
export const FREE_TEXT_HINT = 'Never enter health, religion, political views or similar (Art. 9 GDPR) — such text is refused.';

const NO_PURPOSE_HINT = 'No purpose uses this field yet, so a value is refused (Art. 5(1)(b) GDPR). Ask your data protection officer.';

/**
 * The person's values, as the new-contact and edit forms share them: the built-in fields, then the
 * catalogue's other fields with an input for their type.
 */
export function ContactValueFields({
  idPrefix,
  catalogue,
  attributeFields,
  extraKeys = [],
  hiddenKeys = [],
  register,
  errorAt,
  emailAddon,
}: {
  idPrefix: string;
  /** The whole field catalogue: labels and purposes of the built-in fields too. */
  catalogue: readonly CatalogueField[];
  /** The non-built-in fields to show, in order. */
  attributeFields: readonly CatalogueField[];
  /** Keys the record holds that the catalogue no longer describes: shown so that they can be cleared. */
  extraKeys?: readonly string[];
  /** Built-in fields withheld from the user's role: no input (field-level need-to-know). */
  hiddenKeys?: readonly string[];
  register: (path: ValuePath) => UseFormRegisterReturn;
  errorAt: (path: ValuePath) => FieldError | undefined;
  /** Shown with an error on the e-mail field (a link to the contact that has the address). */
  emailAddon?: ReactNode;
}) {
  const builtinHint = (key: string, usual?: string): string | undefined =>
    catalogue.find((f) => f.key === key)?.purposes.length === 0 ? NO_PURPOSE_HINT : usual;
  const id = (name: string) => `${idPrefix}-${name.replace(/_/g, '-')}`;
  const shows = (key: string): boolean => !hiddenKeys.includes(key);
  const singleLine = attributeFields.filter((f) => INPUT_TYPES[f.type] !== 'textarea');
  const multiLine = attributeFields.filter((f) => INPUT_TYPES[f.type] === 'textarea');

  return (
    <>
      <TextField
        id={id('email')}
        label={labelOf(catalogue, 'email')}
        type="email"
        autoComplete="off"
        required
        registration={register('email')}
        error={errorAt('email')}
      >
        {emailAddon}
      </TextField>
      <div className="field-row">
        {shows('first_name') ? (
          <TextField
            id={id('first-name')}
            label={labelOf(catalogue, 'first_name')}
            autoComplete="off"
            hint={builtinHint('first_name')}
            registration={register('firstName')}
            error={errorAt('firstName')}
          />
        ) : null}
        {shows('last_name') ? (
          <TextField
            id={id('last-name')}
            label={labelOf(catalogue, 'last_name')}
            autoComplete="off"
            hint={builtinHint('last_name')}
            registration={register('lastName')}
            error={errorAt('lastName')}
          />
        ) : null}
      </div>
      <div className="field-row">
        {shows('phone') ? (
          <TextField
            id={id('phone')}
            label={labelOf(catalogue, 'phone')}
            type="tel"
            autoComplete="off"
            hint={builtinHint('phone', 'Any notation; numbers are compared in international form to find duplicates.')}
            registration={register('phone')}
            error={errorAt('phone')}
          />
        ) : null}
        {shows('organization') ? (
          <TextField
            id={id('organization')}
            label={labelOf(catalogue, 'organization')}
            autoComplete="off"
            hint={builtinHint('organization')}
            registration={register('organization')}
            error={errorAt('organization')}
          />
        ) : null}
      </div>
      {singleLine.length > 0 || multiLine.length > 0 || extraKeys.length > 0 ? (
        <div className="catalogue-fields">
          {singleLine.map((field) => (
            <TextField
              key={field.key}
              id={id(field.key)}
              label={field.label}
              type={INPUT_TYPES[field.type]}
              autoComplete="off"
              hint={field.purposes.length === 0 ? NO_PURPOSE_HINT : field.description || undefined}
              registration={register(`attributes.${field.key}`)}
              error={errorAt(`attributes.${field.key}`)}
            />
          ))}
          {extraKeys.map((key) => (
            <TextField
              key={key}
              id={id(key)}
              label={labelFromKey(key)}
              autoComplete="off"
              hint="This field is no longer in the catalogue: clear it, or ask your data protection officer to add the field again."
              registration={register(`attributes.${key}`)}
              error={errorAt(`attributes.${key}`)}
            />
          ))}
          {multiLine.map((field) => (
            <TextAreaField
              key={field.key}
              id={id(field.key)}
              label={field.label}
              isFullWidth
              rows={3}
              hint={[field.purposes.length === 0 ? NO_PURPOSE_HINT : field.description, FREE_TEXT_HINT].filter(Boolean).join(' ')}
              registration={register(`attributes.${field.key}`)}
              error={errorAt(`attributes.${field.key}`)}
            />
          ))}
        </div>
      ) : null}
    </>
  );
}
