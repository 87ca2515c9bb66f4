// Package keychain keeps Sidecar's secrets (the database key, the loopback
// API token, provider API keys) in the OS keychain through
// zalando/go-keyring: Secret Service on Linux, Keychain on macOS,
// Credential Manager on Windows. Every call is bounded by a timeout, since a
// locked keyring can block on an unlock prompt indefinitely.
package keychain

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// DefaultService is the service name Sidecar's entries are stored under.
const DefaultService = "Sidecar"

// DefaultTimeout bounds each keychain call.
const DefaultTimeout = 10 * time.Second

// Account names of the entries Sidecar keeps.
const (
	AccountDBKey            = "database-key"
	AccountAPIToken         = "local-api-token"
	AccountBackupPassphrase = "backup-passphrase"
)

// ProviderAccount is the account name of a cloud provider's API key.
func ProviderAccount(provider string) string { return "provider:" + provider }

// LegacyAccounts are the entries builds before per-profile entries kept
// under bare account names, shared by every data folder: the database key
// (and its spare during a rotation), the API token, the backup passphrase
// and the keys of the providers those builds had. The set is closed: no
// build writes bare names any more.
func LegacyAccounts() []string {
	return []string{AccountDBKey, AccountDBKey + ".next", AccountAPIToken, AccountBackupPassphrase,
		ProviderAccount("openai"), ProviderAccount("anthropic"), ProviderAccount("gemini")}
}

// Errors callers can test for with errors.Is.
var (
	// ErrNotFound means the entry does not exist.
	ErrNotFound = errors.New("keychain: no such entry")
	// ErrUnavailable means no keychain could be reached.
	ErrUnavailable = errors.New("keychain: the OS keychain is not available")
	// ErrTimeout means the keychain did not answer in time (often: locked,
	// waiting for an unlock prompt).
	ErrTimeout = errors.New("keychain: the OS keychain did not answer in time")
)

// Help is the actionable advice shown with ErrUnavailable and ErrTimeout.
const Help = "Sidecar keeps its encryption key in the OS keychain and cannot start without it. " +
	"On Linux, install and start a Secret Service provider (GNOME Keyring: `sudo apt install gnome-keyring`, " +
	"or KeePassXC with Secret Service enabled), make sure a D-Bus session is running (DBUS_SESSION_BUS_ADDRESS is set), " +
	"and unlock the keyring; then start Sidecar again."

// Keychain reads and writes entries of one service.
type Keychain struct {
	Service string
	Timeout time.Duration
	// Backend, when set, keeps the entries instead of the OS keychain (a
	// profile in passphrase mode keeps them in its encrypted database).
	Backend Backend
	// Profile, when set, makes every entry this profile's own: the account
	// name stored is the name asked for with "@" and Profile appended
	// ("database-key@3f0c…"), so data folders never share an entry.
	Profile string
}

// ForProfile returns a copy of k whose entries belong to the profile id.
func (k *Keychain) ForProfile(id string) *Keychain {
	c := *k
	c.Profile = id
	return &c
}

// Account is the account name stored for the entry named name.
func (k *Keychain) Account(name string) string {
	if k.Profile == "" {
		return name
	}
	return name + "@" + k.Profile
}

// Backend stores secrets by service and account. Get returns ErrNotFound
// for a missing entry; Delete of a missing entry is not an error.
type Backend interface {
	Get(service, account string) (string, error)
	Set(service, account, secret string) error
	Delete(service, account string) error
}

// osKeychain is the OS keychain through go-keyring.
type osKeychain struct{}

func (osKeychain) Get(service, account string) (string, error) { return keyring.Get(service, account) }
func (osKeychain) Set(service, account, secret string) error {
	return keyring.Set(service, account, secret)
}
func (osKeychain) Delete(service, account string) error { return keyring.Delete(service, account) }

func (k *Keychain) backend() Backend {
	if k.Backend != nil {
		return k.Backend
	}
	return osKeychain{}
}

// New returns a Keychain for DefaultService with DefaultTimeout.
func New() *Keychain { return &Keychain{Service: DefaultService, Timeout: DefaultTimeout} }

// call runs fn with the keychain timeout. A call that times out keeps
// running in its goroutine (go-keyring cannot be interrupted) but the
// caller gets ErrTimeout.
func (k *Keychain) call(ctx context.Context, op string, fn func() (string, error)) (string, error) {
	timeout := k.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, classify(op, r.err)
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return "", fmt.Errorf("%w (%s after %v)", ErrTimeout, op, timeout)
		}
		return "", fmt.Errorf("keychain: %s: %w", op, ctx.Err())
	}
}

func classify(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound), errors.Is(err, ErrNotFound):
		return ErrNotFound
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return fmt.Errorf("%w: unsupported platform", ErrUnavailable)
	}
	msg := err.Error()
	for _, s := range []string{"org.freedesktop.secrets", "DBUS_SESSION_BUS_ADDRESS", "dbus", "D-Bus", "connection refused", "no such file"} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w (%s: %v)", ErrUnavailable, op, err)
		}
	}
	return fmt.Errorf("keychain: %s: %w", op, err)
}

// Get returns the secret stored under account, or ErrNotFound.
func (k *Keychain) Get(ctx context.Context, account string) (string, error) {
	account = k.Account(account)
	return k.call(ctx, "read "+account, func() (string, error) { return k.backend().Get(k.Service, account) })
}

// Set stores secret under account, replacing any previous value.
func (k *Keychain) Set(ctx context.Context, account, secret string) error {
	account = k.Account(account)
	_, err := k.call(ctx, "write "+account, func() (string, error) { return "", k.backend().Set(k.Service, account, secret) })
	return err
}

// Delete removes account's entry; deleting a missing entry is not an error.
func (k *Keychain) Delete(ctx context.Context, account string) error {
	account = k.Account(account)
	_, err := k.call(ctx, "delete "+account, func() (string, error) { return "", k.backend().Delete(k.Service, account) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// Check verifies that the keychain answers, without changing anything.
func (k *Keychain) Check(ctx context.Context) error {
	_, err := k.Get(ctx, AccountDBKey)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// RandomSecret returns n bytes from crypto/rand.
func RandomSecret(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("keychain: random: %w", err)
	}
	return b, nil
}

// LoadKey returns the n-byte key stored (hex) under account, or
// ErrNotFound. A stored value that is not n bytes of hex is an error.
func (k *Keychain) LoadKey(ctx context.Context, account string, n int) ([]byte, error) {
	v, err := k.Get(ctx, account)
	if err != nil {
		return nil, err
	}
	key, err := hex.DecodeString(v)
	if err != nil || len(key) != n {
		return nil, fmt.Errorf("keychain: entry %q is not a %d-byte key; it was not changed", k.Account(account), n)
	}
	return key, nil
}

// LoadOrCreateKey returns the n-byte key stored under account, generating
// and storing a new random one when none exists. created reports whether
// the key is new. A malformed stored value is an error: it is never
// silently replaced, since data may be encrypted under it.
func (k *Keychain) LoadOrCreateKey(ctx context.Context, account string, n int) (key []byte, created bool, err error) {
	key, err = k.LoadKey(ctx, account, n)
	if !errors.Is(err, ErrNotFound) {
		return key, false, err
	}
	key, err = RandomSecret(n)
	if err != nil {
		return nil, false, err
	}
	if err := k.Set(ctx, account, hex.EncodeToString(key)); err != nil {
		return nil, false, err
	}
	// Read it back: a keychain that accepts writes but loses them would
	// otherwise leave the database unreadable after a restart.
	v, err := k.Get(ctx, account)
	if err != nil {
		return nil, false, fmt.Errorf("keychain: read back %q: %w", account, err)
	}
	if v != hex.EncodeToString(key) {
		return nil, false, fmt.Errorf("keychain: read back %q: value differs from what was stored", account)
	}
	return key, true, nil
}
