// The real desktop window (production build) under Xvfb: it starts, maps a
// window titled Sidecar, and renders something that is not blank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { outDir, prodBinary, run, sleep, startApp, tempHome } from './harness.mjs';

function findWindow() {
  try {
    return run('xdotool', ['search', '--onlyvisible', '--name', '^Sidecar$']).trim().split('\n')[0];
  } catch {
    return '';
  }
}

test('window: opens and renders', { timeout: 120000 }, async (t) => {
  const home = tempHome(t);
  const app = startApp(prodBinary, { home });
  t.after(() => app.stop());
  let win = '';
  for (let i = 0; i < 300 && !win; i++) {
    if (app.exited) assert.fail(`sidecar exited:\n${app.output}`);
    win = findWindow();
    if (!win) await sleep(200);
  }
  assert.ok(win, `no Sidecar window appeared:\n${app.output}`);
  const geometry = run('xdotool', ['getwindowgeometry', win]);
  const [, w, h] = geometry.match(/Geometry: (\d+)x(\d+)/);
  assert.ok(Number(w) >= 720 && Number(h) >= 480, `window too small: ${geometry}`);

  // Give the webview time to load and paint, then look at the screen.
  const shot = path.join(outDir, 'window.png');
  let colours = 0;
  for (let i = 0; i < 20 && colours < 64; i++) {
    await sleep(1000);
    run('import', ['-window', 'root', shot]);
    colours = Number(run('/usr/bin/convert', [shot, '-format', '%k', 'info:']).trim());
  }
  assert.ok(colours >= 64, `the window looks blank (${colours} colours on screen); see ${shot}\n${app.output}`);
});
