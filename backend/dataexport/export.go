package dataexport

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"sidecar/backend/store"
)

// secretish are setting keys never exported, whatever they hold.
var secretish = []string{"key", "token", "secret", "password", "passphrase"}

func secretSetting(k string) bool {
	k = strings.ToLower(k)
	for _, s := range secretish {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// Progress reports an export or import: Done of Total items.
type Progress struct {
	Stage string `json:"stage"`
	Done  int    `json:"done"`
	Total int    `json:"total"`
}

// Export writes the whole profile as an archive, encrypted when
// passphrase is not empty. It reads one consistent snapshot.
func Export(ctx context.Context, db *store.DB, appVersion, passphrase string, progress func(Progress)) ([]byte, Manifest, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	tx, err := db.SQL().BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, Manifest{}, fmt.Errorf("dataexport: %w", err)
	}
	defer tx.Rollback()
	chats, where, err := readChats(ctx, tx, progress)
	if err != nil {
		return nil, Manifest{}, err
	}
	atts, err := readAttachments(ctx, tx, where, progress)
	if err != nil {
		return nil, Manifest{}, err
	}
	docs, err := readDocuments(ctx, tx, progress)
	if err != nil {
		return nil, Manifest{}, err
	}
	settings, err := readSettings(ctx, tx)
	if err != nil {
		return nil, Manifest{}, err
	}
	presets, err := readPresets(ctx, tx)
	if err != nil {
		return nil, Manifest{}, err
	}
	m := Manifest{Format: Format, SchemaVersion: SchemaVersion, AppVersion: appVersion, CreatedAt: time.Now().UnixMilli(), SHA256: map[string]string{}}
	m.Counts.Chats, m.Counts.Documents, m.Counts.Settings, m.Counts.Presets = len(chats), len(docs), len(settings), len(presets)
	m.Counts.Attachments = len(atts)
	for _, c := range chats {
		m.Counts.Messages += len(c.Messages)
	}
	for _, d := range docs {
		m.Counts.Chunks += len(d.Chunks)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, part := range []struct {
		name string
		v    any
	}{{PartChats, chats}, {PartDocuments, docs}, {PartSettings, settings}, {PartPresets, presets}, {PartAttachments, atts}} {
		b, err := json.MarshalIndent(part.v, "", " ")
		if err != nil {
			return nil, m, fmt.Errorf("dataexport: %w", err)
		}
		sum := sha256.Sum256(b)
		m.SHA256[part.name] = hex.EncodeToString(sum[:])
		w, err := zw.Create(part.name)
		if err != nil {
			return nil, m, fmt.Errorf("dataexport: %w", err)
		}
		w.Write(b)
	}
	mb, _ := json.MarshalIndent(m, "", " ")
	w, err := zw.Create(PartManifest)
	if err != nil {
		return nil, m, fmt.Errorf("dataexport: %w", err)
	}
	w.Write(mb)
	if err := zw.Close(); err != nil {
		return nil, m, fmt.Errorf("dataexport: %w", err)
	}
	progress(Progress{Stage: "written", Done: 1, Total: 1})
	if passphrase == "" {
		return buf.Bytes(), m, nil
	}
	enc, err := encrypt(buf.Bytes(), passphrase)
	return enc, m, err
}

// msgPlace is where a message is in the archive: its chat's place in
// chats.json (1 up) and its id within the chat.
type msgPlace struct{ chat, msg int }

// readChats reads every chat and says where each message (by its id in
// the database) is in the archive.
func readChats(ctx context.Context, tx *sql.Tx, progress func(Progress)) ([]Chat, map[int64]msgPlace, error) {
	where := map[int64]msgPlace{}
	rows, err := tx.QueryContext(ctx, `SELECT id, title, model, use_documents, system_prompt, temperature, top_p, max_tokens,
		created_at, updated_at, leaf_id FROM chats ORDER BY created_at, id`)
	if err != nil {
		return nil, nil, fmt.Errorf("dataexport: chats: %w", err)
	}
	var ids []int64
	var leaves []int64
	chats := []Chat{}
	for rows.Next() {
		var id int64
		var c Chat
		var temp, topP sql.NullFloat64
		var leaf sql.NullInt64
		if err := rows.Scan(&id, &c.Title, &c.Model, &c.UseDocuments, &c.SystemPrompt, &temp, &topP, &c.MaxTokens, &c.CreatedAt, &c.UpdatedAt, &leaf); err != nil {
			rows.Close()
			return nil, nil, fmt.Errorf("dataexport: chats: %w", err)
		}
		c.Temperature, c.TopP = floatPtr(temp), floatPtr(topP)
		ids = append(ids, id)
		leaves = append(leaves, leaf.Int64)
		chats = append(chats, c)
	}
	rows.Close()
	for i, id := range ids {
		progress(Progress{Stage: "chats", Done: i, Total: len(ids)})
		mr, err := tx.QueryContext(ctx, `SELECT id, parent_id, role, content, model, status, error, prompt_tokens, completion_tokens, duration_ms,
			context_dropped, citations, created_at, reasoning FROM messages WHERE chat_id = ? ORDER BY id`, id)
		if err != nil {
			return nil, nil, fmt.Errorf("dataexport: messages: %w", err)
		}
		chats[i].Messages = []Message{}
		// Messages are numbered in the archive 1 up; a parent is always
		// older than its child, so it is numbered first.
		num := map[int64]int{}
		for mr.Next() {
			var m Message
			var dbID int64
			var parent sql.NullInt64
			if err := mr.Scan(&dbID, &parent, &m.Role, &m.Content, &m.Model, &m.Status, &m.Error, &m.PromptTokens, &m.CompletionTokens, &m.DurationMS,
				&m.ContextDropped, &m.Citations, &m.CreatedAt, &m.Reasoning); err != nil {
				mr.Close()
				return nil, nil, fmt.Errorf("dataexport: messages: %w", err)
			}
			m.ID = len(chats[i].Messages) + 1
			m.Parent = num[parent.Int64]
			num[dbID] = m.ID
			where[dbID] = msgPlace{chat: i + 1, msg: m.ID}
			chats[i].Messages = append(chats[i].Messages, m)
		}
		mr.Close()
		chats[i].Shown = num[leaves[i]]
	}
	return chats, where, nil
}

// readAttachments reads the files of sent messages, one at a time.
func readAttachments(ctx context.Context, tx *sql.Tx, where map[int64]msgPlace, progress func(Progress)) ([]Attachment, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, message_id FROM attachments WHERE message_id IS NOT NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("dataexport: attachments: %w", err)
	}
	type ref struct{ id, msg int64 }
	var refs []ref
	for rows.Next() {
		var r ref
		if err := rows.Scan(&r.id, &r.msg); err != nil {
			rows.Close()
			return nil, fmt.Errorf("dataexport: attachments: %w", err)
		}
		refs = append(refs, r)
	}
	rows.Close()
	out := []Attachment{}
	for i, r := range refs {
		progress(Progress{Stage: "attachments", Done: i, Total: len(refs)})
		place, ok := where[r.msg]
		if !ok {
			continue
		}
		a := Attachment{Chat: place.chat, Message: place.msg}
		if err := tx.QueryRowContext(ctx, `SELECT name, mime, kind, lang, data, text, truncated, kept_tokens, total_tokens, created_at
			FROM attachments WHERE id = ?`, r.id).Scan(&a.Name, &a.MIME, &a.Kind, &a.Lang, &a.Data, &a.Text, &a.Truncated, &a.KeptTokens, &a.TotalTokens, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("dataexport: attachment: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}

func readDocuments(ctx context.Context, tx *sql.Tx, progress func(Progress)) ([]Document, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, source, title, mime, size, sha256, content, created_at, updated_at FROM documents ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("dataexport: documents: %w", err)
	}
	var ids []int64
	docs := []Document{}
	for rows.Next() {
		var id int64
		var d Document
		if err := rows.Scan(&id, &d.Source, &d.Title, &d.Kind, &d.Size, &d.SHA256, &d.Content, &d.CreatedAt, &d.UpdatedAt); err != nil {
			rows.Close()
			return nil, fmt.Errorf("dataexport: documents: %w", err)
		}
		ids = append(ids, id)
		docs = append(docs, d)
	}
	rows.Close()
	for i, id := range ids {
		progress(Progress{Stage: "documents", Done: i, Total: len(ids)})
		cr, err := tx.QueryContext(ctx, `SELECT ord, text, line_start, line_end, heading, tokens FROM chunks WHERE document_id = ? ORDER BY ord`, id)
		if err != nil {
			return nil, fmt.Errorf("dataexport: chunks: %w", err)
		}
		docs[i].Chunks = []Chunk{}
		for cr.Next() {
			var c Chunk
			if err := cr.Scan(&c.Ord, &c.Text, &c.LineStart, &c.LineEnd, &c.Heading, &c.Tokens); err != nil {
				cr.Close()
				return nil, fmt.Errorf("dataexport: chunks: %w", err)
			}
			docs[i].Chunks = append(docs[i].Chunks, c)
		}
		cr.Close()
	}
	return docs, nil
}

func readSettings(ctx context.Context, tx *sql.Tx) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT key, value FROM settings ORDER BY key`)
	if err != nil {
		return nil, fmt.Errorf("dataexport: settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("dataexport: settings: %w", err)
		}
		if !secretSetting(k) {
			out[k] = v
		}
	}
	return out, rows.Err()
}

func readPresets(ctx context.Context, tx *sql.Tx) ([]Preset, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, system_prompt, temperature, top_p, max_tokens, created_at, updated_at FROM presets ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("dataexport: presets: %w", err)
	}
	defer rows.Close()
	out := []Preset{}
	for rows.Next() {
		var p Preset
		var temp, topP sql.NullFloat64
		if err := rows.Scan(&p.Name, &p.SystemPrompt, &temp, &topP, &p.MaxTokens, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return nil, fmt.Errorf("dataexport: presets: %w", err)
		}
		p.Temperature, p.TopP = floatPtr(temp), floatPtr(topP)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("dataexport: presets: %w", err)
	}
	return out, nil
}

func floatPtr(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	v := n.Float64
	return &v
}

func nullFloat(p *float64) sql.NullFloat64 {
	if p == nil {
		return sql.NullFloat64{}
	}
	return sql.NullFloat64{Float64: *p, Valid: true}
}
