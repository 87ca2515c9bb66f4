// `sidecar serve` headless, driven by the official npm clients of the
// three other dialects editor tools speak: ollama (with the token in the
// path, as clients without headers use it), @anthropic-ai/sdk and
// openai's Responses and Chat Completions with tools. The echo model's
// documented "call NAME {json}" lines make the tool calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ollama } from 'ollama';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { freePort, prodBinary, sleep, startApp, tempHome } from './harness.mjs';

async function serve(t) {
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
  return { ...disc, home };
}

/** A client's configuration as Settings shows it, from `sidecar connect`. */
function connectConfig(disc, client, args = []) {
  return execFileSync(prodBinary, ['connect', '--model', 'echo/echo', ...args, client],
    { env: { ...process.env, SIDECAR_HOME: disc.home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const weather = {
  name: 'get_weather', description: 'Weather now',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

test('gateway: the ollama npm client lists, shows, chats with a tool call, fills in the middle and embeds', { timeout: 120000 }, async (t) => {
  const disc = await serve(t);
  const ollama = new Ollama({ host: `${disc.url}/t/${disc.token}` });
  const { version } = await ollama.version();
  assert.ok(version >= '0.13.4', version);
  const { models } = await ollama.list();
  const names = models.map((m) => m.name);
  assert.ok(names.includes('echo/echo:latest'), `models: ${names}`);
  const show = await ollama.show({ model: 'echo/echo:latest' });
  assert.deepEqual(show.capabilities, ['completion', 'tools', 'insert', 'thinking']);
  assert.ok(show.template.includes('.Suffix'));
  assert.equal(show.model_info['echo.context_length'], 32768);

  const stream = await ollama.chat({
    model: 'echo/echo:latest', stream: true, think: true,
    tools: [{ type: 'function', function: weather }],
    messages: [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }],
  });
  const calls = [];
  let thinking = '';
  let last;
  for await (const part of stream) {
    thinking += part.message.thinking ?? '';
    calls.push(...(part.message.tool_calls ?? []));
    last = part;
  }
  assert.equal(thinking, 'The user wrote 3 words.');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].function.name, 'get_weather');
  assert.deepEqual(calls[0].function.arguments, { city: 'Paris' });
  assert.equal(last.done, true);

  const after = await ollama.chat({
    model: 'echo/echo', messages: [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: '', tool_calls: calls },
      { role: 'tool', tool_name: 'get_weather', content: 'sunny' },
    ],
  });
  assert.equal(after.message.content, 'Echo: get_weather returned: sunny');

  const gen = await ollama.generate({ model: 'echo/echo', prompt: 'def add(a, b):', suffix: '\n', options: { num_predict: 2 } });
  assert.equal(gen.response, 'Echo: Before');
  assert.equal(gen.done_reason, 'length');

  const emb = await ollama.embed({ model: 'sidecar-lexical-384', input: ['first text', 'second text'] });
  assert.equal(emb.embeddings.length, 2);
  assert.equal(emb.embeddings[0].length, 384);

  const wrong = new Ollama({ host: `${disc.url}/t/wrong` });
  await assert.rejects(wrong.list(), (e) => e.status_code === 401);
});

test('gateway: @anthropic-ai/sdk streams a message with a system prompt and a tool_use round trip', { timeout: 120000 }, async (t) => {
  const disc = await serve(t);
  const client = new Anthropic({ baseURL: disc.url, apiKey: disc.token, maxRetries: 0 });
  const tools = [{ name: weather.name, description: weather.description, input_schema: weather.parameters }];
  const messages = [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }];
  const stream = client.messages.stream({ model: 'echo/echo', max_tokens: 32000, system: 'You are terse.', tools, messages });
  const first = await stream.finalMessage();
  assert.equal(first.stop_reason, 'tool_use');
  const use = first.content.find((b) => b.type === 'tool_use');
  assert.equal(use.name, 'get_weather');
  assert.deepEqual(use.input, { city: 'Paris' });

  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny' }] });
  const second = await client.messages.stream({ model: 'echo/echo', max_tokens: 1000, system: 'You are terse.', tools, messages }).finalMessage();
  assert.equal(second.stop_reason, 'end_turn');
  assert.equal(second.content[0].text, 'Echo: get_weather returned: sunny');

  const bad = new Anthropic({ baseURL: disc.url, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(bad.messages.create({ model: 'echo/echo', max_tokens: 5, messages }), (e) => e.status === 401 && e.error?.type === 'error');
});

test('gateway: openai streams a Responses function call and chat completions with tools', { timeout: 120000 }, async (t) => {
  const disc = await serve(t);
  const client = new OpenAI({ baseURL: `${disc.url}/v1`, apiKey: disc.token, maxRetries: 0 });
  const input = [{ role: 'user', content: 'call get_weather {"city":"Paris"}' }];
  const stream = await client.responses.create({
    model: 'echo/echo', instructions: 'You are an agent.', input, stream: true, store: false,
    tools: [{ type: 'function', ...weather, strict: false }],
  });
  let args = '';
  let done;
  for await (const ev of stream) {
    if (ev.type === 'response.function_call_arguments.delta') args += ev.delta;
    if (ev.type === 'response.completed') done = ev.response;
  }
  assert.equal(args, '{"city":"Paris"}');
  const call = done.output.find((o) => o.type === 'function_call');
  assert.equal(call.name, 'get_weather');
  const res = await client.responses.create({
    model: 'echo/echo', store: false, tools: [{ type: 'function', ...weather, strict: false }],
    input: [...input, { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
      { type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
  });
  assert.equal(res.output_text, 'Echo: get_weather returned: sunny');

  const chat = await client.chat.completions.create({
    model: 'echo/echo', stream: true, tools: [{ type: 'function', function: weather }],
    messages: [{ role: 'user', content: 'call get_weather {"city":"Oslo"}' }],
  });
  let name = '';
  let chatArgs = '';
  let finish;
  for await (const c of chat) {
    for (const tc of c.choices[0]?.delta?.tool_calls ?? []) {
      name += tc.function?.name ?? '';
      chatArgs += tc.function?.arguments ?? '';
    }
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(name, 'get_weather');
  assert.equal(chatArgs, '{"city":"Oslo"}');
  assert.equal(finish, 'tool_calls');
});

test('gateway: Claude Code (claude -p) completes a turn through Sidecar, offline', { timeout: 180000 }, async (t) => {
  const disc = await serve(t);
  const { spawn } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const os = await import('node:os');
  const home = mkdtempSync(path.join(os.tmpdir(), 'claude-home-'));
  const claude = path.join(import.meta.dirname, 'node_modules', '.bin', 'claude');
  // The environment Settings shows for Claude Code, with updates, telemetry
  // and error reports off.
  const exported = Object.fromEntries(connectConfig(disc, 'claude-code', ['--token', disc.token]).split('\n')
    .filter((l) => l.startsWith('export ')).map((l) => l.slice(7).split(/=(.*)/s).slice(0, 2)));
  assert.equal(exported.ANTHROPIC_BASE_URL, disc.url);
  assert.equal(exported.ANTHROPIC_AUTH_TOKEN, disc.token);
  const env = {
    PATH: process.env.PATH, HOME: home, ...exported,
    DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1',
  };
  const out = await new Promise((resolve, reject) => {
    const p = spawn(claude, ['-p', 'hello from claude code', '--output-format', 'json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let s = '';
    p.stdout.on('data', (d) => { s += d; });
    p.stderr.on('data', (d) => { s += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`claude timed out:\n${s}`)); }, 120000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, s }); });
  });
  assert.equal(out.code, 0, out.s);
  const res = JSON.parse(out.s.slice(out.s.indexOf('{')));
  assert.equal(res.is_error, false, out.s);
  assert.equal(res.stop_reason, 'end_turn');
  assert.ok(res.result.startsWith('Echo: ') && res.result.endsWith('hello from claude code'), res.result);
});

test('gateway: Codex (codex exec) completes a turn through Sidecar over the Responses API, offline', { timeout: 180000 }, async (t) => {
  const disc = await serve(t);
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const os = await import('node:os');
  const codexHome = mkdtempSync(path.join(os.tmpdir(), 'codex-home-'));
  const work = mkdtempSync(path.join(os.tmpdir(), 'codex-work-'));
  // The configuration Settings shows for Codex, with updates and
  // analytics off.
  const config = connectConfig(disc, 'codex');
  assert.ok(config.includes(`base_url = "${disc.url}/v1"`), config);
  writeFileSync(path.join(codexHome, 'config.toml'), [
    'check_for_update_on_startup = false', config, '[analytics]', 'enabled = false', '[otel]', 'exporter = "none"', '',
  ].join('\n'));
  const codex = path.join(import.meta.dirname, 'node_modules', '.bin', 'codex');
  const env = { PATH: process.env.PATH, HOME: codexHome, CODEX_HOME: codexHome, SIDECAR_TOKEN: disc.token };
  const out = await new Promise((resolve, reject) => {
    const p = spawn(codex, ['exec', '--skip-git-repo-check', 'hello from codex'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let s = '';
    p.stdout.on('data', (d) => { s += d; });
    p.stderr.on('data', (d) => { s += d; });
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`codex timed out:\n${s}`)); }, 120000);
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, s }); });
  });
  assert.equal(out.code, 0, out.s);
  assert.ok(out.s.includes('Echo: hello from codex'), out.s);
});
