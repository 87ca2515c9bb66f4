// Shared pieces of the end-to-end tests: start the real Sidecar binary,
// wait for it, drive Debian's Chromium through playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const outDir = path.join(root, 'e2e', 'out');
mkdirSync(outDir, { recursive: true });

export const devBinary = path.join(root, 'build', 'bin', 'sidecar-dev');
export const prodBinary = path.join(root, 'build', 'bin', 'sidecar');

/** A fresh data folder, removed when the test ends. */
export function tempHome(t) {
  const dir = mkdtempSync(path.join(tmpdir(), 'sidecar-e2e-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts a Sidecar binary; its output is kept for failure messages. */
export function startApp(bin, { home, args = [], env = {} }) {
  if (!process.env.DISPLAY) throw new Error('no DISPLAY: run the end-to-end tests under xvfb-run (make test does)');
  const proc = spawn(bin, args, {
    cwd: root,
    env: { ...process.env, SIDECAR_HOME: home, SIDECAR_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const app = { proc, output: '', exited: false };
  proc.stdout.on('data', (d) => { app.output += d; });
  proc.stderr.on('data', (d) => { app.output += d; });
  proc.on('exit', () => { app.exited = true; });
  app.stop = async () => {
    if (app.exited) return;
    proc.kill('SIGTERM');
    for (let i = 0; i < 100 && !app.exited; i++) await sleep(50);
    if (!app.exited) proc.kill('SIGKILL');
    for (let i = 0; i < 100 && !app.exited; i++) await sleep(50);
  };
  return app;
}

/** Waits until url answers, or fails with the app's output. */
// freePort is a TCP port on 127.0.0.1 that nothing listens on just now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

export async function waitForHttp(app, url, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.exited) throw new Error(`app exited before serving ${url}:\n${app.output}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch { /* not yet */ }
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${url}:\n${app.output}`);
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Runs a command and returns its stdout as text. */
// openInBrowser starts the dev binary serving the UI at addr for a test
// (in home, a fresh one unless given), waits for it, and opens a page of
// Debian's Chromium on it (not yet navigated). Both stop when the test ends.
export async function openInBrowser(t, addr, { home = tempHome(t), env = {}, page: pageOptions } = {}) {
  const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', addr], env });
  t.after(() => app.stop());
  await waitForHttp(app, `http://${addr}/`);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage(pageOptions);
  return { home, app, browser, page };
}

// stepsFailed is the error a browser test throws when its steps fail: the
// step's message, the page's errors and the end of the app's output without
// debug lines, then the message again, so that a log showing only the end
// still shows what failed.
export function stepsFailed(e, app, pageErrors) {
  const tail = app.output.split('\n').filter((l) => !/\| DEB \|/.test(l)).join('\n').slice(-3000);
  return new Error(`${e.message}\npage errors: ${pageErrors.join('; ')}\napp output (tail, no debug lines):\n${tail}\nfailed: ${e.message}`);
}

export function run(cmd, args) {
  return execFileSync(cmd, args, { encoding: 'utf8' });
}

export { sleep };

/**
 * Starts recording every distinct text the newest answer shows, to prove
 * it streams; answerStates() returns them.
 */
export async function recordAnswerStates(page) {
  await page.evaluate(() => {
    window.__states = [];
    window.__tokenEvents = 0;
    window.runtime.EventsOn('chat:token', () => { window.__tokenEvents++; });
    new MutationObserver(() => {
      const m = [...document.querySelectorAll('[data-testid="message"][data-role="assistant"]')].pop();
      if (m && window.__states[window.__states.length - 1] !== m.textContent) window.__states.push(m.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

export function answerStates(page) {
  return page.evaluate(() => window.__states);
}

/**
 * How many chat:token events the page received since recordAnswerStates,
 * once at least `want` arrived or 5 s passed: in a browser the development
 * server sends each event on its own, so pieces may still be on their way
 * when the answer's end has been shown.
 */
export async function tokenEvents(page, want = 0) {
  await page.waitForFunction((n) => window.__tokenEvents >= n, want, { timeout: 5000 }).catch(() => {});
  return page.evaluate(() => window.__tokenEvents);
}
