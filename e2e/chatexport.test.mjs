// Export one chat from its menu: as Markdown (code blocks kept, sources as
// footnotes) and as a printable HTML page. The save dialog is answered by
// SIDECAR_DEV_SAVE_PATH, as the Settings export is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { devBinary, launchBrowser, outDir, startApp, stepsFailed, tempHome, waitForHttp } from './harness.mjs';

const addr = '127.0.0.1:34143';
const url = `http://${addr}/`;

test('chat export: Markdown and printable HTML from the chat menu', { timeout: 180000 }, async (t) => {
  const home = tempHome(t);
  const saveTo = path.join(tempHome(t), 'exported-chat');
  const app = startApp(devBinary, { home, args: ['-assetdir', 'frontend/dist', '-devserver', addr], env: { SIDECAR_DEV_SAVE_PATH: saveTo } });
  t.after(() => app.stop());
  await waitForHttp(app, url);
  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  try {
    await page.goto(url);
    // A note to cite.
    await page.getByTestId('nav-documents').click();
    await page.getByTestId('add-note').click();
    await page.getByTestId('note-title').fill('Release calendar');
    await page.getByTestId('note-text').fill('Production releases happen on Tuesdays after the freeze lifts.');
    await page.getByTestId('note-save').click();
    await page.getByText('Release calendar').first().waitFor();

    await page.getByTestId('nav-chats').click();
    await page.getByTestId('new-chat').click();
    await page.getByTestId('use-documents').check();
    const question = 'Production releases when? <b>bold?</b> ok\n\n```go\nfunc main() { println("[1]") }\n```';
    await page.getByTestId('composer').fill(question);
    await page.getByTestId('composer').press('Enter');
    const answer = page.locator('[data-testid="message"][data-role="assistant"][data-status="done"]');
    await answer.waitFor({ timeout: 30000 });
    await answer.getByTestId('citation').first().waitFor();

    // Markdown.
    await page.getByTestId('chat-menu').click();
    await page.screenshot({ path: path.join(outDir, 'chat-menu.png') });
    await page.getByTestId('export-markdown').click();
    await page.getByTestId('toast').filter({ hasText: `Saved to ${saveTo}` }).waitFor();
    const md = readFileSync(saveTo, 'utf8');
    assert.equal(statSync(saveTo).mode & 0o777, 0o600);
    // The title's markup characters are escaped.
    assert.ok(md.startsWith(String.raw`# Production releases when? \<b\>bold?\</b\> ok` + '\n'), md.slice(0, 200));
    assert.ok(md.includes('### You · '), md);
    // The question and the echo's answer as written, code block included.
    assert.ok(md.includes('```go\nfunc main() { println("[1]") }\n```'), md);
    assert.ok(md.includes('### Assistant · Echo (built-in test provider) · '), md);
    assert.ok(md.includes('Echo: Production releases when? <b>bold?</b> ok'), md);
    // The source as a footnote, with where it is.
    assert.match(md, /\*Sources:\* \[\^m\d+-1\]/);
    assert.match(md, /\[\^m\d+-1\]: \*\*Release calendar\.md\*\*, line 1 — ` note:Release calendar `/);

    // A printable page.
    rmSync(saveTo);
    await page.getByTestId('chat-menu').click();
    await page.getByTestId('export-html').click();
    await page.getByTestId('toast').filter({ hasText: `Saved to ${saveTo}` }).nth(0).waitFor();
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline) { try { statSync(saveTo); break; } catch { await new Promise((r) => setTimeout(r, 100)); } }
    const html = readFileSync(saveTo, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.ok(html.includes("Content-Security-Policy") && html.includes('@media print'));
    assert.ok(!html.includes('<b>bold?</b>') && html.includes('&lt;b&gt;bold?&lt;/b&gt;'), 'the question is not escaped');
    assert.deepEqual(pageErrors, []);

    // Opened in the browser it shows the chat and runs nothing.
    const view = await browser.newPage({ viewport: { width: 900, height: 800 } });
    const copy = path.join(outDir, 'chat-export.html');
    (await import('node:fs')).copyFileSync(saveTo, copy);
    await view.goto(pathToFileURL(copy).href);
    await view.getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await view.locator('script').count(), 0);
    assert.match(await view.locator('.sources').first().textContent(), /Release calendar/);
    await view.screenshot({ path: path.join(outDir, 'chat-export.png'), fullPage: true });
    await view.emulateMedia({ media: 'print' });
    await view.screenshot({ path: path.join(outDir, 'chat-export-print.png'), fullPage: true });
  } catch (e) {
    await page.screenshot({ path: path.join(outDir, 'chatexport-failure.png') }).catch(() => {});
    throw stepsFailed(e, app, pageErrors);
  }
});
