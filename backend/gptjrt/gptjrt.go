// Package gptjrt adapts the in-process GPT-J engine (backend/gptj) to the
// local-runtime interface of backend/models: inspect, load with progress
// and cancellation, the prompt template, token counting and stop texts.
package gptjrt

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"sidecar/backend/gptj"
	"sidecar/backend/llm"
	"sidecar/backend/models"
)

// Engine is the name stored with GPT-J models.
const Engine = "gptj"

// Runtime runs GPT-J models (legacy ggml files and Hugging Face folders).
type Runtime struct{}

var (
	_ models.Runtime   = Runtime{}
	_ models.Converter = Runtime{}
)

// WeightTypes implements models.Converter: GPT-J weights are kept in
// memory in one of these, whatever the file stores.
func (Runtime) WeightTypes() []string { return []string{"f32", "f16", "q8_0", "q4_0"} }

// Engine implements models.Runtime.
func (Runtime) Engine() string { return Engine }

// Inspect implements models.Runtime.
func (Runtime) Inspect(_ context.Context, path string) (models.Info, error) {
	info, err := gptj.Inspect(path)
	if err != nil {
		return models.Info{}, err
	}
	return modelsInfo(info), nil
}

func modelsInfo(info gptj.Info) models.Info {
	return models.Info{Format: info.Format + " gpt-j", Architecture: Engine, WeightType: info.FileType, Params: info.Params,
		ContextMax: info.Config.NCtx, SizeBytes: info.Bytes}
}

// Load implements models.Runtime. The GPT-J loader does not take a
// context: cancellation is checked on every progress report and at the end.
// The file is loaded once (what it is comes from the loaded model): an
// inspection first would hold a second copy of the weights until the
// garbage collector let it go.
func (r Runtime) Load(ctx context.Context, path string, o models.LoadOptions) (models.Model, error) {
	wt, err := gptj.ParseWType(o.WeightType)
	if err != nil {
		return nil, err
	}
	progress := o.Progress
	if progress == nil {
		progress = func(float64) {}
	}
	last := 0.0
	m, err := gptj.Load(path, gptj.Options{WType: wt, Progress: func(f float64) {
		if f-last >= 0.01 || f == 1 { // about a hundred events at most
			last = f
			progress(f)
		}
	}})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	progress(1)
	return &model{m: m, info: modelsInfo(gptj.Describe(path, m)), ctxSize: o.ContextSize, threads: o.Threads}, nil
}

// model keeps one KV cache and reuses the part of it that the next prompt
// shares with the last (the whole earlier conversation, usually).
type model struct {
	mu      sync.Mutex
	m       *gptj.Model
	info    models.Info
	state   *gptj.State
	ctxSize int
	threads int
}

func (g *model) Info() models.Info { return g.info }

func (g *model) template(p models.Prompt) string {
	if p.Template != "" {
		return p.Template
	}
	return g.m.Template
}

// Render implements models.Model: earlier turns as template blocks
// followed by the answers, then the new message. GPT-J has no tool or
// thinking markup, so tools in p are refused.
func (g *model) Render(p models.Prompt) (string, error) {
	if len(p.Tools) > 0 {
		return "", fmt.Errorf("gptjrt: %w", models.ErrNoTools)
	}
	return render(g.template(p), p.Messages), nil
}

func render(tmpl string, msgs []llm.Message) string {
	var system []string
	var turns []llm.Message
	for _, m := range msgs {
		if m.Role == llm.RoleSystem {
			system = append(system, m.Content)
		} else {
			turns = append(turns, m)
		}
	}
	sys := strings.Join(system, "\n\n")
	var history strings.Builder
	last := ""
	for i, m := range turns {
		if i == len(turns)-1 && m.Role == llm.RoleUser {
			last = m.Content
			break
		}
		if m.Role == llm.RoleUser {
			history.WriteString(gptj.FormatPrompt(strings.ReplaceAll(tmpl, "{history}", ""), "", m.Content))
		} else {
			history.WriteString(m.Content + "\n")
		}
	}
	if strings.Contains(tmpl, "{history}") {
		return gptj.FormatPrompt(strings.ReplaceAll(tmpl, "{history}", history.String()), sys, last)
	}
	head := ""
	if sys != "" && !strings.Contains(tmpl, "{system}") {
		head = sys + "\n\n"
	}
	return head + history.String() + gptj.FormatPrompt(tmpl, sys, last)
}

// StopTokens implements models.Model: the text that opens the user's
// next turn in the default template (GPT-J's end-of-text token ends a
// generation inside the engine).
func (g *model) StopTokens() []string { return stops(g.m.Template) }

// stops keeps the model from writing the user's next turn.
func stops(tmpl string) []string {
	if tmpl == "" {
		tmpl = gptj.DefaultTemplate
	}
	before, _, _ := strings.Cut(tmpl, "{prompt}")
	before = strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(before, "{system}", ""), "{history}", ""))
	if before == "" {
		return nil
	}
	return []string{before}
}

// Stream implements models.Model.
func (g *model) Stream(ctx context.Context, p models.Prompt, s models.Sampling, onToken llm.TokenFunc) (llm.Usage, error) {
	text, err := g.Render(p)
	if err != nil {
		return llm.Usage{}, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	toks := g.m.Tokenizer.Encode(text)
	if len(toks) >= g.ctxSize {
		return llm.Usage{}, fmt.Errorf("gptjrt: the prompt is %d tokens, the context %d: %w (%w)", len(toks), g.ctxSize, gptj.ErrContextFull, llm.ErrContextTooLong)
	}
	if g.state == nil {
		g.state = g.m.NewStateThreads(g.ctxSize, g.threads)
	}
	// Reuse the cached prefix.
	have := g.state.Tokens()
	common := 0
	for common < len(have) && common < len(toks)-1 && have[common] == toks[common] {
		common++
	}
	g.state.Truncate(common)
	res, err := g.state.Generate(ctx, toks[common:], gptj.GenerateOptions{
		MaxTokens: s.MaxTokens,
		Stop:      append(stops(g.template(p)), s.Stop...),
		Sampling:  gptj.Sampling{Temperature: s.Temperature, TopK: s.TopK, TopP: s.TopP, RepeatPenalty: s.RepeatPenalty, Seed: s.Seed},
	}, func(piece string) error { return onToken(piece) })
	if err != nil {
		g.state.Reset() // a cancelled or failed run leaves the cache out of step
	}
	return llm.Usage{PromptTokens: len(toks), CompletionTokens: res.CompletionTokens}, err
}

// CountTokens implements models.Model.
func (g *model) CountTokens(p models.Prompt) (int, error) {
	text, err := g.Render(p)
	if err != nil {
		return 0, err
	}
	return len(g.m.Tokenizer.Encode(text)), nil
}

// Close implements models.Model.
func (g *model) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state != nil {
		g.state.Close()
	}
	g.m, g.state = nil, nil
	return nil
}
