// Watched folders end to end: a folder added on the Documents screen is
// followed on disk (a file added, changed, deleted), its state shows, and
// pausing, resuming and removing it work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { devBinary, launchBrowser, outDir, startApp, tempHome, waitForHttp } from './harness.mjs';

const addr = '127.0.0.1:34131';

test('watched folder: add, change and delete files on disk', { timeout: 180000 }, async (t) => {
  const home = tempHome(t);
  const folder = mkdtempSync(path.join(tmpdir(), 'sidecar-watched-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  writeFileSync(path.join(folder, 'alpha.md'), '# Alpha\n\nThe alpha notes talk about apples.\n');
  writeFileSync(path.join(folder, '.gitignore'), 'private.md\n');
  writeFileSync(path.join(folder, 'private.md'), '# Private\n\nnever indexed\n');
  const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', addr], env: { SIDECAR_DEV_FOLDER_PATH: folder } });
  t.after(() => app.stop());
  await waitForHttp(app, `http://${addr}/`);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1200, height: 850 } });
  await page.goto(`http://${addr}/`);

  await page.getByTestId('nav-documents').click();
  await page.getByTestId('no-docs').waitFor();
  await page.getByTestId('add-folder').click();
  const row = page.getByTestId('folder-row');
  await row.filter({ hasText: path.basename(folder) }).waitFor();
  const state = row.getByTestId('folder-state');
  await state.filter({ hasText: 'Up to date · 1 file' }).waitFor({ timeout: 60000 });
  const docRow = (name) => page.getByTestId('doc-row').filter({ hasText: name });
  await docRow('alpha.md').waitFor();
  assert.equal(await docRow('private.md').count(), 0, 'a .gitignored file was indexed');

  // A new file on disk shows up.
  writeFileSync(path.join(folder, 'beta.md'), '# Beta\n\nThe beta notes talk about blueberries.\n');
  await docRow('beta.md').waitFor({ timeout: 60000 });
  await state.filter({ hasText: 'Up to date · 2 files' }).waitFor({ timeout: 60000 });

  // A changed file is indexed again: search finds its new words.
  writeFileSync(path.join(folder, 'alpha.md'), '# Alpha\n\nThe alpha notes now talk about apricots.\n');
  // The search runs again whenever the list changes (docs:changed).
  const search = page.getByTestId('doc-search');
  await search.fill('apricots');
  await page.getByTestId('doc-hit').filter({ hasText: 'alpha.md' }).waitFor({ timeout: 60000 });
  await search.fill('');

  // A deleted file goes away.
  unlinkSync(path.join(folder, 'beta.md'));
  await docRow('beta.md').waitFor({ state: 'detached', timeout: 60000 });
  await state.filter({ hasText: 'Up to date · 1 file' }).waitFor({ timeout: 60000 });
  await page.screenshot({ path: path.join(outDir, 'documents-watched.png') });

  // Pause and resume; then remove the folder with its documents.
  await row.getByTestId('folder-pause').click();
  await state.filter({ hasText: 'Paused' }).waitFor();
  await row.getByTestId('folder-pause').click();
  await state.filter({ hasText: 'Up to date' }).waitFor({ timeout: 60000 });
  await row.getByTestId('folder-remove').click();
  await page.getByTestId('confirm-remove-folder').click();
  await page.getByTestId('no-docs').waitFor();
  assert.equal(await page.getByTestId('folder-row').count(), 0);
});
