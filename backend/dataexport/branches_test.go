package dataexport

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"sidecar/backend/store"
)

// dropBranches turns a chat of a current archive into one of schema 1 or
// 2, which has no message ids, parents or shown branch.
func dropBranches(c map[string]any) {
	delete(c, "shown")
	msgs, _ := c["messages"].([]any)
	for _, m := range msgs {
		mm := m.(map[string]any)
		delete(mm, "id")
		delete(mm, "parent")
	}
}

// branchedChat makes a chat with two versions of the first question, the
// first of them with two answers; the shown branch is the first question
// with its second answer and a follow-up.
func branchedChat(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	c, err := db.CreateChat(ctx, "Branches", "echo/echo")
	if err != nil {
		t.Fatal(err)
	}
	add := func(m store.Message) store.Message {
		t.Helper()
		m.ChatID = c.ID
		got, err := db.AddReply(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	q1 := add(store.Message{Role: "user", Content: "q1"})
	add(store.Message{Role: "assistant", Content: "a1", ParentID: q1.ID})
	a1b := add(store.Message{Role: "assistant", Content: "a1 again", ParentID: q1.ID, Reasoning: "thought about q1"})
	q1b := add(store.Message{Role: "user", Content: "q1 edited"})
	add(store.Message{Role: "assistant", Content: "a to edited", ParentID: q1b.ID})
	add(store.Message{Role: "user", Content: "follow-up", ParentID: a1b.ID})
	if err := db.SelectBranch(ctx, c.ID, q1.ID); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func contents(path []store.Message) []string {
	var out []string
	for _, m := range path {
		out = append(out, m.Content)
	}
	return out
}

func TestBranchesRoundTrip(t *testing.T) {
	ctx := context.Background()
	db, _ := newProfile(t)
	id := branchedChat(t, db)
	archive, m, err := Export(ctx, db, "test", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.SchemaVersion != SchemaVersion || m.Counts.Messages != 6 {
		t.Fatalf("manifest %+v", m)
	}
	db2, ds2 := newProfile(t)
	rep, err := Import(ctx, db2, ds2, archive, "", nil)
	if err != nil || rep.Chats != 1 || rep.Messages != 6 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	chats, _ := db2.ListChats(ctx)
	want, _ := db.ShownPath(ctx, id)
	got, err := db2.ShownPath(ctx, chats[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := contents(got), contents(want); len(g) != 3 || g[0] != w[0] || g[1] != w[1] || g[2] != w[2] || w[2] != "follow-up" {
		t.Fatalf("shown path after import = %v, want %v", g, w)
	}
	if got[1].Reasoning != "thought about q1" || got[1].Content != "a1 again" || got[0].Reasoning != "" {
		t.Fatalf("reasoning after import: %q on %q, %q", got[1].Reasoning, got[1].Content, got[0].Reasoning)
	}
	if len(got[0].Siblings) != 2 || len(got[1].Siblings) != 2 || len(got[2].Siblings) != 1 {
		t.Fatalf("versions after import: %v %v %v", got[0].Siblings, got[1].Siblings, got[2].Siblings)
	}
	// The other version of the first question and its answer came too.
	if err := db2.SelectBranch(ctx, chats[0].ID, got[0].Siblings[1]); err != nil {
		t.Fatal(err)
	}
	other, _ := db2.ShownPath(ctx, chats[0].ID)
	if g := contents(other); len(g) != 2 || g[0] != "q1 edited" || g[1] != "a to edited" {
		t.Fatalf("other branch after import = %v", g)
	}
	// Exporting the imported profile gives the same archive content.
	again, _, err := Export(ctx, db2, "test", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	// The shown branch was changed above; put it back first.
	a1, _ := Read(archive, "")
	a2, _ := Read(again, "")
	a2.chats[0].Shown = a1.chats[0].Shown
	b1, _ := json.Marshal(a1.chats)
	b2, _ := json.Marshal(a2.chats)
	if string(b1) != string(b2) {
		t.Fatalf("chats differ after a round trip:\n%s\n%s", b1, b2)
	}
}

// An archive written before branches (schema 2) imports each chat as a
// single path ending at its last message.
func TestImportsSchema2AsSinglePath(t *testing.T) {
	ctx := context.Background()
	db, ds := newProfile(t)
	fill(t, db, ds)
	good, _, _ := Export(ctx, db, "test", "", nil)
	parts := unzip(t, good)
	delete(parts, PartAttachments) // schema 4 on
	var chats []map[string]any
	if err := json.Unmarshal(parts[PartChats], &chats); err != nil {
		t.Fatal(err)
	}
	for _, c := range chats {
		dropBranches(c)
	}
	parts[PartChats], _ = json.Marshal(chats)
	var m Manifest
	json.Unmarshal(parts[PartManifest], &m)
	m.SchemaVersion = 2
	parts[PartManifest], _ = json.Marshal(m)
	v2 := withParts(t, parts, m.Counts, nil)
	db2, ds2 := newProfile(t)
	rep, err := Import(ctx, db2, ds2, v2, "", nil)
	if err != nil || rep.Chats != 2 || rep.Messages != 2 {
		t.Fatalf("schema 2: %+v %v", rep, err)
	}
	list, _ := db2.ListChats(ctx)
	for _, c := range list {
		if c.Title != "Deploys" {
			continue
		}
		path, err := db2.ShownPath(ctx, c.ID)
		if err != nil || len(path) != 2 || path[0].Role != "user" || path[1].ParentID != path[0].ID || path[1].Content != "On Tuesdays [1]." {
			t.Fatalf("schema 2 chat path = %+v %v", path, err)
		}
		return
	}
	t.Fatal("the chat was not imported")
}

// Broken trees are refused before anything is written.
func TestHostileBranchesChangeNothing(t *testing.T) {
	ctx := context.Background()
	db, _ := newProfile(t)
	branchedChat(t, db)
	good, m, _ := Export(ctx, db, "test", "", nil)
	base := unzip(t, good)
	cases := map[string]func(c map[string]any){
		"parent after the message": func(c map[string]any) { c["messages"].([]any)[1].(map[string]any)["parent"] = 5 },
		"parent is itself":         func(c map[string]any) { c["messages"].([]any)[1].(map[string]any)["parent"] = 2 },
		"ids out of order":         func(c map[string]any) { c["messages"].([]any)[2].(map[string]any)["id"] = 9 },
		"shown not a message":      func(c map[string]any) { c["shown"] = 7 },
		"no shown":                 func(c map[string]any) { delete(c, "shown") },
	}
	for name, edit := range cases {
		var chats []map[string]any
		json.Unmarshal(base[PartChats], &chats)
		edit(chats[0])
		b, _ := json.Marshal(chats)
		archive := withParts(t, base, m.Counts, map[string][]byte{PartChats: b})
		db2, ds2 := newProfile(t)
		if _, err := Import(ctx, db2, ds2, archive, "", nil); !errors.Is(err, ErrBadArchive) {
			t.Errorf("%s: import = %v, want ErrBadArchive", name, err)
		}
		if list, _ := db2.ListChats(ctx); len(list) != 0 {
			t.Errorf("%s: %d chats written", name, len(list))
		}
	}
	// Ids in a schema 2 archive are refused too.
	var mf Manifest
	json.Unmarshal(base[PartManifest], &mf)
	mf.SchemaVersion = 2
	p := map[string][]byte{}
	for k, v := range base {
		p[k] = v
	}
	p[PartManifest], _ = json.Marshal(mf)
	delete(p, PartAttachments) // schema 4 on: only the ids are wrong
	db2, ds2 := newProfile(t)
	if _, err := Import(ctx, db2, ds2, withParts(t, p, m.Counts, nil), "", nil); !errors.Is(err, ErrBadArchive) {
		t.Errorf("schema 2 with ids: %v", err)
	}
}
