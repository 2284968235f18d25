import { z } from 'zod';

/**
 * Where a processor processes personal data, and on what footing a transfer outside the EU/EEA
 * rests (Chapter V GDPR, Art. 44 ff.). Pure: the API checks a processor with it, the admin's form
 * checks it before sending.
 */
export const ZTransferMechanism = z.enum([
  'eu_eea',
  'adequacy_decision',
  'standard_contractual_clauses',
  'binding_corporate_rules',
  'derogation_art49',
]);
export type TransferMechanism = z.infer<typeof ZTransferMechanism>;

export const TRANSFER_MECHANISM_LABELS: Record<TransferMechanism, string> = {
  eu_eea: 'Within the EU/EEA (no transfer)',
  adequacy_decision: 'Adequacy decision (Art. 45)',
  standard_contractual_clauses: 'Standard contractual clauses (Art. 46(2)(c))',
  binding_corporate_rules: 'Binding corporate rules (Art. 47)',
  derogation_art49: 'Derogation for a specific situation (Art. 49)',
};

/**
 * The EU member states and the EEA states (Iceland, Liechtenstein, Norway). Hand-written: a fixed
 * legal list of 30 codes, smaller and clearer than a dependency.
 */
export const EEA_COUNTRIES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);

/**
 * Countries with an adequacy decision of the European Commission (Art. 45(3)); for the United
 * States it covers organisations certified under the EU-US Data Privacy Framework.
 */
export const ADEQUACY_COUNTRIES: ReadonlySet<string> = new Set([
  'AD',
  'AR',
  'CA',
  'FO',
  'GG',
  'IL',
  'IM',
  'JP',
  'JE',
  'NZ',
  'KR',
  'CH',
  'GB',
  'UY',
  'US',
]);

// Region codes the platform's ICU data names that are not countries (European Union, Eurozone,
// United Nations, Outlying Oceania, Unknown Region).
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** The English name of an ISO 3166-1 alpha-2 code, or null when it names no country (from the platform's ICU data). */
export function countryName(code: string): string | null {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return null;
  return regionNames.of(code) ?? null;
}

export const ZCountryCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine((code) => countryName(code) !== null, 'An ISO 3166-1 alpha-2 country code, such as DE or US');

/** Why this mechanism does not fit this country, or null when it does. */
export function transferMechanismProblem(country: string, mechanism: TransferMechanism): string | null {
  const inEea = EEA_COUNTRIES.has(country);
  const name = countryName(country) ?? country;
  if (inEea && mechanism !== 'eu_eea') return `${name} is in the EU/EEA: processing there is no transfer to a third country.`;
  if (!inEea && mechanism === 'eu_eea')
    return `${name} is outside the EU/EEA: name the safeguard the transfer rests on (Art. 44 ff. GDPR).`;
  if (mechanism === 'adequacy_decision' && !ADEQUACY_COUNTRIES.has(country)) {
    return `The European Commission has no adequacy decision for ${name} (Art. 45 GDPR): choose another safeguard.`;
  }
  return null;
}
