import { useEffect, useState } from 'react';
import { api, events, type BackupConfig, type DataProgress, type Status } from '../api';
import { useToast } from '../toast';
import { ConfirmDialog } from './Dialog';

/** Export, import and delete all of the user's data. */
export function DataSection({ status }: { status: Status }) {
  const toast = useToast();
  const [exportPass, setExportPass] = useState('');
  const [importPass, setImportPass] = useState('');
  const [busy, setBusy] = useState(false);
  const [wiping, setWiping] = useState(false);
  const [confirm, setConfirm] = useState('');
  const [days, setDays] = useState(0);
  const [bk, setBk] = useState<BackupConfig | null>(null);
  const [bkPass, setBkPass] = useState('');
  const [mode, setMode] = useState('keychain');
  const [keyDialog, setKeyDialog] = useState(false);
  const [newPass, setNewPass] = useState(['', '']);
  const [progress, setProgress] = useState<DataProgress | null>(null);
  useEffect(() => {
    api.retentionDays().then(setDays).catch(() => {});
    api.backupConfig().then(setBk).catch(() => {});
    api.keyMode().then(setMode).catch(() => {});
    return events.onDataProgress(setProgress);
  }, []);
  const run = async (f: () => Promise<void>) => { setBusy(true); try { await f(); } catch (e) { toast.error(e); } finally { setBusy(false); } };
  return (
    <section className="card" data-testid="data-section">
      <h2>Your data</h2>
      <p>Chats, documents and settings are in one encrypted database on this machine; {mode === 'passphrase'
        ? 'its key is derived from your passphrase, asked at every start.' : 'its key is in your OS keychain.'}</p>
      <dl className="status-paths">
        <dt>Data folder</dt><dd><code>{status.dataDir}</code></dd>
        <dt>Log file</dt><dd><code>{status.logFile}</code></dd>
        <dt>Version</dt><dd>{status.version}</dd>
      </dl>
      <div className="data-actions">
        <div>
          <h3>Export everything</h3>
          <p className="muted small">Every chat, document and setting, as one archive. API keys and tokens are never included. With a passphrase the archive is encrypted.</p>
          <div className="row wrap">
            <input type="password" placeholder="Passphrase (optional)" aria-label="Export passphrase" value={exportPass} onChange={(e) => setExportPass(e.target.value)} autoComplete="new-password" />
            <button type="button" className="button" disabled={busy} onClick={() => run(async () => {
              const p = await api.exportData(exportPass);
              if (p) toast.info(`Exported to ${p}`);
            }).finally(() => setProgress(null))}>Export…</button>
            {busy && progress && progress.total > 0 && (
              <div className="export-progress" data-testid="export-progress">
                <span className="muted small">{progress.stage}: {progress.done} of {progress.total}</span>
                <progress max={progress.total} value={progress.done} />
              </div>
            )}
          </div>
        </div>
        <div>
          <h3>Import an export</h3>
          <p className="muted small">Restores chats, documents and the theme; what you already have is kept and nothing is duplicated. Other settings (provider addresses, the local API, models, backups) are never taken from an archive.</p>
          <div className="row wrap">
            <input type="password" placeholder="Passphrase (if encrypted)" aria-label="Import passphrase" value={importPass} onChange={(e) => setImportPass(e.target.value)} autoComplete="off" />
            <button type="button" className="button" disabled={busy} onClick={() => run(async () => {
              const r = await api.importData(importPass);
              const skipped = r.settingsSkipped ?? [];
              toast.info(`Imported ${r.chats} chats and ${r.documents} documents (${r.chatsSkipped + r.documentsSkipped} already here)` +
                (r.presets ? `, and ${r.presets} preset${r.presets === 1 ? '' : 's'}.` : '.') +
                (skipped.length ? ` Not imported, for your safety: ${skipped.length} settings (${skipped.join(', ')}); provider addresses, the local API, models and backups stay as you set them here.` : ''));
            })}>Import…</button>
          </div>
        </div>
        <div>
          <h3>Keep chats</h3>
          <p className="muted small">Chats not used for this many days are deleted automatically (checked at start and daily). 0 keeps them forever.</p>
          <form className="row" onSubmit={(e) => { e.preventDefault(); run(async () => {
            const n = await api.setRetentionDays(days);
            toast.info(days === 0 ? 'Chats are kept forever.' : `Chats are kept ${days} days${n ? `; ${n} older chats deleted` : ''}.`);
          }); }}>
            <input type="number" min={0} max={36500} value={days} onChange={(e) => setDays(Number(e.target.value))} aria-label="Days to keep chats" data-testid="retention-days" />
            <button type="submit" className="button" disabled={busy}>Save</button>
          </form>
        </div>
        {bk && (
          <div data-testid="backups">
            <h3>Encrypted backups</h3>
            <p className="muted small">Backups are export archives encrypted with a backup passphrase (kept in your keychain); restore one with Import. The oldest beyond the count are removed.
              {bk.last > 0 && <> Last backup: {new Date(bk.last).toLocaleString()}.</>}</p>
            <form className="settings-grid" onSubmit={(e) => { e.preventDefault(); run(async () => {
              const saved = await api.saveBackupConfig(bk, bkPass);
              setBk(saved); setBkPass(''); toast.info('Backup settings saved.');
            }); }}>
              <label className="span2">Folder
                <div className="row">
                  <input type="text" readOnly value={bk.dir} placeholder="No folder chosen" aria-label="Backup folder" />
                  <button type="button" className="button small" onClick={() => api.chooseBackupFolder().then((d) => d && setBk({ ...bk, dir: d } as BackupConfig)).catch(toast.error)}>Choose…</button>
                </div>
              </label>
              <label>Keep the last<input type="number" min={1} max={1000} value={bk.keep} onChange={(e) => setBk({ ...bk, keep: Number(e.target.value) } as BackupConfig)} /></label>
              <label>{bk.hasPassphrase ? 'New passphrase (optional)' : 'Backup passphrase'}
                <input type="password" value={bkPass} onChange={(e) => setBkPass(e.target.value)} autoComplete="new-password" /></label>
              <label className="check"><input type="checkbox" checked={bk.daily} onChange={(e) => setBk({ ...bk, daily: e.target.checked } as BackupConfig)} /> Back up daily</label>
              <div className="span2 row">
                <button type="submit" className="button" disabled={busy}>Save</button>
                <button type="button" className="button" disabled={busy || !bk.dir || !bk.hasPassphrase} onClick={() => run(async () => {
                  const p = await api.backupNow(); toast.info(`Backed up to ${p}`); setBk(await api.backupConfig());
                })}>Back up now</button>
              </div>
            </form>
          </div>
        )}
        <div>
          <h3>Database key</h3>
          {mode === 'passphrase' ? (<>
            <p className="muted small" data-testid="key-mode">Derived from your passphrase (Argon2id); provider keys and the API token are kept inside the encrypted database.</p>
            <div className="row">
              <button type="button" className="button" disabled={busy} data-testid="change-passphrase" onClick={() => { setNewPass(['', '']); setKeyDialog(true); }}>Change passphrase…</button>
              <button type="button" className="button" disabled={busy} data-testid="use-keychain"
                onClick={() => run(async () => { await api.useKeychain(); setMode(await api.keyMode()); toast.info('The key is now kept in your OS keychain.'); })}>Keep the key in the OS keychain</button>
            </div>
          </>) : (<>
            <p className="muted small" data-testid="key-mode">A random key kept in your OS keychain. Rotating re-encrypts the database under a new one; safe if interrupted.</p>
            <div className="row">
              <button type="button" className="button" disabled={busy} data-testid="rotate-db-key"
                onClick={() => run(async () => { await api.rotateDBKey(); toast.info('The database now uses a new key.'); })}>Rotate the key</button>
              <button type="button" className="button" disabled={busy} data-testid="use-passphrase" onClick={() => { setNewPass(['', '']); setKeyDialog(true); }}>Use a passphrase instead…</button>
            </div>
          </>)}
        </div>
        <div>
          <h3 className="error-text">Delete all data</h3>
          <p className="muted small">Removes the database, logs, downloaded models and Sidecar's keychain entries. This cannot be undone.</p>
          <button type="button" className="button danger" data-testid="wipe" onClick={() => { setConfirm(''); setWiping(true); }}>Delete all data…</button>
        </div>
      </div>
      {keyDialog && (
        <ConfirmDialog title={mode === 'passphrase' ? 'Change your passphrase' : 'Protect your data with a passphrase'} confirmLabel="Re-encrypt"
          confirmTestId="confirm-passphrase" confirmDisabled={busy || newPass[0].length < 8 || newPass[0] !== newPass[1]} onCancel={() => setKeyDialog(false)}
          onConfirm={() => run(async () => {
            await api.usePassphrase(newPass[0]); setKeyDialog(false); setMode(await api.keyMode());
            toast.info('Your data is now encrypted with a key from your passphrase.');
          })}>
          <p>Sidecar will ask for this passphrase at every start. It cannot be recovered: without it, the data cannot be read.
            {mode !== 'passphrase' && ' Provider keys and the API token move from the keychain into the encrypted database.'}</p>
          <label>New passphrase (at least 8 characters)<input type="password" value={newPass[0]} onChange={(e) => setNewPass([e.target.value, newPass[1]])} autoComplete="new-password" data-testid="passphrase-1" autoFocus /></label>
          <label>Type it again<input type="password" value={newPass[1]} onChange={(e) => setNewPass([newPass[0], e.target.value])} autoComplete="new-password" data-testid="passphrase-2" /></label>
          {newPass[1] !== '' && newPass[0] !== newPass[1] && <p className="error-text small">The two passphrases differ.</p>}
        </ConfirmDialog>
      )}
      {wiping && (
        <ConfirmDialog title="Delete all of your Sidecar data?" confirmLabel="Delete everything" danger confirmTestId="confirm-wipe"
          confirmDisabled={confirm !== 'DELETE'} onCancel={() => setWiping(false)}
          onConfirm={() => run(async () => { await api.wipeData(confirm); setWiping(false); window.location.reload(); })}>
          <p>Every chat, document, setting, downloaded model and stored API key will be deleted. Export first if you want a copy.</p>
          <label>Type <strong>DELETE</strong> to confirm
            <input type="text" value={confirm} onChange={(e) => setConfirm(e.target.value)} data-testid="wipe-confirm" autoFocus />
          </label>
        </ConfirmDialog>
      )}
    </section>
  );
}
