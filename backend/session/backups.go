package session

import (
	"context"

	"sidecar/backend/backup"
)

// runBackups writes the daily backup of o while its jobs run.
func runBackups(ctx context.Context, s *Session, o *open) {
	backup.RunDaily(ctx, o.prof.DB, o.prof.Keychain, Version, func(err error) { s.log.Warn("daily backup failed", "err", err) })
}

// BackupConfig returns where and how often backups go.
func (s *Session) BackupConfig(ctx context.Context) (backup.Config, error) {
	return with(s, func(o *open) (backup.Config, error) { return backup.Load(ctx, o.prof.DB, o.prof.Keychain) })
}

// SaveBackupConfig saves the settings; a non-empty passphrase is stored in
// the OS keychain.
func (s *Session) SaveBackupConfig(ctx context.Context, c backup.Config, passphrase string) (backup.Config, error) {
	return with(s, func(o *open) (backup.Config, error) {
		return backup.Save(ctx, o.prof.DB, o.prof.Keychain, c, passphrase)
	})
}

// BackupNow writes a backup and returns its path.
func (s *Session) BackupNow(ctx context.Context) (string, error) {
	return with(s, func(o *open) (string, error) { return backup.Now(ctx, o.prof.DB, o.prof.Keychain, Version) })
}
