/**
 * Screening of free text for special categories of personal data (Art. 9(1) GDPR), which this
 * product must never store: health, religion or belief, political opinions, trade union
 * membership, racial or ethnic origin, sex life or sexual orientation, genetic and biometric data.
 *
 * A word list in English and German catches the obvious cases that staff type into a free-text
 * field ("met at the diabetes support group"); it is a guard against accidents, not a classifier.
 * Written by hand because no maintained library screens German and English text for Art. 9
 * categories; the list is the policy, and it is versioned with it.
 */
export type SpecialCategory =
  'health' | 'religion' | 'politics' | 'trade_union' | 'ethnic_origin' | 'sexual_orientation' | 'genetic_biometric';

const TERMS: Record<SpecialCategory, string[]> = {
  health: [
    'diagnos',
    'illness',
    'disease',
    'cancer',
    'diabet',
    'depressi',
    'pregnan',
    'disabilit',
    'therapy',
    'hiv',
    'medication',
    'patient',
    'hospital',
    'krank',
    'diagnose',
    'krebs',
    'schwanger',
    'behinder',
    'therapie',
    'medikament',
    'klinik',
    'arztbesuch',
    'reha',
  ],
  religion: [
    'religio',
    'church member',
    'muslim',
    'jewish',
    'catholic',
    'protestant',
    'atheist',
    'kirchenmitglied',
    'konfession',
    'katholisch',
    'evangelisch',
    'jüdisch',
    'glaube',
  ],
  politics: ['party member', 'political', 'voted for', 'parteimitglied', 'politisch', 'gewählt'],
  trade_union: ['union member', 'trade union', 'gewerkschaft', 'verdi', 'ig metall'],
  ethnic_origin: ['ethnic', 'racial', 'ethnisch', 'herkunft', 'migrationshintergrund'],
  sexual_orientation: [
    'sexual orientation',
    'gay',
    'lesbian',
    'bisexual',
    'transgender',
    'sexuelle orientierung',
    'homosexuell',
    'schwul',
    'lesbisch',
  ],
  genetic_biometric: ['genetic', 'dna', 'fingerprint', 'biometric', 'genetisch', 'fingerabdruck', 'biometrisch'],
};

export interface SpecialCategoryMatch {
  category: SpecialCategory;
  term: string;
  article: 'Art. 9(1) GDPR';
}

const normalise = (text: string): string => ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;

/** Every special category the text appears to mention; empty when none. */
export function screenSpecialCategories(text: string): SpecialCategoryMatch[] {
  const haystack = normalise(text);
  const matches: SpecialCategoryMatch[] = [];
  for (const [category, terms] of Object.entries(TERMS) as [SpecialCategory, string[]][]) {
    // A term matches at the start of a word ("diabet" finds "diabetes"); terms of up to four
    // letters match whole words only, so that "hiv" does not fire inside "Shivani".
    const term = terms.find((t) => (t.length <= 4 ? haystack.includes(` ${t} `) : haystack.includes(` ${t}`)));
    if (term) matches.push({ category, term, article: 'Art. 9(1) GDPR' });
  }
  return matches;
}
