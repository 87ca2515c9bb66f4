package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"sidecar/backend/download"
	"sidecar/backend/llm"
	"sidecar/backend/models"
)

// LocalProviderID is the provider ID of in-process models.
const LocalProviderID = "local"

// Events about models.
const (
	EventModelLoad     = "models:load"     // ModelLoadEvent
	EventModelDownload = "models:download" // DownloadEvent
	EventModelsChanged = "models:changed"  // nil: the list of models changed
)

// ModelLoadEvent reports loading progress.
type ModelLoadEvent struct {
	ID       string  `json:"id"`
	Fraction float64 `json:"fraction"`
	Done     bool    `json:"done"`
	Error    string  `json:"error"`
}

// DownloadEvent reports a download's progress.
type DownloadEvent struct {
	ID       string            `json:"id"` // the file name
	URL      string            `json:"url"`
	Progress download.Progress `json:"progress"`
	State    string            `json:"state"` // running, paused, failed, done, cancelled
	Error    string            `json:"error"`
}

// local is the provider of local models: it picks the runtime of each
// model in the registry and keeps one model loaded.
type local struct {
	cat      *Catalog
	runtimes []models.Runtime // the first one reads models stored without an engine
	dir      string           // models folder

	loadMu    sync.Mutex // held while a model loads; mu guards the fields
	mu        sync.Mutex
	loaded    models.Model
	loadedID  string
	loadedSet LocalSettings
	downloads map[string]context.CancelFunc
}

// EnableLocal makes local models available, run by the runtimes given
// (a model is kept with the first that reads it), with their files
// (downloads) in modelsDir.
func (c *Catalog) EnableLocal(modelsDir string, rts ...models.Runtime) {
	l := &local{cat: c, runtimes: rts, dir: modelsDir, downloads: map[string]context.CancelFunc{}}
	c.mu.Lock()
	c.local = l
	c.mu.Unlock()
	c.SetProvider(l)
}

func (c *Catalog) localModels() (*local, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.local == nil {
		return nil, errors.New("catalog: local models are not available in this build")
	}
	return c.local, nil
}

func (l *local) ID() string { return LocalProviderID }

func (l *local) Models(ctx context.Context) ([]llm.Model, error) {
	ms, err := l.records(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]llm.Model, len(ms))
	for i, m := range ms {
		out[i] = llm.Model{ID: m.ID, Name: m.Name, Provider: LocalProviderID, Local: true}
	}
	return out, nil
}

// ensure loads model id (releasing any other) unless it is loaded with
// compatible settings already.
func (l *local) ensure(ctx context.Context, id string) (models.Model, LocalSettings, error) {
	m, err := l.find(ctx, id)
	if err != nil {
		return nil, LocalSettings{}, err
	}
	l.loadMu.Lock()
	defer l.loadMu.Unlock()
	s := fitWeightType(m.Settings, l.weightTypes(m.Engine))
	l.mu.Lock()
	if l.loaded != nil && l.loadedID == id && l.loadedSet.WeightType == s.WeightType &&
		l.loadedSet.ContextSize == s.ContextSize && l.loadedSet.Threads == s.Threads {
		lm := l.loaded
		l.mu.Unlock()
		return lm, s, nil
	}
	if l.loaded != nil {
		l.loaded.Close()
		l.loaded, l.loadedID = nil, ""
	}
	l.mu.Unlock()
	emit := func(e ModelLoadEvent) { l.cat.emit(EventModelLoad, e) }
	emit(ModelLoadEvent{ID: id})
	rt, err := l.runtimeFor(m.Engine)
	if err != nil {
		return nil, s, err
	}
	lm, err := rt.Load(ctx, m.Path, models.LoadOptions{WeightType: s.WeightType, ContextSize: s.ContextSize, Threads: s.Threads,
		Progress: func(f float64) { emit(ModelLoadEvent{ID: id, Fraction: f}) }})
	if err != nil {
		emit(ModelLoadEvent{ID: id, Done: true, Error: err.Error()})
		return nil, s, fmt.Errorf("catalog: load %s: %w", m.Name, err)
	}
	l.mu.Lock()
	l.loaded, l.loadedID, l.loadedSet = lm, id, s
	l.mu.Unlock()
	emit(ModelLoadEvent{ID: id, Fraction: 1, Done: true})
	l.cat.log.Info("local model loaded", "model", id)
	return lm, s, nil
}

// unload releases the loaded model if it is id ("" for any).
func (l *local) unload(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded != nil && (id == "" || l.loadedID == id) {
		l.loaded.Close()
		l.loaded, l.loadedID = nil, ""
	}
}

// UnloadLocalModel releases the loaded model's memory.
func (c *Catalog) UnloadLocalModel() {
	if l, err := c.localModels(); err == nil {
		l.unload("")
	}
}

func (l *local) Stream(ctx context.Context, req llm.Request, onToken llm.TokenFunc) (llm.Usage, error) {
	lm, s, msgs, err := l.prepare(ctx, req)
	if err != nil {
		return llm.Usage{}, err
	}
	return lm.Stream(ctx, chatPrompt(s, msgs), sampling(s, req.Stop), onToken)
}

// prepare checks req, loads its model and applies its settings and req's
// options: the system prompt, the answer length and the sampling.
func (l *local) prepare(ctx context.Context, req llm.Request) (models.Model, LocalSettings, []llm.Message, error) {
	if err := llm.CheckRequest(req); err != nil {
		return nil, LocalSettings{}, nil, fmt.Errorf("catalog: %w", err)
	}
	if llm.HasImages(req.Messages) {
		return nil, LocalSettings{}, nil, fmt.Errorf("catalog: %s: %w", req.Model, llm.ErrNoVision)
	}
	lm, s, err := l.ensure(ctx, req.Model)
	if err != nil {
		return nil, s, nil, err
	}
	msgs := req.Messages
	if s.SystemPrompt != "" && (len(msgs) == 0 || msgs[0].Role != llm.RoleSystem) {
		msgs = append([]llm.Message{{Role: llm.RoleSystem, Content: s.SystemPrompt}}, msgs...)
	}
	if req.MaxTokens > 0 && req.MaxTokens < s.MaxTokens {
		s.MaxTokens = req.MaxTokens
	}
	if req.Temperature != nil {
		s.Temperature = *req.Temperature
	}
	if req.TopP != nil {
		s.TopP = *req.TopP
	}
	if req.TopK != nil {
		s.TopK = *req.TopK
	}
	s.Seed = req.Seed
	return lm, s, msgs, nil
}

// chatPrompt is msgs to render with the model's template (or the user's).
func chatPrompt(s LocalSettings, msgs []llm.Message) models.Prompt {
	return models.Prompt{Messages: msgs, AddGenerationPrompt: true, Template: s.PromptTemplate}
}

// sampling turns a model's settings into the runtime's sampling options.
func sampling(s LocalSettings, stop []string) models.Sampling {
	seed := time.Now().UnixNano()
	if s.Seed != nil {
		seed = *s.Seed
	}
	return models.Sampling{Temperature: s.Temperature, TopP: s.TopP, TopK: s.TopK, RepeatPenalty: s.RepeatPenalty,
		MaxTokens: s.MaxTokens, Seed: seed, Stop: stop}
}

// runtimeFor returns the runtime named engine ("" is the first one).
func (l *local) runtimeFor(engine string) (models.Runtime, error) {
	for _, rt := range l.runtimes {
		if engine == "" || rt.Engine() == engine {
			return rt, nil
		}
	}
	return nil, fmt.Errorf("catalog: no runtime %q in this build", engine)
}

// inspect asks each runtime in turn to read path; the first that accepts
// it runs the model. A runtime's own error is kept over ErrNotMine.
func (l *local) inspect(ctx context.Context, path string) (string, LocalModelInfo, error) {
	var first error
	for _, rt := range l.runtimes {
		info, err := rt.Inspect(ctx, path)
		if err == nil {
			return rt.Engine(), info, nil
		}
		if first == nil || (errors.Is(first, models.ErrNotMine) && !errors.Is(err, models.ErrNotMine)) {
			first = err
		}
	}
	if first == nil {
		first = errors.New("catalog: no local runtime in this build")
	}
	return "", LocalModelInfo{}, first
}

// SystemPrompt is the model's configured system prompt ("" if none).
func (l *local) SystemPrompt(ctx context.Context, model string) string {
	m, err := l.find(ctx, model)
	if err != nil {
		return ""
	}
	return m.Settings.SystemPrompt
}

// ContextWindow implements llm.Windowed.
func (l *local) ContextWindow(model string) (int, int) {
	m, err := l.find(context.Background(), model)
	if err != nil {
		return 1 << 30, 0
	}
	return m.Settings.ContextSize, m.Settings.MaxTokens
}

// CountTokens implements llm.Windowed; it loads the model if needed.
func (l *local) CountTokens(model string, msgs []llm.Message) (int, error) {
	count, err := l.PrepareCount(model)
	if err != nil {
		return 0, err
	}
	return count(msgs)
}

// PrepareCount implements llm.CountPreparer: the model (loaded if needed)
// and its settings are looked up once for every count of a fitting.
func (l *local) PrepareCount(model string) (func([]llm.Message) (int, error), error) {
	lm, s, err := l.ensure(context.Background(), model)
	if err != nil {
		return nil, err
	}
	return func(msgs []llm.Message) (int, error) {
		if s.SystemPrompt != "" && (len(msgs) == 0 || msgs[0].Role != llm.RoleSystem) {
			msgs = append([]llm.Message{{Role: llm.RoleSystem, Content: s.SystemPrompt}}, msgs...)
		}
		return lm.CountTokens(chatPrompt(s, msgs))
	}, nil
}
