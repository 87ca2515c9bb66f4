// Package backup writes scheduled or on-demand encrypted backups of the
// user's data to a folder they pick, keeping the last N. A backup is an
// export archive encrypted with a backup passphrase kept in the OS
// keychain, so it restores with `sidecar import` on any machine, whatever
// the database key is by then.
package backup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"time"

	"sidecar/backend/dataexport"
	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// AccountPassphrase is the keychain account of the backup passphrase.
const AccountPassphrase = keychain.AccountBackupPassphrase

// Config says where and how often backups go.
type Config struct {
	Dir           string `json:"dir"`   // "" : backups off
	Keep          int    `json:"keep"`  // how many to keep (default 7)
	Daily         bool   `json:"daily"` // also back up once a day
	HasPassphrase bool   `json:"hasPassphrase"`
	Last          int64  `json:"last"` // Unix ms of the last backup, 0 if none
}

const (
	settingDir   = "backup.dir"
	settingKeep  = "backup.keep"
	settingDaily = "backup.daily"
	settingLast  = "backup.last"
)

// Load reads the configuration.
func Load(ctx context.Context, db *store.DB, kc *keychain.Keychain) (Config, error) {
	var c Config
	var err error
	get := func(k, def string) string {
		if err != nil {
			return def
		}
		var v string
		v, err = db.Setting(ctx, k, def)
		return v
	}
	c.Dir = get(settingDir, "")
	c.Keep, _ = strconv.Atoi(get(settingKeep, "7"))
	c.Daily = get(settingDaily, "false") == "true"
	c.Last, _ = strconv.ParseInt(get(settingLast, "0"), 10, 64)
	if err != nil {
		return c, err
	}
	if _, perr := kc.Get(ctx, AccountPassphrase); perr == nil {
		c.HasPassphrase = true
	} else if !errors.Is(perr, keychain.ErrNotFound) {
		return c, perr
	}
	return c, nil
}

// Save stores the configuration; a non-empty passphrase replaces the one
// in the keychain.
func Save(ctx context.Context, db *store.DB, kc *keychain.Keychain, c Config, passphrase string) (Config, error) {
	if c.Keep < 1 || c.Keep > 1000 {
		return c, errors.New("backup: keep 1 to 1000 backups")
	}
	if c.Dir != "" {
		if !filepath.IsAbs(c.Dir) {
			return c, errors.New("backup: the folder must be an absolute path")
		}
		if fi, err := os.Stat(c.Dir); err != nil || !fi.IsDir() {
			return c, fmt.Errorf("backup: %s is not a folder", c.Dir)
		}
	}
	if passphrase != "" {
		if len(passphrase) < 8 {
			return c, errors.New("backup: the passphrase needs at least 8 characters")
		}
		if err := kc.Set(ctx, AccountPassphrase, passphrase); err != nil {
			return c, err
		}
	}
	for k, v := range map[string]string{settingDir: c.Dir, settingKeep: strconv.Itoa(c.Keep), settingDaily: strconv.FormatBool(c.Daily)} {
		if err := db.SetSetting(ctx, k, v); err != nil {
			return c, err
		}
	}
	return Load(ctx, db, kc)
}

var nameRe = regexp.MustCompile(`^sidecar-backup-\d{8}-\d{6}\.sidecar$`)

// Now writes a backup into the configured folder and removes the oldest
// beyond Keep; it returns the new file.
func Now(ctx context.Context, db *store.DB, kc *keychain.Keychain, appVersion string) (string, error) {
	c, err := Load(ctx, db, kc)
	if err != nil {
		return "", err
	}
	if c.Dir == "" {
		return "", errors.New("backup: choose a backup folder first")
	}
	pass, err := kc.Get(ctx, AccountPassphrase)
	if errors.Is(err, keychain.ErrNotFound) {
		return "", errors.New("backup: set a backup passphrase first")
	}
	if err != nil {
		return "", err
	}
	data, _, err := dataexport.Export(ctx, db, appVersion, pass, nil)
	if err != nil {
		return "", err
	}
	now := time.Now()
	name := filepath.Join(c.Dir, "sidecar-backup-"+now.Format("20060102-150405")+".sidecar")
	tmp := name + ".part"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("backup: %w", err)
	}
	if err := db.SetSetting(ctx, settingLast, strconv.FormatInt(now.UnixMilli(), 10)); err != nil {
		return name, err
	}
	return name, prune(c.Dir, c.Keep)
}

// prune removes the oldest backups beyond keep (only files named as ours).
func prune(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	var ours []string
	for _, e := range entries {
		if e.Type().IsRegular() && nameRe.MatchString(e.Name()) {
			ours = append(ours, e.Name())
		}
	}
	sort.Strings(ours) // timestamps sort by time
	for i := 0; i < len(ours)-keep; i++ {
		if err := os.Remove(filepath.Join(dir, ours[i])); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	return nil
}

// RunDaily backs up once a day when Daily is on, until ctx ends; failures
// go to logf.
func RunDaily(ctx context.Context, db *store.DB, kc *keychain.Keychain, appVersion string, logf func(error)) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if c, err := Load(ctx, db, kc); err == nil && c.Daily && c.Dir != "" && time.Since(time.UnixMilli(c.Last)) > 24*time.Hour {
			if _, err := Now(ctx, db, kc, appVersion); err != nil {
				logf(err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
