package dataexport

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"sidecar/backend/store"
)

var imgBytes = []byte("\x89PNG\r\n\x1a\n\x00\x01\x02\xff binary")

// attachedChat makes a chat whose first message carries a text file cut
// to fit and an image, and whose edited version keeps the text file.
func attachedChat(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	c, _ := db.CreateChat(ctx, "Files", "openai/gpt-4o")
	txt, err := db.AddPendingAttachment(ctx, store.Attachment{ChatID: c.ID, Name: "notes.md", MIME: "text/markdown; charset=utf-8", Kind: "markdown",
		Data: []byte("# Notes\r\nsecond line\r\n"), Text: "# Notes\nsecond line\n"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := db.AddPendingAttachment(ctx, store.Attachment{ChatID: c.ID, Name: "shot.png", MIME: "image/png", Kind: "image", Data: imgBytes})
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "look", Attach: []int64{txt.ID, img.ID}})
	if err != nil {
		t.Fatal(err)
	}
	db.SetAttachmentFit(ctx, txt.ID, true, 3, 5)
	db.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "assistant", Content: "seen"})
	if _, err := db.AddReply(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "look again", Attach: []int64{txt.ID}}); err != nil {
		t.Fatal(err)
	}
	_ = u
	return c.ID
}

// files lists a chat's attachments by message content, data and all.
func files(t *testing.T, db *store.DB, chatID int64) map[string][]store.Attachment {
	t.Helper()
	ctx := context.Background()
	msgs, _ := db.Messages(ctx, chatID)
	ids := []int64{}
	for _, m := range msgs {
		ids = append(ids, m.ID)
	}
	by, err := db.AttachmentsOf(ctx, ids, true)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]store.Attachment{}
	for _, m := range msgs {
		out[m.Content] = by[m.ID]
	}
	return out
}

func TestAttachmentsRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := newProfile(t)
	id := attachedChat(t, db)
	// A pending file (picked, not sent) is not part of the data exported.
	db.AddPendingAttachment(ctx, store.Attachment{ChatID: id, Name: "draft.txt", MIME: "text/plain", Kind: "text", Data: []byte("draft"), Text: "draft"})
	archive, m, err := Export(ctx, db, "test", "pass phrase", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.SchemaVersion != 4 || m.Counts.Attachments != 3 {
		t.Fatalf("manifest %+v", m)
	}
	db2, ds2 := newProfile(t)
	rep, err := Import(ctx, db2, ds2, archive, "pass phrase", nil)
	if err != nil || rep.Chats != 1 || rep.Attachments != 3 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	chats, _ := db2.ListChats(ctx)
	want, got := files(t, db, id), files(t, db2, chats[0].ID)
	if len(got["look"]) != 2 || len(got["look again"]) != 1 || len(got["seen"]) != 0 {
		t.Fatalf("imported files = %+v", got)
	}
	for content, ws := range want {
		for i, w := range ws {
			g := got[content][i]
			if g.Name != w.Name || g.MIME != w.MIME || g.Kind != w.Kind || !bytes.Equal(g.Data, w.Data) || g.Text != w.Text || g.Size != w.Size ||
				g.Truncated != w.Truncated || g.KeptTokens != w.KeptTokens || g.TotalTokens != w.TotalTokens || !g.CreatedAt.Equal(w.CreatedAt) {
				t.Errorf("%q file %d: got %+v, want %+v", content, i, g, w)
			}
		}
	}
	// Importing again into the same profile skips the chat and its files.
	rep, err = Import(ctx, db2, ds2, archive, "pass phrase", nil)
	if err != nil || rep.ChatsSkipped != 1 || rep.Attachments != 0 {
		t.Fatalf("second import: %+v %v", rep, err)
	}
	var n int
	db2.SQL().QueryRowContext(ctx, `SELECT count(*) FROM attachments`).Scan(&n)
	if n != 3 {
		t.Fatalf("%d attachments after merging the same archive, want 3", n)
	}
}

// An archive whose attachments point nowhere, belong to an answer, are of
// an unknown kind or are over the limits is refused before anything is
// written.
func TestHostileAttachmentsChangeNothing(t *testing.T) {
	ctx := context.Background()
	db, _ := newProfile(t)
	attachedChat(t, db)
	good, m, _ := Export(ctx, db, "test", "", nil)
	base := unzip(t, good)
	cases := map[string]func(a map[string]any){
		"no such chat":    func(a map[string]any) { a["chat"] = 2 },
		"no such message": func(a map[string]any) { a["message"] = 9 },
		"an answer's":     func(a map[string]any) { a["message"] = 2 },
		"unknown kind":    func(a map[string]any) { a["kind"] = "executable" },
		"no name":         func(a map[string]any) { a["name"] = "" },
		"too large": func(a map[string]any) {
			b := make([]byte, 20<<20+1) // random, so it does not compress like a bomb
			rand.Read(b)
			a["data"] = b
		},
		"unknown field": func(a map[string]any) { a["path"] = "/etc/passwd" },
	}
	for name, edit := range cases {
		var atts []map[string]any
		if err := json.Unmarshal(base[PartAttachments], &atts); err != nil {
			t.Fatal(err)
		}
		edit(atts[1])
		b, _ := json.Marshal(atts)
		archive := withParts(t, base, m.Counts, map[string][]byte{PartAttachments: b})
		db2, ds2 := newProfile(t)
		_, err := Import(ctx, db2, ds2, archive, "", nil)
		if !errors.Is(err, ErrBadArchive) {
			t.Errorf("%s: import = %v, want ErrBadArchive", name, err)
		}
		if name == "too large" && !strings.Contains(fmtErr(err), "20 MiB") {
			t.Errorf("too large: %v", err)
		}
		if list, _ := db2.ListChats(ctx); len(list) != 0 {
			t.Errorf("%s: %d chats written", name, len(list))
		}
	}
	// A schema 4 archive without attachments.json is damaged.
	p := map[string][]byte{}
	for k, v := range base {
		p[k] = v
	}
	delete(p, PartAttachments)
	db2, ds2 := newProfile(t)
	counts := m.Counts
	counts.Attachments = 0
	if _, err := Import(ctx, db2, ds2, withParts(t, p, counts, nil), "", nil); !errors.Is(err, ErrBadArchive) {
		t.Errorf("no attachments.json: %v", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
