// Branches in a real browser with the echo model: an edit and a
// regenerated answer keep the earlier versions, ‹ › steps between them,
// the conversation goes on from the version shown, and all of it is still
// there after a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openInBrowser, outDir, stepsFailed } from './harness.mjs';

const addr = '127.0.0.1:34157';
const url = `http://${addr}/`;

test('branches: edit, regenerate, switch, continue, reload', { timeout: 240000 }, async (t) => {
  const { app, page } = await openInBrowser(t, addr, { page: { viewport: { width: 1200, height: 800 }, deviceScaleFactor: 2 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await steps();
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'branches-failure.png') }).catch(() => {});
    throw stepsFailed(e, app, pageErrors);
  }

  async function steps() {
    const messages = page.getByTestId('message');
    const users = page.locator('[data-testid="message"][data-role="user"]');
    const answers = page.locator('[data-testid="message"][data-role="assistant"]');
    // The texts shown, in order, once no answer is generating.
    const shown = async () => {
      await page.locator('[data-testid="message"][data-status="streaming"]').waitFor({ state: 'detached' });
      return (await messages.evaluateAll((els) => els.map((el) => el.querySelector('.content')?.textContent.trim() ?? '')));
    };
    const answered = (text) => answers.and(page.locator('[data-status="done"]')).filter({ hasText: text }).waitFor({ timeout: 30000 });
    const send = async (text) => {
      await page.getByTestId('composer').fill(text);
      await page.getByTestId('composer').press('Enter');
      await answered(`Echo: ${text}`);
    };

    await page.goto(url);
    await page.getByTestId('new-chat').click();
    await page.getByTestId('composer').waitFor();
    await send('alpha');
    await send('beta');
    assert.equal(await page.getByTestId('branch-nav').count(), 0, 'no versions yet, no controls');

    // Regenerate: the answer now has two versions and shows the newest.
    await answers.last().getByTestId('regenerate').click();
    await answers.last().getByTestId('branch-pos').filter({ hasText: '2/2' }).waitFor();
    assert.deepEqual(await shown(), ['alpha', 'Echo: alpha', 'beta', 'Echo: beta']);

    // Edit the first question: a second version, answered on its own.
    await users.first().getByTestId('edit').click();
    await page.getByTestId('edit-input').fill('alpha, edited');
    await page.getByTestId('edit-send').click();
    await answered('Echo: alpha, edited');
    assert.deepEqual(await shown(), ['alpha, edited', 'Echo: alpha, edited']);
    assert.equal(await users.first().getByTestId('branch-pos').textContent(), '2/2');
    assert.ok(await users.first().getByTestId('branch-next').isDisabled());

    // ‹ brings back the first version with everything that followed it.
    await users.first().getByTestId('branch-prev').click();
    await users.first().getByTestId('branch-pos').filter({ hasText: '1/2' }).waitFor();
    assert.deepEqual(await shown(), ['alpha', 'Echo: alpha', 'beta', 'Echo: beta']);
    assert.equal(await answers.last().getByTestId('branch-pos').textContent(), '2/2');
    await page.screenshot({ path: path.join(outDir, 'branches.png') });
    await page.locator('.messages').screenshot({ path: path.join(outDir, 'branches-messages.png'), scale: 'device' });

    // Step to the older answer and go on from there.
    await answers.last().getByTestId('branch-prev').click();
    await answers.last().getByTestId('branch-pos').filter({ hasText: '1/2' }).waitFor();
    await send('gamma');
    assert.deepEqual(await shown(), ['alpha', 'Echo: alpha', 'beta', 'Echo: beta', 'gamma', 'Echo: gamma']);
    assert.equal(await answers.nth(1).getByTestId('branch-pos').textContent(), '1/2');
    // The newer answer has no continuation: switching to it ends there.
    await answers.nth(1).getByTestId('branch-next').click();
    await answers.nth(1).getByTestId('branch-pos').filter({ hasText: '2/2' }).waitFor();
    assert.deepEqual(await shown(), ['alpha', 'Echo: alpha', 'beta', 'Echo: beta']);
    await answers.nth(1).getByTestId('branch-prev').click();
    await answers.nth(1).getByTestId('branch-pos').filter({ hasText: '1/2' }).waitFor();
    assert.deepEqual(await shown(), ['alpha', 'Echo: alpha', 'beta', 'Echo: beta', 'gamma', 'Echo: gamma']);

    // Over to the edited version, then reload: it is still the one shown,
    // and the others are a click away.
    await users.first().getByTestId('branch-next').click();
    await users.first().getByTestId('branch-pos').filter({ hasText: '2/2' }).waitFor();
    await page.reload();
    await page.getByTestId('chat-item').filter({ hasText: 'alpha' }).click();
    await users.first().getByTestId('branch-pos').filter({ hasText: '2/2' }).waitFor();
    assert.deepEqual(await shown(), ['alpha, edited', 'Echo: alpha, edited']);
    await users.first().getByTestId('branch-prev').click();
    await users.first().getByTestId('branch-pos').filter({ hasText: '1/2' }).waitFor();
    assert.deepEqual(await shown(), ['alpha', 'Echo: alpha', 'beta', 'Echo: beta', 'gamma', 'Echo: gamma']);

    // Search finds a message of a version not shown, and opening the hit
    // shows its branch.
    await page.getByLabel('Search chats').fill('edited');
    await page.getByTestId('message-hit').filter({ hasText: 'alpha' }).first().click();
    await users.first().getByTestId('branch-pos').filter({ hasText: '2/2' }).waitFor();
    assert.deepEqual(await shown(), ['alpha, edited', 'Echo: alpha, edited']);
    assert.deepEqual(pageErrors, []);
  }
});
