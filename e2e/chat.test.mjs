// The chat path end to end in a real browser: UI -> Wails binding ->
// assistant -> echo provider -> encrypted store -> events -> UI, served by a
// binary built with the `dev` tag (it exposes the app on 127.0.0.1:34115).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { answerStates, devBinary, launchBrowser, outDir, recordAnswerStates, startApp, stepsFailed, tempHome, tokenEvents, waitForHttp } from './harness.mjs';

const addr = '127.0.0.1:34115';
const url = `http://${addr}/`;

function start(home) {
  return startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', addr] });
}

test('chat: create, stream, reload, restart, sanitize', { timeout: 240000 }, async (t) => {
  const home = tempHome(t);
  let app = start(home);
  t.after(() => app.stop());
  await waitForHttp(app, url);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await steps(page, pageErrors);
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'chat-failure.png') }).catch(() => {});
    throw stepsFailed(e, app, pageErrors);
  }

  async function steps(page, pageErrors) {
  await page.goto(url);

  await page.getByTestId('new-chat').click();
  await page.getByTestId('composer').waitFor();

  // Record every distinct text of the answer as it streams in.
  await recordAnswerStates(page);

  const prompt = 'Please stream these twelve words back to me one at a time, thanks';
  await page.getByTestId('composer').fill(prompt);
  await page.getByTestId('composer').press('Enter');

  const answer = page.locator('[data-testid="message"][data-role="assistant"]').last();
  await answer.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30000 });
  const expected = `Echo: ${prompt}`;
  assert.match(await answer.textContent(), new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  // Every word arrived as its own event, and the screen showed the answer
  // growing (how many steps it showed depends on frame timing).
  const pieces = await tokenEvents(page, 13);
  assert.ok(pieces >= 13, `streamed pieces: ${pieces}`);
  const snapshots = (await answerStates(page)).filter((s) => s.includes('Echo'));
  assert.ok(snapshots.length >= 2, `answer should appear token by token, saw ${snapshots.length} states: ${JSON.stringify(snapshots)}`);

  // The user's message went in whole (Enter sent, nothing left in the box).
  const user = page.locator('[data-testid="message"][data-role="user"]').last();
  assert.match(await user.textContent(), /twelve words/);
  assert.equal(await page.getByTestId('composer').inputValue(), '');
  // Auto-titled from the first message.
  await page.getByTestId('chat-item').filter({ hasText: 'Please stream' }).waitFor();
  await page.screenshot({ path: path.join(outDir, 'chat.png') });

  // Shift+Enter makes a newline instead of sending.
  await page.getByTestId('composer').fill('line one');
  await page.getByTestId('composer').press('Shift+Enter');
  await page.getByTestId('composer').type('line two');
  assert.equal(await page.getByTestId('composer').inputValue(), 'line one\nline two');
  await page.getByTestId('composer').fill('');

  // Hostile Markdown from a model never runs: the echo repeats it verbatim.
  await page.evaluate(() => { window.__pwned = 0; });
  await page.getByTestId('composer').fill('<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> [x](javascript:window.__pwned=3)');
  await page.getByTestId('composer').press('Enter');
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').nth(1).waitFor({ timeout: 30000 });
  const hostile = await page.evaluate(() => ({
    pwned: window.__pwned,
    scripts: document.querySelectorAll('[data-testid="message"] script').length,
    handlers: [...document.querySelectorAll('[data-testid="message"] *')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    jsLinks: [...document.querySelectorAll('[data-testid="message"] a')].filter((a) => (a.getAttribute('href') || '').toLowerCase().startsWith('javascript')).length,
  }));
  assert.deepEqual(hostile, { pwned: 0, scripts: 0, handlers: 0, jsLinks: 0 });

  // Reload: the chat and its messages come back from the database.
  await page.reload();
  await page.getByTestId('chat-item').filter({ hasText: 'Please stream' }).click();
  await page.locator('[data-testid="message"][data-role="assistant"]').first().waitFor();
  assert.match(await page.locator('[data-testid="message"][data-role="assistant"]').first().textContent(), /Echo: Please stream/);

  // Restart the app: still there.
  await app.stop();
  app = start(home);
  await waitForHttp(app, url);
  await page.goto(url);
  await page.getByTestId('chat-item').filter({ hasText: 'Please stream' }).click();
  await page.locator('[data-testid="message"][data-role="user"]').first().waitFor();
  assert.equal(await page.locator('[data-testid="message"]').count(), 4);

  // Edit the first question and resend: the new version is shown alone
  // (the earlier one stays as another branch: e2e/branches.test.mjs).
  await page.locator('[data-testid="message"][data-role="user"]').first().getByTestId('edit').click();
  await page.getByTestId('edit-input').fill('An edited first question');
  await page.getByTestId('edit-send').click();
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').filter({ hasText: 'Echo: An edited first question' }).waitFor();
  assert.equal(await page.locator('[data-testid="message"]').count(), 2);

  // Rename and delete through the sidebar.
  const item = page.getByTestId('chat-item').filter({ hasText: 'Please stream' });
  await item.getByTestId('chat-rename').click();
  await page.getByTestId('rename-input').fill('Renamed in e2e');
  await page.getByTestId('rename-input').press('Enter');
  await page.getByTestId('chat-item').filter({ hasText: 'Renamed in e2e' }).waitFor();
  await page.getByTestId('chat-item').filter({ hasText: 'Renamed in e2e' }).getByTestId('chat-delete').click();
  await page.getByTestId('confirm-delete').click();
  await page.getByTestId('chat-item').filter({ hasText: 'Renamed in e2e' }).waitFor({ state: 'detached' });

  assert.deepEqual(pageErrors, []);

  // Nothing the user typed is on disk in the clear.
  await app.stop();
  for (const f of readdirSync(home)) {
    const bytes = readFileSync(path.join(home, f));
    assert.ok(!bytes.includes('twelve words'), `${f} holds chat text in the clear`);
  }
  }
});
