// Package catalog is Sidecar's one catalogue of what can generate and what
// can embed: the built-in echo, cloud providers made from the user's keys,
// local models in the registry (with their settings, downloads and the one
// model kept loaded), and the embedding models documents can use (built-in
// lexical, local BERT-family folders, cloud models). It decides the
// defaults and turns a model ID into the provider or embedder that serves
// it; chats (backend/assistant), the local API, the command line and the
// Documents screen all ask it.
package catalog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"

	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// DefaultModel is used by chats that have not chosen a model.
const DefaultModel = llm.EchoProviderID + "/" + llm.EchoModelID

// ErrNoProvider is returned for a model whose provider is not available
// (unknown, or a cloud provider without a key).
var ErrNoProvider = errors.New("catalog: no such model provider")

// Events delivers events to the UI. Implementations must not block for long.
type Events interface {
	Emit(name string, data any)
}

// ModelView is one model the user can pick.
type ModelView struct {
	ID       string `json:"id"` // "provider/model"
	Name     string `json:"name"`
	Provider string `json:"provider"`
	Local    bool   `json:"local"`
	Vision   bool   `json:"vision"` // takes images
}

// Catalog holds the providers of one open profile. Its settings (local
// model registry, base URLs, pending downloads) live in the profile's
// store; API keys in the OS keychain.
type Catalog struct {
	db     *store.DB
	events Events
	log    *slog.Logger

	mu           sync.Mutex
	providers    map[string]llm.Provider
	secrets      Secrets
	factories    []CloudFactory
	providerErrs map[string]string
	local        *local
	dataDir      string     // where local embedding models are ("" for none)
	dlMu         sync.Mutex // serialises updates of the pending-download list
	dlCheck      DownloadCheck
	wg           sync.WaitGroup
}

// New returns a Catalog over db offering providers (the built-in ones;
// EnableCloud and EnableLocal add the others).
func New(db *store.DB, events Events, log *slog.Logger, providers ...llm.Provider) *Catalog {
	if log == nil {
		log = slog.Default()
	}
	c := &Catalog{db: db, events: events, log: log, providers: map[string]llm.Provider{}}
	for _, p := range providers {
		c.providers[p.ID()] = p
	}
	return c
}

// Close stops the downloads (what arrived is kept, so they resume),
// waits for them and releases the loaded local model.
func (c *Catalog) Close() {
	c.mu.Lock()
	l := c.local
	c.mu.Unlock()
	if l != nil {
		l.mu.Lock()
		for _, cancel := range l.downloads {
			cancel()
		}
		l.mu.Unlock()
	}
	c.wg.Wait()
	c.UnloadLocalModel()
}

// SetProvider adds p, replacing any provider with the same ID, and tells
// the UI that the model list changed.
func (c *Catalog) SetProvider(p llm.Provider) {
	c.mu.Lock()
	c.providers[p.ID()] = p
	c.mu.Unlock()
	c.modelsChanged()
}

// RemoveProvider removes the provider with id, if any.
func (c *Catalog) RemoveProvider(id string) {
	c.mu.Lock()
	delete(c.providers, id)
	c.mu.Unlock()
	c.modelsChanged()
}

func (c *Catalog) modelsChanged() { c.emit(EventModelsChanged, nil) }

func (c *Catalog) emit(name string, data any) {
	if c.events != nil {
		c.events.Emit(name, data)
	}
}

func (c *Catalog) providerList() []llm.Provider {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]llm.Provider, 0, len(c.providers))
	for _, p := range c.providers {
		out = append(out, p)
	}
	return out
}

// Models lists the models of every provider, sorted by provider then name.
// A provider that fails to answer is logged and skipped.
func (c *Catalog) Models(ctx context.Context) ([]ModelView, error) {
	var out []ModelView
	for _, p := range c.providerList() {
		ms, err := p.Models(ctx)
		if err != nil {
			c.log.Warn("list models failed", "provider", p.ID(), "err", err)
			continue
		}
		for _, m := range ms {
			out = append(out, ModelView{ID: p.ID() + "/" + m.ID, Name: m.Name, Provider: p.ID(), Local: m.Local,
				Vision: llm.CapabilitiesOf(p, m.ID).Vision})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Provider != out[j].Provider {
			return out[i].Provider < out[j].Provider
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Provider returns the provider of model ("provider/model"; "" is
// DefaultModel) and the model's ID within it.
func (c *Catalog) Provider(model string) (llm.Provider, string, error) {
	if model == "" {
		model = DefaultModel
	}
	pid, mid, _ := strings.Cut(model, "/")
	c.mu.Lock()
	p, ok := c.providers[pid]
	c.mu.Unlock()
	if !ok {
		return nil, "", fmt.Errorf("%w %q", ErrNoProvider, pid)
	}
	return p, mid, nil
}

// Capabilities says what model ("provider/model") can do.
func (c *Catalog) Capabilities(model string) (llm.Capabilities, error) {
	p, modelID, err := c.Provider(model)
	if err != nil {
		return llm.Capabilities{}, err
	}
	return llm.CapabilitiesOf(p, modelID), nil
}

// CountTokens counts the tokens of the prompt req becomes for model
// ("provider/model"); exact is false when the provider cannot count
// (the caller estimates).
func (c *Catalog) CountTokens(ctx context.Context, model string, req llm.Request) (n int, exact bool, err error) {
	p, modelID, err := c.Provider(model)
	if err != nil {
		return 0, false, err
	}
	rc, ok := p.(llm.RequestCounter)
	if !ok {
		return 0, false, nil
	}
	req.Model = modelID
	n, err = rc.CountRequest(ctx, req)
	return n, err == nil, err
}
