package assistant

import (
	"context"
	"strings"
	"sync"
	"time"

	"sidecar/backend/gptj"
	"sidecar/backend/llm"
)

// GPTJ runs local GPT-J models in-process with backend/gptj.
type GPTJ struct{}

var _ LocalRuntime = GPTJ{}

// Inspect implements LocalRuntime.
func (GPTJ) Inspect(_ context.Context, path string) (LocalModelInfo, error) {
	info, err := gptj.Inspect(path)
	if err != nil {
		return LocalModelInfo{}, err
	}
	return LocalModelInfo{Format: info.Format + " gpt-j", WeightType: info.FileType, Params: info.Params, ContextMax: info.Config.NCtx, SizeBytes: info.Bytes}, nil
}

// Load implements LocalRuntime.
func (GPTJ) Load(ctx context.Context, path string, s LocalSettings, progress func(float64)) (LoadedModel, error) {
	wt, err := gptj.ParseWType(s.WeightType)
	if err != nil {
		return nil, err
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
	return &gptjModel{m: m}, nil
}

// gptjModel keeps one KV cache and reuses the part of it that the next
// prompt shares with the last (the whole earlier conversation, usually).
type gptjModel struct {
	mu      sync.Mutex
	m       *gptj.Model
	state   *gptj.State
	threads int
}

// prompt formats a conversation with the model's template: earlier turns
// as template blocks followed by the answers, then the new message.
func (g *gptjModel) prompt(s LocalSettings, msgs []llm.Message) string {
	tmpl := s.PromptTemplate
	if tmpl == "" {
		tmpl = g.m.Template
	}
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

// Stream implements LoadedModel.
func (g *gptjModel) Stream(ctx context.Context, s LocalSettings, msgs []llm.Message, onToken llm.TokenFunc) (llm.Usage, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	toks := g.m.Tokenizer.Encode(g.prompt(s, msgs))
	if g.state == nil || g.state.Cap() != min(s.ContextSize, g.m.Config.NCtx) || g.threads != s.Threads {
		if g.state != nil {
			g.state.Close()
		}
		g.state, g.threads = g.m.NewStateThreads(s.ContextSize, s.Threads), s.Threads
	}
	// Reuse the cached prefix.
	have := g.state.Tokens()
	common := 0
	for common < len(have) && common < len(toks)-1 && have[common] == toks[common] {
		common++
	}
	g.state.Truncate(common)
	tmpl := s.PromptTemplate
	if tmpl == "" {
		tmpl = g.m.Template
	}
	res, err := g.state.Generate(ctx, toks[common:], gptj.GenerateOptions{
		MaxTokens: s.MaxTokens,
		Stop:      stops(tmpl),
		Sampling:  gptj.Sampling{Temperature: s.Temperature, TopK: s.TopK, TopP: s.TopP, RepeatPenalty: s.RepeatPenalty, Seed: seed(s)},
	}, func(p string) error { return onToken(p) })
	if err != nil {
		g.state.Reset() // a cancelled or failed run leaves the cache out of step
	}
	return llm.Usage{PromptTokens: len(toks), CompletionTokens: res.CompletionTokens}, err
}

func seed(s LocalSettings) int64 {
	if s.Seed != nil {
		return *s.Seed
	}
	return time.Now().UnixNano()
}

// CountTokens implements LoadedModel.
func (g *gptjModel) CountTokens(s LocalSettings, msgs []llm.Message) (int, error) {
	return len(g.m.Tokenizer.Encode(g.prompt(s, msgs))), nil
}

// Close implements LoadedModel.
func (g *gptjModel) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state != nil {
		g.state.Close()
	}
	g.m, g.state = nil, nil
	return nil
}
