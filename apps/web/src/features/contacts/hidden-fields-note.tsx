import { Notice } from '../../components/feedback.tsx';
import type { CatalogueField } from './contact-fields.ts';
import { hiddenFieldsNote } from './hidden-fields.ts';
import { listInWords } from './merge-plan.ts';

/** "n fields are not shown to your role", with their names, so that nobody mistakes a withheld field for an empty one. */
export function HiddenFieldsNote({
  hiddenFields,
  catalogue,
}: {
  hiddenFields: readonly string[];
  catalogue: readonly CatalogueField[] | undefined;
}) {
  const note = hiddenFieldsNote(hiddenFields, catalogue);
  if (!note) return null;
  return (
    <div className="hidden-fields-note" data-testid="hidden-fields-note">
      <Notice title={note.title}>
        <p>
          {listInWords(note.labels)}. Your role sees the fields of the purposes it works for (need-to-know); the data protection officer
          decides which those are in the purpose catalogue.
        </p>
      </Notice>
    </div>
  );
}
