package session

import (
	"context"
	"errors"

	"sidecar/backend/catalog"
	"sidecar/backend/keychain"
	"sidecar/backend/profile"
)

// SecretAccounts lists the keychain accounts a profile may hold secrets
// under: the API token, the backup passphrase and every provider's key.
func SecretAccounts() []string {
	out := []string{keychain.AccountAPIToken, keychain.AccountBackupPassphrase}
	for _, id := range catalog.CloudIDs() {
		out = append(out, keychain.ProviderAccount(id))
	}
	return out
}

// KeyMode tells where the database key comes from: "keychain" or "passphrase".
func (s *Session) KeyMode() string { return profile.Mode(s.opt.Dir) }

// Wipe deletes all of the user's Sidecar data and keychain entries, then
// starts afresh as on the first day (a new key and an empty database). It
// works when nothing could be opened too. It returns what was removed.
func (s *Session) Wipe(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		s.log.Warn("wiping data that could not be opened")
	}
	if err := s.closeLocked(); err != nil {
		return nil, err
	}
	removed, err := profile.Wipe(ctx, s.opt.Dir, s.opt.Keychain, catalog.CloudIDs())
	s.log.Info("data wiped", "items", len(removed))
	if err != nil {
		return removed, err
	}
	prof, err := profile.OpenWith(ctx, s.opt.Dir, s.opt.Keychain, "")
	return removed, s.startLocked(ctx, prof, err)
}

// WipeOnly deletes everything without reopening (`sidecar wipe`).
func (s *Session) WipeOnly(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.closeLocked(); err != nil {
		return nil, err
	}
	return profile.Wipe(ctx, s.opt.Dir, s.opt.Keychain, catalog.CloudIDs())
}

// RotateKey re-encrypts the database under a new key and reopens it.
func (s *Session) RotateKey(ctx context.Context) error {
	return s.switchKey(ctx, func(p *profile.Profile) (*profile.Profile, error) { return profile.Rotate(ctx, p) })
}

// UsePassphrase re-encrypts the data under a key derived from passphrase
// (from the keychain, or changing the passphrase); the keychain's entries
// move into the encrypted database.
func (s *Session) UsePassphrase(ctx context.Context, passphrase string) error {
	return s.switchKey(ctx, func(p *profile.Profile) (*profile.Profile, error) {
		return profile.UsePassphrase(ctx, p, passphrase, SecretAccounts())
	})
}

// UseKeychain moves the database key (and the secrets kept in the
// database) to the OS keychain; no passphrase is asked at start any more.
func (s *Session) UseKeychain(ctx context.Context) error {
	return s.switchKey(ctx, func(p *profile.Profile) (*profile.Profile, error) { return profile.UseKeychain(ctx, p) })
}

// switchKey stops everything that uses the database, runs change on the
// profile and reopens the use cases over the profile it returns (or over
// the old data, reopened, if the change failed before the swap).
func (s *Session) switchKey(ctx context.Context, change func(*profile.Profile) (*profile.Profile, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.cur
	if o == nil {
		return ErrNotOpen
	}
	s.cur = nil
	o.jobs.stop()
	s.stopAPI(o)
	o.svc.Close()
	o.cat.Close()
	old := o.prof
	p2, err := change(old)
	if err != nil && p2 == nil && !old.Closed() {
		p2 = old // refused before anything changed
	}
	if p2 == nil {
		prof, openErr := profile.OpenWith(ctx, s.opt.Dir, s.opt.Keychain, "")
		return errors.Join(err, s.startLocked(ctx, prof, openErr))
	}
	return errors.Join(err, s.startLocked(ctx, p2, nil))
}
