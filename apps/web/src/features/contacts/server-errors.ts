import type { FieldValues, Path, UseFormReturn } from 'react-hook-form';
import { appCodeOf, describeError, fieldErrorsOf, fieldOf } from '../../lib/errors.ts';
import { placeServerError } from './contact-values.schema.ts';

/**
 * Puts a server error where it belongs: each field's message beside its field (the field
 * catalogue's checks name catalogue keys, bad input names input fields), the rest above the form
 * as `root.server`. An e-mail address that is taken gets the type `conflict`, so that the form can
 * offer a way to the contact that has it.
 */
export function showServerError<T extends FieldValues>(form: UseFormReturn<T>, error: unknown, hasPath: (path: string) => boolean): void {
  const placed = placeServerError({ field: fieldOf(error), fieldErrors: fieldErrorsOf(error), message: describeError(error) }, hasPath);
  const type = appCodeOf(error) === 'CONTACT_EMAIL_TAKEN' ? 'conflict' : 'server';
  placed.fields.forEach(({ path, message }, index) => {
    form.setError(path as Path<T>, { type, message }, { shouldFocus: index === 0 });
  });
  if (placed.general) form.setError('root.server', { type: 'server', message: placed.general });
}
