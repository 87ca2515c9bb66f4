// Named API tokens and "How to connect" in Settings: make a token for one
// client, see its value once, use it over HTTP, copy a configuration whose
// URL and token are the real ones and use it with the openai client, give
// it a new value, then revoke it in the UI and see it refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import OpenAI from 'openai';
import { freePort, openInBrowser, outDir } from './harness.mjs';

const addr = '127.0.0.1:34123';

/** The text the page copies next (the Wails runtime's clipboard call, observed). */
async function watchClipboard(page) {
  await page.evaluate(() => {
    const set = window.runtime.ClipboardSetText;
    window.__copied = [];
    window.runtime.ClipboardSetText = (text) => { window.__copied.push(text); return set(text); };
  });
}
const copied = (page) => page.evaluate(() => window.__copied[window.__copied.length - 1]);

test('tokens: a named token is shown once, works, configures a client, and stops when revoked', { timeout: 180000 }, async (t) => {
  const { page } = await openInBrowser(t, addr, { page: { viewport: { width: 1280, height: 900 } } });
  await page.goto(`http://${addr}/`);
  await page.getByTestId('nav-settings').click();
  const port = await freePort();
  await page.getByTestId('api-enabled').check();
  await page.getByTestId('api-port').fill(String(port));
  await page.getByTestId('api-save').click();
  await page.getByTestId('api-running').waitFor();
  const base = `http://127.0.0.1:${port}`;
  await watchClipboard(page);

  // Before any token, the configuration carries a placeholder and the real port.
  const snippet = page.getByTestId('snippet');
  await page.getByTestId('client-codex').click();
  await page.waitForFunction((b) => document.querySelector('[data-testid="snippet"]')?.textContent.includes(`base_url = "${b}/v1"`), base);
  assert.match(await snippet.textContent(), /SIDECAR_TOKEN=YOUR_TOKEN/);

  await page.getByTestId('token-name').fill('Zed');
  await page.getByTestId('token-create').click();
  const value = (await page.getByTestId('fresh-token-value').textContent()).trim();
  assert.match(value, /^sct_[0-9a-f]{64}$/);
  assert.equal((await page.getByTestId('fresh-token-url').textContent()).trim(), `${base}/t/${value}/`);
  const row = page.locator('[data-testid="client-token"][data-name="Zed"]');
  await row.waitFor();
  assert.equal((await row.getByTestId('token-last-used').textContent()).trim(), 'never');

  const models = (tok) => fetch(`${base}/v1/models`, { headers: { Authorization: `Bearer ${tok}` } });
  assert.equal((await models(value)).status, 200);
  const tags = await fetch(`${base}/t/${value}/api/tags`);
  assert.equal(tags.status, 200, 'the path URL shown at creation');

  // Right after creation the configuration holds the real token: copy
  // Continue's and use what it says with the official openai client.
  await page.getByTestId('client-continue').click();
  await page.waitForFunction((v) => document.querySelector('[data-testid="snippet"]')?.textContent.includes(`apiKey: ${v}`), value);
  await page.getByTestId('snippet-copy').click();
  const yaml = await copied(page);
  assert.equal(yaml, await snippet.locator('pre').textContent());
  const apiBase = yaml.match(/apiBase: (\S+)/)[1];
  const apiKey = yaml.match(/apiKey: (\S+)/)[1];
  const model = yaml.match(/model: (\S+)/)[1];
  assert.equal(apiBase, `${base}/v1`);
  assert.equal(apiKey, value);
  const client = new OpenAI({ baseURL: apiBase, apiKey, maxRetries: 0 });
  const res = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'from Continue' }] });
  assert.equal(res.choices[0].message.content, 'Echo: from Continue');

  // Each dialect's base URL is the real one.
  const dialect = async (d) => (await page.locator(`[data-testid="dialect"][data-dialect="${d}"] code`).textContent()).trim();
  assert.equal(await dialect('OpenAI'), `${base}/v1`);
  assert.equal(await dialect('Anthropic'), base);
  assert.equal(await dialect('Ollama'), `${base}/t/${value}`);
  await page.screenshot({ path: path.join(outDir, 'settings-tokens.png'), fullPage: true });

  // Once dismissed, the value is gone from the page for good.
  await page.getByTestId('fresh-token-done').click();
  await page.getByTestId('fresh-token').waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.querySelector('[data-testid="snippet"]')?.textContent.includes('YOUR_ZED_TOKEN'));
  assert.ok(!(await page.content()).includes(value), 'the token value is still in the page');
  await page.reload();
  await page.getByTestId('nav-settings').click();
  await row.waitFor();
  assert.ok(!(await page.content()).includes(value), 'the token value came back after a reload');
  assert.notEqual((await row.getByTestId('token-last-used').textContent()).trim(), 'never');

  // A new value: shown once, in force at once, the old one refused.
  await row.getByRole('button', { name: 'New value' }).click();
  await page.getByRole('button', { name: 'Replace', exact: true }).click();
  const fresh = (await page.getByTestId('fresh-token-value').textContent()).trim();
  assert.match(fresh, /^sct_[0-9a-f]{64}$/);
  assert.notEqual(fresh, value);
  assert.equal((await models(value)).status, 401);
  assert.equal((await models(fresh)).status, 200);

  await row.getByTestId('token-revoke').click();
  await page.getByTestId('token-revoke-confirm').click();
  await row.waitFor({ state: 'detached' });
  await page.getByTestId('fresh-token').waitFor({ state: 'detached' });
  assert.equal((await models(fresh)).status, 401);
});
