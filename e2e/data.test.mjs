// Export from Settings (encrypted, with progress), delete all data, import
// the archive from Settings: the chats and the note are back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { devBinary, launchBrowser, startApp, tempHome, waitForHttp } from './harness.mjs';

const addr = '127.0.0.1:34122';

test('settings: export, delete all, import: everything is back', { timeout: 180000 }, async (t) => {
  const home = tempHome(t);
  const archive = path.join(tempHome(t), 'sidecar-export.sidecar');
  const app = startApp(devBinary, {
    home,
    args: ['-assetdir', 'frontend/dist', '-devserver', addr],
    env: { SIDECAR_DEV_SAVE_PATH: archive, SIDECAR_DEV_OPEN_PATH: archive },
  });
  t.after(() => app.stop());
  await waitForHttp(app, `http://${addr}/`);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://${addr}/`);

  for (const text of ['first exported chat', 'second exported chat']) {
    await page.getByTestId('new-chat').click();
    await page.getByTestId('composer').fill(text);
    await page.getByTestId('composer').press('Enter');
    await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').last().waitFor();
  }
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('add-note').click();
  await page.getByTestId('note-title').fill('Export note');
  await page.getByTestId('note-text').fill('The harbour bell rings twice at dusk.');
  await page.getByTestId('note-save').click();
  await page.getByText('Export note').first().waitFor();

  // Export, encrypted, recording the progress events the bar shows.
  await page.getByTestId('nav-settings').click();
  await page.evaluate(() => {
    window.__progress = [];
    window.runtime.EventsOn('data:progress', (p) => window.__progress.push(p));
  });
  await page.getByLabel('Export passphrase').fill('export passphrase 1');
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByTestId('toast').filter({ hasText: 'Exported to' }).waitFor();
  assert.ok(existsSync(archive), 'no archive written');
  const bytes = readFileSync(archive);
  assert.equal(bytes.includes(Buffer.from('first exported chat')), false, 'the encrypted archive holds clear text');
  // Events travel apart from the call's result: the last one may land just
  // after the toast, so wait (bounded) for the progress to reach its end.
  const ended = await page.waitForFunction(() => {
    const last = window.__progress[window.__progress.length - 1];
    return last !== undefined && last.total > 0 && last.done === last.total;
  }, null, { timeout: 10000 }).then(() => true, () => false);
  const progress = await page.evaluate(() => window.__progress);
  assert.ok(progress.length > 0, 'no export progress was reported');
  assert.ok(ended, `export progress ended at ${JSON.stringify(progress[progress.length - 1])}`);

  // Delete everything.
  await page.getByTestId('wipe').click();
  await page.getByTestId('wipe-confirm').fill('DELETE');
  await Promise.all([page.waitForEvent('load'), page.getByTestId('confirm-wipe').click()]);
  await page.getByTestId('empty-state').waitFor();
  assert.equal(await page.getByTestId('chat-item').count(), 0);

  // A wrong passphrase is refused and changes nothing.
  await page.getByTestId('nav-settings').click();
  await page.getByLabel('Import passphrase').fill('not the passphrase');
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByTestId('toast').filter({ hasText: /passphrase/i }).waitFor();
  await page.getByTestId('nav-chats').click();
  assert.equal(await page.getByTestId('chat-item').count(), 0);

  // The right one restores everything.
  await page.getByTestId('nav-settings').click();
  await page.getByLabel('Import passphrase').fill('export passphrase 1');
  await page.getByRole('button', { name: 'Import…' }).click();
  await page.getByTestId('toast').filter({ hasText: 'Imported 2 chats and 1 documents' }).waitFor();
  await page.getByTestId('nav-chats').click();
  for (const text of ['first exported chat', 'second exported chat']) {
    await page.getByTestId('chat-item').filter({ hasText: text }).click();
    await page.locator('[data-testid="message"][data-role="user"]').filter({ hasText: text }).waitFor();
    await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').first().waitFor();
  }
  await page.getByTestId('nav-documents').click();
  await page.getByText('Export note').first().waitFor();
});
