package assistant

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"sidecar/backend/attach"
	"sidecar/backend/llm"
	"sidecar/backend/store"
)

// viewer is a vision model (when vision is set) with a 200-word window
// that records every request.
type viewer struct {
	vision bool
	mu     sync.Mutex
	reqs   []llm.Request
}

func (*viewer) ID() string { return "viewer" }
func (*viewer) Models(context.Context) ([]llm.Model, error) {
	return []llm.Model{{ID: "m", Name: "Viewer"}}, nil
}
func (v *viewer) Capabilities(string) llm.Capabilities {
	return llm.Capabilities{Vision: v.vision, ContextLength: 200}
}
func (*viewer) ContextWindow(string) (int, int) { return 200, 20 }
func (*viewer) CountTokens(_ string, msgs []llm.Message) (int, error) {
	n := 0
	for _, m := range msgs {
		n += len(strings.Fields(m.Content))
	}
	return n, nil
}
func (v *viewer) Stream(_ context.Context, req llm.Request, on llm.TokenFunc) (llm.Usage, error) {
	if llm.HasImages(req.Messages) && !v.vision {
		return llm.Usage{}, llm.ErrNoVision
	}
	v.mu.Lock()
	v.reqs = append(v.reqs, req)
	n := len(v.reqs)
	v.mu.Unlock()
	return llm.Usage{}, on(fmt.Sprintf("answer %d", n))
}
func (v *viewer) last() llm.Request {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reqs[len(v.reqs)-1]
}

var pngData = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// A text file goes into the prompt as a fenced block after the message;
// one too long for the model's window is cut to its share (half the
// window) with a note the model reads and the message shows; the view,
// a reopened chat, an edit and a regenerated answer all keep the file.
func TestTextAttachmentFittedAndKept(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	v := &viewer{}
	s := newService(db, rec, v)
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	s.SetChatModel(ctx, c.ID, "viewer/m")

	var long strings.Builder
	for i := 0; i < 100; i++ {
		fmt.Fprintf(&long, "w%d x\n", i) // 200 words
	}
	small, err := s.AddAttachment(ctx, c.ID, "small.go", []byte("package small\n"))
	if err != nil {
		t.Fatal(err)
	}
	big, err := s.AddAttachment(ctx, c.ID, "notes.txt", []byte(long.String()))
	if err != nil {
		t.Fatal(err)
	}
	if small.Kind != "code" || big.Kind != "text" || big.Size != int64(long.Len()) || big.MessageID != 0 {
		t.Fatalf("pending = %+v %+v", small, big)
	}
	res, err := s.SendWithAttachments(ctx, c.ID, "", []int64{small.ID, big.ID})
	if err != nil {
		t.Fatal(err)
	}
	rec.waitAnswer(t, res.Assistant.ID)
	u := v.last().Messages[len(v.last().Messages)-1]
	if !strings.HasPrefix(u.Content, "Attached file small.go:\n```go\npackage small\n```\n\nAttached file notes.txt:\n```\nw0 x\n") {
		t.Fatalf("prompt = %q", u.Content)
	}
	// Budget: (200-20)/2 = 90 words; small.go takes 2, notes.txt the rest.
	_, block, _ := strings.Cut(u.Content, "notes.txt:\n```\n")
	body, note, _ := strings.Cut(block, "```")
	if n := len(strings.Fields(body)); n > 88 || n < 80 {
		t.Fatalf("notes.txt kept %d words, want at most 88 and close to it", n)
	}
	wantNote := fmt.Sprintf("cut to its first %d of 200 tokens", len(strings.Fields(body)))
	if !strings.Contains(note, wantNote) {
		t.Fatalf("note = %q, want %q", note, wantNote)
	}
	if res.User.Content != "" || len(res.User.Attachments) != 2 || !res.User.Attachments[1].Truncated ||
		res.User.Attachments[1].KeptTokens != len(strings.Fields(body)) || res.User.Attachments[1].TotalTokens != 200 || res.User.Attachments[0].Truncated {
		t.Fatalf("sent view = %+v", res.User.Attachments)
	}
	if ch, _ := s.db.Chat(ctx, c.ID); ch.Title != "small.go" {
		t.Errorf("title = %q, want the first file's name", ch.Title)
	}
	d, _ := s.OpenChat(ctx, c.ID)
	if got := d.Messages[0].Attachments; len(got) != 2 || got[1].Name != "notes.txt" || !got[1].Truncated {
		t.Fatalf("reopened = %+v", got)
	}
	if len(d.Messages[1].Attachments) != 0 || d.Messages[1].Attachments == nil {
		t.Fatalf("answer attachments = %#v", d.Messages[1].Attachments)
	}
	if _, err := s.SendWithAttachments(ctx, c.ID, "again", []int64{small.ID}); !errors.Is(err, store.ErrAttachmentTaken) {
		t.Fatalf("a sent file given as pending: %v", err)
	}

	// Regenerating sends the files again.
	r2, err := s.Regenerate(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	rec.waitAnswer(t, r2.Assistant.ID)
	if got := v.last().Messages[len(v.last().Messages)-1].Content; got != u.Content {
		t.Fatalf("regenerated prompt differs:\n%q\n%q", got, u.Content)
	}
	// An edit keeps the files (EditAndResend) or the ones chosen.
	r3, err := s.EditAndResend(ctx, c.ID, res.User.ID, "look at these")
	if err != nil {
		t.Fatal(err)
	}
	rec.waitAnswer(t, r3.Assistant.ID)
	if got := v.last().Messages[len(v.last().Messages)-1].Content; !strings.HasPrefix(got, "look at these\n\nAttached file small.go:") || len(r3.User.Attachments) != 2 {
		t.Fatalf("edited prompt = %.80q, files %+v", got, r3.User.Attachments)
	}
	r4, err := s.EditWithAttachments(ctx, c.ID, res.User.ID, "only the code", []int64{small.ID})
	if err != nil {
		t.Fatal(err)
	}
	rec.waitAnswer(t, r4.Assistant.ID)
	if got := v.last().Messages[len(v.last().Messages)-1].Content; strings.Contains(got, "notes.txt") || len(r4.User.Attachments) != 1 {
		t.Fatalf("edit without notes.txt: %.120q", got)
	}
	// The first version keeps its files.
	d, _ = s.SelectBranch(ctx, c.ID, res.User.ID)
	if len(d.Messages[0].Attachments) != 2 {
		t.Fatalf("first version's files = %+v", d.Messages[0].Attachments)
	}
}

// Images go to a vision model as llm.Images with their bytes; a model
// without vision refuses them before anything is stored, and the files
// stay pending so nothing the user picked is lost.
func TestImagesOnlyForVisionModels(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	rec := newRecorder()
	v := &viewer{vision: true}
	s := newService(db, rec, &llm.Echo{}, v)
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	s.SetChatModel(ctx, c.ID, "echo/echo")
	img, err := s.AddAttachment(ctx, c.ID, "shot.png", pngData)
	if err != nil || img.Kind != attach.KindImage || img.MIME != "image/png" {
		t.Fatalf("image = %+v, %v", img, err)
	}
	if _, err := s.SendWithAttachments(ctx, c.ID, "what is this?", []int64{img.ID}); !errors.Is(err, ErrNoVision) {
		t.Fatalf("echo took an image: %v", err)
	}
	if d, _ := s.OpenChat(ctx, c.ID); len(d.Messages) != 0 {
		t.Fatalf("a refused message was stored: %+v", d.Messages)
	}
	if d, _ := s.OpenChat(ctx, c.ID); len(d.Pending) != 1 || d.Pending[0].ID != img.ID || d.Pending[0].Kind != "image" {
		t.Fatalf("pending after refusal = %+v", d.Pending)
	}
	s.SetChatModel(ctx, c.ID, "viewer/m")
	res, err := s.SendWithAttachments(ctx, c.ID, "what is this?", []int64{img.ID})
	if err != nil {
		t.Fatal(err)
	}
	rec.waitAnswer(t, res.Assistant.ID)
	u := v.last().Messages[len(v.last().Messages)-1]
	if u.Content != "what is this?" || len(u.Images) != 1 || u.Images[0].MIME != "image/png" || !bytes.Equal(u.Images[0].Data, pngData) {
		t.Fatalf("sent = %q with %d images", u.Content, len(u.Images))
	}
	opened, err := s.OpenAttachment(ctx, img.ID)
	if err != nil || !strings.HasPrefix(opened.DataURL, "data:image/png;base64,iVBORw0KGgo") || opened.Attachment.Name != "shot.png" {
		t.Fatalf("opened = %.60q, %v", opened.DataURL, err)
	}
	// Back on echo, regenerating an answer to the image is refused, and a
	// later text message goes with a note in place of the image.
	s.SetChatModel(ctx, c.ID, "echo/echo")
	if _, err := s.Regenerate(ctx, c.ID); !errors.Is(err, ErrNoVision) {
		t.Fatalf("regenerate on echo: %v", err)
	}
	r2, err := s.SendMessage(ctx, c.ID, "and now?")
	if err != nil {
		t.Fatal(err)
	}
	d := rec.waitAnswer(t, r2.Assistant.ID)
	if d.Message.Status != store.StatusDone || d.Message.Content != "Echo: and now?" {
		t.Fatalf("answer = %+v", d.Message)
	}
}

// What cannot be attached is refused with the reason, and a message
// carries a bounded number of files.
func TestAttachmentLimits(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, newRecorder(), &llm.Echo{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	if _, err := s.AddAttachment(ctx, c.ID, "tool.bin", []byte{0x7f, 'E', 'L', 'F', 0, 1, 2}); !errors.Is(err, attach.ErrRefused) || !strings.Contains(err.Error(), "tool.bin") {
		t.Fatalf("binary: %v", err)
	}
	for i := 0; i < attach.MaxPerMessage; i++ {
		if _, err := s.AddAttachment(ctx, c.ID, fmt.Sprintf("f%d.txt", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddAttachment(ctx, c.ID, "one-more.txt", []byte("x")); !errors.Is(err, attach.ErrRefused) || !strings.Contains(err.Error(), "at most 10") {
		t.Fatalf("11th file: %v", err)
	}
	p, _ := db.PendingAttachments(ctx, c.ID)
	if err := s.RemoveAttachment(ctx, p[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAttachment(ctx, c.ID, "one-more.txt", []byte("x")); err != nil {
		t.Fatalf("after removing one: %v", err)
	}
	if _, err := s.AddAttachment(ctx, 9999, "a.txt", []byte("x")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown chat: %v", err)
	}
	if _, err := s.SendMessage(ctx, c.ID, "  "); !errors.Is(err, ErrEmptyMessage) {
		t.Fatalf("empty message without files: %v", err)
	}
}

// A one-chat export lists each message's files; the HTML page shows a
// picture inline as a data URL (its policy allows data: images only) and
// the Markdown names it.
func TestExportListsAttachments(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openDB(t)
	defer db.Close()
	s := newService(db, nil, &llm.Echo{})
	defer s.Close()
	c, _ := s.CreateChat(ctx)
	txt, _ := s.AddAttachment(ctx, c.ID, "notes.md", []byte("# N\n"))
	img, _ := s.AddAttachment(ctx, c.ID, "shot.png", pngData)
	if _, err := db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "see", Attach: []int64{txt.ID, img.ID}}); err != nil {
		t.Fatal(err)
	}
	db.SetAttachmentFit(ctx, txt.ID, true, 1, 2)
	var md, html strings.Builder
	if err := s.ExportChat(ctx, c.ID, "markdown", &md); err != nil {
		t.Fatal(err)
	}
	if err := s.ExportChat(ctx, c.ID, "html", &html); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "*Attached:* notes.md (markdown, 4 B), cut to 1 of 2 tokens to fit the model's window\n") ||
		!strings.Contains(md.String(), "*Attached:* shot.png (image, 33 B)") || strings.Contains(md.String(), "base64") {
		t.Fatalf("markdown:\n%s", md.String())
	}
	want := `<img src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(pngData) + `"`
	if !strings.Contains(html.String(), want) || !strings.Contains(html.String(), "Attached: notes.md (markdown, 4 B)") ||
		!strings.Contains(html.String(), "img-src data:") {
		t.Fatalf("html:\n%s", html.String())
	}
}
