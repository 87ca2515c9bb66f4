package session

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"sidecar/backend/attach"
)

// attachedEvents keeps the chat:attached events.
type attachedEvents struct {
	mu  sync.Mutex
	got []AttachedEvent
}

func (e *attachedEvents) Emit(name string, data any) {
	if ev, ok := data.(AttachedEvent); ok && name == EventChatAttached {
		e.mu.Lock()
		e.got = append(e.got, ev)
		e.mu.Unlock()
	}
}

// Files reach a chat as the window gives them: bytes in base64 from the
// page, paths from the native dialog or a drop on the message box (read
// only up to the limit; folders and oversized files refused by name), and
// the drop is announced with what was kept and the first refusal.
func TestAttachFromPageDialogAndDrop(t *testing.T) {
	kc := testKeychain(t)
	ctx := context.Background()
	ev := &attachedEvents{}
	s, err := Open(ctx, Options{Keychain: kc, Dir: t.TempDir(), Events: ev})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.CreateChat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.AddAttachment(ctx, c.ID, "note.txt", base64.StdEncoding.EncodeToString([]byte("from the page")))
	if err != nil || a.Kind != "text" || a.Size != 13 {
		t.Fatalf("from the page: %+v %v", a, err)
	}
	if _, err := s.AddAttachment(ctx, c.ID, "x.txt", "not base64!"); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Fatalf("bad base64: %v", err)
	}
	huge := strings.Repeat("A", base64.StdEncoding.EncodedLen(attach.MaxImageBytes+8))
	if _, err := s.AddAttachment(ctx, c.ID, "huge.png", huge); !errors.Is(err, attach.ErrRefused) {
		t.Fatalf("oversized base64: %v", err)
	}

	dir := t.TempDir()
	good := filepath.Join(dir, "main.go")
	os.WriteFile(good, []byte("package main\n"), 0o644)
	big := filepath.Join(dir, "big.log")
	f, _ := os.Create(big)
	f.Truncate(attach.MaxImageBytes + 1) // sparse: refused before it is read whole
	f.Close()
	views, err := s.AttachFiles(ctx, c.ID, []string{big, good, dir})
	if len(views) != 1 || views[0].Name != "main.go" || views[0].Kind != "code" {
		t.Fatalf("picked: %+v", views)
	}
	if !errors.Is(err, attach.ErrRefused) || !strings.Contains(err.Error(), "big.log") {
		t.Fatalf("first refusal = %v, want big.log's", err)
	}

	s.DropAttachments(ctx, c.ID, []string{dir, good})
	ev.mu.Lock()
	defer ev.mu.Unlock()
	if len(ev.got) != 1 || ev.got[0].ChatID != c.ID || len(ev.got[0].Attachments) != 1 || !strings.Contains(ev.got[0].Error, "not a file") {
		t.Fatalf("drop event = %+v", ev.got)
	}
	d, err := s.OpenChat(ctx, c.ID)
	if err != nil || len(d.Pending) != 3 {
		t.Fatalf("pending = %+v, %v", d.Pending, err)
	}
}
