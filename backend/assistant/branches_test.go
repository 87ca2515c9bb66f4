package assistant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// seeing is a provider that records the messages of every request and
// numbers its answers, so two answers to one question differ.
type seeing struct {
	mu   sync.Mutex
	seen [][]string
}

func (*seeing) ID() string { return "seeing" }
func (*seeing) Models(context.Context) ([]llm.Model, error) {
	return []llm.Model{{ID: "m", Name: "Seeing"}}, nil
}
func (p *seeing) Stream(_ context.Context, req llm.Request, on llm.TokenFunc) (llm.Usage, error) {
	var got []string
	for _, m := range req.Messages {
		got = append(got, string(m.Role)+":"+m.Content)
	}
	p.mu.Lock()
	p.seen = append(p.seen, got)
	n := len(p.seen)
	p.mu.Unlock()
	return llm.Usage{}, on(fmt.Sprintf("answer %d", n))
}

func (p *seeing) last() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.seen[len(p.seen)-1], " | ")
}

func shown(t *testing.T, s *Service, chatID int64) (string, []MessageView) {
	t.Helper()
	d, err := s.OpenChat(context.Background(), chatID)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, m := range d.Messages {
		parts = append(parts, m.Role+":"+m.Content)
	}
	return strings.Join(parts, " | "), d.Messages
}

func TestBranchesEditRegenerateAndSwitch(t *testing.T) {
	ctx := context.Background()
	db, path, key := openDB(t)
	p := &seeing{}
	s := newService(db, nil, p)
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "seeing/m"); err != nil {
		t.Fatal(err)
	}
	run := func(start func() (SendResult, error)) SendResult {
		t.Helper()
		r := newRecorder()
		s.events = r
		res, err := start()
		if err != nil {
			t.Fatal(err)
		}
		r.waitDone(t, c.ID)
		return res
	}
	first := run(func() (SendResult, error) { return s.SendMessage(ctx, c.ID, "q1") })
	run(func() (SendResult, error) { return s.SendMessage(ctx, c.ID, "q2") })
	if got, want := p.last(), "user:q1 | assistant:answer 1 | user:q2"; got != want {
		t.Fatalf("model saw %q, want %q", got, want)
	}

	// Regenerate: a second answer beside the first; the model sees the
	// same history, without the earlier answer.
	regen := run(func() (SendResult, error) { return s.Regenerate(ctx, c.ID) })
	if got, want := p.last(), "user:q1 | assistant:answer 1 | user:q2"; got != want {
		t.Fatalf("regenerate: model saw %q, want %q", got, want)
	}
	if len(regen.Assistant.Siblings) != 2 || regen.Assistant.Siblings[1] != regen.Assistant.ID {
		t.Fatalf("regenerated answer siblings = %v", regen.Assistant.Siblings)
	}
	got, msgs := shown(t, s, c.ID)
	if got != "user:q1 | assistant:answer 1 | user:q2 | assistant:answer 3" || len(msgs[3].Siblings) != 2 {
		t.Fatalf("after regenerate: %q %v", got, msgs[3].Siblings)
	}
	oldAnswer := msgs[3].Siblings[0]

	// Edit the first question: a second version; the model sees only it.
	edit := run(func() (SendResult, error) { return s.EditAndResend(ctx, c.ID, first.User.ID, "q1 edited") })
	if got, want := p.last(), "user:q1 edited"; got != want {
		t.Fatalf("edit: model saw %q, want %q", got, want)
	}
	if len(edit.User.Siblings) != 2 || edit.User.Siblings[0] != first.User.ID {
		t.Fatalf("edited message siblings = %v", edit.User.Siblings)
	}
	if got, _ := shown(t, s, c.ID); got != "user:q1 edited | assistant:answer 4" {
		t.Fatalf("after edit: %q", got)
	}
	run(func() (SendResult, error) { return s.SendMessage(ctx, c.ID, "on edited") })
	if got, want := p.last(), "user:q1 edited | assistant:answer 4 | user:on edited"; got != want {
		t.Fatalf("continuing the edit: model saw %q, want %q", got, want)
	}

	// Back to the first version: its newest conversation, and going on
	// from there sends that branch.
	if _, err := s.SelectBranch(ctx, c.ID, first.User.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := shown(t, s, c.ID); got != "user:q1 | assistant:answer 1 | user:q2 | assistant:answer 3" {
		t.Fatalf("switched back: %q", got)
	}
	// The older answer to q2, and continuing from it.
	if _, err := s.SelectBranch(ctx, c.ID, oldAnswer); err != nil {
		t.Fatal(err)
	}
	run(func() (SendResult, error) { return s.SendMessage(ctx, c.ID, "q3") })
	if got, want := p.last(), "user:q1 | assistant:answer 1 | user:q2 | assistant:answer 2 | user:q3"; got != want {
		t.Fatalf("continuing an older branch: model saw %q, want %q", got, want)
	}
	// Regenerating there answers q3 again, from the same branch.
	run(func() (SendResult, error) { return s.Regenerate(ctx, c.ID) })
	if got, want := p.last(), "user:q1 | assistant:answer 1 | user:q2 | assistant:answer 2 | user:q3"; got != want {
		t.Fatalf("regenerate on an older branch: model saw %q, want %q", got, want)
	}
	wantShown, _ := shown(t, s, c.ID)

	// Search finds messages of branches not shown.
	if hits, err := s.SearchMessages(ctx, "edited"); err != nil || len(hits) != 2 {
		t.Fatalf("search across branches: %+v %v", hits, err)
	}
	if _, err := s.SelectBranch(ctx, c.ID, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("select an unknown message: %v", err)
	}
	s.Close()
	db.Close()

	// After a restart: the same branch is shown, the others are there.
	db2, err := store.Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	s = newService(db2, nil, p)
	defer s.Close()
	got, msgs = shown(t, s, c.ID)
	if got != wantShown || len(msgs[0].Siblings) != 2 || len(msgs[3].Siblings) != 2 || len(msgs[5].Siblings) != 2 {
		t.Fatalf("after restart: %q", got)
	}
	if _, err := s.SelectBranch(ctx, c.ID, msgs[0].Siblings[1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := shown(t, s, c.ID); got != "user:q1 edited | assistant:answer 4 | user:on edited | assistant:answer 5" {
		t.Fatalf("edited branch after restart: %q", got)
	}
}

// Switching branches while an answer is generating is refused.
func TestSelectBranchWhileGenerating(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	g, err := s.reserve(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "hi"})
	if _, err := s.SelectBranch(ctx, c.ID, m.ID); !errors.Is(err, ErrBusy) {
		t.Fatalf("select while generating: %v", err)
	}
	s.release(c.ID, g)
	if _, err := s.SelectBranch(ctx, c.ID, m.ID); err != nil {
		t.Fatal(err)
	}
}

// A chat export shows the shown branch and notes the other versions.
func TestExportShowsBranchWithVersions(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	q1, _ := db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "first wording"})
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "assistant", Content: "answer to the first"})
	db.AddReply(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "second wording"})
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "assistant", Content: "answer to the second"})
	if err := db.SelectBranch(ctx, c.ID, q1.ID); err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"markdown", "html"} {
		var b strings.Builder
		if err := s.ExportChat(ctx, c.ID, format, &b); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if !strings.Contains(out, "first wording") || !strings.Contains(out, "answer to the first") || strings.Contains(out, "second wording") {
			t.Fatalf("%s export is not the shown branch:\n%s", format, out)
		}
		if !strings.Contains(out, "version 1 of 2") || strings.Count(out, "version 1 of 2") != 1 || !strings.Contains(out, "other versions") {
			t.Fatalf("%s export does not note the other versions:\n%s", format, out)
		}
	}
}
