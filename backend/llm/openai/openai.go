// Package openai is the OpenAI provider: chat streaming, the model list and
// embeddings through the official openai-go SDK. BaseURL points it at any
// OpenAI-compatible server (a company gateway, a local server) instead.
// What is sent: the conversation, the sampling settings and the API key
// (as a bearer token), nothing else.
package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	sdk "github.com/openai/openai-go"
	"github.com/openai/openai-go/option"

	"sidecar/backend/llm"
)

// ID is the provider ID.
const ID = "openai"

const display = "OpenAI"

// Config configures the provider.
type Config struct {
	APIKey     string
	BaseURL    string // "" for https://api.openai.com/v1
	HTTPClient *http.Client
}

// Provider talks to OpenAI or a compatible server.
type Provider struct {
	cfg    Config
	client sdk.Client
}

var (
	_ llm.Provider = (*Provider)(nil)
	_ llm.Embedder = (*Provider)(nil)
)

// New returns a provider; it makes no request.
func New(cfg Config) (*Provider, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("openai: the API key is empty")
	}
	opts := []option.RequestOption{option.WithAPIKey(cfg.APIKey), option.WithMaxRetries(0)}
	if cfg.BaseURL != "" {
		opts = append(opts, option.WithBaseURL(strings.TrimSuffix(cfg.BaseURL, "/")+"/"))
	}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	return &Provider{cfg: cfg, client: sdk.NewClient(opts...)}, nil
}

// ID implements llm.Provider.
func (p *Provider) ID() string { return ID }

// chatModel reports whether an OpenAI model ID is a chat model.
func chatModel(id string) bool {
	for _, no := range []string{"embedding", "whisper", "tts", "dall-e", "davinci", "babbage", "moderation", "realtime", "audio", "transcribe", "search", "image", "instruct"} {
		if strings.Contains(id, no) {
			return false
		}
	}
	for _, yes := range []string{"gpt-", "o1", "o3", "o4", "chatgpt-"} {
		if strings.HasPrefix(id, yes) {
			return true
		}
	}
	return false
}

// Models implements llm.Provider. With a custom base URL every model the
// server lists is offered, since gateways name models freely.
func (p *Provider) Models(ctx context.Context) ([]llm.Model, error) {
	page, err := p.client.Models.List(ctx)
	if err != nil {
		return nil, p.wrap(ctx, err)
	}
	var out []llm.Model
	for _, m := range page.Data {
		if p.cfg.BaseURL == "" && !chatModel(m.ID) {
			continue
		}
		out = append(out, llm.Model{ID: m.ID, Name: m.ID, Provider: ID})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// CheckKey verifies the key with an authenticated request.
func (p *Provider) CheckKey(ctx context.Context) error {
	_, err := p.client.Models.List(ctx)
	return p.wrap(ctx, err)
}

// Stream implements llm.Provider: text only.
func (p *Provider) Stream(ctx context.Context, req llm.Request, onToken llm.TokenFunc) (llm.Usage, error) {
	req.Tools = nil
	return p.StreamEvents(ctx, req, func(ev llm.Event) error {
		if ev.Kind != llm.EventText {
			return nil
		}
		return onToken(ev.Text)
	})
}

// StreamEvents implements llm.EventStreamer: text, tool calls, and the
// reasoning_content that compatible servers stream.
func (p *Provider) StreamEvents(ctx context.Context, req llm.Request, on llm.EventFunc) (llm.Usage, error) {
	if err := llm.CheckRequest(req); err != nil {
		return llm.Usage{}, fmt.Errorf("openai: %w", err)
	}
	if llm.HasImages(req.Messages) && !Vision(req.Model) {
		return llm.Usage{}, fmt.Errorf("openai: %s: %w", req.Model, llm.ErrNoVision)
	}
	params, err := p.params(req)
	if err != nil {
		return llm.Usage{}, err
	}
	stream := p.client.Chat.Completions.NewStreaming(ctx, params)
	defer stream.Close()
	var u llm.Usage
	calls := callNumbers{}
	for stream.Next() {
		c := stream.Current()
		if c.Usage.TotalTokens > 0 {
			u = llm.Usage{PromptTokens: int(c.Usage.PromptTokens), CompletionTokens: int(c.Usage.CompletionTokens)}
		}
		for _, ch := range c.Choices {
			if err := deltaEvents(ch.Delta, calls, on); err != nil {
				return u, err
			}
		}
	}
	if err := stream.Err(); err != nil {
		return u, p.wrap(ctx, err)
	}
	return u, nil
}

// Embed implements llm.Embedder, in batches the API accepts.
func (p *Provider) Embed(ctx context.Context, model string, inputs []string) ([][]float32, error) {
	out := make([][]float32, 0, len(inputs))
	for start := 0; start < len(inputs); start += 256 {
		batch := inputs[start:min(start+256, len(inputs))]
		res, err := p.client.Embeddings.New(ctx, sdk.EmbeddingNewParams{
			Model: model,
			Input: sdk.EmbeddingNewParamsInputUnion{OfArrayOfStrings: batch},
		})
		if err != nil {
			return nil, p.wrap(ctx, err)
		}
		if len(res.Data) != len(batch) {
			return nil, &llm.ProviderError{Provider: display, Kind: llm.KindMalformed, Detail: fmt.Sprintf("%d embeddings for %d inputs", len(res.Data), len(batch))}
		}
		vecs := make([][]float32, len(batch))
		for _, d := range res.Data {
			if d.Index < 0 || int(d.Index) >= len(batch) {
				return nil, &llm.ProviderError{Provider: display, Kind: llm.KindMalformed, Detail: "embedding index out of range"}
			}
			v := make([]float32, len(d.Embedding))
			for i, x := range d.Embedding {
				v[i] = float32(x)
			}
			vecs[d.Index] = v
		}
		out = append(out, vecs...)
	}
	return out, nil
}

// wrap turns SDK errors into llm.ProviderError, keeping the key out.
func (p *Provider) wrap(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		var h http.Header
		if apiErr.Response != nil {
			h = apiErr.Response.Header
		}
		return llm.ClassifyHTTP(display, apiErr.StatusCode, h, apiErr.Message, p.cfg.APIKey)
	}
	return llm.ClassifyTransport(ctx, display, err, p.cfg.APIKey)
}
