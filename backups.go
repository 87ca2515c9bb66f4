package main

import (
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sidecar/backend/backup"
	"sidecar/backend/cli"
)

// BackupConfig returns where and how often backups go.
func (a *App) BackupConfig() (backup.Config, error) {
	if _, err := a.service(); err != nil {
		return backup.Config{}, err
	}
	return backup.Load(a.ctx, a.prof.DB, a.prof.Keychain)
}

// ChooseBackupFolder asks for a folder ("" if cancelled).
func (a *App) ChooseBackupFolder() (string, error) {
	return runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Folder for encrypted backups", CanCreateDirectories: true})
}

// SaveBackupConfig saves the settings; a non-empty passphrase is stored in
// the OS keychain.
func (a *App) SaveBackupConfig(c backup.Config, passphrase string) (backup.Config, error) {
	if _, err := a.service(); err != nil {
		return backup.Config{}, err
	}
	return backup.Save(a.ctx, a.prof.DB, a.prof.Keychain, c, passphrase)
}

// BackupNow writes a backup and returns its path.
func (a *App) BackupNow() (string, error) {
	if _, err := a.service(); err != nil {
		return "", err
	}
	return backup.Now(a.ctx, a.prof.DB, a.prof.Keychain, cli.Version)
}
