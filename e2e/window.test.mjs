// The real desktop window (production build) under Xvfb: it starts, maps a
// window titled Sidecar, and shows what a user sees once the data is open
// (the welcome screen or the chat list), read off the screen by OCR. The
// time from launch to that screen is printed for a first and a later start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { outDir, prodBinary, run, sleep, startApp, tempHome } from './harness.mjs';

function findWindow() {
  try {
    return run('xdotool', ['search', '--onlyvisible', '--name', '^Sidecar$']).trim().split('\n')[0];
  } catch {
    return '';
  }
}

/** The text on screen, by OCR of a screenshot of the whole display. */
function screenText(shot) {
  run('import', ['-window', 'root', shot]);
  return execFileSync('tesseract', [shot, '-', '--psm', '3'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

// What the screen says once the data is open: the welcome card (first
// start) or the chat list's button (any start).
const ready = /Welcome to Sidecar|Pick a chat|New chat/i;
const opening = /Opening your data/i;

/** Starts the app on home and waits for the open screen; returns ms from launch. */
async function launchToScreen(t, home, name) {
  const started = Date.now();
  const app = startApp(prodBinary, { home });
  t.after(() => app.stop());
  let win = '';
  for (let i = 0; i < 300 && !win; i++) {
    if (app.exited) assert.fail(`sidecar exited:\n${app.output}`);
    win = findWindow();
    if (!win) await sleep(100);
  }
  assert.ok(win, `no Sidecar window appeared:\n${app.output}`);
  const geometry = run('xdotool', ['getwindowgeometry', win]);
  const [, w, h] = geometry.match(/Geometry: (\d+)x(\d+)/);
  assert.ok(Number(w) >= 720 && Number(h) >= 480, `window too small: ${geometry}`);

  const shot = path.join(outDir, `window-${name}.png`);
  const deadline = started + 60000;
  let text = '';
  while (Date.now() < deadline) {
    if (app.exited) assert.fail(`sidecar exited:\n${app.output}`);
    text = screenText(shot);
    if (ready.test(text)) {
      const ms = Date.now() - started;
      await app.stop();
      return ms;
    }
    await sleep(100);
  }
  const where = opening.test(text) ? 'it stayed on "Opening your data…"' : 'it never showed the welcome screen or the chat list';
  assert.fail(`${where}; the screen read:\n${text}\nsee ${shot}\n${app.output}`);
}

test('window: opens on the welcome screen, on a first and a later start', { timeout: 180000 }, async (t) => {
  const home = tempHome(t);
  const first = await launchToScreen(t, home, 'first');
  const later = await launchToScreen(t, home, 'later');
  // Each figure includes up to one screenshot and OCR pass (about a second here).
  console.log(`window: launch to the open screen: first start ${first} ms, later start ${later} ms`);
});
