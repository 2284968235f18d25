import { describe, expect, it } from 'vitest';
import { insertAt, missingPlaceholders, templateFieldMessages, withRequiredFooter } from './template-editor.ts';

const REQUIRED = ['unsubscribe_url', 'preferences_url', 'privacy_notice_url', 'imprint'];
const FOOTER = '<p>{{imprint}} {{privacy_notice_url}} {{preferences_url}} {{unsubscribe_url}}</p>';

describe('the template editor helpers', () => {
  it('finds the required placeholders a body lacks, with or without spaces inside the braces', () => {
    expect(missingPlaceholders('{{ imprint }} {{privacy_notice_url}}', REQUIRED)).toEqual(['unsubscribe_url', 'preferences_url']);
    expect(missingPlaceholders(FOOTER, REQUIRED)).toEqual([]);
  });

  it('inserts a placeholder in place of the selection', () => {
    expect(insertAt('Hello , welcome', 6, 6, '{{first_name}}')).toEqual({ value: 'Hello {{first_name}}, welcome', caret: 20 });
    expect(insertAt('Hello NAME', 6, 10, '{{first_name}}')).toEqual({ value: 'Hello {{first_name}}', caret: 20 });
  });

  it('adds the footer before </body>, at the end otherwise, and not twice', () => {
    expect(withRequiredFooter('<html><body><p>Hi</p></BODY></html>', FOOTER, REQUIRED, true)).toBe(
      `<html><body><p>Hi</p>${FOOTER}\n</BODY></html>`,
    );
    expect(withRequiredFooter('Hi', '--\n{{imprint}}', ['imprint'], false)).toBe('Hi\n\n--\n{{imprint}}\n');
    const once = withRequiredFooter('<p>Hi</p>', FOOTER, REQUIRED, true);
    expect(withRequiredFooter(once, FOOTER, REQUIRED, true)).toBe(once);
  });

  it('places server messages by field', () => {
    expect(templateFieldMessages({ html: ['a', 'b'], name: ['x'] })).toEqual({ html: 'a b' });
    expect(templateFieldMessages(null)).toEqual({});
  });
});
