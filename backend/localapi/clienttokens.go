package localapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// ClientTokensFile holds the named client tokens, in the data folder
// (0600): their names, SHA-256 hashes and times; never the tokens.
const ClientTokensFile = "client-tokens.json"

// ClientToken is a named token given to one client ("Zed", "nvim").
type ClientToken struct {
	Name     string    `json:"name"`
	Hash     string    `json:"hash"` // hex SHA-256 of the token
	Created  time.Time `json:"created"`
	LastUsed time.Time `json:"lastUsed,omitzero"`
}

// Errors of the named tokens.
var (
	ErrTokenExists  = errors.New("localapi: a client token with that name exists")
	ErrNoSuchToken  = errors.New("localapi: no client token with that name")
	ErrBadTokenName = errors.New("localapi: a token name is 1 to 64 letters, digits, spaces or - _ .")
)

// clientTokenPrefix marks named tokens apart from the default one.
const clientTokenPrefix = "sct_"

// ClientTokens are the named tokens, read from and written to one file,
// which a running server re-reads when it changes (so `sidecar token`
// takes effect at once).
type ClientTokens struct {
	path    string
	mu      sync.Mutex
	list    []ClientToken
	seen    os.FileInfo // the file last read or written (a rename makes a new one)
	lastSav time.Time
}

// LoadClientTokens reads the named tokens of the data folder dir.
func LoadClientTokens(dir string) (*ClientTokens, error) {
	c := &ClientTokens{path: filepath.Join(dir, ClientTokensFile)}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c, c.reload()
}

func (c *ClientTokens) reload() error {
	fi, err := os.Stat(c.path)
	if errors.Is(err, os.ErrNotExist) {
		c.list, c.seen = nil, nil
		return nil
	}
	if err != nil {
		return fmt.Errorf("localapi: client tokens: %w", err)
	}
	if c.seen != nil && os.SameFile(fi, c.seen) && fi.ModTime().Equal(c.seen.ModTime()) {
		return nil
	}
	if fi.Size() > 1<<20 {
		return fmt.Errorf("localapi: client tokens: %s is larger than 1 MiB", ClientTokensFile)
	}
	b, err := os.ReadFile(c.path)
	if err != nil {
		return fmt.Errorf("localapi: client tokens: %w", err)
	}
	var list []ClientToken
	if err := json.Unmarshal(b, &list); err != nil {
		return fmt.Errorf("localapi: client tokens: %s: %w", ClientTokensFile, err)
	}
	c.list, c.seen = list, fi
	return nil
}

func (c *ClientTokens) save() error {
	b, _ := json.MarshalIndent(c.list, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".client-tokens-*.json")
	if err != nil {
		return fmt.Errorf("localapi: client tokens: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.Write(append(b, '\n'))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.path)
	}
	if err != nil {
		return fmt.Errorf("localapi: client tokens: %w", err)
	}
	if fi, err := os.Stat(c.path); err == nil {
		c.seen = fi
	}
	return nil
}

// clientTokensLock is the lock file beside ClientTokensFile: every change
// re-reads, changes and writes the file holding it, so a change made by
// another process (the window, `serve`, `sidecar token`) in between is
// never lost.
const clientTokensLock = ".client-tokens.lock"

// change runs fn between a fresh read of the file and a write of what fn
// left in c.list, holding the lock file. c.mu must be held.
func (c *ClientTokens) change(fn func() error) error {
	f, err := os.OpenFile(filepath.Join(filepath.Dir(c.path), clientTokensLock), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("localapi: client tokens: %w", err)
	}
	defer f.Close()
	if err := lockFile(f); err != nil {
		return fmt.Errorf("localapi: client tokens: lock: %w", err)
	}
	defer unlockFile(f)
	c.seen = nil // read the file whatever its time says
	if err := c.reload(); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	return c.save()
}

func validTokenName(n string) bool {
	if n == "" || len(n) > 64 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// Create makes a token named name and returns it: the only time it is
// shown.
func (c *ClientTokens) Create(name string) (string, error) {
	if !validTokenName(name) {
		return "", ErrBadTokenName
	}
	tok, err := newClientToken()
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	err = c.change(func() error {
		for _, t := range c.list {
			if t.Name == name {
				return fmt.Errorf("%w: %q", ErrTokenExists, name)
			}
		}
		c.list = append(c.list, ClientToken{Name: name, Hash: hashToken(tok), Created: time.Now().UTC()})
		return nil
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

func newClientToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("localapi: token: %w", err)
	}
	return clientTokenPrefix + hex.EncodeToString(b), nil
}

// Rotate gives the token named name a new value and returns it (shown only
// now); the old value stops working at once. Its creation time becomes
// now and its last use is cleared.
func (c *ClientTokens) Rotate(name string) (string, error) {
	tok, err := newClientToken()
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	err = c.change(func() error {
		for i, t := range c.list {
			if t.Name == name {
				c.list[i] = ClientToken{Name: name, Hash: hashToken(tok), Created: time.Now().UTC()}
				return nil
			}
		}
		return fmt.Errorf("%w: %q", ErrNoSuchToken, name)
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// List returns the named tokens by name, without their hashes.
func (c *ClientTokens) List() ([]ClientToken, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.reload(); err != nil {
		return nil, err
	}
	out := make([]ClientToken, len(c.list))
	for i, t := range c.list {
		t.Hash = ""
		out[i] = t
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Revoke deletes the token named name: it stops working at once.
func (c *ClientTokens) Revoke(name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.change(func() error {
		for i, t := range c.list {
			if t.Name == name {
				c.list = append(c.list[:i], c.list[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%w: %q", ErrNoSuchToken, name)
	})
}

// lastUseSaveEvery bounds how often a use is written to the file.
const lastUseSaveEvery = time.Minute

// Match reports whether tok is a named token, and records its use.
func (c *ClientTokens) Match(tok string) (string, bool) {
	if c == nil || len(tok) != len(clientTokenPrefix)+64 || tok[:len(clientTokenPrefix)] != clientTokenPrefix {
		return "", false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reload() // a failed re-read keeps the tokens known
	h := hashToken(tok)
	for i := range c.list {
		if subtle.ConstantTimeCompare([]byte(h), []byte(c.list[i].Hash)) == 1 {
			now := time.Now().UTC()
			name := c.list[i].Name
			c.list[i].LastUsed = now
			if now.Sub(c.lastSav) >= lastUseSaveEvery {
				c.lastSav = now
				// Written under the lock over a fresh read: a token another
				// process made or revoked meanwhile stays as it made it.
				c.change(func() error {
					for j := range c.list {
						if c.list[j].Hash == h {
							c.list[j].LastUsed = now
						}
					}
					return nil
				})
			}
			return name, true
		}
	}
	return "", false
}
