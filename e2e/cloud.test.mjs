// A cloud provider end to end: enter an OpenAI key in Settings pointing at a
// local server that speaks OpenAI's wire format, pick its model, chat, see
// the answer stream; the key ends up in the keychain and in no file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { answerStates, openInBrowser, outDir, recordAnswerStates, sleep, tokenEvents } from './harness.mjs';

const addr = '127.0.0.1:34118';
const KEY = 'sk-e2e-4f8a1c2b9d7e6f5a3b2c1d0e9f8a7b6c';

function fakeOpenAI() {
  const seen = [];
  const server = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    seen.push({ path: req.url, auth: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }));
      return;
    }
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-e2e', object: 'model', created: 1, owned_by: 'test' }] }));
      return;
    }
    if (req.url === '/v1/chat/completions') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const words = ['Fake', ' OpenAI', ' streams', ' this', ' answer', ' word', ' by', ' word.'];
      const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-e2e', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '' }));
      for (const w of words) { res.write(chunk({ content: w })); await sleep(60); }
      res.write(chunk({}, 'stop'));
      res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'gpt-e2e', choices: [], usage: { prompt_tokens: 9, completion_tokens: 8, total_tokens: 17 } })}\n\n`);
      res.end('data: [DONE]\n\n');
      return;
    }
    if (req.url === '/v1/embeddings') {
      // Word hashing into 1536 dimensions: deterministic, and shared words
      // make vectors close, so search through these vectors can be checked.
      const { input, model } = JSON.parse(body);
      const data = input.map((text, index) => {
        const v = new Array(1536).fill(0);
        for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) {
          let h = 2166136261;
          for (const ch of w) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
          v[h % 1536] += 1;
        }
        const n = Math.hypot(...v) || 1;
        return { object: 'embedding', index, embedding: v.map((x) => x / n) };
      });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: 1, total_tokens: 1 } }));
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, seen, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

test('cloud: OpenAI key via Settings, chat streams, key only in the keychain', { timeout: 180000 }, async (t) => {
  const fake = await fakeOpenAI();
  t.after(() => fake.server.close());
  const { home, app, page } = await openInBrowser(t, addr, { page: { viewport: { width: 1200, height: 850 } } });
  await page.goto(`http://${addr}/`);

  await page.getByTestId('nav-settings').click();
  const row = page.getByTestId('provider-openai');
  await row.getByLabel('OpenAI API key').fill('sk-wrong-000000000000000000');
  await row.getByLabel('OpenAI base URL').fill(fake.url);
  await row.getByRole('button', { name: 'Check and save' }).click();
  await row.locator('.error-text').filter({ hasText: 'rejected the API key' }).waitFor();
  await row.getByLabel('OpenAI API key').fill(KEY);
  await row.getByRole('button', { name: 'Check and save' }).click();
  await row.locator('.ok-text').filter({ hasText: 'Key works' }).waitFor();
  assert.match(await row.textContent(), /key …7b6c/);
  assert.ok(!(await page.content()).includes(KEY), 'the key is still in the page after saving');

  await page.getByTestId('nav-chats').click();
  await page.getByTestId('new-chat').click();
  await page.getByTestId('model-picker').selectOption('openai/gpt-e2e');
  await recordAnswerStates(page);
  await page.getByTestId('composer').fill('hello cloud');
  await page.getByTestId('composer').press('Enter');
  const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]');
  await answer.waitFor({ timeout: 30000 });
  assert.match(await answer.textContent(), /Fake OpenAI streams this answer word by word\./);
  assert.match(await answer.textContent(), /8 tokens/);
  const pieces = await tokenEvents(page, 8);
  assert.ok(pieces >= 8, `streamed pieces: ${pieces}`);
  const states = (await answerStates(page)).filter((s) => s.includes('Fake'));
  assert.ok(states.length >= 2, `not streamed: ${states.length} states`);
  await page.screenshot({ path: path.join(outDir, 'cloud-chat.png') });
  const chatReq = fake.seen.find((s) => s.path === '/v1/chat/completions');
  assert.equal(JSON.parse(chatReq.body).model, 'gpt-e2e');
  assert.equal(JSON.parse(chatReq.body).messages.at(-1).content, 'hello cloud');

  // Documents switch to OpenAI embeddings in the background; search then
  // embeds the query with OpenAI too.
  await page.getByTestId('nav-documents').click();
  await page.getByTestId('add-note').click();
  await page.getByTestId('note-title').fill('Ferry timetable');
  await page.getByTestId('note-text').fill('The ferry to the island leaves from pier seven at dawn.');
  await page.getByTestId('note-save').click();
  await page.getByText('Ferry timetable').first().waitFor();
  await page.getByTestId('embedding-model').selectOption('openai/text-embedding-3-small');
  await page.waitForFunction(() => !document.querySelector('[data-testid="embedding-progress"]')
    && document.querySelector('[data-testid="embedding-model"]')?.value === 'openai/text-embedding-3-small', null, { timeout: 30000 });
  const embedReqs = fake.seen.filter((s) => s.path === '/v1/embeddings');
  assert.ok(embedReqs.some((s) => JSON.parse(s.body).input.some((x) => x.includes('pier seven'))), 'the note was not embedded with OpenAI');
  await page.getByLabel('Search documents').fill('island ferry');
  await page.getByTestId('doc-hit').first().waitFor();
  assert.ok(fake.seen.filter((s) => s.path === '/v1/embeddings').some((s) => JSON.parse(s.body).input.includes('island ferry')), 'the query was not embedded with OpenAI');
  await page.screenshot({ path: path.join(outDir, 'documents-openai-embeddings.png') });

  await app.stop();
  for (const f of readdirSync(home)) {
    const bytes = readFileSync(path.join(home, f));
    assert.ok(!bytes.includes(KEY) && !bytes.includes(KEY.slice(-20)), `${f} contains the API key`);
  }
});
