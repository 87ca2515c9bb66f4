package dataexport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidecar/backend/store"
)

func presetNames(t *testing.T, db *store.DB) map[string]store.ChatSettings {
	t.Helper()
	ps, err := db.ListPresets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.ChatSettings{}
	for _, p := range ps {
		out[p.Name] = p.Settings
	}
	return out
}

func TestChatSettingsAndPresetsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, ds := newProfile(t)
	fill(t, db, ds)
	archive, _, err := Export(ctx, db, "test", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The target has a different preset under one of the archive's names.
	db2, ds2 := newProfile(t)
	if _, err := db2.CreatePreset(ctx, "Pirate", store.ChatSettings{SystemPrompt: "Arr, mine."}); err != nil {
		t.Fatal(err)
	}
	rep, err := Import(ctx, db2, ds2, archive, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Presets != 1 || rep.PresetsSkipped != 2 {
		t.Fatalf("report %+v", rep)
	}
	got := presetNames(t, db2)
	if got["Pirate"].SystemPrompt != "Arr, mine." || got["Pirate (2)"].SystemPrompt != "Talk like a pirate." ||
		got["Pirate (2)"].TopP == nil || *got["Pirate (2)"].TopP != 0.7 || len(got) != 4 {
		t.Fatalf("presets after import = %+v", got)
	}
	chats, _ := db2.ListChats(ctx)
	found := false
	for _, c := range chats {
		if c.Title == "Empty" {
			found = true
			s := c.Settings
			if s.SystemPrompt != "Review <b>carefully</b>." || s.Temperature == nil || *s.Temperature != 0.4 || s.TopP != nil || s.MaxTokens != 300 {
				t.Fatalf("imported chat settings = %+v", s)
			}
		}
	}
	if !found {
		t.Fatal("the chat with settings was not imported")
	}
	// Again: nothing new.
	rep, err = Import(ctx, db2, ds2, archive, "", nil)
	if err != nil || rep.Presets != 0 || rep.PresetsSkipped != 3 {
		t.Fatalf("second import: %+v %v", rep, err)
	}
}

// Archives written before chats had settings (schema 1: no presets.json,
// no settings in chats.json) still import.
func TestImportsSchema1(t *testing.T) {
	ctx := context.Background()
	db, ds := newProfile(t)
	fill(t, db, ds)
	good, _, _ := Export(ctx, db, "test", "", nil)
	parts := unzip(t, good)
	delete(parts, PartPresets)
	delete(parts, PartAttachments) // schema 4 on
	var chats []map[string]any
	if err := json.Unmarshal(parts[PartChats], &chats); err != nil {
		t.Fatal(err)
	}
	for _, c := range chats {
		for _, k := range []string{"system_prompt", "temperature", "top_p", "max_tokens"} {
			delete(c, k)
		}
		dropBranches(c)
	}
	parts[PartChats], _ = json.Marshal(chats)
	var m Manifest
	json.Unmarshal(parts[PartManifest], &m)
	m.SchemaVersion = 1
	parts[PartManifest], _ = json.Marshal(m)
	counts := m.Counts
	counts.Presets = 0
	v1 := withParts(t, parts, counts, nil)
	if strings.Contains(string(unzip(t, v1)[PartManifest]), `"presets"`) {
		t.Fatal("the schema 1 archive still counts presets")
	}
	db2, ds2 := newProfile(t)
	rep, err := Import(ctx, db2, ds2, v1, "", nil)
	if err != nil {
		t.Fatalf("schema 1 refused: %v", err)
	}
	if rep.Chats != 2 || rep.Presets != 0 {
		t.Fatalf("report %+v", rep)
	}
	got, _ := db2.ListChats(ctx)
	for _, c := range got {
		if c.Settings != (store.ChatSettings{}) {
			t.Fatalf("a schema 1 chat came in with settings %+v", c.Settings)
		}
	}
	if len(presetNames(t, db2)) != 2 {
		t.Fatal("the profile's own presets changed")
	}
}

func TestHostilePresetsChangeNothing(t *testing.T) {
	ctx := context.Background()
	db, ds := newProfile(t)
	fill(t, db, ds)
	good, m, _ := Export(ctx, db, "test", "", nil)
	base := unzip(t, good)
	presets := func(ps []Preset) []byte {
		b, _ := json.Marshal(ps)
		return withParts(t, base, Counts{Chats: 2, Messages: 2, Documents: 2, Chunks: m.Counts.Chunks, Settings: 1, Presets: len(ps)},
			map[string][]byte{PartPresets: b})
	}
	hot, over := 2.5, 1.5
	many := make([]Preset, store.MaxPresets+1)
	for i := range many {
		many[i] = Preset{Name: fmt.Sprintf("p%d", i)}
	}
	var chats []map[string]any
	json.Unmarshal(base[PartChats], &chats)
	chats[0]["temperature"] = 7
	hotChat, _ := json.Marshal(chats)
	cases := map[string][]byte{
		"temperature":   presets([]Preset{{Name: "x", Temperature: &hot}}),
		"top-p":         presets([]Preset{{Name: "x", TopP: &over}}),
		"max tokens":    presets([]Preset{{Name: "x", MaxTokens: -5}}),
		"long prompt":   presets([]Preset{{Name: "x", SystemPrompt: strings.Repeat("a", store.MaxSystemPromptBytes+1)}}),
		"empty name":    presets([]Preset{{Name: "  "}}),
		"two lines":     presets([]Preset{{Name: "a\nb"}}),
		"same name":     presets([]Preset{{Name: "x"}, {Name: " x "}}),
		"too many":      presets(many),
		"not a list":    withParts(t, base, m.Counts, map[string][]byte{PartPresets: []byte(`{"name":"x"}`)}),
		"unknown field": withParts(t, base, m.Counts, map[string][]byte{PartPresets: []byte(`[{"name":"x","evil":1}]`)}),
		"hot chat":      withParts(t, base, m.Counts, map[string][]byte{PartChats: hotChat}),
	}
	db2, ds2 := newProfile(t)
	for name, data := range cases {
		_, err := Import(ctx, db2, ds2, data, "", nil)
		if !errors.Is(err, ErrBadArchive) {
			t.Errorf("%s: err = %v, want ErrBadArchive", name, err)
		}
	}
	if chats, _ := db2.ListChats(ctx); len(chats) != 0 {
		t.Fatalf("refused archives wrote %d chats", len(chats))
	}
	if len(presetNames(t, db2)) != 2 {
		t.Fatal("refused archives changed the presets")
	}
}

// An import never takes a profile past store.MaxPresets: the rest are
// skipped and counted.
func TestImportedPresetsBounded(t *testing.T) {
	ctx := context.Background()
	src, srcDocs := newProfile(t)
	for i := 0; i < 50; i++ {
		if _, err := src.CreatePreset(ctx, fmt.Sprintf("from archive %d", i), store.ChatSettings{}); err != nil {
			t.Fatal(err)
		}
	}
	_ = srcDocs
	archive, _, err := Export(ctx, src, "test", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	dst, dstDocs := newProfile(t)
	for i := 2; i < store.MaxPresets-10; i++ {
		if _, err := dst.CreatePreset(ctx, fmt.Sprintf("mine %d", i), store.ChatSettings{}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Import(ctx, dst, dstDocs, archive, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Presets != 10 || rep.PresetsSkipped != 42 {
		t.Fatalf("report %+v", rep)
	}
	if n := len(presetNames(t, dst)); n != store.MaxPresets {
		t.Fatalf("%d presets after import", n)
	}
}
