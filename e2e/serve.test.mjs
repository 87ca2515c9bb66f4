// `sidecar serve` headless, used by the official OpenAI npm client (the
// library editor plugins are built on) and by plain fetch for the checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { freePort, prodBinary, sleep, startApp, tempHome } from './harness.mjs';

test('serve: the openai npm client streams, lists models and embeds', { timeout: 120000 }, async (t) => {
  const home = tempHome(t);
  const port = await freePort();
  const app = startApp(prodBinary, { home, args: ['serve', '--port', String(port)] });
  t.after(() => app.stop());
  let disc;
  for (let i = 0; i < 200 && !disc; i++) {
    try { disc = JSON.parse(readFileSync(path.join(home, 'localapi.json'), 'utf8')); } catch { await sleep(100); }
    if (app.exited) assert.fail(`serve exited:\n${app.output}`);
  }
  assert.ok(disc, `no discovery file:\n${app.output}`);
  assert.equal(disc.url, `http://127.0.0.1:${port}`);

  const client = new OpenAI({ baseURL: `${disc.url}/v1`, apiKey: disc.token, maxRetries: 0 });
  const models = [];
  for await (const m of client.models.list()) models.push(m.id);
  assert.ok(models.includes('echo/echo'), `models: ${models}`);
  assert.ok(models.includes('sidecar-lexical-384'), `models: ${models}`);

  const stream = await client.chat.completions.create({
    model: 'echo/echo', stream: true, stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'stream me from npm' }],
  });
  let text = '';
  let usage = null;
  let chunks = 0;
  for await (const c of stream) {
    chunks++;
    text += c.choices[0]?.delta?.content ?? '';
    if (c.usage) usage = c.usage;
  }
  assert.equal(text, 'Echo: stream me from npm');
  assert.ok(chunks >= 5, `chunks ${chunks}`);
  assert.equal(usage.completion_tokens, 5);

  const emb = await client.embeddings.create({ model: 'sidecar-lexical-384', input: ['first text', 'second text'] });
  assert.equal(emb.data.length, 2);
  assert.equal(emb.data[0].embedding.length, 384);

  const bad = new OpenAI({ baseURL: `${disc.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e.status === 401);

  // A browser page on another origin is refused even with the token.
  const res = await fetch(`${disc.url}/v1/models`, { headers: { Authorization: `Bearer ${disc.token}`, Origin: 'https://evil.example' } });
  assert.equal(res.status, 403);

  // SIGTERM: clean exit, discovery file removed.
  app.proc.kill('SIGTERM');
  for (let i = 0; i < 100 && !app.exited; i++) await sleep(100);
  assert.ok(app.exited, 'serve did not stop on SIGTERM');
  assert.equal(app.proc.exitCode, 0, app.output);
  assert.throws(() => readFileSync(path.join(home, 'localapi.json')));
});
