// Shared pieces of the end-to-end tests: start the real Sidecar binary,
// wait for it, drive Debian's Chromium through playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
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

/** How many chat:token events the page received since recordAnswerStates. */
export function tokenEvents(page) {
  return page.evaluate(() => window.__tokenEvents);
}
