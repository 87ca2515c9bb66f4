package localapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"sidecar/backend/keychain"
)

// Secrets is where the token lives: the OS keychain.
type Secrets interface {
	Get(ctx context.Context, account string) (string, error)
	Set(ctx context.Context, account, secret string) error
}

// Tokens holds the API token: 32 random bytes (hex) kept in the keychain,
// cached in memory so every request does not hit the keychain.
type Tokens struct {
	secrets Secrets
	mu      sync.RWMutex
	current string
}

// LoadTokens reads the token from secrets, creating one on first use.
func LoadTokens(ctx context.Context, secrets Secrets) (*Tokens, error) {
	t := &Tokens{secrets: secrets}
	tok, err := secrets.Get(ctx, keychain.AccountAPIToken)
	switch {
	case errors.Is(err, keychain.ErrNotFound):
		if tok, err = newToken(); err != nil {
			return nil, err
		}
		if err := secrets.Set(ctx, keychain.AccountAPIToken, tok); err != nil {
			return nil, fmt.Errorf("localapi: store token: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("localapi: read token: %w", err)
	}
	t.current = tok
	return t, nil
}

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("localapi: token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Current returns the token in force.
func (t *Tokens) Current() string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.current
}

// Rotate makes a new token, stores it and revokes the old one.
func (t *Tokens) Rotate(ctx context.Context) (string, error) {
	tok, err := newToken()
	if err != nil {
		return "", err
	}
	if err := t.secrets.Set(ctx, keychain.AccountAPIToken, tok); err != nil {
		return "", fmt.Errorf("localapi: store token: %w", err)
	}
	t.mu.Lock()
	t.current = tok
	t.mu.Unlock()
	return tok, nil
}

// Refresh re-reads the token from secrets, where another process may have
// rotated it; it reports whether the token in force changed. A missing or
// empty entry keeps the token in force.
func (t *Tokens) Refresh(ctx context.Context) (bool, error) {
	tok, err := t.secrets.Get(ctx, keychain.AccountAPIToken)
	if err != nil {
		return false, fmt.Errorf("localapi: re-read token: %w", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if tok == "" || tok == t.current {
		return false, nil
	}
	t.current = tok
	return true, nil
}
