package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
)

func ptr(v float64) *float64 { return &v }

func TestChatSettingsRoundTripAcrossReopen(t *testing.T) {
	ctx := context.Background()
	db, path, key := openTemp(t)
	plain, err := db.CreateChat(ctx, "plain", "echo/echo")
	if err != nil {
		t.Fatal(err)
	}
	set := ChatSettings{SystemPrompt: "  You review Go code.\n", Temperature: ptr(0.3), TopP: ptr(0.9), MaxTokens: 700}
	c, err := db.CreateChatWith(ctx, "reviewed", "echo/echo", set)
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.SystemPrompt != "You review Go code." {
		t.Errorf("system prompt = %q, want it trimmed", c.Settings.SystemPrompt)
	}
	// Changed on an existing chat, back to the defaults for one setting.
	if err := db.SetChatSettings(ctx, plain.ID, ChatSettings{SystemPrompt: "Be terse.", MaxTokens: 5}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Chat(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	s := got.Settings
	if s.SystemPrompt != "You review Go code." || s.Temperature == nil || *s.Temperature != 0.3 || s.TopP == nil || *s.TopP != 0.9 || s.MaxTokens != 700 {
		t.Fatalf("settings = %+v", s)
	}
	chats, err := db.ListChats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range chats {
		if ch.ID == plain.ID && (ch.Settings.SystemPrompt != "Be terse." || ch.Settings.Temperature != nil || ch.Settings.TopP != nil || ch.Settings.MaxTokens != 5) {
			t.Fatalf("plain chat settings = %+v", ch.Settings)
		}
	}
	if err := db.SetChatSettings(ctx, 9999, ChatSettings{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("settings of a missing chat: %v", err)
	}
}

func TestChatSettingsBounds(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTemp(t)
	defer db.Close()
	c, _ := db.CreateChat(ctx, "c", "")
	bad := map[string]ChatSettings{
		"long prompt":   {SystemPrompt: strings.Repeat("x", MaxSystemPromptBytes+1)},
		"bad utf-8":     {SystemPrompt: "\xff\xfe"},
		"temperature":   {Temperature: ptr(2.5)},
		"negative temp": {Temperature: ptr(-0.1)},
		"infinite temp": {Temperature: ptr(math.Inf(1))},
		"top-p zero":    {TopP: ptr(0)},
		"top-p over 1":  {TopP: ptr(1.01)},
		"max tokens":    {MaxTokens: MaxAnswerTokens + 1},
		"negative max":  {MaxTokens: -1},
	}
	for name, s := range bad {
		if err := db.SetChatSettings(ctx, c.ID, s); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := db.CreatePreset(ctx, "bad "+name, s); err == nil {
			t.Errorf("%s: preset accepted", name)
		}
	}
	// NaN means "not set" rather than a value that fails every comparison.
	if err := db.SetChatSettings(ctx, c.ID, ChatSettings{Temperature: ptr(math.NaN())}); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Chat(ctx, c.ID); got.Settings.Temperature != nil {
		t.Errorf("NaN stored as %v", *got.Settings.Temperature)
	}
	// The longest allowed prompt is fine.
	if err := db.SetChatSettings(ctx, c.ID, ChatSettings{SystemPrompt: strings.Repeat("y", MaxSystemPromptBytes)}); err != nil {
		t.Fatal(err)
	}
}

func TestPresets(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTemp(t)
	defer db.Close()
	// A new profile starts with two presets.
	ps, err := db.ListPresets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].Name != "Code reviewer" || ps[1].Name != "Terse" || ps[0].Settings.SystemPrompt == "" ||
		ps[0].Settings.Temperature == nil || *ps[0].Settings.Temperature != 0.2 || ps[1].Settings.Temperature != nil || ps[0].CreatedAt.Year() < 2024 {
		t.Fatalf("starting presets = %+v", ps)
	}
	p, err := db.CreatePreset(ctx, " Pirate ", ChatSettings{SystemPrompt: "Talk like a pirate.", TopP: ptr(0.5), MaxTokens: 64})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Pirate" {
		t.Errorf("name = %q", p.Name)
	}
	if _, err := db.CreatePreset(ctx, "Pirate", ChatSettings{}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate name: %v", err)
	}
	for _, name := range []string{"", "  ", "two\nlines", strings.Repeat("n", MaxPresetName+1)} {
		if _, err := db.CreatePreset(ctx, name, ChatSettings{}); err == nil {
			t.Errorf("name %q accepted", name)
		}
	}
	if err := db.UpdatePreset(ctx, p.ID, "Terse", ChatSettings{}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("rename onto another preset: %v", err)
	}
	if err := db.UpdatePreset(ctx, p.ID, "Parrot", ChatSettings{SystemPrompt: "Repeat everything.", Temperature: ptr(1.5)}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Preset(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Parrot" || got.Settings.SystemPrompt != "Repeat everything." || *got.Settings.Temperature != 1.5 || got.Settings.TopP != nil || got.Settings.MaxTokens != 0 {
		t.Fatalf("updated = %+v", got)
	}
	if err := db.DeletePreset(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Preset(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted preset: %v", err)
	}
	if err := db.DeletePreset(ctx, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if err := db.UpdatePreset(ctx, p.ID, "x", ChatSettings{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a deleted preset: %v", err)
	}
}

func TestPresetCountIsBounded(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTemp(t)
	defer db.Close()
	ps, _ := db.ListPresets(ctx)
	for i := len(ps); i < MaxPresets; i++ {
		if _, err := db.CreatePreset(ctx, fmt.Sprintf("preset %d", i), ChatSettings{}); err != nil {
			t.Fatalf("preset %d: %v", i, err)
		}
	}
	if _, err := db.CreatePreset(ctx, "one too many", ChatSettings{}); err == nil {
		t.Fatal("more than MaxPresets presets")
	}
	if ps, _ := db.ListPresets(ctx); len(ps) != MaxPresets {
		t.Fatalf("%d presets", len(ps))
	}
}

// A database written before chats had settings (schema 6) opens, its
// chats keep everything and ask for the model's defaults, and the
// starting presets are there.
func TestMigrationFromSchema6(t *testing.T) {
	ctx := context.Background()
	old, file := openAtSchema(ctx, t, 6)
	if _, err := old.SQL().ExecContext(ctx, `INSERT INTO chats(title, model, use_documents, created_at, updated_at) VALUES ('old chat', 'echo/echo', 1, 1, 2)`); err != nil {
		t.Fatal(err)
	}
	if _, err := old.SQL().ExecContext(ctx, `INSERT INTO messages(chat_id, role, content, created_at) VALUES (1, 'user', 'from before', 3)`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	db := file.migrated(ctx, t)
	c, err := db.Chat(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if c.Title != "old chat" || !c.UseDocuments || c.Settings != (ChatSettings{}) {
		t.Fatalf("old chat = %+v", c)
	}
	if msgs, _ := db.Messages(ctx, 1); len(msgs) != 1 || msgs[0].Content != "from before" {
		t.Fatalf("old messages = %+v", msgs)
	}
	if ps, _ := db.ListPresets(ctx); len(ps) != 2 {
		t.Fatalf("presets after migration = %+v", ps)
	}
	if err := db.SetChatSettings(ctx, 1, ChatSettings{SystemPrompt: "now it has one"}); err != nil {
		t.Fatal(err)
	}
}
