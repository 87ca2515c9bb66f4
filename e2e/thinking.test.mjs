// Reasoning in a chat: a provider that streams reasoning before its
// answer (OpenAI's wire format with reasoning_content deltas, served
// locally) shows it in a collapsed Thinking block that streams, expands
// on a click and is never part of the answer's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { openInBrowser, outDir } from './harness.mjs';

const addr = '127.0.0.1:34131';
const KEY = 'sk-e2e-think-0123456789abcdef0123';

// fakeReasoner streams two pieces of reasoning, then waits for release()
// before it streams the answer, so the test sees the block mid-stream.
function fakeReasoner() {
  let release;
  const released = new Promise((r) => { release = r; });
  const server = http.createServer(async (req, res) => {
    for await (const _ of req) { /* drain */ }
    if (req.headers.authorization !== `Bearer ${KEY}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }));
      return;
    }
    if (req.url === '/v1/models') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'reasoner-e2e', object: 'model', created: 1, owned_by: 'test' }] }));
      return;
    }
    if (req.url === '/v1/chat/completions') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const chunk = (delta, finish = null) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'reasoner-e2e', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: 'assistant', content: '', reasoning_content: 'The user says hi;' }));
      res.write(chunk({ reasoning_content: ' a short greeting fits.' }));
      await released;
      res.write(chunk({ content: 'Hello' }));
      res.write(chunk({ content: ' back!' }));
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, release, url: `http://127.0.0.1:${server.address().port}/v1` })));
}

test('thinking: reasoning streams into a collapsed block, apart from the answer', { timeout: 120000 }, async (t) => {
  const fake = await fakeReasoner();
  t.after(() => { fake.release(); fake.server.close(); });
  const { page } = await openInBrowser(t, addr, { page: { viewport: { width: 1200, height: 850 } } });
  await page.goto(`http://${addr}/`);

  await page.getByTestId('nav-settings').click();
  const row = page.getByTestId('provider-openai');
  await row.getByLabel('OpenAI API key').fill(KEY);
  await row.getByLabel('OpenAI base URL').fill(fake.url);
  await row.getByRole('button', { name: 'Check and save' }).click();
  await row.locator('.ok-text').filter({ hasText: 'Key works' }).waitFor();

  await page.getByTestId('nav-chats').click();
  await page.getByTestId('new-chat').click();
  await page.getByTestId('model-picker').selectOption('openai/reasoner-e2e');
  await page.getByTestId('composer').fill('hi');
  await page.getByTestId('composer').press('Enter');

  // Mid-stream: the reasoning is there, collapsed, and still thinking.
  const answer = page.locator('[data-testid="message"][data-role="assistant"]');
  const block = answer.getByTestId('thinking');
  await answer.getByTestId('thinking-text').filter({ hasText: 'a short greeting fits.' }).waitFor({ state: 'attached' });
  assert.equal(await block.locator('summary').textContent(), 'Thinking…');
  assert.equal(await block.evaluate((d) => d.open), false);
  assert.equal(await answer.getByTestId('thinking-text').isVisible(), false);

  fake.release();
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').waitFor({ timeout: 30000 });
  assert.equal((await answer.locator('.content.markdown').textContent()).trim(), 'Hello back!');
  assert.equal(await block.locator('summary').textContent(), 'Thinking');
  assert.equal(await block.evaluate((d) => d.open), false);

  // A click expands it; the stored answer kept the reasoning.
  await block.locator('summary').click();
  assert.equal(await block.evaluate((d) => d.open), true);
  assert.equal(await answer.getByTestId('thinking-text').textContent(), 'The user says hi; a short greeting fits.');
  assert.ok(await answer.getByTestId('thinking-text').isVisible());
  await page.screenshot({ path: path.join(outDir, 'chat-thinking.png') });
});
