import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ErasureReport, searchedSummary, type ErasureVerificationView } from './erasure-report.tsx';

const searched = { database: { tables: 48, columns: 211 }, mailSink: null, temporal: { histories: 2 } };

describe('ErasureReport', () => {
  it('says clean, and what was searched', () => {
    const html = renderToStaticMarkup(
      <ErasureReport verification={{ verifiedAt: '2026-11-29T17:00:00.000Z', clean: true, hits: [], searched }} />,
    );
    expect(html).toContain('No trace found');
    expect(html).not.toContain('erasure-hits');
    expect(html).toContain('211 text columns in 48 tables');
    expect(html).toContain('none runs in this installation');
  });

  it('lists each place with its count when not clean', () => {
    const verification: ErasureVerificationView = {
      verifiedAt: '2026-11-29T17:00:00.000Z',
      clean: false,
      hits: [
        { store: 'database', where: 'template.name', count: 1 },
        { store: 'temporal', where: 'journey:a:b (payloads still decrypt)', count: 3 },
      ],
    };
    const html = renderToStaticMarkup(<ErasureReport verification={verification} />);
    expect(html).toContain('erasure not complete');
    expect(html).toContain('template.name');
    expect(html).toContain('Workflow histories');
    expect(html).toMatch(/<td>3<\/td>/);
    expect(searchedSummary(undefined)).toEqual([]);
  });
});
