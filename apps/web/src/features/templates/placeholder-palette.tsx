import { Badge } from '../../components/badge.tsx';
import { missingPlaceholders, type TemplateField, type TemplateKind } from './template-editor.ts';
import type { Placeholders } from './use-templates.ts';

const TARGET_LABELS: Record<TemplateField, string> = { subject: 'the subject', html: 'the HTML body', text: 'the text body' };

/**
 * What a template may print: the field catalogue's fields (free text never) and the values Zweck
 * fills in itself; for marketing, which footer placeholders each body still lacks.
 */
export function PlaceholderPalette({
  placeholders,
  kind,
  html,
  text,
  target,
  canEdit,
  onInsert,
  onInsertFooter,
}: {
  placeholders: Placeholders;
  kind: TemplateKind;
  html: string;
  text: string;
  target: TemplateField;
  canEdit: boolean;
  onInsert: (key: string) => void;
  onInsertFooter: () => void;
}) {
  const required = placeholders.requiredForMarketing;
  const missing = { html: missingPlaceholders(html, required), text: missingPlaceholders(text, required) };
  const isFooterComplete = missing.html.length === 0 && missing.text.length === 0;

  const chip = (p: { key: string; label: string }) =>
    canEdit ? (
      <li key={p.key}>
        <button type="button" className="placeholder-chip" onClick={() => onInsert(p.key)} title={`Insert into ${TARGET_LABELS[target]}`}>
          <span className="mono">{`{{${p.key}}}`}</span> <span className="muted small">{p.label}</span>
        </button>
      </li>
    ) : (
      <li key={p.key} className="placeholder-chip placeholder-chip-static">
        <span className="mono">{`{{${p.key}}}`}</span> <span className="muted small">{p.label}</span>
      </li>
    );

  return (
    <section className="card placeholder-palette" aria-labelledby="palette-heading">
      <div className="card-header">
        <div>
          <h2 id="palette-heading">Placeholders</h2>
          <p className="card-description">
            {canEdit ? `A click inserts at the cursor in ${TARGET_LABELS[target]}. ` : null}
            Missing values print nothing; for a fallback write{' '}
            <span className="mono small">{'{{#first_name}}Hi {{first_name}}{{/first_name}}{{^first_name}}Hello{{/first_name}}'}</span>.
          </p>
        </div>
      </div>
      <div className="card-body">
        <h3 className="palette-heading">Contact fields</h3>
        <ul className="placeholder-list" aria-label="Contact fields">
          {placeholders.personal.map(chip)}
        </ul>
        <h3 className="palette-heading">Filled in by Zweck</h3>
        <ul className="placeholder-list" aria-label="Filled in by Zweck">
          {placeholders.system.map(chip)}
        </ul>
        {kind === 'marketing' ? (
          <div className="footer-check" aria-live="polite">
            <h3 className="palette-heading">Required footer</h3>
            <p className="small">
              Marketing mail carries the imprint, the privacy notice, the preference center and the unsubscribe link in both bodies (Art.
              13, 21 GDPR; § 5 DDG). Without them the template cannot be saved.
            </p>
            <ul className="footer-status">
              {(['html', 'text'] as const).map((body) => (
                <li key={body}>
                  {body === 'html' ? 'HTML body' : 'Text body'}:{' '}
                  {missing[body].length === 0 ? (
                    <Badge tone="success">complete</Badge>
                  ) : (
                    <>
                      <Badge tone="warning">{`${missing[body].length} missing`}</Badge>{' '}
                      <span className="mono small">{missing[body].map((k) => `{{${k}}}`).join(' ')}</span>
                    </>
                  )}
                </li>
              ))}
            </ul>
            {canEdit ? (
              <button type="button" className="button button-secondary button-small" onClick={onInsertFooter} disabled={isFooterComplete}>
                Insert the required footer
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
    </section>
  );
}
