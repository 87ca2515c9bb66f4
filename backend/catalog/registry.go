package catalog

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
	"time"

	"sidecar/backend/llm"
	"sidecar/backend/models"
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

// LocalModel is a local model as the registry stores it: what the user
// added and chose. It holds no run-time state.
type LocalModel struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Path     string         `json:"path"`
	Engine   string         `json:"engine"` // the runtime that reads it ("" is GPT-J, from before there were others)
	Info     LocalModelInfo `json:"info"`
	Settings LocalSettings  `json:"settings"`
	AddedAt  int64          `json:"addedAt"`
	Managed  bool           `json:"managed"` // the file is in Sidecar's models folder (removed with the model)
}

// LocalModelView is a local model for the Models screen: the stored
// record's fields and whether it is in memory now. It is never stored.
// (Its fields are spelled out rather than embedded so that the window's
// generated bindings keep Info's type.)
type LocalModelView struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Path     string         `json:"path"`
	Engine   string         `json:"engine"`
	Info     LocalModelInfo `json:"info"`
	Settings LocalSettings  `json:"settings"`
	AddedAt  int64          `json:"addedAt"`
	Loaded   bool           `json:"loaded"`
	Managed  bool           `json:"managed"`
	// WeightTypes are the types its runtime can keep the weights in
	// (Settings.WeightType); none: they are used as stored.
	WeightTypes []string `json:"weightTypes"`
}

// settingLocalModels is the setting the registry is kept in: a JSON list
// of LocalModel, sorted by name. Lists written before LocalModel was apart
// from the view also carry "loaded", which reading ignores.
const settingLocalModels = "models.local"

// records reads the registry.
func (l *local) records(ctx context.Context) ([]LocalModel, error) {
	raw, err := l.cat.db.Setting(ctx, settingLocalModels, "[]")
	if err != nil {
		return nil, err
	}
	var ms []LocalModel
	if err := json.Unmarshal([]byte(raw), &ms); err != nil {
		return nil, fmt.Errorf("catalog: local model list is damaged: %w", err)
	}
	return ms, nil
}

// view adds the run-time state to a record.
func (l *local) view(m LocalModel) LocalModelView {
	l.mu.Lock()
	defer l.mu.Unlock()
	return LocalModelView{ID: m.ID, Name: m.Name, Path: m.Path, Engine: m.Engine, Info: m.Info, Settings: m.Settings,
		AddedAt: m.AddedAt, Managed: m.Managed, Loaded: m.ID == l.loadedID && l.loaded != nil, WeightTypes: l.weightTypes(m.Engine)}
}

func (l *local) list(ctx context.Context) ([]LocalModelView, error) {
	ms, err := l.records(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]LocalModelView, len(ms))
	for i, m := range ms {
		out[i] = l.view(m)
	}
	return out, nil
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

func (l *local) save(ctx context.Context, ms []LocalModel) error {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	b, err := json.Marshal(ms)
	if err != nil {
		return err
	}
	if err := l.cat.db.SetSetting(ctx, settingLocalModels, string(b)); err != nil {
		return err
	}
	l.cat.modelsChanged()
	return nil
}

func (l *local) find(ctx context.Context, id string) (LocalModel, error) {
	ms, err := l.records(ctx)
	if err != nil {
		return LocalModel{}, err
	}
	for _, m := range ms {
		if m.ID == id {
			return m, nil
		}
	}
	return LocalModel{}, fmt.Errorf("catalog: %w %q", llm.ErrUnknownModel, id)
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
		return LocalModelView{}, fmt.Errorf("catalog: %w", err)
	}
	engine, info, err := l.inspect(ctx, abs)
	if err != nil {
		return LocalModelView{}, err
	}
	ms, err := l.records(ctx)
	if err != nil {
		return LocalModelView{}, err
	}
	for _, m := range ms {
		if m.Path == abs {
			return l.view(m), nil
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
	set = fitWeightType(set, l.weightTypes(engine))
	m := LocalModel{ID: id, Name: name, Path: abs, Engine: engine, Info: info, Settings: set, AddedAt: time.Now().UnixMilli(), Managed: managed}
	if err := l.save(ctx, append(ms, m)); err != nil {
		return LocalModelView{}, err
	}
	return l.view(m), nil
}

// LocalModels lists the local models.
func (c *Catalog) LocalModels(ctx context.Context) ([]LocalModelView, error) {
	l, err := c.localModels()
	if err != nil {
		return nil, err
	}
	return l.list(ctx)
}

// ImportLocalModel adds the model file or folder at path (it stays where it is).
func (c *Catalog) ImportLocalModel(ctx context.Context, path string) (LocalModelView, error) {
	l, err := c.localModels()
	if err != nil {
		return LocalModelView{}, err
	}
	return l.add(ctx, path, false)
}

// UpdateLocalModel changes a model's name and settings; a loaded model
// picks up weight type, context or thread changes at its next use.
func (c *Catalog) UpdateLocalModel(ctx context.Context, id, name string, set LocalSettings) (LocalModelView, error) {
	l, err := c.localModels()
	if err != nil {
		return LocalModelView{}, err
	}
	if err := set.Validate(); err != nil {
		return LocalModelView{}, fmt.Errorf("catalog: %w", err)
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 120 {
		return LocalModelView{}, errors.New("catalog: the model name must be 1 to 120 characters")
	}
	ms, err := l.records(ctx)
	if err != nil {
		return LocalModelView{}, err
	}
	for i := range ms {
		if ms[i].ID == id {
			types := l.weightTypes(ms[i].Engine)
			if len(types) > 0 && !slices.Contains(types, set.WeightType) {
				return LocalModelView{}, fmt.Errorf("catalog: weight type %q: want one of %s", set.WeightType, strings.Join(types, ", "))
			}
			ms[i].Name, ms[i].Settings = name, fitWeightType(set, types)
			m := ms[i]
			if err := l.save(ctx, ms); err != nil {
				return LocalModelView{}, err
			}
			return l.view(m), nil
		}
	}
	return LocalModelView{}, fmt.Errorf("catalog: %w %q", llm.ErrUnknownModel, id)
}

// RemoveLocalModel forgets a model, unloading it; a file Sidecar
// downloaded is deleted too, one the user imported is left alone.
func (c *Catalog) RemoveLocalModel(ctx context.Context, id string) error {
	l, err := c.localModels()
	if err != nil {
		return err
	}
	ms, err := l.records(ctx)
	if err != nil {
		return err
	}
	for i, m := range ms {
		if m.ID != id {
			continue
		}
		l.unload(id)
		if err := l.save(ctx, append(ms[:i:i], ms[i+1:]...)); err != nil {
			return err
		}
		if m.Managed && filepath.Dir(m.Path) == l.dir {
			if err := os.RemoveAll(m.Path); err != nil {
				return fmt.Errorf("catalog: remove model file: %w", err)
			}
		}
		return nil
	}
	return fmt.Errorf("catalog: %w %q", llm.ErrUnknownModel, id)
}
