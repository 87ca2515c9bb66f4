package dataexport

import (
	"context"
	"crypto/sha256"
	"database/sql"
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
	Presets          int `json:"presets"`
	Attachments      int `json:"attachments"`
	// PresetsSkipped are presets the profile has already (same name,
	// same settings) or has no room for (store.MaxPresets).
	PresetsSkipped int `json:"presetsSkipped"`
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
	// msgIDs[i] maps the message numbers of chat i+1 to this profile's
	// ids; nil for a chat skipped as present already.
	var msgIDs [][]int64
	err = eachItem(chats, func(i int, c *Chat) error {
		progress(Progress{Stage: "chats", Done: i, Total: a.manifest.Counts.Chats})
		if existing[chatKey(c.CreatedAt, c.Title, c.Messages)] {
			rep.ChatsSkipped++
			msgIDs = append(msgIDs, nil)
			return nil
		}
		set := c.settings().Normalize()
		res, err := tx.ExecContext(ctx, `INSERT INTO chats(title, model, use_documents, system_prompt, temperature, top_p, max_tokens, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.Title, c.Model, c.UseDocuments, set.SystemPrompt, nullFloat(set.Temperature), nullFloat(set.TopP), set.MaxTokens, c.CreatedAt, c.UpdatedAt)
		if err != nil {
			return fmt.Errorf("dataexport: import chat: %w", err)
		}
		id, _ := res.LastInsertId()
		// The archive's message numbers become this profile's ids. Before
		// schema 3 a chat is one path: each message follows the one before.
		ids := make([]int64, len(c.Messages)+1)
		var leaf int64
		for i, m := range c.Messages {
			parent := leaf
			if m.ID != 0 {
				parent = ids[m.Parent]
			}
			mres, err := tx.ExecContext(ctx, `INSERT INTO messages(chat_id, parent_id, role, content, model, status, error, prompt_tokens, completion_tokens,
				duration_ms, context_dropped, citations, created_at, reasoning) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, sql.NullInt64{Int64: parent, Valid: parent != 0}, m.Role, m.Content, m.Model, m.Status, m.Error, m.PromptTokens, m.CompletionTokens, m.DurationMS, m.ContextDropped, m.Citations, m.CreatedAt, m.Reasoning)
			if err != nil {
				return fmt.Errorf("dataexport: import message: %w", err)
			}
			if ids[i+1], err = mres.LastInsertId(); err != nil {
				return fmt.Errorf("dataexport: import message: %w", err)
			}
			leaf = ids[i+1]
			rep.Messages++
		}
		msgIDs = append(msgIDs, ids)
		if c.Shown != 0 {
			leaf = ids[c.Shown]
		}
		if _, err := tx.ExecContext(ctx, `UPDATE chats SET leaf_id = ? WHERE id = ?`, sql.NullInt64{Int64: leaf, Valid: leaf != 0}, id); err != nil {
			return fmt.Errorf("dataexport: import chat: %w", err)
		}
		rep.Chats++
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	if _, ok := a.z.parts[PartAttachments]; ok {
		if err := importAttachments(ctx, tx, a, msgIDs, &rep, progress); err != nil {
			return Report{}, err
		}
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
	if err := importPresets(ctx, tx, a.presets, &rep); err != nil {
		return Report{}, err
	}
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

// importAttachments writes the files of the chats imported, one at a time;
// those of chats skipped (present already) are left out with them.
func importAttachments(ctx context.Context, tx *sql.Tx, a *archive, msgIDs [][]int64, rep *Report, progress func(Progress)) error {
	part, err := a.z.stream(PartAttachments)
	if err != nil {
		return err
	}
	defer part.Close()
	return eachItem(part, func(i int, at *Attachment) error {
		progress(Progress{Stage: "attachments", Done: i, Total: a.manifest.Counts.Attachments})
		ids := msgIDs[at.Chat-1] // checked in check
		if ids == nil {
			return nil
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO attachments(chat_id, message_id, name, mime, kind, lang, size, data, text, truncated, kept_tokens, total_tokens, created_at)
			SELECT chat_id, id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM messages WHERE id = ?`,
			at.Name, at.MIME, at.Kind, at.Lang, len(at.Data), nonNilBytes(at.Data), at.Text, at.Truncated, at.KeptTokens, at.TotalTokens, at.CreatedAt, ids[at.Message])
		if err != nil {
			return fmt.Errorf("dataexport: import attachment %q: %w", at.Name, err)
		}
		rep.Attachments++
		return nil
	})
}

func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// importPresets merges presets by name: one the profile has with the same
// settings is skipped; one whose name is taken by different settings
// comes in under a free name ("Terse (2)"), so neither is lost; beyond
// store.MaxPresets the rest are skipped.
func importPresets(ctx context.Context, tx *sql.Tx, ps []Preset, rep *Report) error {
	have := map[string]store.ChatSettings{}
	rows, err := tx.QueryContext(ctx, `SELECT name, system_prompt, temperature, top_p, max_tokens FROM presets`)
	if err != nil {
		return fmt.Errorf("dataexport: import presets: %w", err)
	}
	for rows.Next() {
		var name string
		var s store.ChatSettings
		var temp, topP sql.NullFloat64
		if err := rows.Scan(&name, &s.SystemPrompt, &temp, &topP, &s.MaxTokens); err != nil {
			rows.Close()
			return fmt.Errorf("dataexport: import presets: %w", err)
		}
		s.Temperature, s.TopP = floatPtr(temp), floatPtr(topP)
		have[name] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("dataexport: import presets: %w", err)
	}
	for i := range ps {
		name, _ := store.CleanPresetName(ps[i].Name) // checked in check
		set := ps[i].settings().Normalize()
		if haveAlready(have, name, set) {
			rep.PresetsSkipped++
			continue
		}
		if len(have) >= store.MaxPresets {
			rep.PresetsSkipped++
			continue
		}
		for n := 2; ; n++ {
			if _, taken := have[name]; !taken {
				break
			}
			suffix := fmt.Sprintf(" (%d)", n)
			base := []rune(strings.TrimSpace(ps[i].Name))
			if max := store.MaxPresetName - len(suffix); len(base) > max {
				base = base[:max]
			}
			name = string(base) + suffix
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO presets(name, system_prompt, temperature, top_p, max_tokens, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, name, set.SystemPrompt, nullFloat(set.Temperature), nullFloat(set.TopP), set.MaxTokens, ps[i].CreatedAt, ps[i].UpdatedAt); err != nil {
			return fmt.Errorf("dataexport: import preset %q: %w", name, err)
		}
		have[name] = set
		rep.Presets++
	}
	return nil
}

// haveAlready reports whether the profile has set under name, or under a
// name an earlier import gave it ("name (2)").
func haveAlready(have map[string]store.ChatSettings, name string, set store.ChatSettings) bool {
	for n, s := range have {
		if (n == name || strings.HasPrefix(n, name+" (") && strings.HasSuffix(n, ")")) && sameSettings(s, set) {
			return true
		}
	}
	return false
}

func sameSettings(a, b store.ChatSettings) bool {
	eq := func(x, y *float64) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return a.SystemPrompt == b.SystemPrompt && eq(a.Temperature, b.Temperature) && eq(a.TopP, b.TopP) && a.MaxTokens == b.MaxTokens
}
