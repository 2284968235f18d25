import { countryName } from '@zweck/policy';

/**
 * Every ISO 3166-1 alpha-2 country the platform's ICU data names, sorted by name: the options of
 * the country select (generated rather than listed by hand, with the same check the API runs).
 */
export const COUNTRY_OPTIONS: ReadonlyArray<{ code: string; name: string }> = (() => {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const options: Array<{ code: string; name: string }> = [];
  for (const a of letters) {
    for (const b of letters) {
      const name = countryName(a + b);
      if (name !== null) options.push({ code: a + b, name });
    }
  }
  return options.sort((x, y) => x.name.localeCompare(y.name, 'en'));
})();
