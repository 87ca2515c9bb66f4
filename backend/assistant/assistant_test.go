package assistant

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"sidecar/backend/catalog"
	"sidecar/backend/llm"
	"sidecar/backend/store"
	"sidecar/backend/store/storetest"
)

// recorder collects events; wait blocks until a predicate holds.
type recorder struct {
	mu     sync.Mutex
	events []event
	cond   chan struct{}
}

type event struct {
	name string
	data any
}

func newRecorder() *recorder { return &recorder{cond: make(chan struct{}, 1000)} }

func (r *recorder) Emit(name string, data any) {
	r.mu.Lock()
	r.events = append(r.events, event{name, data})
	r.mu.Unlock()
	r.cond <- struct{}{}
}

func (r *recorder) waitDone(t *testing.T, chatID int64) DoneEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if d, ok := e.data.(DoneEvent); ok && e.name == EventDone && d.ChatID == chatID {
				r.mu.Unlock()
				return d
			}
		}
		r.mu.Unlock()
		select {
		case <-r.cond:
		case <-deadline:
			t.Fatal("no done event")
		}
	}
}

// waitAnswer blocks until the done event of answer messageID.
func (r *recorder) waitAnswer(t *testing.T, messageID int64) DoneEvent {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		for _, e := range r.events {
			if d, ok := e.data.(DoneEvent); ok && e.name == EventDone && d.Message.ID == messageID {
				r.mu.Unlock()
				return d
			}
		}
		r.mu.Unlock()
		select {
		case <-r.cond:
		case <-deadline:
			t.Fatal("no done event")
		}
	}
}

// tokens is the answer text streamed for a message.
func (r *recorder) tokens(messageID int64) string { return r.pieces(EventToken, messageID) }

// pieces joins the TokenEvents named name of a message. A piece whose
// Offset is not the UTF-16 length of the text before it shows as
// "[offset N, want M]" in the result, so the caller's comparison fails.
func (r *recorder) pieces(name string, messageID int64) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	at := 0
	for _, e := range r.events {
		if te, ok := e.data.(TokenEvent); ok && e.name == name && te.MessageID == messageID {
			if te.Offset != at {
				fmt.Fprintf(&b, "[offset %d, want %d]", te.Offset, at)
			}
			b.WriteString(te.Text)
			at += len(utf16.Encode([]rune(te.Text)))
		}
	}
	return b.String()
}

// newService is a Service over db whose catalogue offers providers.
func newService(db *store.DB, events Events, providers ...llm.Provider) *Service {
	return New(db, catalog.New(db, events, nil, providers...), events, nil)
}

func openDB(t *testing.T) (*store.DB, string, []byte) {
	t.Helper()
	return storetest.OpenFile(t)
}

func TestSendStreamsAndPersists(t *testing.T) {
	ctx := context.Background()
	db, path, key := openDB(t)
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{})
	c, err := s.CreateChat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SendMessage(ctx, c.ID, "  How do I reverse a slice in Go?  ")
	if err != nil {
		t.Fatal(err)
	}
	if res.User.Content != "How do I reverse a slice in Go?" || res.Assistant.Status != store.StatusStreaming {
		t.Fatalf("send result = %+v", res)
	}
	done := rec.waitDone(t, c.ID)
	want := "Echo: How do I reverse a slice in Go?"
	if done.Message.Content != want || done.Message.Status != store.StatusDone || done.Message.Model != DefaultModel {
		t.Fatalf("done = %+v", done.Message)
	}
	if got := rec.tokens(res.Assistant.ID); got != want {
		t.Fatalf("streamed tokens = %q, want %q", got, want)
	}
	if done.Message.CompletionTokens != 9 {
		t.Errorf("completion tokens = %d", done.Message.CompletionTokens)
	}
	s.Close()
	db.Close()

	// After a restart the chat, its auto title and both messages are there.
	db, err = store.Open(ctx, path, key)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s = newService(db, nil, &llm.Echo{})
	d, err := s.OpenChat(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Chat.Title != "How do I reverse a slice in Go?" {
		t.Errorf("title = %q", d.Chat.Title)
	}
	if len(d.Messages) != 2 || d.Messages[1].Content != want || d.Messages[0].Role != "user" {
		t.Fatalf("messages = %+v", d.Messages)
	}
}

// Each streamed piece says where it starts in the answer, counted as a
// JavaScript string counts (UTF-16 code units), so a view can place pieces
// that arrive out of order or twice; characters outside the Basic
// Multilingual Plane count two.
func TestTokenOffsetsCountUTF16(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{})
	defer s.Close()
	c, err := s.CreateChat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SendMessage(ctx, c.ID, "naïve 👋 𝔘nicode café")
	if err != nil {
		t.Fatal(err)
	}
	rec.waitDone(t, c.ID)
	var offsets []int
	rec.mu.Lock()
	for _, e := range rec.events {
		if te, ok := e.data.(TokenEvent); ok && te.MessageID == res.Assistant.ID {
			offsets = append(offsets, te.Offset)
		}
	}
	rec.mu.Unlock()
	// "Echo:" 5, " naïve" 6, " 👋" 3, " 𝔘nicode" 9, " café".
	if want := []int{0, 5, 11, 14, 23}; fmt.Sprint(offsets) != fmt.Sprint(want) {
		t.Fatalf("offsets = %v, want %v", offsets, want)
	}
	if got := rec.tokens(res.Assistant.ID); got != "Echo: naïve 👋 𝔘nicode café" {
		t.Fatalf("streamed = %q", got)
	}
}

// A chat opened while its answer streams shows everything streamed so far
// (more than the last saved text), and the pieces that follow, placed by
// their offsets, complete it exactly.
func TestOpenWhileStreamingShowsLiveText(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{Delay: 20 * time.Millisecond})
	defer s.Close()
	c, err := s.CreateChat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.SendMessage(ctx, c.ID, strings.Repeat("word ", 30))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(rec.tokens(res.Assistant.ID)) < len("Echo: word word") {
		if time.Now().After(deadline) {
			t.Fatal("no tokens")
		}
		time.Sleep(5 * time.Millisecond)
	}
	d, err := s.OpenChat(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := d.Messages[len(d.Messages)-1]
	if !d.Generating || last.ID != res.Assistant.ID || last.Status != store.StatusStreaming {
		t.Fatalf("opened: generating %v, last %+v", d.Generating, last)
	}
	if len(last.Content) < len("Echo: word word") {
		t.Fatalf("opened mid-stream with %q: less than was streamed before", last.Content)
	}
	done := rec.waitDone(t, c.ID)
	if !strings.HasPrefix(done.Message.Content, last.Content) || last.Content == done.Message.Content {
		t.Fatalf("opened with %q, final %q", last.Content, done.Message.Content)
	}
	// Continue from the opened text as the window does.
	text := last.Content
	rec.mu.Lock()
	for _, e := range rec.events {
		if te, ok := e.data.(TokenEvent); ok && e.name == EventToken && te.MessageID == res.Assistant.ID && te.Offset >= len(text) {
			if te.Offset != len(text) {
				t.Errorf("piece at %d after text of %d", te.Offset, len(text))
			}
			text += te.Text
		}
	}
	rec.mu.Unlock()
	if text != done.Message.Content {
		t.Fatalf("continued text %q, final %q", text, done.Message.Content)
	}
}

func TestStopKeepsPartialAnswer(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{Delay: 30 * time.Millisecond})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	res, err := s.SendMessage(ctx, c.ID, strings.Repeat("word ", 200))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendMessage(ctx, c.ID, "again"); !errors.Is(err, ErrBusy) {
		t.Fatalf("second send while generating: %v, want ErrBusy", err)
	}
	time.Sleep(150 * time.Millisecond)
	s.Stop(c.ID)
	done := rec.waitDone(t, c.ID)
	if done.Message.Status != store.StatusStopped {
		t.Fatalf("status = %q, want stopped", done.Message.Status)
	}
	if done.Message.Content == "" || len(done.Message.Content) > 200 {
		t.Fatalf("partial content = %q", done.Message.Content)
	}
	if got := rec.tokens(res.Assistant.ID); got != done.Message.Content {
		t.Errorf("stored %q but streamed %q", done.Message.Content, got)
	}
	// The chat is free again.
	if _, err := s.SendMessage(ctx, c.ID, "next"); err != nil {
		t.Fatalf("send after stop: %v", err)
	}
}

type failing struct{}

func (failing) ID() string { return "broken" }
func (failing) Models(context.Context) ([]llm.Model, error) {
	return []llm.Model{{ID: "m", Name: "Broken"}}, nil
}
func (failing) Stream(_ context.Context, _ llm.Request, on llm.TokenFunc) (llm.Usage, error) {
	on("partial ")
	return llm.Usage{}, errors.New("provider unavailable")
}

func TestFailureKeepsUserMessageAndRetry(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	s := newService(db, rec, &llm.Echo{}, failing{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	if err := s.SetChatModel(ctx, c.ID, "nope/x"); !errors.Is(err, catalog.ErrNoProvider) {
		t.Fatalf("unknown provider accepted: %v", err)
	}
	if err := s.SetChatModel(ctx, c.ID, "broken/m"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendMessage(ctx, c.ID, "hello"); err != nil {
		t.Fatal(err)
	}
	done := rec.waitDone(t, c.ID)
	if done.Message.Status != store.StatusError || !strings.Contains(done.Message.Error, "provider unavailable") {
		t.Fatalf("done = %+v", done.Message)
	}
	// Retry with a working model replaces the failed answer.
	s.SetChatModel(ctx, c.ID, DefaultModel)
	rec2 := newRecorder()
	s.events = rec2
	if _, err := s.Regenerate(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	rec2.waitDone(t, c.ID)
	d, _ := s.OpenChat(ctx, c.ID)
	if len(d.Messages) != 2 || d.Messages[0].Content != "hello" || d.Messages[1].Content != "Echo: hello" {
		t.Fatalf("after retry = %+v", d.Messages)
	}
}

func TestValidationAndChatManagement(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	for _, bad := range []string{"", "   \n ", strings.Repeat("x", MaxMessageBytes+1), "bad \xff utf8"} {
		if _, err := s.SendMessage(ctx, c.ID, bad); err == nil {
			t.Errorf("SendMessage(%.20q) accepted", bad)
		}
	}
	if _, err := s.SendMessage(ctx, 424242, "hi"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("send to missing chat: %v", err)
	}
	if err := s.RenameChat(ctx, c.ID, "Renamed"); err != nil {
		t.Fatal(err)
	}
	c2, _ := s.CreateChat(ctx)
	list, _ := s.ListChats(ctx)
	if len(list) != 2 || list[0].ID != c2.ID {
		t.Fatalf("list = %+v", list)
	}
	if err := s.DeleteChat(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.OpenChat(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleted chat still opens: %v", err)
	}
	models, _ := s.cat.Models(ctx)
	if len(models) != 1 || models[0].ID != DefaultModel || !strings.Contains(models[0].Name, "test provider") {
		t.Errorf("models = %+v", models)
	}
	if err := s.SetTheme(ctx, "neon"); err == nil {
		t.Error("bad theme accepted")
	}
	s.SetTheme(ctx, "dark")
	if th, _ := s.Theme(ctx); th != "dark" {
		t.Errorf("theme = %q", th)
	}
}

func TestTitleFrom(t *testing.T) {
	for in, want := range map[string]string{
		"# Hello world\nmore":     "Hello world",
		"short":                   "short",
		strings.Repeat("ab ", 30): "ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab…",
	} {
		if got := titleFrom(in); got != want {
			t.Errorf("titleFrom(%.20q) = %q, want %q", in, got, want)
		}
	}
}

// small is an echo with a 24-"token" window (one token per word).
type small struct{ llm.Echo }

func (small) ID() string                      { return "small" }
func (small) ContextWindow(string) (int, int) { return 24, 4 }
func (small) CountTokens(_ string, msgs []llm.Message) (int, error) {
	n := 0
	for _, m := range msgs {
		n += len(strings.Fields(m.Content))
	}
	return n, nil
}
func (small) Stream(ctx context.Context, req llm.Request, on llm.TokenFunc) (llm.Usage, error) {
	return (&llm.Echo{}).Stream(ctx, llm.Request{Messages: req.Messages}, on)
}

func TestLongChatDropsOldestTurns(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	s := newService(db, rec, &small{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	s.SetChatModel(ctx, c.ID, "small/echo")
	for i := 0; i < 3; i++ {
		rec2 := newRecorder()
		s.events = rec2
		if _, err := s.SendMessage(ctx, c.ID, "one two three four five six"); err != nil {
			t.Fatal(err)
		}
		d := rec2.waitDone(t, c.ID)
		want := 0
		if i == 2 {
			// history: 6+7+6+7+6 words = 32 > 20: the two oldest go.
			want = 2
		}
		if d.Message.ContextDropped != want || d.Message.Status != store.StatusDone {
			t.Fatalf("turn %d: dropped %d, want %d (%+v)", i, d.Message.ContextDropped, want, d.Message)
		}
	}
	d, _ := s.OpenChat(ctx, c.ID)
	if last := d.Messages[len(d.Messages)-1]; last.ContextDropped != 2 {
		t.Fatalf("not persisted: %+v", last)
	}
	if _, err := s.SendMessage(ctx, c.ID, strings.Repeat("word ", 30)); !errors.Is(err, llm.ErrContextTooLong) {
		t.Fatalf("oversized message: %v", err)
	}
	if d2, _ := s.OpenChat(ctx, c.ID); len(d2.Messages) != len(d.Messages)+1 {
		t.Fatalf("the user's oversized message must be kept: %d -> %d", len(d.Messages), len(d2.Messages))
	}
}

func TestEditAndResend(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	var first SendResult
	for i, text := range []string{"first question", "second question"} {
		r := newRecorder()
		s.events = r
		res, err := s.SendMessage(ctx, c.ID, text)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = res
		}
		r.waitDone(t, c.ID)
	}
	if _, err := s.EditAndResend(ctx, c.ID, first.Assistant.ID, "x"); err == nil {
		t.Fatal("an answer was editable as a user message")
	}
	r := newRecorder()
	s.events = r
	res, err := s.EditAndResend(ctx, c.ID, first.User.ID, "first question, edited")
	if err != nil {
		t.Fatal(err)
	}
	r.waitDone(t, c.ID)
	d, _ := s.OpenChat(ctx, c.ID)
	if len(d.Messages) != 2 || d.Messages[0].Content != "first question, edited" || d.Messages[1].Content != "Echo: first question, edited" || res.User.ID != d.Messages[0].ID {
		t.Fatalf("after edit: %+v", d.Messages)
	}
}
