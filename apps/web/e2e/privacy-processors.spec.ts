// The DPO's processor register, records of processing and audit log, end to end in Chromium
// against the real system: a processor that transfers data to the US is refused with the wrong
// transfer mechanism, saved with standard contractual clauses, shows up in the generated records
// as recipient and third-country transfer of its purpose, and the audit log's chain verifies.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ARTIFACTS, DPO, signIn, uniqueSuffix, useBrowser } from './support';

const suffix = uniqueSuffix();
const NAME = `Clickmetric ${suffix} Inc.`;

const privacyTabs = (page: Page) => page.getByRole('navigation', { name: 'Privacy' });

describe('admin UI: processors, records of processing and the audit chain', () => {
  const withPage = useBrowser();

  it('registers a US processor, finds it in the records of processing, and verifies the audit chain', async () => {
    await withPage('privacy-processors', async (page) => {
      await signIn(page, DPO);
      await page.goto('/privacy/processors');
      await page.getByRole('heading', { name: 'Processors', level: 1 }).waitFor();
      await page.getByRole('link', { name: 'New processor' }).click();
      await page.getByRole('heading', { name: 'New processor', level: 1 }).waitFor();

      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(NAME);
      await page.getByLabel('Service').fill('Analytics of opens and clicks of marketing e-mail');
      await page.getByLabel('Notice address').fill('dpa@clickmetric.example');
      await page.getByLabel('Contract signed on').fill('2025-09-01');
      await page.getByLabel('Next review').fill('2026-09-01');
      await page.getByLabel('Country', { exact: true }).selectOption('US');
      // Left at "Within the EU/EEA": refused beside the field, before anything is sent.
      await page.getByRole('checkbox', { name: 'Behavioural' }).check();
      await page.getByRole('checkbox', { name: 'E-mail open and click measurement' }).check();
      await page.getByRole('button', { name: 'Add processor' }).click();
      await page.getByText('United States is outside the EU/EEA').waitFor();
      await page.screenshot({ path: `${ARTIFACTS}60-processor-transfer-refused.png`, fullPage: true });

      await page.getByLabel('Transfer mechanism').selectOption('standard_contractual_clauses');
      await page.getByRole('button', { name: 'Add processor' }).click();
      await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
      await page.getByText('Processor saved').waitFor();
      expect(page.url()).toMatch(/\/privacy\/processors\/[0-9a-f-]{36}$/);

      // The register lists it as a third-country transfer.
      await privacyTabs(page).getByRole('link', { name: 'Processors' }).click();
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME }) });
      await row.waitFor();
      expect(await row.textContent()).toContain('Third country');
      expect(await row.textContent()).toContain('Standard contractual clauses');

      // The records of processing name it under its purpose, with the transfer and its safeguard.
      await privacyTabs(page).getByRole('link', { name: 'Records' }).click();
      await page.getByRole('heading', { name: 'Records of processing activities (Art. 30(1) GDPR)' }).waitFor();
      const tracking = page.getByRole('region', { name: 'E-mail open and click measurement', exact: true });
      await tracking
        .getByText(`${NAME}: Analytics of opens and clicks of marketing e-mail (United States, contract of 2025-09-01)`)
        .waitFor();
      await tracking.getByText(`${NAME}: United States, Standard contractual clauses (Art. 46(2)(c))`).waitFor();
      await page.screenshot({ path: `${ARTIFACTS}61-records-of-processing.png`, fullPage: true });

      // The CSV download carries the same.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
      expect(download.suggestedFilename()).toMatch(/^records-of-processing-\d{4}-\d{2}-\d{2}\.csv$/);
      const csvPath = await download.path();
      const { readFile } = await import('node:fs/promises');
      expect(await readFile(csvPath, 'utf8')).toContain(`${NAME}: United States, Standard contractual clauses (Art. 46(2)(c))`);

      // The audit log shows the creation, and its chain verifies.
      await privacyTabs(page).getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      await page.getByLabel('Action', { exact: true }).fill('processor.create');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page
        .getByRole('cell', { name: /^processor:[0-9a-f-]{36}$/ })
        .first()
        .waitFor();
      await page.getByRole('button', { name: 'Verify chain' }).click();
      await page.getByText('The chain is intact').waitFor();
      const status = (await page.getByRole('status').filter({ hasText: 'The chain is intact' }).textContent()) ?? '';
      expect(status).toMatch(/All \d+ entries link to the one before and match their hashes/);
      await page.screenshot({ path: `${ARTIFACTS}62-audit-chain-verified.png`, fullPage: true });
    });
  });
});
