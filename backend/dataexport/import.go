package dataexport

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"sidecar/backend/docs"
	"sidecar/backend/store"
)

// DocRestorer stores exported documents (docs.Service).
type DocRestorer interface {
	Restore(ctx context.Context, r docs.Restored) (docs.Result, error)
}

// Report says what an import did.
type Report struct {
	Chats            int `json:"chats"`
	ChatsSkipped     int `json:"chatsSkipped"` // already present
	Messages         int `json:"messages"`
	Documents        int `json:"documents"`
	DocumentsSkipped int `json:"documentsSkipped"`
	Settings         int `json:"settings"`
	// SettingsSkipped are the archive's settings that import does not
	// restore (see Importable), sorted; the user is told about them.
	SettingsSkipped []string `json:"settingsSkipped"`
}

// chatKey identifies a chat across profiles: same creation time, title
// and messages means the same chat.
func chatKey(created int64, title string, msgs []Message) string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00", created, title)
	for _, m := range msgs {
		fmt.Fprintf(h, "%s\x00%d\x00%s\x00", m.Role, m.CreatedAt, m.Content)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Import restores an archive into db: its chats and documents into an
// empty profile exactly, into a non-empty one as a merge without
// duplicates, and of its settings only the harmless preferences
// (Importable); the others are listed in the report. A hostile or broken
// archive is refused before anything is written (a document over
// MaxDocumentBytes included), and the parts are read as streams, one
// chat or document at a time; chats, messages and settings are written in
// one transaction.
func Import(ctx context.Context, db *store.DB, restorer DocRestorer, data []byte, passphrase string, progress func(Progress)) (Report, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	// Everything is checked before anything is written; the chats and
	// documents are then read again, one at a time, as they are written.
	a, err := check(data, passphrase, false)
	if err != nil {
		return Report{}, err
	}
	var rep Report
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return rep, fmt.Errorf("dataexport: %w", err)
	}
	defer tx.Rollback()
	existing := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT id, title, created_at FROM chats`)
	if err != nil {
		return rep, fmt.Errorf("dataexport: %w", err)
	}
	type ch struct {
		id      int64
		title   string
		created int64
	}
	var have []ch
	for rows.Next() {
		var c ch
		rows.Scan(&c.id, &c.title, &c.created)
		have = append(have, c)
	}
	rows.Close()
	for _, c := range have {
		mr, err := tx.QueryContext(ctx, `SELECT role, content, created_at FROM messages WHERE chat_id = ? ORDER BY id`, c.id)
		if err != nil {
			return rep, fmt.Errorf("dataexport: %w", err)
		}
		var msgs []Message
		for mr.Next() {
			var m Message
			mr.Scan(&m.Role, &m.Content, &m.CreatedAt)
			msgs = append(msgs, m)
		}
		mr.Close()
		existing[chatKey(c.created, c.title, msgs)] = true
	}
	chats, err := a.z.stream(PartChats)
	if err != nil {
		return Report{}, err
	}
	defer chats.Close()
	err = eachItem(chats, func(i int, c *Chat) error {
		progress(Progress{Stage: "chats", Done: i, Total: a.manifest.Counts.Chats})
		if existing[chatKey(c.CreatedAt, c.Title, c.Messages)] {
			rep.ChatsSkipped++
			return nil
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO chats(title, model, use_documents, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			c.Title, c.Model, c.UseDocuments, c.CreatedAt, c.UpdatedAt)
		if err != nil {
			return fmt.Errorf("dataexport: import chat: %w", err)
		}
		id, _ := res.LastInsertId()
		for _, m := range c.Messages {
			if _, err := tx.ExecContext(ctx, `INSERT INTO messages(chat_id, role, content, model, status, error, prompt_tokens, completion_tokens,
				duration_ms, context_dropped, citations, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, m.Role, m.Content, m.Model, m.Status, m.Error, m.PromptTokens, m.CompletionTokens, m.DurationMS, m.ContextDropped, m.Citations, m.CreatedAt); err != nil {
				return fmt.Errorf("dataexport: import message: %w", err)
			}
			rep.Messages++
		}
		rep.Chats++
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	rep.SettingsSkipped = []string{}
	for k, v := range a.settings {
		if !Importable(k, v) {
			rep.SettingsSkipped = append(rep.SettingsSkipped, k)
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`, k, v); err != nil {
			return Report{}, fmt.Errorf("dataexport: import settings: %w", err)
		}
		rep.Settings++
	}
	sort.Strings(rep.SettingsSkipped)
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("dataexport: %w", err)
	}
	documents, err := a.z.stream(PartDocuments)
	if err != nil {
		return rep, err
	}
	defer documents.Close()
	err = eachItem(documents, func(i int, d *Document) error {
		progress(Progress{Stage: "documents", Done: i, Total: a.manifest.Counts.Documents})
		chunks := make([]docs.Chunk, len(d.Chunks))
		for j, c := range d.Chunks {
			chunks[j] = docs.Chunk{Ord: c.Ord, Text: c.Text, LineStart: c.LineStart, LineEnd: c.LineEnd, Heading: c.Heading, Tokens: c.Tokens}
		}
		r, err := restorer.Restore(ctx, docs.Restored{Source: d.Source, Title: d.Title, Kind: d.Kind, Content: d.Content, SHA256: d.SHA256,
			Size: d.Size, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Chunks: chunks})
		if err != nil {
			return fmt.Errorf("dataexport: import document %q: %w", strings.TrimSpace(d.Title), err)
		}
		if r.Outcome == docs.Added {
			rep.Documents++
		} else {
			rep.DocumentsSkipped++
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	progress(Progress{Stage: "done", Done: 1, Total: 1})
	return rep, nil
}
