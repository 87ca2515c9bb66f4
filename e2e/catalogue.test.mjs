// The catalogue of recommended models: the shipped list is shown with
// approximate sizes and whether each model fits; a bad list from a URL is
// refused with a clear error; a list served on 127.0.0.1 replaces it; one
// click downloads its small real GGUF model with progress, and the model
// is then ready on the Models screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { openInBrowser, outDir, root } from './harness.mjs';

const addr = '127.0.0.1:34151';
const model = readFileSync(path.join(root, 'backend', 'llama', 'testdata', 'qwen2-w64-f32.gguf'));

test('catalogue: refresh from a local list, download a model with progress, ready', { timeout: 180000 }, async (t) => {
  let base = '';
  const entry = (id, name, file, memoryBytes) => ({
    id, name, family: 'Qwen2', parameters: 'tiny', quantization: 'F32', sizeBytes: model.length, sizeApprox: false,
    memoryBytes, contextLength: 256, licence: 'Apache-2.0', url: `${base}/models/${file}`, sha256: '',
    description: 'A random-weight test model.',
  });
  const server = http.createServer((req, res) => {
    if (req.url === '/list.json') {
      const list = { version: 1, models: [entry('tiny-qwen2', 'Tiny Qwen2', 'tiny-qwen2.gguf', 64 << 20), entry('huge', 'Huge', 'huge.gguf', 2 ** 40)] };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(list));
      return;
    }
    if (req.url === '/bad.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"version":1,"models":[{"id":"x","url":"file:///etc/passwd"}]}');
      return;
    }
    if (req.url !== '/models/tiny-qwen2.gguf') { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': model.length });
    // Slowly, so progress is visible.
    let off = 0;
    const tick = () => {
      if (off >= model.length) { res.end(); return; }
      res.write(model.subarray(off, off + 16384));
      off += 16384;
      setTimeout(tick, 80);
    };
    tick();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  base = `http://127.0.0.1:${server.address().port}`;

  const { page } = await openInBrowser(t, addr, { page: { viewport: { width: 1280, height: 900 } } });
  await page.goto(`http://${addr}/`);
  await page.getByTestId('nav-models').click();

  // The shipped list.
  const cat = page.getByTestId('catalogue');
  await cat.waitFor();
  const entries = cat.getByTestId('catalogue-entry');
  assert.ok(await entries.count() >= 17, `only ${await entries.count()} shipped entries`);
  const qwen = entries.filter({ hasText: 'Qwen2.5 0.5B Instruct' });
  assert.match(await qwen.getByTestId('catalogue-size').textContent(), /^≈ /);
  assert.match(await qwen.getByTestId('catalogue-why').textContent(), /needs about/);
  await page.setViewportSize({ width: 1280, height: 2400 });
  await cat.screenshot({ path: path.join(outDir, 'catalogue.png') });
  await page.setViewportSize({ width: 1280, height: 900 });

  // A bad list: a clear error, the shipped list stays.
  await cat.getByTestId('catalogue-source-toggle').click();
  await cat.getByTestId('catalogue-url').fill(`${base}/bad.json`);
  await cat.getByTestId('catalogue-refresh').click();
  const err = cat.getByTestId('catalogue-error');
  await err.waitFor();
  assert.match(await err.textContent(), /current list is kept/);
  assert.ok(await entries.count() >= 17);

  // The local list replaces it.
  await cat.getByTestId('catalogue-url').fill(`${base}/list.json`);
  await cat.getByTestId('catalogue-refresh').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="catalogue-entry"]').length === 2);
  assert.match(await cat.getByTestId('catalogue-origin').textContent(), /list\.json/);
  const huge = entries.filter({ hasText: 'Huge' });
  assert.equal(await huge.getByTestId('catalogue-fit').textContent(), 'too large');
  assert.match(await huge.getByTestId('catalogue-why').textContent(), /this computer has only/);
  const tiny = entries.filter({ hasText: 'Tiny Qwen2' });
  assert.equal(await tiny.getByTestId('catalogue-fit').textContent(), 'fits');
  assert.doesNotMatch(await tiny.getByTestId('catalogue-size').textContent(), /≈/);

  // One click: progress, then ready, and the model is on the screen.
  await tiny.getByTestId('catalogue-download').click();
  const progress = tiny.getByTestId('catalogue-progress');
  await progress.waitFor();
  assert.match(await progress.textContent(), /KB|starting/);
  await tiny.getByTestId('catalogue-ready').waitFor({ timeout: 60000 });
  // Named as the catalogue names it.
  const card = page.getByTestId('local-model').filter({ hasText: 'Tiny Qwen2' });
  await card.waitFor();
  assert.equal(await card.getByTestId('model-arch').textContent(), 'qwen2');
  await cat.screenshot({ path: path.join(outDir, 'catalogue-local.png') });

  // The fetched list is kept in the profile: it is still there after a reload.
  await page.reload();
  await page.getByTestId('nav-models').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="catalogue-entry"]').length === 2);
});
