package session

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// waitDocs polls the document list until want holds; go test's timeout
// bounds the wait.
func waitDocs(t *testing.T, s *Session, want func(names []string) bool) {
	t.Helper()
	for {
		list, err := s.ListDocuments(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, d := range list {
			names = append(names, d.Title)
		}
		sort.Strings(names)
		if want(names) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A watched folder runs as a job of the open profile: a key rotation stops
// it and starts it again over the reopened store, a restart resumes it,
// and a dropped folder is watched too.
func TestWatchedFolderAcrossRotateAndRestart(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	dir, folder, dropped := t.TempDir(), t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(folder, "a.md"), []byte("# A\n\nabout anchors\n"), 0o644)
	os.WriteFile(filepath.Join(dropped, "d.md"), []byte("# D\n\nabout dolphins\n"), 0o644)
	ev := &events{}
	s, err := Open(ctx, Options{Keychain: kc, Dir: dir, Events: ev, Background: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WatchFolder(ctx, folder); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDropped(ctx, []string{dropped}); err != nil {
		t.Fatal(err)
	}
	waitDocs(t, s, func(n []string) bool { return strings.Join(n, ",") == "a.md,d.md" })
	if err := s.RotateKey(ctx); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(folder, "b.md"), []byte("# B\n\nabout badgers\n"), 0o644)
	waitDocs(t, s, func(n []string) bool { return strings.Join(n, ",") == "a.md,b.md,d.md" })
	fs, err := s.WatchedFolders(ctx)
	if err != nil || len(fs) != 2 {
		t.Fatalf("watched folders: %+v, %v", fs, err)
	}
	if _, err := s.PauseFolder(ctx, fs[1].ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // waits for the watcher to stop
		t.Fatal(err)
	}
	os.Remove(filepath.Join(folder, "a.md"))

	s, err = Open(ctx, Options{Keychain: kc, Dir: dir, Events: ev, Background: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	waitDocs(t, s, func(n []string) bool { return strings.Join(n, ",") == "b.md,d.md" })
	if fs, _ := s.WatchedFolders(ctx); fs[1].Status != "paused" {
		t.Fatalf("the dropped folder after restart: %+v", fs[1])
	}
	if err := s.RemoveFolder(ctx, fs[0].ID); err != nil {
		t.Fatal(err)
	}
	waitDocs(t, s, func(n []string) bool { return strings.Join(n, ",") == "d.md" })
	ev.mu.Lock()
	folderEvents := ev.names[EventDocsFolder]
	ev.mu.Unlock()
	if folderEvents == 0 {
		t.Error("no docs:folder events")
	}
}
