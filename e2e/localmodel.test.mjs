// A local GPT-J model end to end: download the tiny reference model from a
// local server on the Models screen (progress, then ready), pick it in a
// chat and watch the answer stream in, generated in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { answerStates, devBinary, launchBrowser, openInBrowser, outDir, recordAnswerStates, root, startApp, tempHome, tokenEvents, waitForHttp } from './harness.mjs';

const addr = '127.0.0.1:34121';
const model = readFileSync(path.join(root, '..', 'shared', 'testdata', 'gptj', 'gptj-tinyA-f16.bin'));

test('local model: download with progress, chat streams from it', { timeout: 180000 }, async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url !== '/models/gptj-tiny-f16.bin') { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': model.length });
    // Slowly, so progress is visible.
    let off = 0;
    const tick = () => {
      if (off >= model.length) { res.end(); return; }
      res.write(model.subarray(off, off + 32768));
      off += 32768;
      setTimeout(tick, 60);
    };
    tick();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${server.address().port}/models/gptj-tiny-f16.bin`;

  const { home, app, browser, page } = await openInBrowser(t, addr, { page: { viewport: { width: 1200, height: 850 } } });
  await page.goto(`http://${addr}/`);

  await page.getByTestId('nav-models').click();
  await page.getByTestId('no-models').waitFor();
  await page.getByTestId('download-url').fill(url);
  await page.getByRole('button', { name: 'Download', exact: true }).click();
  // The row shows "starting…" until the first bytes and the size arrive.
  await page.getByTestId('download').filter({ hasText: / of / }).waitFor();
  const progress = await page.getByTestId('download').textContent();
  assert.match(progress, /\d+(\.\d+)? (B|KB|MB) of \d+(\.\d+)? (KB|MB)/);
  await page.getByTestId('local-model').filter({ hasText: 'gptj-tiny-f16' }).waitFor({ timeout: 60000 });
  const card = page.getByTestId('local-model');
  assert.equal(await card.getByTestId('model-arch').textContent(), 'gptj');
  assert.equal(await card.getByTestId('model-quant').textContent(), 'F16');
  assert.match(await card.textContent(), /ggml gpt-j/);
  // GPT-J weights can be kept in another type: the choice is offered.
  await card.getByRole('button', { name: 'Settings' }).click();
  assert.deepEqual(await card.getByTestId('model-wtype').locator('option').evaluateAll((os) => os.map((o) => o.value)), ['f32', 'f16', 'q8_0', 'q4_0']);
  assert.equal(await card.getByTestId('model-wtype').inputValue(), 'f16');
  await page.screenshot({ path: path.join(outDir, 'models.png') });

  await page.getByTestId('nav-chats').click();
  await page.getByTestId('new-chat').click();
  await page.getByTestId('model-picker').selectOption('local/gptj-tiny-f16');
  await recordAnswerStates(page);
  await page.getByTestId('composer').fill('hello tiny model');
  await page.getByTestId('composer').press('Enter');
  const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]');
  await answer.waitFor({ timeout: 60000 });
  const meta = await answer.locator('.meta').textContent();
  assert.match(meta, /gptj-tiny-f16/);
  assert.match(meta, /\d+ tokens/);
  // The tiny model is too fast for the screen to show each piece: count
  // the pieces that reached the page as separate events instead.
  const pieces = await tokenEvents(page, 3);
  assert.ok(pieces >= 3, `the answer did not stream (${pieces} pieces)`);
  assert.ok((await answerStates(page)).length >= 1);
});

test('local model: a GGUF file imported with the file picker shows what it is and chats through its own template', { timeout: 240000 }, async (t) => {
  const home = tempHome(t);
  // The random-weight qwen2 test model with Qwen's special tokens and the
  // Qwen2.5 chat template (tools, and Qwen2.5-Coder's FIM tokens).
  const file = path.join(home, 'qwen-test.gguf');
  execFileSync('go', ['run', './backend/ggufrt/ggufrttest/qwengguf', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const ggufAddr = '127.0.0.1:34124';
  const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', ggufAddr], env: { SIDECAR_DEV_OPEN_PATH: file } });
  t.after(() => app.stop());
  await waitForHttp(app, `http://${ggufAddr}/`);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  await page.goto(`http://${ggufAddr}/`);

  await page.getByTestId('nav-models').click();
  await page.getByTestId('no-models').waitFor();
  await page.getByTestId('import-file').click();
  const card = page.getByTestId('local-model').filter({ hasText: 'qwen-test' });
  await card.waitFor();
  assert.equal(await card.getByTestId('model-arch').textContent(), 'qwen2');
  assert.equal(await card.getByTestId('model-quant').textContent(), 'F32');
  assert.equal(await card.getByTestId('model-context').textContent(), '4,096 tokens');
  assert.match(await card.getByTestId('model-params').textContent(), /^\d+(\.\d)?K$/);
  assert.equal(await card.getByTestId('cap-template').textContent(), 'its own chat template');
  await card.getByTestId('cap-toolCalls').waitFor();
  await card.getByTestId('cap-fillInMiddle').waitFor();
  assert.equal(await card.getByTestId('cap-thinking').count(), 0);
  // Its weights are used as stored: no GPT-J weight type to pick.
  await card.getByRole('button', { name: 'Settings' }).click();
  assert.equal(await card.getByTestId('model-wtype').count(), 0);
  assert.equal(await card.getByTestId('model-wtype-note').textContent(), 'F32, as stored in the file');
  await page.screenshot({ path: path.join(outDir, 'models-gguf.png') });
  const id = await card.getAttribute('data-id');

  const chat = async (text) => {
    await page.getByTestId('nav-chats').click();
    await page.getByTestId('new-chat').click();
    // The new chat is open (not the one before it) when no message shows.
    await page.waitForFunction(() => document.querySelector('[data-testid="model-picker"]') && !document.querySelector('[data-testid="message"]'));
    await page.getByTestId('model-picker').selectOption(`local/${id}`);
    await page.waitForFunction((m) => document.querySelector('[data-testid="model-picker"]').value === m, `local/${id}`);
    await recordAnswerStates(page);
    await page.getByTestId('composer').fill(text);
    await page.getByTestId('composer').press('Enter');
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]');
    await answer.waitFor({ timeout: 120000 });
    const meta = await answer.locator('.meta').textContent();
    assert.match(meta, /qwen-test/);
    assert.match(meta, /\d+ tokens/);
    const pieces = await tokenEvents(page, 3);
    assert.ok(pieces >= 3, `the answer did not stream (${pieces} pieces)`);
    return Number(await answer.locator('[data-prompt-tokens]').getAttribute('data-prompt-tokens'));
  };
  // The Qwen2.5 template puts its default system message ("You are Qwen,
  // created by Alibaba Cloud...") before a chat without one, so the prompt
  // is far longer than the message; with a bare template set in the
  // model's settings it shrinks to little more than the message.
  const own = await chat('hello gguf');
  await page.screenshot({ path: path.join(outDir, 'chat-gguf.png') });
  await page.getByTestId('nav-models').click();
  await card.getByRole('button', { name: 'Settings' }).click();
  await card.getByTestId('model-template').fill('{% for m in messages %}{{ m.content }}{% endfor %}');
  await card.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved.').waitFor();
  const bare = await chat('hello gguf');
  t.diagnostic(`prompt tokens: ${own} with the file's template, ${bare} with the bare one`);
  assert.ok(bare > 0 && bare <= 12, `prompt with the bare template: ${bare} tokens`);
  assert.ok(own >= bare + 40, `prompt with the file's template: ${own} tokens, bare: ${bare}`);
});

test('local model: a GGUF file in the Hugging Face cache is found and added where it is', { timeout: 120000 }, async (t) => {
  const home = tempHome(t);
  const hub = path.join(home, 'hf-hub');
  const repo = path.join(hub, 'models--sidecar-test--tiny-llama-GGUF');
  const snap = path.join(repo, 'snapshots', '0123abcd');
  mkdirSync(snap, { recursive: true });
  mkdirSync(path.join(repo, 'refs'), { recursive: true });
  writeFileSync(path.join(repo, 'refs', 'main'), '0123abcd');
  copyFileSync(path.join(root, 'backend', 'llama', 'testdata', 'llama-w256-Q8_0.gguf'), path.join(snap, 'tiny-llama-Q8_0.gguf'));
  const hfAddr = '127.0.0.1:34125';
  const env = { HF_HUB_CACHE: hub, HUGGINGFACE_HUB_CACHE: '', HF_HOME: '' };
  const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', hfAddr], env });
  t.after(() => app.stop());
  await waitForHttp(app, `http://${hfAddr}/`);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  await page.goto(`http://${hfAddr}/`);

  await page.getByTestId('nav-models').click();
  const row = page.getByTestId('found-model').filter({ hasText: 'sidecar-test/tiny-llama-GGUF' });
  await row.waitFor();
  assert.match(await row.textContent(), /GGUF/);
  await row.getByRole('button', { name: 'Add' }).click();
  await row.getByText('added').waitFor();
  const card = page.getByTestId('local-model').filter({ hasText: 'sidecar-test/tiny-llama-GGUF' });
  await card.waitFor();
  assert.equal(await card.getByTestId('model-arch').textContent(), 'llama');
  assert.equal(await card.getByTestId('model-quant').textContent(), 'Q8_0');
  // No template in this file: chats use a generic one, and the card says so.
  assert.equal(await card.getByTestId('cap-template').textContent(), 'generic chat template');
  await page.screenshot({ path: path.join(outDir, 'models-found.png') });
});
