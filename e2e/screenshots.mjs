// Makes the README's screenshots from the real app (dev build):
//   tools/with-keyring.sh xvfb-run -a node e2e/screenshots.mjs
import path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { devBinary, launchBrowser, root, startApp, waitForHttp } from './harness.mjs';

const addr = '127.0.0.1:34115';
const home = mkdtempSync(path.join(tmpdir(), 'sidecar-shots-'));
const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', addr] });
try {
  await waitForHttp(app, `http://${addr}/`);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
  await page.goto(`http://${addr}/`);
  for (const text of ['Plan the release notes for v0.2', 'Why is my SQLite write slow?']) {
    await page.getByTestId('new-chat').click();
    await page.getByTestId('composer').fill(text);
    await page.getByTestId('composer').press('Enter');
    await page.locator('[data-testid="message"][data-status="done"]').first().waitFor();
  }
  await page.getByTestId('new-chat').click();
  const msg = [
    'Reverse a slice in Go, in place:',
    '',
    '```go',
    'func Reverse[T any](s []T) {',
    '\tfor i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {',
    '\t\ts[i], s[j] = s[j], s[i]',
    '\t}',
    '}',
    '```',
    '',
    'It runs in **O(n)** time and allocates nothing.',
  ].join('\n');
  await page.getByTestId('composer').fill(msg);
  await page.getByTestId('composer').press('Enter');
  await page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]').waitFor();
  await page.getByTestId('composer').fill('Thanks! What about a generic Map?');
  await page.mouse.move(0, 0);
  for (const theme of ['light', 'dark']) {
    await page.evaluate((t) => { document.documentElement.dataset.theme = t; }, theme);
    await page.screenshot({ path: path.join(root, 'docs', `screenshot-${theme}.png`) });
  }
  await browser.close();
} finally {
  await app.stop();
}
