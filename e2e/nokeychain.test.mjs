// Without any reachable keychain the app opens, explains what is wrong and
// what to do, and creates no database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { devBinary, launchBrowser, outDir, startApp, tempHome, waitForHttp } from './harness.mjs';

const addr = '127.0.0.1:34116';

test('no keychain: clear, actionable message and nothing written', { timeout: 120000 }, async (t) => {
  const home = tempHome(t);
  const app = startApp(devBinary, {
    home,
    args: ['-assetdir', 'frontend/dist', '-devserver', addr],
    env: { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/sidecar-e2e-bus' },
  });
  t.after(() => app.stop());
  await waitForHttp(app, `http://${addr}/`);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1100, height: 700 } });
  await page.goto(`http://${addr}/`);
  const card = page.getByTestId('status-error');
  await card.waitFor({ timeout: 30000 });
  const text = await card.textContent();
  assert.match(text, /keychain/i);
  assert.match(text, /gnome-keyring/);
  assert.match(text, new RegExp(home.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.equal(await page.getByTestId('composer').count(), 0);
  await page.screenshot({ path: path.join(outDir, 'no-keychain.png') });
  assert.equal(existsSync(path.join(home, 'sidecar.db')), false, 'a database was created without a key');
});
