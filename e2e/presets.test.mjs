// A system prompt per chat and presets of them, end to end: create a
// preset, start a chat with it, and see the echo model receive the system
// prompt and the sampling settings ("/system" and "/sampling" make it
// report them); change an existing chat's settings from its header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openInBrowser, outDir, stepsFailed } from './harness.mjs';

const addr = '127.0.0.1:34142';
const url = `http://${addr}/`;

async function ask(page, text) {
  const answers = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]');
  const before = await answers.count();
  await page.getByTestId('composer').fill(text);
  await page.getByTestId('composer').press('Enter');
  await answers.nth(before).waitFor({ timeout: 30000 });
  return (await answers.nth(before).locator('.content').textContent()).trim();
}

test('presets: a chat started with a preset sends its system prompt and sampling', { timeout: 180000 }, async (t) => {
  const { app, page } = await openInBrowser(t, addr, { page: { viewport: { width: 1280, height: 800 } } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await page.goto(url);
    await page.getByTestId('new-chat').click();
    await page.getByTestId('start-preset').waitFor();
    // The starting presets are offered; the chat has none yet.
    const offered = await page.getByTestId('start-preset').locator('option').allTextContents();
    assert.ok(offered.includes('Code reviewer') && offered.includes('Terse'), `offered: ${offered}`);
    assert.equal(await page.getByTestId('chat-settings').textContent(), 'Chat settings');
    assert.equal(await ask(page, '/system'), 'System: (none)');

    // Create a preset.
    await page.getByTestId('new-chat').click();
    await page.getByTestId('start-manage-presets').click();
    await page.getByTestId('preset-new').click();
    await page.getByTestId('preset-name').fill('Pirate reviewer');
    await page.getByTestId('preset-system').fill('Answer like a pirate who reviews Go code.');
    await page.getByTestId('preset-temperature').fill('0.3');
    await page.getByTestId('preset-max').fill('500');
    await page.getByTestId('preset-save').click();
    await page.getByTestId('preset-item').filter({ hasText: 'Pirate reviewer' }).waitFor();
    assert.match(await page.getByTestId('preset-item').filter({ hasText: 'Pirate reviewer' }).textContent(), /temperature 0\.3 · max 500 tokens/);
    await page.screenshot({ path: path.join(outDir, 'presets.png') });
    // A second preset of the same name is refused, with the reason.
    await page.getByTestId('preset-new').click();
    await page.getByTestId('preset-name').fill('Pirate reviewer');
    await page.getByTestId('preset-save').click();
    await page.getByRole('alert').filter({ hasText: 'exists already' }).waitFor();
    await page.getByRole('button', { name: 'Back to the list' }).click();
    await page.getByRole('button', { name: 'Done' }).click();

    // Start the new chat with it: the model receives its prompt and sampling.
    await page.getByTestId('start-preset').selectOption({ label: 'Pirate reviewer' });
    await page.getByTestId('start-prompt').filter({ hasText: 'Answer like a pirate' }).waitFor();
    assert.equal(await page.getByTestId('chat-settings').textContent(), 'Pirate reviewer');
    await page.screenshot({ path: path.join(outDir, 'presets-start.png') });
    assert.equal(await ask(page, '/system'), 'System: Answer like a pirate who reviews Go code.');
    assert.equal(await ask(page, '/sampling'), 'Sampling: temperature 0.3, top-p default, max tokens 500');

    // Change the settings of this existing chat from its header: another preset, then a hand edit.
    await page.getByTestId('chat-settings').click();
    await page.getByTestId('settings-preset').selectOption({ label: 'Terse' });
    assert.match(await page.getByTestId('settings-system').inputValue(), /as few words as possible/);
    await page.screenshot({ path: path.join(outDir, 'chat-settings.png') });
    await page.getByTestId('settings-save').click();
    await page.getByTestId('chat-settings-dialog').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('chat-settings').textContent(), 'Terse');
    assert.match(await ask(page, '/system'), /^System: Answer in as few words as possible\./);
    assert.equal(await ask(page, '/sampling'), 'Sampling: temperature default, top-p default, max tokens default');

    await page.getByTestId('chat-settings').click();
    await page.getByTestId('settings-system').fill('Only answer in haiku.');
    await page.getByTestId('settings-topp').fill('0.9');
    await page.getByTestId('settings-temperature').fill('7');
    await page.getByTestId('settings-save').click();
    await page.getByRole('alert').filter({ hasText: 'Temperature' }).waitFor();
    await page.getByTestId('settings-temperature').fill('');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('chat-settings-dialog').waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('chat-settings').textContent(), 'Custom prompt');
    assert.equal(await ask(page, '/system'), 'System: Only answer in haiku.');
    assert.equal(await ask(page, '/sampling'), 'Sampling: temperature default, top-p 0.9, max tokens default');

    // Editing and deleting the preset leaves the chats that took it alone.
    await page.getByTestId('chat-settings').click();
    await page.getByTestId('manage-presets').click();
    const pirate = page.getByTestId('preset-item').filter({ hasText: 'Pirate reviewer' });
    await pirate.getByTestId('preset-edit').click();
    await page.getByTestId('preset-name').fill('Polite pirate');
    await page.getByTestId('preset-save').click();
    const polite = page.getByTestId('preset-item').filter({ hasText: 'Polite pirate' });
    await polite.waitFor();
    await polite.getByTestId('preset-delete').click();
    await polite.getByTestId('preset-delete-confirm').click();
    await polite.waitFor({ state: 'detached' });
    assert.equal(await page.getByTestId('preset-item').count(), 2);
    await page.getByRole('button', { name: 'Done' }).click();

    // After a reload the chat still has its settings, from the database.
    await page.reload();
    await page.getByTestId('chat-item').filter({ hasText: '/system' }).first().waitFor();
    await page.getByTestId('chat-item').first().getByTestId('chat-open').click();
    await page.getByTestId('chat-settings').filter({ hasText: 'Custom prompt' }).waitFor();
    assert.equal(await ask(page, '/system'), 'System: Only answer in haiku.');
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'presets-failure.png') }).catch(() => {});
    throw stepsFailed(e, app, pageErrors);
  }
});
