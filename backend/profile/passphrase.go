package profile

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/argon2"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// A profile keeps its database key in one of two ways. In keychain mode
// (the default) a random key lives in the OS keychain. In passphrase mode,
// for machines without a usable keychain, the key is derived from a
// passphrase the user types at start (Argon2id); KeyFile then holds the
// salt and costs (no secret), and the secrets that would go to the OS
// keychain (provider keys, the API token, the backup passphrase) are kept
// in the encrypted database instead.
const (
	ModeKeychain   = "keychain"
	ModePassphrase = "passphrase"
)

// KeyFile marks a profile in passphrase mode.
const KeyFile = "key.json"

// keyFileNext holds the parameters of a passphrase key being switched to.
const keyFileNext = KeyFile + ".next"

// MinPassphrase is the shortest passphrase accepted for the data.
const MinPassphrase = 8

// Errors callers can test for with errors.Is.
var (
	ErrPassphraseNeeded = errors.New("profile: your data is protected by a passphrase; type it to open it")
	ErrWrongPassphrase  = errors.New("profile: wrong passphrase")
	ErrShortPassphrase  = fmt.Errorf("profile: the passphrase must have at least %d characters", MinPassphrase)
)

// kdfParams is the content of KeyFile.
type kdfParams struct {
	Version   int    `json:"version"`
	KDF       string `json:"kdf"`
	Salt      []byte `json:"salt"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
}

// kdfCost is Argon2id's cost for new keys: 3 passes over 64 MiB with 4
// lanes (RFC 9106's second recommended setting). Tests lower it.
var kdfCost = kdfParams{Time: 3, MemoryKiB: 64 << 10, Threads: 4}

func newKDF() (kdfParams, error) {
	k := kdfCost
	k.Version, k.KDF, k.Salt = 1, "argon2id", make([]byte, 16)
	if _, err := rand.Read(k.Salt); err != nil {
		return kdfParams{}, fmt.Errorf("profile: random salt: %w", err)
	}
	return k, nil
}

func (k kdfParams) key(pass string) []byte {
	return argon2.IDKey([]byte(pass), k.Salt, k.Time, k.MemoryKiB, k.Threads, store.KeySize)
}

// readKDF reads a key file; ok is false when there is none. Costs out of
// range are refused, so a planted file cannot make Sidecar allocate
// gigabytes or spin for minutes.
func readKDF(path string) (k kdfParams, ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return k, false, nil
	}
	if err != nil {
		return k, false, fmt.Errorf("profile: %w", err)
	}
	if err := json.Unmarshal(b, &k); err != nil {
		return k, false, fmt.Errorf("profile: %s is damaged: %v", path, err)
	}
	if k.Version != 1 || k.KDF != "argon2id" || len(k.Salt) < 16 || len(k.Salt) > 64 ||
		k.Time < 1 || k.Time > 20 || k.MemoryKiB < 8 || k.MemoryKiB > 1<<20 || k.Threads < 1 || k.Threads > 16 {
		return k, false, fmt.Errorf("profile: %s has settings this version does not accept", path)
	}
	return k, true, nil
}

// writeKDF writes a key file atomically and durably.
func writeKDF(path string, k kdfParams) error {
	b, err := json.MarshalIndent(k, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	_, err = f.Write(append(b, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("profile: write %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Mode reports how dir's database key is kept.
func Mode(dir string) string {
	if _, ok, _ := readKDF(filepath.Join(dir, KeyFile)); ok {
		return ModePassphrase
	}
	return ModeKeychain
}

// dbSecrets keeps keychain entries in the profile's encrypted database.
type dbSecrets struct{ db *store.DB }

func (s dbSecrets) Get(_, account string) (string, error) {
	v, err := s.db.Secret(context.Background(), account)
	if errors.Is(err, store.ErrNoSecret) {
		return "", keychain.ErrNotFound
	}
	return v, err
}

func (s dbSecrets) Set(_, account, secret string) error {
	return s.db.SetSecret(context.Background(), account, secret)
}

func (s dbSecrets) Delete(_, account string) error {
	return s.db.DeleteSecret(context.Background(), account)
}

// openPassphrase opens (or, on first start, creates) a profile in
// passphrase mode.
func openPassphrase(ctx context.Context, dir string, kc *keychain.Keychain, pass string, exists bool) (*Profile, error) {
	if pass == "" {
		return nil, ErrPassphraseNeeded
	}
	kf := filepath.Join(dir, KeyFile)
	params, ok, err := readKDF(kf)
	if err != nil {
		return nil, err
	}
	if !ok {
		if exists {
			return nil, fmt.Errorf("profile: %s is missing: the data cannot be opened with a passphrase", kf)
		}
		if len([]rune(pass)) < MinPassphrase {
			return nil, ErrShortPassphrase
		}
		if params, err = newKDF(); err != nil {
			return nil, err
		}
		if err := writeKDF(kf, params); err != nil {
			return nil, err
		}
	}
	db, err := store.Open(ctx, DBPath(dir), params.key(pass))
	if errors.Is(err, store.ErrWrongKey) {
		return nil, fmt.Errorf("%w (the data file was not changed)", ErrWrongPassphrase)
	}
	if err != nil {
		return nil, fmt.Errorf("profile: %w", err)
	}
	if _, err := db.MarkInterrupted(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("profile: %w", err)
	}
	secrets := &keychain.Keychain{Service: kc.Service, Timeout: kc.Timeout, Backend: dbSecrets{db}}
	return &Profile{Dir: dir, DB: db, Keychain: secrets, OS: kc, Mode: ModePassphrase}, nil
}

// recoverPassphraseSwitch finishes or undoes a switch to a passphrase key
// (UsePassphrase) that a crash interrupted: before the swap the database
// keeps its key; after it, the new key file replaces the old.
func recoverPassphraseSwitch(ctx context.Context, dir string, kc *keychain.Keychain, pass string) error {
	nf, kf, path := filepath.Join(dir, keyFileNext), filepath.Join(dir, KeyFile), DBPath(dir)
	next, ok, err := readKDF(nf)
	if err != nil || !ok {
		if err != nil { // a half-written parameters file: the switch never got past step 2
			store.RemoveCopy(path + rotatingSuffix)
			return os.Remove(nf)
		}
		return nil
	}
	os.Remove(path + rotatingSuffix + "-journal")
	if err := os.Remove(path + rotatingSuffix); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return os.Remove(nf) // the swap never happened
	}
	// The database opens with its current key or with the new one.
	var cur []byte
	if params, ok, _ := readKDF(kf); ok {
		if pass != "" {
			cur = params.key(pass)
		}
	} else if k, err := kc.LoadKey(ctx, keychain.AccountDBKey, store.KeySize); err == nil {
		cur = k
	} else if k, err := kc.ForProfile("").LoadKey(ctx, keychain.AccountDBKey, store.KeySize); err == nil {
		cur = k // a switch an earlier version began, with the key all folders shared
	}
	if cur != nil {
		if db, err := store.Open(ctx, path, cur); err == nil {
			db.Close()
			return os.Remove(nf)
		}
	}
	if pass == "" {
		return ErrPassphraseNeeded
	}
	db, err := store.Open(ctx, path, next.key(pass))
	if errors.Is(err, store.ErrWrongKey) {
		return fmt.Errorf("%w (the data file was not changed)", ErrWrongPassphrase)
	}
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	moved, _ := db.SecretAccounts(ctx)
	db.Close()
	if err := os.Rename(nf, kf); err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	syncDir(dir)
	forgetOSKeychain(ctx, kc, moved)
	return nil
}

// forgetOSKeychain removes the database key and the given entries from the
// OS keychain once the profile no longer needs them there. It is best
// effort: an unreachable keychain keeps them, and nothing depends on them.
func forgetOSKeychain(ctx context.Context, kc *keychain.Keychain, accounts []string) {
	for _, a := range append([]string{keychain.AccountDBKey, accountNextKey}, accounts...) {
		if err := kc.Delete(ctx, a); errors.Is(err, keychain.ErrUnavailable) || errors.Is(err, keychain.ErrTimeout) {
			return
		}
	}
}

// UsePassphrase re-encrypts the database under a key derived from pass,
// from keychain mode (moving the given keychain accounts into the
// database) or from passphrase mode (changing the passphrase). Like Rotate
// it writes a verified copy and swaps it in; a crash at any step leaves a
// database that opens with the old or the new key (recoverPassphraseSwitch
// decides which). It returns the profile reopened; p is closed.
func UsePassphrase(ctx context.Context, p *Profile, pass string, accounts []string) (*Profile, error) {
	if len([]rune(pass)) < MinPassphrase {
		return nil, ErrShortPassphrase
	}
	dir, path, osKC := p.Dir, DBPath(p.Dir), p.osKeychain()
	fromKeychain := p.Mode != ModePassphrase
	// 1: the keychain's secrets go into the database (still under its key).
	var moved []string
	if fromKeychain {
		for _, a := range accounts {
			v, err := p.Keychain.Get(ctx, a)
			if errors.Is(err, keychain.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("profile: use a passphrase: %w", err)
			}
			if err := p.DB.SetSecret(ctx, a, v); err != nil {
				return nil, fmt.Errorf("profile: use a passphrase: %w", err)
			}
			moved = append(moved, a)
		}
	}
	stepHook(11)
	// 2: the new key's parameters, beside the current ones.
	params, err := newKDF()
	if err != nil {
		return nil, err
	}
	nf := filepath.Join(dir, keyFileNext)
	if err := writeKDF(nf, params); err != nil {
		return nil, err
	}
	stepHook(12)
	// 3: a verified copy under the new key.
	tmp := path + rotatingSuffix
	store.RemoveCopy(tmp)
	if err := p.DB.CopyWithKey(ctx, tmp, params.key(pass)); err != nil {
		store.RemoveCopy(tmp)
		os.Remove(nf)
		return nil, fmt.Errorf("profile: use a passphrase: %w", err)
	}
	stepHook(13)
	// 4: close and swap.
	if err := p.closeDB(); err != nil {
		return nil, p.fail(fmt.Errorf("profile: use a passphrase: %w", err))
	}
	if err := swapIn(tmp, path); err != nil {
		return nil, p.fail(fmt.Errorf("profile: use a passphrase: %w", err))
	}
	stepHook(14)
	// 5: the new parameters become the key file.
	if err := os.Rename(nf, filepath.Join(dir, KeyFile)); err != nil {
		return nil, p.fail(fmt.Errorf("profile: use a passphrase: %w", err))
	}
	syncDir(dir)
	stepHook(15)
	// 6: the OS keychain forgets what it kept for this profile.
	if fromKeychain {
		forgetOSKeychain(ctx, osKC, moved)
	}
	return p.reopen(ctx, osKC, pass)
}

// UseKeychain re-encrypts a passphrase-mode database under a new random
// key kept in the OS keychain, and moves the secrets kept in the database
// there. The steps and their recovery are Rotate's; the key file goes when
// the new key becomes the database key. It returns the profile reopened;
// p is closed.
func UseKeychain(ctx context.Context, p *Profile) (*Profile, error) {
	if p.Mode != ModePassphrase {
		return p, nil
	}
	osKC := p.osKeychain()
	if err := osKC.Check(ctx); err != nil {
		return nil, fmt.Errorf("profile: use the keychain: %w", err)
	}
	return rotateInto(ctx, p, osKC)
}

func (p *Profile) osKeychain() *keychain.Keychain {
	if p.OS != nil {
		return p.OS
	}
	return p.Keychain
}

// moveSecretsToKeychain moves secrets kept in the database (left by
// passphrase mode) into the OS keychain.
func moveSecretsToKeychain(ctx context.Context, db *store.DB, kc *keychain.Keychain) error {
	accounts, err := db.SecretAccounts(ctx)
	if err != nil {
		return err
	}
	for _, a := range accounts {
		v, err := db.Secret(ctx, a)
		if err != nil {
			return err
		}
		if err := kc.Set(ctx, a, v); err != nil {
			return fmt.Errorf("profile: move %q to the keychain: %w", a, err)
		}
		if err := db.DeleteSecret(ctx, a); err != nil {
			return err
		}
	}
	return nil
}
