package assistant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"sidecar/backend/download"
	"sidecar/backend/llm"
	"sidecar/backend/models"
)

// LocalProviderID is the provider ID of in-process models.
const LocalProviderID = "local"

// Events about local models.
const (
	EventModelLoad     = "models:load"     // ModelLoadEvent
	EventModelDownload = "models:download" // DownloadEvent
	EventModelsChanged = "models:changed"  // nil: the list of local models changed
)

// LocalSettings are a local model's per-model settings.
type LocalSettings struct {
	WeightType     string  `json:"weightType"` // "f16", "q8_0" or "q4_0"; "" as stored (runtimes that do not convert)
	Threads        int     `json:"threads"`
	ContextSize    int     `json:"contextSize"`
	Temperature    float64 `json:"temperature"`
	TopP           float64 `json:"topP"`
	TopK           int     `json:"topK"`
	RepeatPenalty  float64 `json:"repeatPenalty"`
	MaxTokens      int     `json:"maxTokens"`
	PromptTemplate string  `json:"promptTemplate"` // with {system}, {history} and {prompt}; "" for the model's default
	SystemPrompt   string  `json:"systemPrompt"`
	Seed           *int64  `json:"-"` // per request; nil: a fresh one each time
}

// DefaultLocalSettings are used for a newly added model.
func DefaultLocalSettings() LocalSettings {
	return LocalSettings{WeightType: "q8_0", Threads: 2, ContextSize: 2048, Temperature: 0.7, TopP: 0.95, TopK: 40,
		RepeatPenalty: 1.1, MaxTokens: 512}
}

// Validate checks the settings' ranges.
func (s LocalSettings) Validate() error {
	switch {
	case s.WeightType != "" && s.WeightType != "f16" && s.WeightType != "q8_0" && s.WeightType != "q4_0" && s.WeightType != "f32":
		return fmt.Errorf("weight type %q: want f16, q8_0 or q4_0", s.WeightType)
	case s.Threads < 1 || s.Threads > 256:
		return fmt.Errorf("threads %d: want 1 to 256", s.Threads)
	case s.ContextSize < 64 || s.ContextSize > 32768:
		return fmt.Errorf("context size %d: want 64 to 32768", s.ContextSize)
	case s.Temperature < 0 || s.Temperature > 5:
		return fmt.Errorf("temperature %g: want 0 to 5", s.Temperature)
	case s.TopP <= 0 || s.TopP > 1:
		return fmt.Errorf("top-p %g: want more than 0, at most 1", s.TopP)
	case s.TopK < 0 || s.TopK > 100000:
		return fmt.Errorf("top-k %d: want 0 (off) or more", s.TopK)
	case s.RepeatPenalty < 1 || s.RepeatPenalty > 5:
		return fmt.Errorf("repetition penalty %g: want 1 (off) to 5", s.RepeatPenalty)
	case s.MaxTokens < 1 || s.MaxTokens >= s.ContextSize:
		return fmt.Errorf("max tokens %d: want 1 to less than the context size", s.MaxTokens)
	case len(s.PromptTemplate) > 8192 || len(s.SystemPrompt) > 32768:
		return errors.New("prompt template or system prompt too long")
	}
	return nil
}

// LocalModelInfo describes a model file as its runtime sees it.
type LocalModelInfo = models.Info

// LocalModelView is a local model for the Models screen.
type LocalModelView struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Path     string         `json:"path"`
	Engine   string         `json:"engine"` // the runtime that reads it ("" is GPT-J, from before there were others)
	Info     LocalModelInfo `json:"info"`
	Settings LocalSettings  `json:"settings"`
	AddedAt  int64          `json:"addedAt"`
	Loaded   bool           `json:"loaded"`
	Managed  bool           `json:"managed"` // the file is in Sidecar's models folder (removed with the model)
	// WeightTypes are the types its runtime can keep the weights in
	// (Settings.WeightType); none: they are used as stored.
	WeightTypes []string `json:"weightTypes"`
}

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

const settingLocalModels = "models.local"

// local manages local models: the registry, one loaded model, downloads.
type local struct {
	svc      *Service
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
func (s *Service) EnableLocal(modelsDir string, rts ...models.Runtime) {
	l := &local{svc: s, runtimes: rts, dir: modelsDir, downloads: map[string]context.CancelFunc{}}
	s.mu.Lock()
	s.local = l
	s.mu.Unlock()
	s.SetProvider(l)
}

func (s *Service) localModels() (*local, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.local == nil {
		return nil, errors.New("assistant: local models are not available in this build")
	}
	return s.local, nil
}

func (l *local) ID() string { return LocalProviderID }

func (l *local) list(ctx context.Context) ([]LocalModelView, error) {
	raw, err := l.svc.db.Setting(ctx, settingLocalModels, "[]")
	if err != nil {
		return nil, err
	}
	var ms []LocalModelView
	if err := json.Unmarshal([]byte(raw), &ms); err != nil {
		return nil, fmt.Errorf("assistant: local model list is damaged: %w", err)
	}
	l.mu.Lock()
	for i := range ms {
		ms[i].Loaded = ms[i].ID == l.loadedID && l.loaded != nil
		ms[i].WeightTypes = l.weightTypes(ms[i].Engine)
	}
	l.mu.Unlock()
	return ms, nil
}

// weightTypes are the types the runtime named engine can keep weights in;
// nil when it uses them as stored.
func (l *local) weightTypes(engine string) []string {
	rt, err := l.runtimeFor(engine)
	if err != nil {
		return nil
	}
	if c, ok := rt.(models.Converter); ok {
		return c.WeightTypes()
	}
	return nil
}

// fitWeightType keeps s.WeightType only where the model's runtime
// converts weights: other runtimes are given "" (as stored).
func fitWeightType(s LocalSettings, types []string) LocalSettings {
	if len(types) == 0 {
		s.WeightType = ""
	}
	return s
}

func (l *local) save(ctx context.Context, ms []LocalModelView) error {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	b, err := json.Marshal(ms)
	if err != nil {
		return err
	}
	if err := l.svc.db.SetSetting(ctx, settingLocalModels, string(b)); err != nil {
		return err
	}
	if l.svc.events != nil {
		l.svc.events.Emit(EventModelsChanged, nil)
	}
	return nil
}

func (l *local) Models(ctx context.Context) ([]llm.Model, error) {
	ms, err := l.list(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]llm.Model, len(ms))
	for i, m := range ms {
		out[i] = llm.Model{ID: m.ID, Name: m.Name, Provider: LocalProviderID, Local: true}
	}
	return out, nil
}

func (l *local) find(ctx context.Context, id string) (LocalModelView, error) {
	ms, err := l.list(ctx)
	if err != nil {
		return LocalModelView{}, err
	}
	for _, m := range ms {
		if m.ID == id {
			return m, nil
		}
	}
	return LocalModelView{}, fmt.Errorf("assistant: %w %q", llm.ErrUnknownModel, id)
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
	s := fitWeightType(m.Settings, m.WeightTypes)
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
	emit := func(e ModelLoadEvent) {
		if l.svc.events != nil {
			l.svc.events.Emit(EventModelLoad, e)
		}
	}
	emit(ModelLoadEvent{ID: id})
	rt, err := l.runtimeFor(m.Engine)
	if err != nil {
		return nil, s, err
	}
	lm, err := rt.Load(ctx, m.Path, models.LoadOptions{WeightType: s.WeightType, ContextSize: s.ContextSize, Threads: s.Threads,
		Progress: func(f float64) { emit(ModelLoadEvent{ID: id, Fraction: f}) }})
	if err != nil {
		emit(ModelLoadEvent{ID: id, Done: true, Error: err.Error()})
		return nil, s, fmt.Errorf("assistant: load %s: %w", m.Name, err)
	}
	l.mu.Lock()
	l.loaded, l.loadedID, l.loadedSet = lm, id, s
	l.mu.Unlock()
	emit(ModelLoadEvent{ID: id, Fraction: 1, Done: true})
	l.svc.log.Info("local model loaded", "model", id)
	return lm, s, nil
}

func (l *local) Stream(ctx context.Context, req llm.Request, onToken llm.TokenFunc) (llm.Usage, error) {
	lm, s, msgs, err := l.prepare(ctx, req)
	if err != nil {
		return llm.Usage{}, err
	}
	return lm.Stream(ctx, chatPrompt(s, msgs), sampling(s, req.Stop), onToken)
}

// prepare loads req's model and applies its settings and req's options:
// the system prompt, the answer length and the sampling.
func (l *local) prepare(ctx context.Context, req llm.Request) (models.Model, LocalSettings, []llm.Message, error) {
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
	return nil, fmt.Errorf("assistant: no runtime %q in this build", engine)
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
		first = errors.New("assistant: no local runtime in this build")
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

var slugRe = regexp.MustCompile(`[^a-z0-9._-]+`)

func slug(name string) string {
	s := strings.Trim(slugRe.ReplaceAllString(strings.ToLower(name), "-"), "-.")
	if s == "" {
		s = "model"
	}
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// add inspects path and adds it to the registry.
func (l *local) add(ctx context.Context, path string, managed bool) (LocalModelView, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return LocalModelView{}, fmt.Errorf("assistant: %w", err)
	}
	engine, info, err := l.inspect(ctx, abs)
	if err != nil {
		return LocalModelView{}, err
	}
	ms, err := l.list(ctx)
	if err != nil {
		return LocalModelView{}, err
	}
	for _, m := range ms {
		if m.Path == abs {
			return m, nil
		}
	}
	name := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	id := slug(name)
	for n := 2; ; n++ {
		clash := false
		for _, m := range ms {
			clash = clash || m.ID == id
		}
		if !clash {
			break
		}
		id = fmt.Sprintf("%s-%d", slug(name), n)
	}
	set := DefaultLocalSettings()
	if info.ContextMax > 0 && info.ContextMax < set.ContextSize {
		set.ContextSize = info.ContextMax
		if set.MaxTokens >= set.ContextSize {
			set.MaxTokens = set.ContextSize / 2
		}
	}
	switch info.WeightType {
	case "q4_0", "f16":
		set.WeightType = info.WeightType
	}
	types := l.weightTypes(engine)
	set = fitWeightType(set, types)
	v := LocalModelView{ID: id, Name: name, Path: abs, Engine: engine, Info: info, Settings: set, AddedAt: time.Now().UnixMilli(),
		Managed: managed, WeightTypes: types}
	if err := l.save(ctx, append(ms, v)); err != nil {
		return LocalModelView{}, err
	}
	return v, nil
}

// LocalModels lists the local models.
func (s *Service) LocalModels(ctx context.Context) ([]LocalModelView, error) {
	l, err := s.localModels()
	if err != nil {
		return nil, err
	}
	return l.list(ctx)
}

// ImportLocalModel adds the model file or folder at path (it stays where it is).
func (s *Service) ImportLocalModel(ctx context.Context, path string) (LocalModelView, error) {
	l, err := s.localModels()
	if err != nil {
		return LocalModelView{}, err
	}
	return l.add(ctx, path, false)
}

// UpdateLocalModel changes a model's name and settings; a loaded model
// picks up weight type, context or thread changes at its next use.
func (s *Service) UpdateLocalModel(ctx context.Context, id, name string, set LocalSettings) (LocalModelView, error) {
	l, err := s.localModels()
	if err != nil {
		return LocalModelView{}, err
	}
	if err := set.Validate(); err != nil {
		return LocalModelView{}, fmt.Errorf("assistant: %w", err)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 120 {
		return LocalModelView{}, errors.New("assistant: the model name must be 1 to 120 characters")
	}
	ms, err := l.list(ctx)
	if err != nil {
		return LocalModelView{}, err
	}
	for i := range ms {
		if ms[i].ID == id {
			if len(ms[i].WeightTypes) > 0 && !slices.Contains(ms[i].WeightTypes, set.WeightType) {
				return LocalModelView{}, fmt.Errorf("assistant: weight type %q: want one of %s", set.WeightType, strings.Join(ms[i].WeightTypes, ", "))
			}
			ms[i].Name, ms[i].Settings = name, fitWeightType(set, ms[i].WeightTypes)
			if err := l.save(ctx, ms); err != nil {
				return LocalModelView{}, err
			}
			return ms[i], nil
		}
	}
	return LocalModelView{}, fmt.Errorf("assistant: %w %q", llm.ErrUnknownModel, id)
}

// RemoveLocalModel forgets a model, unloading it; a file Sidecar
// downloaded is deleted too, one the user imported is left alone.
func (s *Service) RemoveLocalModel(ctx context.Context, id string) error {
	l, err := s.localModels()
	if err != nil {
		return err
	}
	ms, err := l.list(ctx)
	if err != nil {
		return err
	}
	for i, m := range ms {
		if m.ID != id {
			continue
		}
		l.mu.Lock()
		if l.loadedID == id && l.loaded != nil {
			l.loaded.Close()
			l.loaded, l.loadedID = nil, ""
		}
		l.mu.Unlock()
		if err := l.save(ctx, append(ms[:i:i], ms[i+1:]...)); err != nil {
			return err
		}
		if m.Managed && filepath.Dir(m.Path) == l.dir {
			if err := os.RemoveAll(m.Path); err != nil {
				return fmt.Errorf("assistant: remove model file: %w", err)
			}
		}
		return nil
	}
	return fmt.Errorf("assistant: %w %q", llm.ErrUnknownModel, id)
}

// UnloadLocalModel releases the loaded model's memory.
func (s *Service) UnloadLocalModel() {
	l, err := s.localModels()
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.loaded != nil {
		l.loaded.Close()
		l.loaded, l.loadedID = nil, ""
	}
}
