package ggufrt

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"sidecar/backend/chattmpl"
	"sidecar/backend/llama"
	"sidecar/backend/llm"
	"sidecar/backend/models"
	"sidecar/backend/sample"
	"sidecar/backend/tokenizer"
)

// model keeps one KV cache and reuses the part of it that the next prompt
// shares with the last (the whole earlier conversation, usually).
type model struct {
	mu      sync.Mutex
	m       *llama.Model
	info    models.Info
	tok     *tokenizer.Tokenizer
	tmpl    *chattmpl.Template
	state   *llama.State
	markers map[int]string // control tokens passed on as text to StreamEvents
	script  func(prompt string) string
	ctxSize int
	threads int
}

var (
	_ models.Model    = (*model)(nil)
	_ models.Infiller = (*model)(nil)
)

func (g *model) Info() models.Info { return g.info }

// Render implements models.Model with the file's Jinja template (or the
// prompt's own).
func (g *model) Render(p models.Prompt) (string, error) {
	return g.render(context.Background(), p)
}

// render is Render stopped when ctx is done (a template's render is
// bounded, but may take seconds before it reaches a limit).
func (g *model) render(ctx context.Context, p models.Prompt) (string, error) {
	tmpl := g.tmpl
	if p.Template != "" {
		t, err := chattmpl.Parse(p.Template)
		if err != nil {
			return "", err
		}
		tmpl = t
	}
	if len(p.Tools) > 0 && !g.info.Capabilities.ToolCalls {
		return "", fmt.Errorf("ggufrt: %w", models.ErrNoTools)
	}
	in := chattmpl.Input{AddGenerationPrompt: p.AddGenerationPrompt, BOS: g.special(g.tok.BOS()), EOS: g.special(g.tok.EOS())}
	if g.tmpl.Capabilities().Thinking {
		in.EnableThinking = &p.Think
	}
	for _, m := range p.Messages {
		in.Messages = append(in.Messages, message(m))
	}
	for _, t := range p.Tools {
		params := t.Parameters
		if len(params) == 0 {
			params = json.RawMessage(`{"type":"object","properties":{}}`)
		}
		b, err := json.Marshal(map[string]any{"type": "function", "function": map[string]any{
			"name": t.Name, "description": t.Description, "parameters": params}})
		if err != nil {
			return "", fmt.Errorf("ggufrt: tool %s: %w", t.Name, err)
		}
		in.Tools = append(in.Tools, b)
	}
	return tmpl.RenderContext(ctx, in)
}

func message(m llm.Message) chattmpl.Message {
	out := chattmpl.Message{Role: string(m.Role), Content: m.Content, Reasoning: m.Thinking, ToolCallID: m.ToolCallID, Name: m.ToolName}
	for _, c := range m.ToolCalls {
		out.ToolCalls = append(out.ToolCalls, chattmpl.ToolCall{ID: c.ID, Name: c.Name, Arguments: c.Arguments})
	}
	return out
}

func (g *model) special(id tokenizer.Token) string {
	if id == tokenizer.None {
		return ""
	}
	return g.tok.Text(id)
}

// encode tokenizes rendered text, parsing special-token text, adding BOS
// as the file says unless the template already wrote it.
func (g *model) encode(text string) ([]int, error) {
	add := !(g.tok.AddBOS() && strings.HasPrefix(text, g.special(g.tok.BOS())))
	ids, err := g.tok.Encode(text, add, true)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = int(id)
	}
	return out, nil
}

// CountTokens implements models.Model.
func (g *model) CountTokens(p models.Prompt) (int, error) {
	text, err := g.Render(p)
	if err != nil {
		return 0, err
	}
	ids, err := g.encode(text)
	return len(ids), err
}

// StopTokens implements models.Model: the texts of the end-of-generation
// tokens.
func (g *model) StopTokens() []string {
	var out []string
	for _, id := range g.tok.EOG() {
		out = append(out, g.tok.Text(id))
	}
	return out
}

// Stream implements models.Model.
func (g *model) Stream(ctx context.Context, p models.Prompt, s models.Sampling, onToken llm.TokenFunc) (llm.Usage, error) {
	p.AddGenerationPrompt = true
	text, err := g.render(ctx, p)
	if err != nil {
		return llm.Usage{}, err
	}
	return g.generate(ctx, text, s, false, onToken)
}

// Complete continues text as it is (no template; special-token text is
// parsed, BOS added as the file says): raw completions.
func (g *model) Complete(ctx context.Context, text string, s models.Sampling, onToken llm.TokenFunc) (llm.Usage, error) {
	return g.generate(ctx, text, s, false, onToken)
}

// generate evaluates text (rendered already) and streams the answer;
// with markers, the control tokens of tool calls come out as their text.
func (g *model) generate(ctx context.Context, text string, s models.Sampling, markers bool, onToken llm.TokenFunc) (llm.Usage, error) {
	ids, err := g.encode(text)
	if err != nil {
		return llm.Usage{}, err
	}
	return g.generateIDs(ctx, ids, s, markers, onToken)
}

// generateIDs evaluates a prompt of token ids and streams the answer.
func (g *model) generateIDs(ctx context.Context, ids []int, s models.Sampling, markers bool, onToken llm.TokenFunc) (llm.Usage, error) {
	var err error
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.m == nil {
		return llm.Usage{}, ErrClosed
	}
	if g.state == nil {
		if g.state, err = g.m.NewState(g.ctxSize, g.threads); err != nil {
			return llm.Usage{}, err
		}
	}
	if len(ids) >= g.ctxSize {
		return llm.Usage{}, fmt.Errorf("ggufrt: the prompt is %d tokens, the context %d: %w (%w)", len(ids), g.ctxSize, llama.ErrContextFull, llm.ErrContextTooLong)
	}
	have := g.state.Tokens()
	common := 0
	for common < len(have) && common < len(ids)-1 && have[common] == ids[common] {
		common++
	}
	g.state.Truncate(common)
	var stop []int
	for _, id := range g.tok.EOG() {
		stop = append(stop, int(id))
	}
	out := newStopper(s.Stop, onToken)
	dec := g.tok.NewDecoder()
	o := llama.GenerateOptions{
		MaxTokens: s.MaxTokens, Stop: stop,
		Sampling: sample.Sampling{Temperature: s.Temperature, TopK: s.TopK, TopP: s.TopP, RepeatPenalty: s.RepeatPenalty, Seed: s.Seed},
	}
	each := func(id int) error { return out.write(g.piece(dec, id, markers)) }
	var res llama.Result
	if g.script != nil {
		res, err = g.scripted(ctx, ids, common, o, each)
	} else {
		res, err = g.state.Generate(ctx, ids[common:], o, each)
	}
	if err == nil {
		err = out.write(dec.Flush())
		if err == nil {
			err = out.flush()
		}
	}
	if err != nil {
		g.state.Reset() // a cancelled or failed run leaves the cache out of step
	}
	return llm.Usage{PromptTokens: len(ids), CompletionTokens: res.CompletionTokens}, err
}

// Close implements models.Model.
func (g *model) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.state != nil {
		g.state.Close()
	}
	var err error
	if g.m != nil {
		err = g.m.Close()
	}
	g.m, g.state = nil, nil
	return err
}
