// Package anthropic is the Anthropic provider: Claude chat streaming and the
// model list through the official anthropic-sdk-go. BaseURL points it at a
// compatible gateway instead. What is sent: the conversation (the system
// prompt separately, as the Messages API wants), sampling settings and the
// API key (x-api-key header).
package anthropic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	sdk "github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"

	"sidecar/backend/llm"
)

// ID is the provider ID.
const ID = "anthropic"

const display = "Anthropic"

// DefaultMaxTokens is used when a request sets none: the Messages API
// requires a limit.
const DefaultMaxTokens = 4096

// Config configures the provider.
type Config struct {
	APIKey     string
	BaseURL    string // "" for https://api.anthropic.com
	HTTPClient *http.Client
}

// Provider talks to Anthropic.
type Provider struct {
	cfg    Config
	client sdk.Client
}

var _ llm.Provider = (*Provider)(nil)

// New returns a provider; it makes no request.
func New(cfg Config) (*Provider, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("anthropic: the API key is empty")
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

// Models implements llm.Provider.
func (p *Provider) Models(ctx context.Context) ([]llm.Model, error) {
	page, err := p.client.Models.List(ctx, sdk.ModelListParams{Limit: sdk.Int(100)})
	if err != nil {
		return nil, p.wrap(ctx, err)
	}
	out := []llm.Model{}
	for _, m := range page.Data {
		name := m.DisplayName
		if name == "" {
			name = m.ID
		}
		out = append(out, llm.Model{ID: m.ID, Name: name, Provider: ID})
	}
	return out, nil
}

// CheckKey verifies the key with an authenticated request.
func (p *Provider) CheckKey(ctx context.Context) error {
	_, err := p.client.Models.List(ctx, sdk.ModelListParams{Limit: sdk.Int(1)})
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

// StreamEvents implements llm.EventStreamer: text, thinking blocks and
// tool_use blocks.
func (p *Provider) StreamEvents(ctx context.Context, req llm.Request, on llm.EventFunc) (llm.Usage, error) {
	if err := llm.CheckRequest(req); err != nil {
		return llm.Usage{}, fmt.Errorf("anthropic: %w", err)
	}
	if llm.HasImages(req.Messages) && !Vision(req.Model) {
		return llm.Usage{}, fmt.Errorf("anthropic: %s: %w", req.Model, llm.ErrNoVision)
	}
	params, err := buildParams(req)
	if err != nil {
		return llm.Usage{}, err
	}
	stream := p.client.Messages.NewStreaming(ctx, params)
	defer stream.Close()
	var u llm.Usage
	calls := map[int64]int{} // content block index -> call number
	for stream.Next() {
		var err error
		switch ev := stream.Current().AsAny().(type) {
		case sdk.MessageStartEvent:
			u.PromptTokens = int(ev.Message.Usage.InputTokens)
		case sdk.MessageDeltaEvent:
			u.CompletionTokens = int(ev.Usage.OutputTokens)
		case sdk.ContentBlockStartEvent:
			if ev.ContentBlock.Type == "tool_use" {
				n := len(calls)
				calls[ev.Index] = n
				err = on(llm.Event{Kind: llm.EventToolCall, Index: n, Call: llm.ToolCall{ID: ev.ContentBlock.ID, Name: ev.ContentBlock.Name}})
			}
		case sdk.ContentBlockDeltaEvent:
			err = blockDelta(ev, calls, on)
		}
		if err != nil {
			return u, err
		}
	}
	if err := stream.Err(); err != nil {
		return u, p.wrap(ctx, err)
	}
	return u, nil
}

func blockDelta(ev sdk.ContentBlockDeltaEvent, calls map[int64]int, on llm.EventFunc) error {
	switch d := ev.Delta.AsAny().(type) {
	case sdk.TextDelta:
		if d.Text != "" {
			return on(llm.Event{Kind: llm.EventText, Text: d.Text})
		}
	case sdk.ThinkingDelta:
		if d.Thinking != "" {
			return on(llm.Event{Kind: llm.EventThinking, Text: d.Thinking})
		}
	case sdk.InputJSONDelta:
		if n, ok := calls[ev.Index]; ok && d.PartialJSON != "" {
			return on(llm.Event{Kind: llm.EventToolCall, Index: n, Call: llm.ToolCall{Arguments: d.PartialJSON}})
		}
	}
	return nil
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
		var body struct {
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		json.Unmarshal([]byte(apiErr.RawJSON()), &body)
		e := llm.ClassifyHTTP(display, apiErr.StatusCode, h, body.Error.Message, p.cfg.APIKey)
		if body.Error.Type == "overloaded_error" {
			e.Kind = llm.KindOutage
		}
		return e
	}
	// Errors the server sends inside the stream (event: error) arrive here
	// without a status.
	if msg := err.Error(); strings.Contains(msg, "overloaded") {
		return &llm.ProviderError{Provider: display, Kind: llm.KindOutage, Detail: "overloaded"}
	}
	return llm.ClassifyTransport(ctx, display, err, p.cfg.APIKey)
}
