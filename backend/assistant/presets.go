package assistant

import (
	"context"
	"fmt"

	"sidecar/backend/store"
)

// ChatSettings are a chat's system prompt and sampling settings, as the UI
// sees them. An empty system prompt leaves the model's own (local models
// have one); an unset value leaves the provider's default.
type ChatSettings struct {
	SystemPrompt string   `json:"systemPrompt"`
	Temperature  *float64 `json:"temperature,omitempty"`
	TopP         *float64 `json:"topP,omitempty"`
	MaxTokens    int      `json:"maxTokens"` // 0: the provider's default
}

// PresetView is a named set of chat settings.
type PresetView struct {
	ID        int64        `json:"id"`
	Name      string       `json:"name"`
	Settings  ChatSettings `json:"settings"`
	CreatedAt int64        `json:"createdAt"`
	UpdatedAt int64        `json:"updatedAt"`
}

func settingsView(s store.ChatSettings) ChatSettings {
	return ChatSettings{SystemPrompt: s.SystemPrompt, Temperature: s.Temperature, TopP: s.TopP, MaxTokens: s.MaxTokens}
}

func (s ChatSettings) stored() store.ChatSettings {
	return store.ChatSettings{SystemPrompt: s.SystemPrompt, Temperature: s.Temperature, TopP: s.TopP, MaxTokens: s.MaxTokens}
}

func presetView(p store.Preset) PresetView {
	return PresetView{ID: p.ID, Name: p.Name, Settings: settingsView(p.Settings), CreatedAt: p.CreatedAt.UnixMilli(), UpdatedAt: p.UpdatedAt.UnixMilli()}
}

// ListPresets returns every preset by name.
func (s *Service) ListPresets(ctx context.Context) ([]PresetView, error) {
	ps, err := s.db.ListPresets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PresetView, len(ps))
	for i, p := range ps {
		out[i] = presetView(p)
	}
	return out, nil
}

// CreatePreset stores a new preset.
func (s *Service) CreatePreset(ctx context.Context, name string, set ChatSettings) (PresetView, error) {
	p, err := s.db.CreatePreset(ctx, name, set.stored())
	if err != nil {
		return PresetView{}, err
	}
	return presetView(p), nil
}

// UpdatePreset renames a preset and replaces its settings; chats that
// took it keep what they took.
func (s *Service) UpdatePreset(ctx context.Context, id int64, name string, set ChatSettings) (PresetView, error) {
	if err := s.db.UpdatePreset(ctx, id, name, set.stored()); err != nil {
		return PresetView{}, err
	}
	p, err := s.db.Preset(ctx, id)
	if err != nil {
		return PresetView{}, err
	}
	return presetView(p), nil
}

// DeletePreset deletes a preset; chats that took it keep its settings.
func (s *Service) DeletePreset(ctx context.Context, id int64) error {
	return s.db.DeletePreset(ctx, id)
}

// SetChatSettings sets a chat's system prompt and sampling for its next
// answers.
func (s *Service) SetChatSettings(ctx context.Context, chatID int64, set ChatSettings) (ChatView, error) {
	if err := s.db.SetChatSettings(ctx, chatID, set.stored()); err != nil {
		return ChatView{}, err
	}
	c, err := s.db.Chat(ctx, chatID)
	if err != nil {
		return ChatView{}, err
	}
	return chatView(c), nil
}

// ApplyPreset gives a chat a preset's settings (a copy: editing the
// preset later does not change the chat).
func (s *Service) ApplyPreset(ctx context.Context, chatID, presetID int64) (ChatView, error) {
	p, err := s.db.Preset(ctx, presetID)
	if err != nil {
		return ChatView{}, fmt.Errorf("assistant: apply preset: %w", err)
	}
	return s.SetChatSettings(ctx, chatID, settingsView(p.Settings))
}
