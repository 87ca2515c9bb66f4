// Package modelstest is a local runtime for tests of what uses local
// models (the catalogue, chats): it "loads" small text files that start
// with MODEL and answers with the file's second line, and it records the
// loads and closes so tests can check what was kept in memory.
package modelstest

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sidecar/backend/llm"
	"sidecar/backend/models"
)

// WordRuntime reads files written by WriteModel.
type WordRuntime struct {
	mu     sync.Mutex
	loads  []string
	closes int
}

// Loads lists the loads so far as "file name:weight type".
func (r *WordRuntime) Loads() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.loads...)
}

// Closes counts the models closed so far.
func (r *WordRuntime) Closes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.closes
}

type wordModel struct {
	rt    *WordRuntime
	reply string
}

// Engine implements models.Runtime.
func (r *WordRuntime) Engine() string { return "word" }

// WeightTypes makes it a models.Converter, as GPT-J's runtime is.
func (r *WordRuntime) WeightTypes() []string { return []string{"f16", "q8_0", "q4_0"} }

// Inspect implements models.Runtime.
func (r *WordRuntime) Inspect(_ context.Context, path string) (models.Info, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return models.Info{}, err
	}
	if !bytes.HasPrefix(b, []byte("MODEL\n")) {
		return models.Info{}, errors.New("not a model file")
	}
	return models.Info{Format: "test", WeightType: "f16", ContextMax: 512, SizeBytes: int64(len(b))}, nil
}

// Load implements models.Runtime.
func (r *WordRuntime) Load(_ context.Context, path string, o models.LoadOptions) (models.Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if o.Progress != nil {
		o.Progress(0.5)
	}
	r.mu.Lock()
	r.loads = append(r.loads, filepath.Base(path)+":"+o.WeightType)
	r.mu.Unlock()
	return &wordModel{rt: r, reply: strings.SplitN(string(b), "\n", 3)[1]}, nil
}

func (m *wordModel) Info() models.Info    { return models.Info{Format: "test"} }
func (m *wordModel) StopTokens() []string { return nil }
func (m *wordModel) Render(p models.Prompt) (string, error) {
	var b strings.Builder
	for _, x := range p.Messages {
		b.WriteString(x.Content + "\n")
	}
	return b.String(), nil
}

// Stream answers with the file's reply, followed by " [system prompt]"
// when the first message is one.
func (m *wordModel) Stream(ctx context.Context, p models.Prompt, _ models.Sampling, on llm.TokenFunc) (llm.Usage, error) {
	msgs := p.Messages
	reply := m.reply
	if msgs[0].Role == llm.RoleSystem {
		reply += " [" + msgs[0].Content + "]"
	}
	for _, w := range llm.SplitWords(reply) {
		if err := on(w); err != nil {
			return llm.Usage{}, err
		}
	}
	return llm.Usage{CompletionTokens: len(llm.SplitWords(reply))}, nil
}

func (m *wordModel) CountTokens(p models.Prompt) (int, error) {
	n := 0
	for _, x := range p.Messages {
		n += len(strings.Fields(x.Content))
	}
	return n, nil
}

func (m *wordModel) Close() error {
	m.rt.mu.Lock()
	m.rt.closes++
	m.rt.mu.Unlock()
	return nil
}

// WriteModel writes a model file WordRuntime reads, answering reply.
func WriteModel(t testing.TB, dir, name, reply string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("MODEL\n"+reply+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
