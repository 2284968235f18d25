import { describe, expect, it } from 'vitest';
import {
  addTracking,
  checkTemplate,
  prepareTemplate,
  renderTemplate,
  REQUIRED_FOOTER,
  TemplateRenderError,
  type RenderValues,
  type TemplateSource,
} from './template-render.ts';

const personalKeys = ['first_name', 'last_name', 'organization', 'job_title', 'city'];
const system = {
  unsubscribeUrl: 'https://zweck.test/u/tok?x=1&y=2',
  preferencesUrl: 'https://zweck.test/preferences/tok',
  privacyNoticeUrl: 'https://zweck.test/privacy',
  imprint: 'Zweck GmbH\nMusterstraße 1, 10115 Berlin',
};

const marketing = (overrides: Partial<TemplateSource> = {}): TemplateSource => ({
  kind: 'marketing',
  subject: 'News for {{first_name}}',
  html: `<!doctype html><html><body><p>{{#first_name}}Hello {{first_name}},{{/first_name}}{{^first_name}}Hello,{{/first_name}}</p>
<p><a href="https://shop.example/offer?a=1&amp;b=2">Our offer</a> <a href="mailto:sales@zweck.test">Write to us</a></p>
${REQUIRED_FOOTER.html}
</body></html>`,
  text: `Hello {{first_name}},\n\nhttps://shop.example/offer\n\n${REQUIRED_FOOTER.text}`,
  ...overrides,
});

const values = (personal: Record<string, string | null>): RenderValues => ({
  personal: { first_name: null, last_name: null, organization: null, job_title: null, city: null, ...personal },
  system,
});

describe('checkTemplate', () => {
  it('accepts a marketing template with the footer in both parts', () => {
    expect(checkTemplate(marketing(), { personalKeys })).toEqual({ ok: true });
  });

  it('refuses a marketing template without the unsubscribe link, naming the field and placeholder', () => {
    const result = checkTemplate(marketing({ html: REQUIRED_FOOTER.html.replace('{{unsubscribe_url}}', 'https://example.org') }), {
      personalKeys,
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      expect.objectContaining({ field: 'html', code: 'MISSING_REQUIRED_PLACEHOLDER', placeholder: 'unsubscribe_url' }),
    ]);
  });

  it('requires all four footer placeholders in the text part as well', () => {
    const result = checkTemplate(marketing({ text: 'Hello' }), { personalKeys });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.field}:${p.placeholder}`)).toEqual([
      'text:unsubscribe_url',
      'text:preferences_url',
      'text:privacy_notice_url',
      'text:imprint',
    ]);
  });

  it('does not count a footer hidden in a section or an HTML comment', () => {
    const html = REQUIRED_FOOTER.html.replace('<a href="{{unsubscribe_url}}">Unsubscribe</a>', '<!-- {{unsubscribe_url}} -->');
    const text = REQUIRED_FOOTER.text.replace('{{unsubscribe_url}}', '{{#city}}{{unsubscribe_url}}{{/city}}');
    const result = checkTemplate(marketing({ html, text }), { personalKeys });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.field}:${p.code}:${p.placeholder}`)).toEqual([
      'html:MISSING_REQUIRED_PLACEHOLDER:unsubscribe_url',
      'text:MISSING_REQUIRED_PLACEHOLDER:unsubscribe_url',
    ]);
  });

  it('lets a transactional template go without the footer', () => {
    expect(
      checkTemplate({ kind: 'transactional', subject: 'Your order', html: '<p>Hi {{first_name}}</p>', text: 'Hi' }, { personalKeys }),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses unknown placeholders, dotted lookups and prototype names', () => {
    const result = checkTemplate(
      { kind: 'transactional', subject: '{{email}}', html: '{{first_name.length}}', text: '{{constructor}} {{.}}' },
      { personalKeys },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.field}:${p.code}:${p.placeholder}`)).toEqual([
      'subject:UNKNOWN_PLACEHOLDER:email',
      'html:UNKNOWN_PLACEHOLDER:first_name.length',
      'text:UNKNOWN_PLACEHOLDER:constructor',
      'text:UNKNOWN_PLACEHOLDER:.',
    ]);
  });

  it('refuses unescaped output, partials and delimiter changes', () => {
    const result = checkTemplate(
      { kind: 'transactional', subject: 'x', html: '<p>{{{first_name}}} {{&city}} {{>footer}}</p>', text: '{{=<% %>=}}<% first_name %>' },
      { personalKeys },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.field}:${p.code}`)).toEqual([
      'html:UNESCAPED_OUTPUT',
      'html:UNESCAPED_OUTPUT',
      'html:PARTIAL_NOT_ALLOWED',
      'text:DELIMITER_CHANGE_NOT_ALLOWED',
    ]);
  });

  it('refuses a syntax error with a message', () => {
    const result = checkTemplate({ kind: 'transactional', subject: 'x', html: '{{#first_name}}open', text: 't' }, { personalKeys });
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ field: 'html', code: 'SYNTAX' })] });
  });

  it('keeps personal values out of links, styles, scripts, event handlers, unquoted attributes and tag names', () => {
    const bad = [
      '<a href="https://x.test/{{city}}">x</a>',
      '<p style="color: {{city}}">x</p>',
      '<script>var c = "{{city}}"</script>',
      '<img onerror="{{city}}">',
      '<p title={{city}}>x</p>',
      '<p {{city}}>x</p>',
    ];
    for (const html of bad) {
      const result = checkTemplate({ kind: 'transactional', subject: 'x', html, text: 't' }, { personalKeys });
      expect(result, html).toEqual({
        ok: false,
        problems: [expect.objectContaining({ field: 'html', code: 'UNSAFE_POSITION', placeholder: 'city' })],
      });
    }
    const fine =
      '<p title="{{city}}"><img alt=\'{{first_name}}\' src="https://x.test/a.png"> {{city}}</p><a href="{{unsubscribe_url}}">u</a>';
    expect(checkTemplate({ kind: 'transactional', subject: 'x', html: fine, text: 't' }, { personalKeys })).toEqual({ ok: true });
  });

  it('refuses a subject over more than one line', () => {
    const result = checkTemplate({ kind: 'transactional', subject: 'Hi\r\nBcc: x@evil.test', html: 'x', text: 'x' }, { personalKeys });
    expect(result).toEqual({ ok: false, problems: [expect.objectContaining({ field: 'subject', code: 'SUBJECT_LINE_BREAK' })] });
  });
});

describe('renderTemplate', () => {
  it('escapes an XSS attempt in a first name in the HTML part, and leaves the text part plain', () => {
    const name = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';
    const out = renderTemplate(marketing(), values({ first_name: name }));
    expect(out.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;,');
    expect(out.html).not.toContain('<script>');
    expect(out.html).not.toContain('<img src=x');
    expect(out.text).toContain(`Hello ${name},`);
  });

  it('strips line breaks from subject values: no header injection', () => {
    const out = renderTemplate(marketing(), values({ first_name: 'Eve\r\nBcc: victim@example.org\nX-Evil: 1' }));
    expect(out.subject).toBe('News for Eve Bcc: victim@example.org X-Evil: 1');
    expect(out.subject).not.toMatch(/[\r\n]/);
  });

  it('renders the system values, escaped in HTML', () => {
    const out = renderTemplate(marketing(), values({ first_name: 'Ada' }));
    expect(out.html).toContain('<a href="https://zweck.test/u/tok?x=1&amp;y=2">Unsubscribe</a>');
    expect(out.html).toContain('Zweck GmbH\nMusterstraße 1');
    expect(out.text).toContain('Unsubscribe: https://zweck.test/u/tok?x=1&y=2');
    expect(out.text).toContain('Privacy notice: https://zweck.test/privacy');
  });

  it('renders a missing value empty, as the section fallback, or as the caller fallback', () => {
    const out = renderTemplate(marketing(), values({ first_name: null }));
    expect(out.html).toContain('<p>Hello,</p>');
    expect(out.subject).toBe('News for');
    expect(out.text.startsWith('Hello ,')).toBe(true);
    const withFallback = renderTemplate(marketing(), { ...values({ first_name: '' }), fallbacks: { first_name: 'friend' } });
    expect(withFallback.subject).toBe('News for friend');
  });

  it('executes nothing: no lambdas or prototype lookups reach the output', () => {
    const evil = { toString: () => 'called' } as unknown as string;
    const out = renderTemplate(
      { kind: 'transactional', subject: '{{first_name}}', html: '{{first_name}}', text: '{{first_name}}' },
      { personal: { first_name: evil }, system },
    );
    // String() of the value is used, never a call with the template's context.
    expect(out.subject).toBe('called');
    expect(() =>
      renderTemplate(
        { kind: 'transactional', subject: '{{constructor}}', html: 'x', text: 'x' },
        { personal: { first_name: 'a' }, system },
      ),
    ).toThrow(TemplateRenderError);
  });

  it('refuses to render a marketing template without its footer', () => {
    expect(() => renderTemplate(marketing({ text: 'no footer' }), values({}))).toThrow(TemplateRenderError);
  });

  it('prepares once and renders many', () => {
    const prepared = prepareTemplate(marketing(), { personalKeys });
    expect(prepared.render(values({ first_name: 'A' })).subject).toBe('News for A');
    expect(prepared.render(values({ first_name: 'B' })).subject).toBe('News for B');
  });
});

describe('addTracking', () => {
  const rendered = renderTemplate(marketing(), values({ first_name: 'Ada' })).html;
  const base = {
    openPixelUrl: 'https://t.zweck.test/o/abc',
    clickUrl: (url: string, index: number) => `https://t.zweck.test/c/abc/${index}?u=${encodeURIComponent(url)}`,
    untrackedUrls: [system.unsubscribeUrl, system.preferencesUrl, system.privacyNoticeUrl],
  };

  it('leaves the HTML byte-identical when tracking is off', () => {
    expect(addTracking(rendered, { ...base, trackOpens: false, trackClicks: false })).toBe(rendered);
  });

  it('rewrites http(s) links but not the unsubscribe, preference or privacy links, nor mailto', () => {
    const out = addTracking(rendered, { ...base, trackOpens: false, trackClicks: true });
    expect(out).toContain(
      `<a href="https://t.zweck.test/c/abc/0?u=${encodeURIComponent('https://shop.example/offer?a=1&b=2')}">Our offer</a>`,
    );
    expect(out).toContain('<a href="mailto:sales@zweck.test">');
    expect(out).toContain('<a href="https://zweck.test/u/tok?x=1&amp;y=2">Unsubscribe</a>');
    expect(out).toContain('<a href="https://zweck.test/preferences/tok">Preferences</a>');
    expect(out).toContain('<a href="https://zweck.test/privacy">Privacy notice</a>');
    expect(out).not.toContain('t.zweck.test/o/');
    // Only the rewritten attribute changed.
    expect(out.replace(/href="https:\/\/t\.zweck\.test\/c\/[^"]*"/, 'href="https://shop.example/offer?a=1&amp;b=2"')).toBe(rendered);
  });

  it('appends the pixel before </body> only for opens', () => {
    const out = addTracking(rendered, { ...base, trackOpens: true, trackClicks: false });
    expect(out).toContain(
      '<img src="https://t.zweck.test/o/abc" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0"></body>',
    );
    expect(out).toContain('href="https://shop.example/offer?a=1&amp;b=2"');
    expect(addTracking('<p>no body</p>', { ...base, trackOpens: true, trackClicks: false })).toMatch(/^<p>no body<\/p><img /);
  });

  it('numbers links in document order and handles unquoted and single-quoted hrefs', () => {
    const html = `<a href=https://a.test/1>1</a><a class="x" href='https://a.test/2'>2</a><a href="#top">t</a>`;
    const out = addTracking(html, {
      ...base,
      trackOpens: false,
      trackClicks: true,
      clickUrl: (url, i) => `https://t.test/${i}/${url.slice(-1)}`,
    });
    expect(out).toBe(`<a href="https://t.test/0/1">1</a><a class="x" href="https://t.test/1/2">2</a><a href="#top">t</a>`);
  });
});
