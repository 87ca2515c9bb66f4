package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sidecar/backend/assistant"
	"sidecar/backend/cli"
	"sidecar/backend/dataexport"
	"sidecar/backend/keychain"
	"sidecar/backend/profile"
)

// ExportData writes every chat, document and setting to an archive the
// user picks; a non-empty passphrase encrypts it. It returns the path, or
// "" if the user cancelled.
func (a *App) ExportData(passphrase string) (string, error) {
	if _, err := a.service(); err != nil {
		return "", err
	}
	name := "sidecar-export-" + time.Now().Format("2006-01-02") + ".zip"
	if passphrase != "" {
		name = "sidecar-export-" + time.Now().Format("2006-01-02") + ".sidecar"
	}
	path, err := saveFileDialog(a.ctx, runtime.SaveDialogOptions{Title: "Export all data", DefaultFilename: name})
	if err != nil || path == "" {
		return "", err
	}
	data, _, err := dataexport.Export(a.ctx, a.prof.DB, cli.Version, passphrase, func(p dataexport.Progress) {
		runtime.EventsEmit(a.ctx, "data:progress", p)
	})
	if err != nil {
		return "", err
	}
	tmp := path + ".part"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("export: %w", err)
	}
	return path, nil
}

// ImportData restores an archive the user picks; nothing changes if it
// is refused.
func (a *App) ImportData(passphrase string) (dataexport.Report, error) {
	if _, err := a.service(); err != nil {
		return dataexport.Report{}, err
	}
	path, err := openFileDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import a Sidecar export",
		Filters: []runtime.FileFilter{{DisplayName: "Sidecar exports (*.zip, *.sidecar)", Pattern: "*.zip;*.sidecar"}}})
	if err != nil || path == "" {
		return dataexport.Report{}, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return dataexport.Report{}, err
	}
	if fi.Size() > dataexport.MaxArchiveBytes {
		return dataexport.Report{}, fmt.Errorf("the archive is larger than %d GiB", dataexport.MaxArchiveBytes>>30)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return dataexport.Report{}, err
	}
	rep, err := dataexport.Import(a.ctx, a.prof.DB, a.docs, data, passphrase, func(p dataexport.Progress) {
		runtime.EventsEmit(a.ctx, "data:progress", p)
	})
	runtime.EventsEmit(a.ctx, eventDocsChanged, nil)
	runtime.EventsEmit(a.ctx, assistant.EventChatsChanged, nil)
	return rep, err
}

// WipeData deletes all of the user's Sidecar data and keychain entries
// after the user typed DELETE, then starts afresh as on the first day.
func (a *App) WipeData(confirm string) error {
	if confirm != "DELETE" {
		return errors.New("type DELETE to confirm")
	}
	if _, err := a.service(); err != nil && a.prof == nil {
		// Nothing is open (e.g. the database key is missing): wipe anyway.
		a.log.Warn("wiping data that could not be opened")
	}
	if a.bgStop != nil {
		a.bgStop()
	}
	a.stopAPI()
	a.api.mu.Lock()
	a.api.tokens = nil // its keychain entry goes with the wipe
	a.api.mu.Unlock()
	if a.svc != nil {
		a.svc.Close()
	}
	if a.prof != nil {
		if err := a.prof.Close(); err != nil {
			return err
		}
	}
	a.svc, a.prof, a.docs = nil, nil, nil
	var ids []string
	for _, f := range cli.CloudFactories() {
		ids = append(ids, f.ID)
	}
	removed, err := profile.Wipe(a.ctx, a.dataDir, keychain.New(), ids)
	a.log.Info("data wiped", "items", len(removed))
	if err != nil {
		return err
	}
	// First-start state: a new key and an empty database.
	all, err := cli.OpenServiceWith(a.ctx, a.log, a.dataDir, wailsEvents{a.ctx}, "")
	if err != nil {
		a.startErr = err
		return err
	}
	a.startErr = nil
	a.prof, a.svc, a.docs = all.Profile, all.Assistant, all.Docs
	a.startBackground()
	return nil
}

// RotateDBKey re-encrypts the database under a new key and reopens it.
func (a *App) RotateDBKey() error {
	if _, err := a.service(); err != nil {
		return err
	}
	if a.bgStop != nil {
		a.bgStop()
	}
	a.stopAPI()
	a.svc.Close()
	p2, err := profile.Rotate(a.ctx, a.prof)
	if p2 != nil {
		p2.Close()
	}
	a.prof.Close() // refused before it closed the data: the reopen needs the folder's lock
	a.svc, a.prof, a.docs = nil, nil, nil
	all, openErr := cli.OpenServiceWith(a.ctx, a.log, a.dataDir, wailsEvents{a.ctx}, "")
	if openErr != nil {
		a.startErr = openErr
		return errors.Join(err, openErr)
	}
	a.prof, a.svc, a.docs = all.Profile, all.Assistant, all.Docs
	a.afterOpen()
	return err
}
