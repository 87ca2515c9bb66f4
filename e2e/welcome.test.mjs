// First start: the welcome screen offers the ways to get an answer (a cloud
// key, a local model, the built-in echo model) and the documents; each card
// leads where it says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openInBrowser, outDir, stepsFailed } from './harness.mjs';

const addr = '127.0.0.1:34141';
const url = `http://${addr}/`;

test('welcome: each way to start leads to its screen', { timeout: 120000 }, async (t) => {
  const { app, page } = await openInBrowser(t, addr, { page: { viewport: { width: 1280, height: 800 } } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await page.goto(url);
    const welcome = page.getByTestId('empty-state');
    await welcome.waitFor();
    assert.match(await welcome.textContent(), /Welcome to Sidecar/);
    for (const id of ['cloud', 'local', 'echo', 'docs']) await page.getByTestId(`welcome-${id}`).waitFor();
    await page.screenshot({ path: path.join(outDir, 'welcome.png') });

    // A cloud key: the Settings screen, where keys are entered.
    await page.getByTestId('welcome-cloud').click();
    await page.getByRole('main', { name: 'Settings' }).getByRole('heading', { name: 'Cloud providers' }).waitFor();
    assert.equal(await page.getByTestId('nav-settings').getAttribute('aria-current'), 'page');

    // A local model: the Models screen.
    await page.getByTestId('nav-chats').click();
    await page.getByTestId('welcome-local').click();
    await page.getByRole('main', { name: 'Models' }).waitFor();
    assert.equal(await page.getByTestId('nav-models').getAttribute('aria-current'), 'page');

    // Documents.
    await page.getByTestId('nav-chats').click();
    await page.getByTestId('welcome-docs').click();
    await page.getByRole('main', { name: 'Documents' }).waitFor();
    assert.equal(await page.getByTestId('nav-documents').getAttribute('aria-current'), 'page');

    // Still no chat: none of these made one.
    await page.getByTestId('nav-chats').click();
    assert.equal(await page.getByTestId('chat-item').count(), 0);

    // The echo model: a chat with it opens, ready to answer.
    await page.getByTestId('welcome-echo').click();
    await page.getByTestId('composer').waitFor();
    assert.equal(await page.getByTestId('model-picker').inputValue(), 'echo/echo');
    assert.equal(await page.getByTestId('chat-item').count(), 1);
    await page.getByTestId('composer').fill('hello from the welcome screen');
    await page.getByTestId('composer').press('Enter');
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]');
    await answer.waitFor({ timeout: 30000 });
    assert.match(await answer.textContent(), /Echo: hello from the welcome screen/);

    // With chats, the same screen offers to start one besides the ways.
    await page.reload();
    await page.getByTestId('empty-state').waitFor();
    assert.match(await page.getByTestId('empty-state').textContent(), /Pick a chat/);
    await page.getByTestId('welcome-start').click();
    await page.getByTestId('composer').waitFor();
    assert.equal(await page.getByTestId('chat-item').count(), 2);
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'welcome-failure.png') }).catch(() => {});
    throw stepsFailed(e, app, pageErrors);
  }
});
