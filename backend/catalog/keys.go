package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"sidecar/backend/keychain"
)

// Secrets is where provider API keys live: the OS keychain.
type Secrets interface {
	Get(ctx context.Context, account string) (string, error)
	Set(ctx context.Context, account, secret string) error
	Delete(ctx context.Context, account string) error
}

// keyChecker is implemented by providers that can verify their key.
type keyChecker interface {
	CheckKey(ctx context.Context) error
}

// ProviderView is a cloud provider's state for the Settings screen. The
// key itself never leaves the backend: only its last four characters.
type ProviderView struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	HasKey  bool   `json:"hasKey"`
	KeyHint string `json:"keyHint"` // "…abcd"
	BaseURL string `json:"baseUrl"`
	Error   string `json:"error"` // why the stored key could not be used
}

func baseURLSetting(id string) string { return "provider." + id + ".base_url" }

// EnableCloud makes the factories available and registers a provider for
// every one whose key is in secrets. A keychain failure is reported per
// provider (ProviderView.Error), not as a start-up failure.
func (c *Catalog) EnableCloud(ctx context.Context, secrets Secrets, factories ...CloudFactory) {
	c.mu.Lock()
	c.secrets = secrets
	c.factories = factories
	c.mu.Unlock()
	for _, f := range factories {
		if err := c.loadCloud(ctx, f); err != nil && !errors.Is(err, keychain.ErrNotFound) {
			c.log.Warn("cloud provider not loaded", "provider", f.ID, "err", err)
		}
	}
}

func (c *Catalog) factory(id string) (CloudFactory, Secrets, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, f := range c.factories {
		if f.ID == id {
			return f, c.secrets, nil
		}
	}
	return CloudFactory{}, nil, fmt.Errorf("%w %q", ErrNoProvider, id)
}

func (c *Catalog) loadCloud(ctx context.Context, f CloudFactory) error {
	_, secrets, err := c.factory(f.ID)
	if err != nil {
		return err
	}
	key, err := secrets.Get(ctx, keychain.ProviderAccount(f.ID))
	if err != nil {
		c.setProviderError(f.ID, err)
		return err
	}
	base, err := c.db.Setting(ctx, baseURLSetting(f.ID), "")
	if err != nil {
		return err
	}
	p, err := f.New(key, base)
	if err != nil {
		c.setProviderError(f.ID, err)
		return err
	}
	c.setProviderError(f.ID, nil)
	c.SetProvider(p)
	return nil
}

func (c *Catalog) setProviderError(id string, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.providerErrs == nil {
		c.providerErrs = map[string]string{}
	}
	if err == nil || errors.Is(err, keychain.ErrNotFound) {
		delete(c.providerErrs, id)
		return
	}
	c.providerErrs[id] = err.Error()
}

// Providers lists the cloud providers and whether each has a key.
func (c *Catalog) Providers(ctx context.Context) ([]ProviderView, error) {
	c.mu.Lock()
	factories, secrets := c.factories, c.secrets
	c.mu.Unlock()
	out := []ProviderView{}
	for _, f := range factories {
		v := ProviderView{ID: f.ID, Name: f.Name}
		key, err := secrets.Get(ctx, keychain.ProviderAccount(f.ID))
		switch {
		case err == nil:
			v.HasKey, v.KeyHint = true, hint(key)
		case !errors.Is(err, keychain.ErrNotFound):
			v.Error = err.Error()
		}
		if v.BaseURL, err = c.db.Setting(ctx, baseURLSetting(f.ID), ""); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if e := c.providerErrs[f.ID]; e != "" && v.Error == "" {
			v.Error = e
		}
		c.mu.Unlock()
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// hint shows the last four characters of a key.
func hint(key string) string {
	if utf8.RuneCountInString(key) <= 8 {
		return "…"
	}
	r := []rune(key)
	return "…" + string(r[len(r)-4:])
}

// SetProviderKey checks key against the provider and, if it works, stores
// it in the keychain and makes the provider's models available. baseURL
// overrides the provider's endpoint (for OpenAI-compatible gateways); ""
// keeps the default. The returned error is the provider's answer, with the
// key never in it.
func (c *Catalog) SetProviderKey(ctx context.Context, id, key, baseURL string) (ProviderView, error) {
	f, secrets, err := c.factory(id)
	if err != nil {
		return ProviderView{}, err
	}
	key = strings.TrimSpace(key)
	baseURL = strings.TrimSpace(baseURL)
	if key == "" {
		return ProviderView{}, errors.New("catalog: the API key is empty")
	}
	if len(key) > 512 || strings.ContainsAny(key, " \t\r\n") {
		return ProviderView{}, errors.New("catalog: that does not look like an API key (spaces or too long)")
	}
	if baseURL != "" && !strings.HasPrefix(baseURL, "https://") && !strings.HasPrefix(baseURL, "http://") {
		return ProviderView{}, errors.New("catalog: the base URL must start with https:// or http://")
	}
	p, err := f.New(key, baseURL)
	if err != nil {
		return ProviderView{}, scrub(err, key)
	}
	if c, ok := p.(keyChecker); ok {
		if err := c.CheckKey(ctx); err != nil {
			return ProviderView{}, scrub(err, key)
		}
	}
	if err := secrets.Set(ctx, keychain.ProviderAccount(id), key); err != nil {
		return ProviderView{}, err
	}
	if err := c.db.SetSetting(ctx, baseURLSetting(id), baseURL); err != nil {
		return ProviderView{}, err
	}
	c.setProviderError(id, nil)
	c.SetProvider(p)
	return ProviderView{ID: id, Name: f.Name, HasKey: true, KeyHint: hint(key), BaseURL: baseURL}, nil
}

// RemoveProviderKey deletes the provider's key from the keychain and its
// models from the picker.
func (c *Catalog) RemoveProviderKey(ctx context.Context, id string) error {
	_, secrets, err := c.factory(id)
	if err != nil {
		return err
	}
	if err := secrets.Delete(ctx, keychain.ProviderAccount(id)); err != nil {
		return err
	}
	c.RemoveProvider(id)
	c.setProviderError(id, nil)
	return nil
}

// scrub removes the key from an error message, whatever produced it.
func scrub(err error, key string) error {
	msg := err.Error()
	if key != "" && strings.Contains(msg, key) {
		return errors.New(strings.ReplaceAll(msg, key, "[key]"))
	}
	return err
}
