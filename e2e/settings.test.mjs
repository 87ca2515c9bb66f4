// Settings end to end: turn the local API on from the UI, use it with the
// token the UI shows, rotate the token, and see the old one refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { freePort, openInBrowser, outDir } from './harness.mjs';

const addr = '127.0.0.1:34117';

test('settings: local API on, used with its token, token rotated', { timeout: 180000 }, async (t) => {
  const { page } = await openInBrowser(t, addr, { page: { viewport: { width: 1200, height: 900 } } });
  await page.goto(`http://${addr}/`);
  await page.getByTestId('nav-settings').click();
  const port = await freePort();
  await page.getByTestId('api-enabled').check();
  await page.getByTestId('api-port').fill(String(port));
  await page.getByTestId('api-save').click();
  await page.getByTestId('api-running').waitFor();
  const base = `http://127.0.0.1:${port}`;
  assert.match(await page.getByTestId('api-running').textContent(), new RegExp(base));
  await page.getByRole('button', { name: 'Show' }).click();
  const token = (await page.getByTestId('api-token').textContent()).trim();
  assert.match(token, /^[0-9a-f]{64}$/);
  await page.screenshot({ path: path.join(outDir, 'settings.png'), fullPage: true });

  const chat = (tok) => fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${tok}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'echo/echo', messages: [{ role: 'user', content: 'from a plugin' }] }),
  });
  let res = await chat(token);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).choices[0].message.content, 'Echo: from a plugin');
  assert.equal((await chat('wrong')).status, 401);

  await page.getByTestId('api-rotate').click();
  await page.getByRole('button', { name: 'Rotate', exact: true }).last().click();
  await page.waitForFunction((old) => {
    const el = document.querySelector('[data-testid="api-token"]');
    return el && el.textContent.trim() !== old && !el.textContent.includes('•');
  }, token);
  const fresh = (await page.getByTestId('api-token').textContent()).trim();
  assert.notEqual(fresh, token);
  assert.equal((await chat(token)).status, 401, 'the old token still works after rotation');
  assert.equal((await chat(fresh)).status, 200);

  // Turning it off closes the port.
  await page.getByTestId('api-enabled').uncheck();
  await page.getByTestId('api-save').click();
  await page.getByTestId('api-running').waitFor({ state: 'detached' });
  await assert.rejects(fetch(`${base}/healthz`));
});
