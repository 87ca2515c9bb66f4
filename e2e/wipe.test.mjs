// Delete all data from Settings: after typing DELETE the app is back at its
// first start, with a new empty database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openInBrowser } from './harness.mjs';

const addr = '127.0.0.1:34120';

test('settings: rotate the database key, then delete all data and return to the first start', { timeout: 120000 }, async (t) => {
  const { page } = await openInBrowser(t, addr);
  await page.goto(`http://${addr}/`);
  await page.getByTestId('new-chat').click();
  await page.getByTestId('composer').fill('remember this chat');
  await page.getByTestId('composer').press('Enter');
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').waitFor();

  await page.getByTestId('nav-settings').click();
  // Rotating the database key keeps everything.
  await page.getByTestId('rotate-db-key').click();
  await page.getByTestId('toast').filter({ hasText: 'new key' }).waitFor();
  await page.getByTestId('nav-chats').click();
  await page.getByTestId('chat-item').filter({ hasText: 'remember this chat' }).waitFor();
  await page.getByTestId('nav-settings').click();

  await page.getByTestId('wipe').click();
  assert.equal(await page.getByTestId('confirm-wipe').isDisabled(), true);
  await page.getByTestId('wipe-confirm').fill('delete');
  assert.equal(await page.getByTestId('confirm-wipe').isDisabled(), true);
  await page.getByTestId('wipe-confirm').fill('DELETE');
  await Promise.all([page.waitForEvent('load'), page.getByTestId('confirm-wipe').click()]);
  await page.getByTestId('empty-state').waitFor();
  assert.equal(await page.getByTestId('chat-item').count(), 0);
  assert.match(await page.getByTestId('empty-state').textContent(), /Welcome to Sidecar/);
  // The new profile works.
  await page.getByTestId('new-chat').click();
  await page.getByTestId('composer').fill('fresh start');
  await page.getByTestId('composer').press('Enter');
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').waitFor();
});
