// Package gemini is the Google Gemini provider: chat streaming, the model
// list and embeddings through the official google.golang.org/genai SDK
// (Gemini API backend). BaseURL points it at a compatible endpoint
// instead. What is sent: the conversation (the system prompt as a system
// instruction), sampling settings and the API key (x-goog-api-key header).
package gemini

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"google.golang.org/genai"

	"sidecar/backend/llm"
)

// ID is the provider ID.
const ID = "gemini"

const display = "Gemini"

// Config configures the provider.
type Config struct {
	APIKey     string
	BaseURL    string // "" for https://generativelanguage.googleapis.com/
	HTTPClient *http.Client
}

// Provider talks to the Gemini API.
type Provider struct {
	cfg    Config
	client *genai.Client
}

var (
	_ llm.Provider = (*Provider)(nil)
	_ llm.Embedder = (*Provider)(nil)
)

// New returns a provider; it makes no request.
func New(cfg Config) (*Provider, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("gemini: the API key is empty")
	}
	cc := &genai.ClientConfig{APIKey: cfg.APIKey, Backend: genai.BackendGeminiAPI, HTTPClient: cfg.HTTPClient}
	if cfg.BaseURL != "" {
		cc.HTTPOptions.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/") + "/"
	}
	c, err := genai.NewClient(context.Background(), cc)
	if err != nil {
		return nil, fmt.Errorf("gemini: %w", err)
	}
	return &Provider{cfg: cfg, client: c}, nil
}

// ID implements llm.Provider.
func (p *Provider) ID() string { return ID }

// Models implements llm.Provider: the models that can generate content.
func (p *Provider) Models(ctx context.Context) ([]llm.Model, error) {
	var out []llm.Model
	for m, err := range p.client.Models.All(ctx) {
		if err != nil {
			return nil, p.wrap(ctx, err)
		}
		if !can(m.SupportedActions, "generateContent") {
			continue
		}
		id := strings.TrimPrefix(m.Name, "models/")
		name := m.DisplayName
		if name == "" {
			name = id
		}
		out = append(out, llm.Model{ID: id, Name: name, Provider: ID})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func can(actions []string, a string) bool {
	for _, x := range actions {
		if x == a {
			return true
		}
	}
	return false
}

// CheckKey verifies the key with an authenticated request.
func (p *Provider) CheckKey(ctx context.Context) error {
	_, err := p.client.Models.List(ctx, &genai.ListModelsConfig{PageSize: 1})
	return p.wrap(ctx, err)
}

// Stream implements llm.Provider: text only.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onToken llm.TokenFunc) (llm.Usage, error) {
	req.Tools, req.Think = nil, false
	return p.StreamEvents(ctx, req, func(ev llm.Event) error {
		if ev.Kind != llm.EventText {
			return nil
		}
		return onToken(ev.Text)
	})
}

// StreamEvents implements llm.EventStreamer: text, thought summaries and
// function calls (which Gemini sends whole, each as one event).
func (p *Provider) StreamEvents(ctx context.Context, req llm.Request, on llm.EventFunc) (llm.Usage, error) {
	if err := llm.CheckRequest(req); err != nil {
		return llm.Usage{}, fmt.Errorf("gemini: %w", err)
	}
	if llm.HasImages(req.Messages) && !Vision(req.Model) {
		return llm.Usage{}, fmt.Errorf("gemini: %s: %w", req.Model, llm.ErrNoVision)
	}
	cfg, contents, err := buildConfig(req)
	if err != nil {
		return llm.Usage{}, err
	}
	var u llm.Usage
	calls := 0
	for resp, err := range p.client.Models.GenerateContentStream(ctx, req.Model, contents, cfg) {
		if err != nil {
			return u, p.wrap(ctx, err)
		}
		if resp.UsageMetadata != nil {
			u = llm.Usage{PromptTokens: int(resp.UsageMetadata.PromptTokenCount), CompletionTokens: int(resp.UsageMetadata.CandidatesTokenCount)}
		}
		if err := partEvents(resp, &calls, on); err != nil {
			return u, err
		}
	}
	return u, ctx.Err()
}

// Embed implements llm.Embedder.
func (p *Provider) Embed(ctx context.Context, model string, inputs []string) ([][]float32, error) {
	out := make([][]float32, 0, len(inputs))
	for start := 0; start < len(inputs); start += 100 {
		batch := inputs[start:min(start+100, len(inputs))]
		contents := make([]*genai.Content, len(batch))
		for i, s := range batch {
			contents[i] = genai.NewContentFromText(s, genai.RoleUser)
		}
		res, err := p.client.Models.EmbedContent(ctx, model, contents, nil)
		if err != nil {
			return nil, p.wrap(ctx, err)
		}
		if len(res.Embeddings) != len(batch) {
			return nil, &llm.ProviderError{Provider: display, Kind: llm.KindMalformed, Detail: fmt.Sprintf("%d embeddings for %d inputs", len(res.Embeddings), len(batch))}
		}
		for _, e := range res.Embeddings {
			out = append(out, e.Values)
		}
	}
	return out, nil
}

// wrap turns SDK errors into llm.ProviderError, keeping the key out.
func (p *Provider) wrap(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var apiErr genai.APIError
	if errors.As(err, &apiErr) {
		e := llm.ClassifyHTTP(display, apiErr.Code, nil, apiErr.Message, p.cfg.APIKey)
		if apiErr.Code == 400 && strings.Contains(strings.ToLower(apiErr.Message), "api key") {
			e.Kind = llm.KindInvalidKey // Gemini answers a bad key with 400
		}
		for _, d := range apiErr.Details { // google.rpc.RetryInfo
			if delay, ok := d["retryDelay"].(string); ok {
				if dur, err := time.ParseDuration(delay); err == nil {
					// A retry delay means waiting helps: a rate limit,
					// even when the message speaks of quota.
					e.RetryAfter, e.Kind = dur, llm.KindRateLimited
				}
			}
		}
		return e
	}
	var apiErrPtr *genai.APIError
	if errors.As(err, &apiErrPtr) {
		return p.wrap(ctx, *apiErrPtr)
	}
	return llm.ClassifyTransport(ctx, display, err, p.cfg.APIKey)
}
