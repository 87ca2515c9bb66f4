// Attachments in a real browser: a text file picked with the file input
// and a code file dropped on the composer reach the echo model's prompt and
// show under the message; an edit keeps them (‹ 2/2 ›); an image is
// refused while the chat's model is echo, with the typed text and the file
// kept, and sent to a vision model of a local server speaking OpenAI's
// wire format once the chat uses it; everything is still shown after a
// reload; a text too long for the model's window is cut, and says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { openInBrowser, outDir, stepsFailed } from './harness.mjs';

const addr = '127.0.0.1:34161';
const url = `http://${addr}/`;
const KEY = 'sk-e2e-attach-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const VISION_MODEL = 'gpt-4o-mini';

// png encodes a w×h RGB picture (a diagonal gradient) as a PNG file.
function png(w, h) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const rows = [];
  for (let y = 0; y < h; y++) {
    const row = Buffer.alloc(1 + 3 * w);
    for (let x = 0; x < w; x++) row.set([79 + (x * 120) / w, 70 + (y * 100) / h, 229 - ((x + y) * 60) / (w + h)], 1 + 3 * x);
    rows.push(row);
  }
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

// fakeOpenAI serves one vision model in OpenAI's wire format and keeps
// every chat request.
function fakeOpenAI() {
  const chats = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }));
      return;
    }
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: VISION_MODEL, object: 'model', created: 1, owned_by: 'test' }] }));
      return;
    }
    if (req.url === '/v1/chat/completions') {
      chats.push(JSON.parse(body));
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: VISION_MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }));
      for (const w of ['A', ' purple', ' gradient', ' square.']) res.write(chunk({ content: w }));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, chats, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

test('attachments: text and code reach the prompt, images only a vision model, all kept', { timeout: 240000 }, async (t) => {
  const fake = await fakeOpenAI();
  t.after(() => fake.server.close());
  const { app, page } = await openInBrowser(t, addr, { page: { viewport: { width: 1280, height: 800 } } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await steps();
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'attachments-failure.png') }).catch(() => {});
    throw stepsFailed(e, app, pageErrors);
  }

  async function steps() {
    const users = page.locator('[data-testid="message"][data-role="user"]');
    const answers = page.locator('[data-testid="message"][data-role="assistant"]');
    const done = (text) => answers.and(page.locator('[data-status="done"]')).filter({ hasText: text }).waitFor({ timeout: 30000 });
    const pending = page.getByTestId('pending-attachments').getByTestId('attachment');
    const notes = '# Release notes\n\nThe ferry leaves from pier seven at dawn.\n';
    const code = 'package tide\n\nfunc High() int { return 7 }\n';
    const image = png(96, 64);

    await page.goto(url);
    await page.getByTestId('nav-settings').click();
    const row = page.getByTestId('provider-openai');
    await row.getByLabel('OpenAI API key').fill(KEY);
    await row.getByLabel('OpenAI base URL').fill(fake.url);
    await row.getByRole('button', { name: 'Check and save' }).click();
    await row.locator('.ok-text').filter({ hasText: 'Key works' }).waitFor();

    await page.getByTestId('nav-chats').click();
    await page.getByTestId('new-chat').click();
    await page.getByTestId('model-picker').selectOption('echo/echo');

    // A text file picked with the file input: a chip, then in the prompt.
    await page.getByTestId('attach-input').setInputFiles({ name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(notes) });
    await pending.filter({ hasText: 'notes.md' }).waitFor();
    assert.match(await pending.first().textContent(), new RegExp(`Markdown · ${Buffer.byteLength(notes)} B`));
    await page.getByTestId('composer').fill('Summarise this file');
    await page.getByTestId('composer').press('Enter');
    await done('The ferry leaves from pier seven at dawn.');
    const echoed = await answers.last().textContent();
    assert.match(echoed, /Summarise this file/);
    assert.match(echoed, /Attached file notes\.md/, 'the file reached the prompt with its name');
    assert.equal(await pending.count(), 0, 'the composer is empty after sending');
    const sentFile = users.last().getByTestId('attachment');
    assert.equal(await sentFile.getAttribute('data-name'), 'notes.md');
    await sentFile.getByRole('button', { name: /notes\.md/ }).click();
    assert.equal(await page.getByTestId('attachment-text').textContent(), notes);
    await page.getByTestId('attachment-viewer').getByLabel('Close').click();

    // A code file dropped on the composer.
    await page.getByTestId('composer-form').evaluate((form, text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'tide.go', { type: 'text/x-go' }));
      form.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      form.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, code);
    await pending.filter({ hasText: 'tide.go' }).waitFor();
    assert.match(await pending.first().textContent(), /Code/);
    await page.getByTestId('composer').fill('and this one');
    await page.getByTestId('composer').press('Enter');
    await done('func High() int');

    // An edit of the first message keeps its file: two versions, ‹ 2/2 ›.
    await users.first().getByTestId('edit').click();
    await page.getByTestId('edit-input').fill('Summarise this file in one line');
    await page.getByTestId('edit-send').click();
    await done('Summarise this file in one line');
    assert.match(await answers.last().textContent(), /pier seven at dawn/, 'the edited version carries the file');
    assert.equal(await users.first().getByTestId('branch-pos').textContent(), '2/2');
    assert.equal(await users.first().getByTestId('attachment').getAttribute('data-name'), 'notes.md');

    // An image with echo: refused before sending, nothing lost.
    await page.getByTestId('attach-input').setInputFiles({ name: 'square.png', mimeType: 'image/png', buffer: image });
    await pending.filter({ hasText: 'square.png' }).waitFor();
    await page.getByTestId('composer').fill('What is in this picture?');
    const refusal = page.getByTestId('attach-refusal');
    await refusal.waitFor();
    assert.match(await refusal.textContent(), /Echo \(built-in test provider\) cannot take images/);
    assert.ok(await page.getByTestId('send').isDisabled(), 'Send is off while the model cannot take the image');
    const before = await users.count();
    await page.getByTestId('composer').press('Enter');
    assert.equal(await users.count(), before, 'nothing was sent');
    assert.equal(await page.getByTestId('composer').inputValue(), 'What is in this picture?');
    assert.equal(await pending.count(), 1);
    await page.screenshot({ path: path.join(outDir, 'attachments-refused.png') });

    // A vision model takes it: the image's bytes arrive as a data URI.
    await page.getByTestId('model-picker').selectOption(`openai/${VISION_MODEL}`);
    await refusal.waitFor({ state: 'detached' });
    await page.getByTestId('send').click();
    await done('A purple gradient square.');
    const req = fake.chats.at(-1);
    const parts = req.messages.at(-1).content;
    assert.ok(Array.isArray(parts), `content = ${JSON.stringify(parts).slice(0, 200)}`);
    assert.equal(parts[0].text, 'What is in this picture?');
    const dataUrl = parts.find((p) => p.type === 'image_url').image_url.url;
    assert.ok(dataUrl.startsWith('data:image/png;base64,'));
    assert.ok(Buffer.from(dataUrl.split(',')[1], 'base64').equals(image), 'the image bytes arrived unchanged');
    const thumb = users.last().getByTestId('attachment-thumb');
    await thumb.waitFor();
    assert.match(await thumb.getAttribute('src'), /^data:image\/png;base64,/);

    // After a reload everything is still there.
    await page.reload();
    await page.getByTestId('chat-item').filter({ hasText: 'Summarise' }).click();
    await users.first().getByTestId('attachment').waitFor();
    const names = await page.getByTestId('message-attachments').getByTestId('attachment').evaluateAll((els) => els.map((e) => e.dataset.name));
    // The shown branch: the edited first message (its file kept), then the image.
    assert.deepEqual(names, ['notes.md', 'square.png']);
    await users.last().getByTestId('attachment-thumb').waitFor();

    // The first messages with their ‹ 2/2 › and file, for the README.
    await page.locator('.messages').evaluate((el) => { el.scrollTop = 0; });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(outDir, 'attachments-branches.png') });

    // A text longer than its share of the window (echo: half of 32,768
    // tokens, at four bytes a token) is cut, and the message says so.
    await page.getByTestId('new-chat').click();
    await page.getByTestId('model-picker').selectOption('echo/echo');
    await page.getByTestId('chat-settings').click();
    await page.getByTestId('settings-max').fill('8'); // echo stops after 8 words
    await page.getByTestId('settings-save').click();
    await page.getByTestId('chat-settings-dialog').waitFor({ state: 'detached' });
    const log = `${'x'.repeat(99)}\n`.repeat(800); // 80,000 bytes: about 20,000 tokens
    await page.getByTestId('attach-input').setInputFiles({ name: 'long.log', mimeType: 'text/plain', buffer: Buffer.from(log) });
    await pending.filter({ hasText: 'long.log' }).waitFor();
    await page.getByTestId('composer').fill('long');
    await page.getByTestId('composer').press('Enter');
    await answers.and(page.locator('[data-status="done"]')).waitFor({ timeout: 30000 });
    const cut = users.last().getByTestId('attachment-cut');
    await cut.waitFor();
    assert.match(await cut.textContent(), /^long\.log: cut to 16,3\d\d of 20,000 tokens to fit the model's window$/);
    assert.deepEqual(pageErrors, []);
  }
});
