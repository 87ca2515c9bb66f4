package main

import (
	"errors"
	"strings"

	"sidecar/backend/cli"
	"sidecar/backend/profile"
)

// Unlock opens the data with the passphrase the user typed: data in
// passphrase mode, or, on a first start without a keychain, new data
// protected by that passphrase. The window then continues as after a
// normal start.
func (a *App) Unlock(passphrase string) error {
	<-a.started
	if a.svc != nil {
		return nil
	}
	if strings.TrimSpace(passphrase) == "" {
		return errors.New("type your passphrase")
	}
	all, err := cli.OpenServiceWith(a.ctx, a.log, a.dataDir, wailsEvents{a.ctx}, passphrase)
	if err != nil {
		a.log.Warn("unlock failed", "err", err)
		return err
	}
	a.startErr = nil
	a.prof, a.svc, a.docs = all.Profile, all.Assistant, all.Docs
	a.afterOpen()
	return nil
}

// KeyMode tells where the database key comes from: "keychain" or
// "passphrase".
func (a *App) KeyMode() string { return profile.Mode(a.dataDir) }

// UsePassphrase re-encrypts the data under a key derived from passphrase
// (from the keychain, or changing the passphrase); the keychain's entries
// move into the encrypted database.
func (a *App) UsePassphrase(passphrase string) error {
	if _, err := a.service(); err != nil {
		return err
	}
	return a.switchKey(func(p *profile.Profile) (*profile.Profile, error) {
		return profile.UsePassphrase(a.ctx, p, passphrase, cli.SecretAccounts())
	})
}

// UseKeychain moves the database key (and the secrets kept in the
// database) to the OS keychain; no passphrase is asked at start any more.
func (a *App) UseKeychain() error {
	if _, err := a.service(); err != nil {
		return err
	}
	return a.switchKey(func(p *profile.Profile) (*profile.Profile, error) { return profile.UseKeychain(a.ctx, p) })
}

// switchKey stops everything that uses the database, runs change on the
// profile and reopens the use cases over the profile it returns (or over
// the old data, reopened, if the change failed before the swap).
func (a *App) switchKey(change func(*profile.Profile) (*profile.Profile, error)) error {
	if a.bgStop != nil {
		a.bgStop()
	}
	a.stopAPI()
	a.svc.Close()
	old := a.prof
	p2, err := change(old)
	a.svc, a.prof, a.docs = nil, nil, nil
	if err != nil {
		if p2 == nil && !old.Closed() {
			p2 = old // refused before anything changed
		}
		if p2 == nil {
			all, openErr := cli.OpenServiceWith(a.ctx, a.log, a.dataDir, wailsEvents{a.ctx}, "")
			if openErr != nil {
				a.startErr = openErr
				return errors.Join(err, openErr)
			}
			a.prof, a.svc, a.docs = all.Profile, all.Assistant, all.Docs
			a.afterOpen()
			return err
		}
	}
	all, openErr := cli.Reopen(a.ctx, a.log, a.dataDir, wailsEvents{a.ctx}, p2)
	if openErr != nil {
		a.startErr = openErr
		return errors.Join(err, openErr)
	}
	a.prof, a.svc, a.docs = all.Profile, all.Assistant, all.Docs
	a.afterOpen()
	return err
}
