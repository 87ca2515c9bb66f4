// A local GPT-J model end to end: download the tiny reference model from a
// local server on the Models screen (progress, then ready), pick it in a
// chat and watch the answer stream in, generated in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { answerStates, devBinary, launchBrowser, outDir, recordAnswerStates, root, startApp, tempHome, tokenEvents, waitForHttp } from './harness.mjs';

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

  const home = tempHome(t);
  const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', addr] });
  t.after(() => app.stop());
  await waitForHttp(app, `http://${addr}/`);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  await page.goto(`http://${addr}/`);

  await page.getByTestId('nav-models').click();
  await page.getByTestId('no-models').waitFor();
  await page.getByTestId('download-url').fill(url);
  await page.getByRole('button', { name: 'Download', exact: true }).click();
  await page.getByTestId('download').waitFor();
  const progress = await page.getByTestId('download').textContent();
  assert.match(progress, /KB|MB|B of/);
  await page.getByTestId('local-model').filter({ hasText: 'gptj-tiny-f16' }).waitFor({ timeout: 60000 });
  assert.match(await page.getByTestId('local-model').textContent(), /ggml gpt-j · stored f16/);
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
  const pieces = await tokenEvents(page);
  assert.ok(pieces >= 3, `the answer did not stream (${pieces} pieces)`);
  assert.ok((await answerStates(page)).length >= 1);
});
