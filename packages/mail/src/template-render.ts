/**
 * Marketer-written templates: a static check, safe rendering and opt-in tracking.
 *
 * Templates use Mustache (logic-less: no expressions, no code). The check below narrows it further:
 * only known placeholders, no unescaped output, no partials, no delimiter changes, and personal
 * values never inside a tag where escaping cannot protect the reader (URLs, event handlers, styles).
 *
 * Placeholders:
 * - personal values: the field catalogue's keys, e.g. `{{first_name}}`; a missing value renders
 *   empty, or as the caller's fallback;
 * - system values: `{{unsubscribe_url}}`, `{{preferences_url}}`, `{{privacy_notice_url}}`,
 *   `{{imprint}}`.
 *
 * Fallback text for a missing value is written with sections:
 * `{{#first_name}}Hello {{first_name}},{{/first_name}}{{^first_name}}Hello,{{/first_name}}`.
 */
import Mustache from 'mustache';
import { Parser } from 'htmlparser2';
import { escapeHtml } from './templates.ts';

export type TemplateKind = 'marketing' | 'transactional';
export type TemplateField = 'subject' | 'html' | 'text';

export interface TemplateSource {
  kind: TemplateKind;
  subject: string;
  html: string;
  text: string;
}

/** Values the product fills in itself; never personal data. */
export const SYSTEM_PLACEHOLDERS = ['unsubscribe_url', 'preferences_url', 'privacy_notice_url', 'imprint'] as const;
export type SystemPlaceholder = (typeof SYSTEM_PLACEHOLDERS)[number];

/**
 * Every marketing message carries these in both its HTML and its text part: the way out
 * (Art. 21(2)-(4) GDPR, § 7(3) UWG), the preference center, the privacy notice (Art. 13 GDPR)
 * and the imprint (§ 5 DDG). A template without them cannot be used for marketing.
 */
export const REQUIRED_MARKETING_PLACEHOLDERS: readonly SystemPlaceholder[] = SYSTEM_PLACEHOLDERS;

export type TemplateProblemCode =
  | 'SYNTAX'
  | 'UNKNOWN_PLACEHOLDER'
  | 'UNESCAPED_OUTPUT'
  | 'PARTIAL_NOT_ALLOWED'
  | 'DELIMITER_CHANGE_NOT_ALLOWED'
  | 'UNSAFE_POSITION'
  | 'SUBJECT_LINE_BREAK'
  | 'MISSING_REQUIRED_PLACEHOLDER';

export interface TemplateProblem {
  field: TemplateField;
  code: TemplateProblemCode;
  message: string;
  /** The placeholder the problem is about, where there is one. */
  placeholder?: string;
}

export type TemplateCheck = { ok: true } | { ok: false; problems: TemplateProblem[] };

export interface CheckOptions {
  /** The personal placeholders allowed: the field catalogue's keys (free text excluded by the caller). */
  personalKeys: readonly string[];
}

type Token = [type: string, value: string, start: number, end: number, children?: Token[]];

/** Attributes whose value a personal value must never reach: escaping does not make a URL, script or style safe. */
const UNSAFE_ATTRIBUTES = new Set([
  'href',
  'src',
  'srcset',
  'action',
  'formaction',
  'background',
  'poster',
  'cite',
  'data',
  'style',
  'xlink:href',
  'lowsrc',
  'dynsrc',
  'ping',
]);
const RAW_TEXT_ELEMENTS = new Set(['script', 'style']);

interface HtmlRegions {
  /** Ranges inside which output is not seen by the reader or is not plain text: comments, scripts, styles. */
  hidden: [number, number][];
  /** Tags, as a whole. */
  tags: [number, number][];
  /** Quoted values of attributes where an escaped personal value is harmless. */
  safeAttributeValues: [number, number][];
}

const within = (ranges: [number, number][], position: number): boolean => ranges.some(([from, to]) => position >= from && position < to);

function htmlRegions(html: string): HtmlRegions {
  const regions: HtmlRegions = { hidden: [], tags: [], safeAttributeValues: [] };
  let rawStart: number | null = null;
  const parser: Parser = new Parser(
    {
      onattribute(name, _value, quote) {
        const lower = name.toLowerCase();
        if ((quote === '"' || quote === "'") && !UNSAFE_ATTRIBUTES.has(lower) && !lower.startsWith('on')) {
          // [name start, end after the closing quote): the value is what follows the `=`.
          const source = html.slice(parser.startIndex, parser.endIndex);
          const valueStart = parser.startIndex + source.indexOf(quote) + 1;
          regions.safeAttributeValues.push([valueStart, parser.endIndex - 1]);
        }
      },
      onopentag(name) {
        regions.tags.push([parser.startIndex, parser.endIndex + 1]);
        if (RAW_TEXT_ELEMENTS.has(name)) rawStart = parser.endIndex + 1;
      },
      onclosetag(name, isImplied) {
        if (!isImplied) regions.tags.push([parser.startIndex, parser.endIndex + 1]);
        if (RAW_TEXT_ELEMENTS.has(name) && rawStart !== null) {
          regions.hidden.push([rawStart, isImplied ? html.length : parser.startIndex]);
          rawStart = null;
        }
      },
      oncomment() {
        regions.hidden.push([parser.startIndex, parser.endIndex + 1]);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  if (rawStart !== null) regions.hidden.push([rawStart, html.length]);
  return regions;
}

interface FlatToken {
  type: string;
  name: string;
  start: number;
  /** Nested inside a section, so not rendered for every contact. */
  isConditional: boolean;
}

function flatten(tokens: Token[], isConditional = false, out: FlatToken[] = []): FlatToken[] {
  for (const token of tokens) {
    const [type, name, start] = token;
    out.push({ type, name, start, isConditional });
    if ((type === '#' || type === '^') && token[4]) flatten(token[4], true, out);
  }
  return out;
}

const SYSTEM_SET = new Set<string>(SYSTEM_PLACEHOLDERS);

function checkField(field: TemplateField, source: string, kind: TemplateKind, personal: ReadonlySet<string>): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  let tokens: FlatToken[];
  try {
    // Parse with the default delimiters only; the cache is keyed by the source.
    tokens = flatten(Mustache.parse(source, ['{{', '}}']) as unknown as Token[]);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return [{ field, code: 'SYNTAX', message: `The placeholders do not parse: ${detail}.` }];
  }
  const regions = field === 'html' ? htmlRegions(source) : null;
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case '!':
        continue;
      case '&':
        problems.push({
          field,
          code: 'UNESCAPED_OUTPUT',
          placeholder: token.name,
          message: `{{{${token.name}}}} and {{&${token.name}}} print a value unescaped; write {{${token.name}}}.`,
        });
        continue;
      case '>':
        problems.push({
          field,
          code: 'PARTIAL_NOT_ALLOWED',
          placeholder: token.name,
          message: `Partials ({{>${token.name}}}) are not available in templates.`,
        });
        continue;
      case '=':
        problems.push({
          field,
          code: 'DELIMITER_CHANGE_NOT_ALLOWED',
          message: 'Changing the placeholder delimiters is not allowed; use {{ and }}.',
        });
        continue;
      case 'name':
      case '#':
      case '^':
        break;
      default:
        problems.push({ field, code: 'SYNTAX', message: `Unsupported placeholder "${token.type}${token.name}".` });
        continue;
    }
    const isPersonal = personal.has(token.name);
    if (!isPersonal && !SYSTEM_SET.has(token.name)) {
      problems.push({
        field,
        code: 'UNKNOWN_PLACEHOLDER',
        placeholder: token.name,
        message: `{{${token.name}}} is not a known placeholder.`,
      });
      continue;
    }
    if (regions && isPersonal && token.type === 'name') {
      const isInTag = within(regions.tags, token.start);
      if (within(regions.hidden, token.start) || (isInTag && !within(regions.safeAttributeValues, token.start))) {
        problems.push({
          field,
          code: 'UNSAFE_POSITION',
          placeholder: token.name,
          message: `{{${token.name}}} may only stand in text or in a quoted attribute such as alt or title, not in a link, a style, a script or a comment.`,
        });
      }
    }
  }
  if (field === 'subject' && /[\r\n]/.test(source)) {
    problems.push({ field, code: 'SUBJECT_LINE_BREAK', message: 'The subject must be one line.' });
  }
  if (kind === 'marketing' && field !== 'subject') {
    for (const required of REQUIRED_MARKETING_PLACEHOLDERS) {
      const isPresent = tokens.some(
        (t) => t.type === 'name' && t.name === required && !t.isConditional && !(regions && within(regions.hidden, t.start)),
      );
      if (!isPresent) {
        problems.push({
          field,
          code: 'MISSING_REQUIRED_PLACEHOLDER',
          placeholder: required,
          message: `A marketing template needs {{${required}}} in its ${field === 'html' ? 'HTML' : 'text'} body, outside any section or comment.`,
        });
      }
    }
  }
  return problems;
}

/** Checks a template before it is saved or used; every problem names its field. */
export function checkTemplate(template: TemplateSource, options: CheckOptions): TemplateCheck {
  const personal = new Set(options.personalKeys.filter((key) => !SYSTEM_SET.has(key)));
  const problems = (['subject', 'html', 'text'] as const).flatMap((field) => checkField(field, template[field], template.kind, personal));
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

export interface SystemValues {
  unsubscribeUrl: string;
  preferencesUrl: string;
  privacyNoticeUrl: string;
  imprint: string;
}

export interface RenderValues {
  /** Every personal placeholder the template uses, by field key; null or '' when the contact has no value. */
  personal: Readonly<Record<string, string | null>>;
  system: SystemValues;
  /** Shown instead of a missing personal value (sections see the fallback as the value). */
  fallbacks?: Readonly<Record<string, string>>;
}

export interface RenderedTemplate {
  subject: string;
  html: string;
  text: string;
}

/** Thrown when a template that fails `checkTemplate` is rendered: render only what was checked. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  constructor(readonly problems: TemplateProblem[]) {
    super(`The template cannot be rendered: ${problems.map((p) => `${p.field}: ${p.code}`).join(', ')}`);
  }
}

// CR and LF (and the other line and control characters) would let a value start a new mail header.
// eslint-disable-next-line no-control-regex
const LINE_BREAKS = /[\u0000-\u001f\u007f\u2028\u2029]+/g;
const oneLine = (value: string): string => value.replace(LINE_BREAKS, ' ');
const identity = (value: string): string => value;

export interface PreparedTemplate {
  render(values: RenderValues): RenderedTemplate;
}

/**
 * Checks once and returns a renderer, for many recipients of one template (a campaign batch).
 * Throws `TemplateRenderError` when the check fails.
 */
export function prepareTemplate(template: TemplateSource, options: CheckOptions): PreparedTemplate {
  const check = checkTemplate(template, options);
  if (!check.ok) throw new TemplateRenderError(check.problems);
  const personalKeys = options.personalKeys.filter((key) => !SYSTEM_SET.has(key));
  const tags: [string, string] = ['{{', '}}'];
  return {
    render(values) {
      // A prototype-less object of strings: no `constructor`, no functions, so nothing to call.
      const view: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const key of personalKeys) {
        const value = values.personal[key];
        view[key] = value === null || value === undefined || value === '' ? (values.fallbacks?.[key] ?? '') : String(value);
      }
      view.unsubscribe_url = values.system.unsubscribeUrl;
      view.preferences_url = values.system.preferencesUrl;
      view.privacy_notice_url = values.system.privacyNoticeUrl;
      view.imprint = values.system.imprint;
      const subjectView: Record<string, string> = Object.create(null) as Record<string, string>;
      for (const [key, value] of Object.entries(view)) subjectView[key] = oneLine(value);
      return {
        subject: oneLine(Mustache.render(template.subject, subjectView, {}, { tags, escape: identity })).trim(),
        html: Mustache.render(template.html, view, {}, { tags, escape: escapeHtml }),
        text: Mustache.render(template.text, view, {}, { tags, escape: identity }),
      };
    },
  };
}

/**
 * Renders one message: HTML-escaped in the HTML part, unescaped in the text part, and in the
 * subject every line break removed (no header injection). The personal placeholders allowed are
 * the keys of `values.personal` (plus those of `values.fallbacks`); throws `TemplateRenderError`
 * when the template fails `checkTemplate` with them (a marketing template without its footer too).
 */
export function renderTemplate(template: TemplateSource, values: RenderValues): RenderedTemplate {
  const personalKeys = [...new Set([...Object.keys(values.personal), ...Object.keys(values.fallbacks ?? {})])];
  return prepareTemplate(template, { personalKeys }).render(values);
}

export interface TrackingOptions {
  /** Only when the contact's consent covers open tracking. */
  trackOpens: boolean;
  /** Only when the contact's consent covers click tracking. */
  trackClicks: boolean;
  openPixelUrl: string;
  /** The tracking redirect for one link; `linkIndex` counts rewritten links from 0 in document order. */
  clickUrl: (originalUrl: string, linkIndex: number) => string;
  /**
   * Links that stay as they are: the unsubscribe, preference-center and privacy-notice URLs the
   * message was rendered with. Leaving the way out untracked is deliberate.
   */
  untrackedUrls: readonly string[];
}

/**
 * Rewrites the http(s) links of a rendered HTML body to the click-tracking URL and appends an open
 * pixel, each only when asked. Everything else stays byte for byte as it was: the parser only
 * locates the `href` attributes and the end of the body, and the edits are spliced into the source.
 */
export function addTracking(html: string, options: TrackingOptions): string {
  if (!options.trackOpens && !options.trackClicks) return html;
  const untracked = new Set(options.untrackedUrls.map((url) => url.trim()));
  const edits: { start: number; end: number; replacement: string }[] = [];
  let bodyClose: number | null = null;
  let linkIndex = 0;
  let currentTag: string | null = null;
  const parser: Parser = new Parser(
    {
      onopentagname(name) {
        currentTag = name;
      },
      onattribute(name, value) {
        if (!options.trackClicks || (currentTag !== 'a' && currentTag !== 'area') || name !== 'href') return;
        const url = value.trim();
        if (!/^https?:\/\//i.test(url) || untracked.has(url)) return;
        const tracked = options.clickUrl(url, linkIndex++);
        edits.push({ start: parser.startIndex, end: parser.endIndex, replacement: `href="${escapeHtml(tracked)}"` });
      },
      onclosetag(name, isImplied) {
        if (name === 'body' && !isImplied && bodyClose === null) bodyClose = parser.startIndex;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  if (options.trackOpens) {
    const pixel = `<img src="${escapeHtml(options.openPixelUrl)}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
    const at = bodyClose ?? html.length;
    edits.push({ start: at, end: at, replacement: pixel });
  }
  let result = '';
  let cursor = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    result += html.slice(cursor, edit.start) + edit.replacement;
    cursor = edit.end;
  }
  return result + html.slice(cursor);
}

/**
 * The footer every marketing template needs, for the editor's "Insert the required footer".
 * `white-space: pre-line` keeps the imprint's lines without unescaped markup.
 */
export const REQUIRED_FOOTER = {
  html: `<hr style="border:0;border-top:1px solid #d9e2ec">
<p style="font-size:12px;color:#52606d;white-space:pre-line">{{imprint}}</p>
<p style="font-size:12px;color:#52606d"><a href="{{privacy_notice_url}}">Privacy notice</a> · <a href="{{preferences_url}}">Preferences</a> · <a href="{{unsubscribe_url}}">Unsubscribe</a></p>`,
  text: `--
{{imprint}}
Privacy notice: {{privacy_notice_url}}
Preferences: {{preferences_url}}
Unsubscribe: {{unsubscribe_url}}`,
} as const;

/**
 * System values for a preview or a test send, where no contact and so no signed link exists: the
 * links point to a reserved domain (RFC 2606) and say that they are examples.
 */
export function exampleSystemValues(sender: { privacyNoticeUrl: string; imprint?: string }): SystemValues {
  return {
    unsubscribeUrl: 'https://example.invalid/unsubscribe-link-example',
    preferencesUrl: 'https://example.invalid/preference-center-example',
    privacyNoticeUrl: sender.privacyNoticeUrl,
    imprint: sender.imprint ?? 'Imprint (example): the sender’s name, address and register entry are filled in when the message is sent.',
  };
}

/**
 * Stand-in personal values for a preview or test send without a sample contact: the staff
 * member's own name where there is one, and the field's label in brackets elsewhere, so that the
 * reader sees where each value lands.
 */
export function samplePersonalValues(fields: readonly { key: string; label: string }[], displayName?: string): Record<string, string> {
  const [first = '', ...rest] = (displayName ?? '').trim().split(/\s+/);
  const values: Record<string, string> = {};
  for (const field of fields) values[field.key] = `[${field.label}]`;
  if (first !== '') {
    if ('first_name' in values) values.first_name = first;
    if ('last_name' in values && rest.length > 0) values.last_name = rest.join(' ');
  }
  return values;
}
