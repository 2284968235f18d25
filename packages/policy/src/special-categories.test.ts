import { describe, expect, it } from 'vitest';
import { screenSpecialCategories } from './special-categories.ts';

describe('screenSpecialCategories (Art. 9)', () => {
  it.each([
    ['Met her at the diabetes support group', 'health'],
    ['Kennengelernt in der Krebs-Selbsthilfegruppe', 'health'],
    ['Active member of the Catholic parish', 'religion'],
    ['Sitzt für die Partei im Stadtrat, Parteimitglied', 'politics'],
    ['Betriebsrat, Gewerkschaft IG Metall', 'trade_union'],
    ['Fingerprint on file for the door', 'genetic_biometric'],
    ['Talked about being gay at the event', 'sexual_orientation'],
  ])('finds %j as %s', (text, category) => {
    expect(screenSpecialCategories(text).map((m) => m.category)).toContain(category);
  });

  it.each([
    'Trade fair Berlin, stand 12',
    'Phone call with customer service',
    'Messe Köln, Halle 4',
    'Newsletter form on the website',
    'Paper form ref. 2026-114',
  ])('lets ordinary context through: %j', (text) => {
    expect(screenSpecialCategories(text)).toEqual([]);
  });

  it('matches short terms as whole words only', () => {
    expect(screenSpecialCategories('Shivani from sales')).toEqual([]); // contains "hiv"
    expect(screenSpecialCategories('HIV counselling stand')).toEqual([{ category: 'health', term: 'hiv', article: 'Art. 9(1) GDPR' }]);
  });
});
