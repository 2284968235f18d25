import { explain, REASONS, type ReasonCode } from '@zweck/policy';

/** Words for the codes the API stores; unknown codes show as they are, readable. */
const LABELS: Record<string, string> = {
  // channels
  email: 'E-mail',
  phone: 'Phone',
  sms: 'SMS',
  post: 'Post',
  // consent methods
  in_person: 'In person',
  web_form: 'Web form',
  double_opt_in: 'Double opt-in',
  one_click_unsubscribe: 'One-click unsubscribe',
  unsubscribe_page: 'Unsubscribe page',
  import: 'Import',
  api: 'API',
  // lifecycle stages
  marketing_qualified: 'Marketing qualified',
  sales_qualified: 'Sales qualified',
  // subject status
  erasure_pending: 'Erasure pending',
  // legal bases (Art. 6(1) GDPR)
  consent: 'Consent (Art. 6(1)(a))',
  contract: 'Contract (Art. 6(1)(b))',
  legal_obligation: 'Legal obligation (Art. 6(1)(c))',
  legitimate_interest: 'Legitimate interest (Art. 6(1)(f))',
  // roles
  admin: 'Administrator',
  marketer: 'Marketer',
  sales: 'Sales',
  dpo: 'Data protection officer',
  // provenance sources
  staff_entry: 'Entered by staff',
  demo_seed: 'Demo data',
  // actions
  send: 'Send',
  track: 'Track',
  profile: 'Profile',
  hand_off: 'Hand off to sales',
  store: 'Store',
  export: 'Export',
};

const humanize = (code: string): string => {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
};

export const label = (code: string | null | undefined): string => (code ? (LABELS[code] ?? humanize(code)) : '—');

export const isReasonCode = (code: string): code is ReasonCode => Object.hasOwn(REASONS, code);

/** The human message of a policy reason code (packages/policy is the single source of the wording). */
export const reasonMessage = (code: string): string => (isReasonCode(code) ? explain(code, 'en') : 'No description for this reason code.');

export const reasonArticle = (code: string): string | null => (isReasonCode(code) ? REASONS[code].article : null);

/** A long hash or ID, shortened for a table cell; the full value belongs in a title attribute. */
export const shorten = (value: string, keep = 12): string => {
  const bare = value.startsWith('sha256:') ? value.slice('sha256:'.length) : value;
  return bare.length > keep ? `${bare.slice(0, keep)}…` : bare;
};
