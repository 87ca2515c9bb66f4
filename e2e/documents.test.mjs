// Documents end to end: add a note, find it, open the source at the right
// lines; a chat with documents switched on cites it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openInBrowser, outDir } from './harness.mjs';

const addr = '127.0.0.1:34119';

test('documents: add, search, open at the cited lines, grounded chat', { timeout: 180000 }, async (t) => {
  const { page } = await openInBrowser(t, addr, { page: { viewport: { width: 1200, height: 850 } } });
  await page.goto(`http://${addr}/`);

  await page.getByTestId('nav-documents').click();
  await page.getByTestId('no-docs').waitFor();
  await page.getByTestId('add-note').click();
  await page.getByTestId('note-title').fill('Release checklist');
  await page.getByTestId('note-text').fill('# Release\n\nIntro.\n\n## Signing\n\nThe signing key rotates every ninety days.\nAsk the security team for a new one.\n');
  await page.getByTestId('note-save').click();
  await page.getByTestId('doc-row').filter({ hasText: 'Release checklist' }).waitFor();

  await page.getByTestId('doc-search').fill('signing key rotation');
  const hit = page.getByTestId('doc-hit').first();
  await hit.waitFor();
  assert.match(await hit.textContent(), /Release checklist/);
  assert.match(await hit.innerHTML(), /<mark>signing<\/mark>/i);
  await hit.click();
  const viewer = page.getByTestId('doc-viewer');
  await viewer.waitFor();
  const marked = await viewer.locator('.vline.on').allTextContents();
  assert.ok(marked.some((l) => l.includes('ninety days')), `highlighted lines: ${marked}`);
  await page.keyboard.press('Escape');
  await viewer.waitFor({ state: 'detached' });

  await page.getByTestId('nav-chats').click();
  await page.getByTestId('new-chat').click();
  await page.getByTestId('use-documents').check();
  await page.getByTestId('composer').fill('How often does the signing key rotate?');
  await page.getByTestId('composer').press('Enter');
  const cites = page.getByTestId('citation');
  await cites.first().waitFor({ timeout: 30000 });
  assert.match(await cites.first().textContent(), /\[1\] Release checklist/);
  await page.screenshot({ path: path.join(outDir, 'documents-chat.png') });
  await cites.first().click();
  await page.getByTestId('doc-viewer').locator('.vline.on').first().waitFor();

  // The switch is remembered with the chat.
  await page.reload();
  await page.getByTestId('chat-item').first().locator('[data-testid="chat-open"]').click();
  assert.equal(await page.getByTestId('use-documents').isChecked(), true);
  assert.equal(await page.getByTestId('citation').count() > 0, true);
});
