// Passphrase mode: without a keychain the user protects the data with a
// passphrase and unlocks it at every start; with a keychain, Settings
// switches to a passphrase and back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { devBinary, launchBrowser, outDir, startApp, tempHome, waitForHttp } from './harness.mjs';

const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sidecar-e2e-bus' };

async function open(t, home, addr, env = {}) {
  const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', addr], env });
  await waitForHttp(app, `http://${addr}/`);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  await page.goto(`http://${addr}/`);
  const close = async () => { await browser.close(); await app.stop(); };
  t.after(close);
  return { page, close };
}

async function unlock(page, pass) {
  await page.getByTestId('unlock').waitFor({ timeout: 30000 });
  await page.getByTestId('unlock-passphrase').fill(pass);
  await page.getByTestId('unlock-submit').click();
}

test('no keychain: start with a passphrase, then unlock at the next start', { timeout: 180000 }, async (t) => {
  const home = tempHome(t);
  let { page, close } = await open(t, home, '127.0.0.1:34123', noBus);
  await page.getByTestId('status-error').waitFor({ timeout: 30000 });
  assert.equal(existsSync(path.join(home, 'sidecar.db')), false);
  await page.getByTestId('new-passphrase-1').fill('harbour lights 42');
  await page.getByTestId('new-passphrase-2').fill('harbour lights 4');
  assert.equal(await page.getByTestId('new-passphrase-submit').isDisabled(), true, 'mismatched passphrases accepted');
  await page.getByTestId('new-passphrase-2').fill('harbour lights 42');
  await Promise.all([page.waitForEvent('load'), page.getByTestId('new-passphrase-submit').click()]);
  await page.getByTestId('new-chat').click();
  await page.getByTestId('composer').fill('kept under a passphrase');
  await page.getByTestId('composer').press('Enter');
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').waitFor();
  await page.getByTestId('nav-settings').click();
  assert.match(await page.getByTestId('key-mode').textContent(), /passphrase/);
  await close();

  ({ page, close } = await open(t, home, '127.0.0.1:34123', noBus));
  await unlock(page, 'wrong passphrase');
  await page.getByRole('alert').filter({ hasText: /wrong passphrase/i }).waitFor();
  await page.screenshot({ path: path.join(outDir, 'unlock.png') });
  await unlock(page, 'harbour lights 42');
  await page.getByTestId('chat-item').filter({ hasText: 'kept under a passphrase' }).waitFor();
  // Without a keychain the switch back is refused and the data stays usable.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('use-keychain').click();
  await page.getByTestId('toast').filter({ hasText: /keychain/i }).waitFor();
  await page.getByTestId('nav-chats').click();
  await page.getByTestId('chat-item').filter({ hasText: 'kept under a passphrase' }).waitFor();
});

test('settings: switch to a passphrase and back to the keychain', { timeout: 180000 }, async (t) => {
  const home = tempHome(t);
  let { page, close } = await open(t, home, '127.0.0.1:34124');
  await page.getByTestId('new-chat').click();
  await page.getByTestId('composer').fill('survives both switches');
  await page.getByTestId('composer').press('Enter');
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').waitFor();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('use-passphrase').click();
  await page.getByTestId('passphrase-1').fill('lighthouse keeper');
  await page.getByTestId('passphrase-2').fill('lighthouse keeper');
  await page.getByTestId('confirm-passphrase').click();
  await page.getByTestId('toast').filter({ hasText: 'key from your passphrase' }).waitFor();
  assert.ok(existsSync(path.join(home, 'key.json')));
  await close();

  ({ page, close } = await open(t, home, '127.0.0.1:34124'));
  await unlock(page, 'lighthouse keeper');
  await page.getByTestId('chat-item').filter({ hasText: 'survives both switches' }).waitFor();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('use-keychain').click();
  await page.getByTestId('toast').filter({ hasText: 'OS keychain' }).waitFor();
  assert.equal(existsSync(path.join(home, 'key.json')), false);
  await close();

  ({ page, close } = await open(t, home, '127.0.0.1:34124'));
  await page.getByTestId('chat-item').filter({ hasText: 'survives both switches' }).waitFor({ timeout: 30000 });
});
