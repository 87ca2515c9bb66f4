package session

import (
	"context"
	"testing"
)

// Deleting all data deletes the user's presets and chat settings with
// everything else: the fresh profile has only the starting presets.
func TestWipeDeletesPresets(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	s := New(Options{Keychain: kc, Dir: t.TempDir()})
	if err := s.Open(ctx); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.CreatePreset(ctx, "Secret project reviewer", ChatSettings{SystemPrompt: "codename BLUEBIRD"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.CreateChat(ctx)
	if _, err := s.ApplyPreset(ctx, c.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	before, _ := s.ListPresets(ctx)
	if len(before) != 3 {
		t.Fatalf("presets before = %+v", before)
	}
	if err := s.WipeData(ctx, "DELETE"); err != nil {
		t.Fatal(err)
	}
	after, err := s.ListPresets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != 2 {
		t.Fatalf("presets after wipe = %+v", after)
	}
	for _, q := range after {
		if q.Name == p.Name {
			t.Fatal("the user's preset survived the wipe")
		}
	}
	if chats, _ := s.ListChats(ctx); len(chats) != 0 {
		t.Fatalf("chats after wipe = %+v", chats)
	}
}
