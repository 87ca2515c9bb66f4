package dataexport

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"sidecar/backend/docs"
	"sidecar/backend/store"
)

// Limits on what an archive may unpack to (zip bombs).
const (
	maxPartBytes  = 1 << 30
	maxTotalBytes = 2 << 30
	maxRatio      = 200 // uncompressed/compressed, for parts over 10 MiB
)

// ErrBadArchive is wrapped by every refusal of a hostile or broken archive.
var ErrBadArchive = errors.New("dataexport: not a valid Sidecar export")

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
}

type archive struct {
	manifest Manifest
	chats    []Chat
	docs     []Document
	settings map[string]string
}

// Read checks and decodes an archive without touching any data: the zip
// layout, sizes, the manifest's version and SHA-256 sums, the JSON of each
// part and the counts.
func Read(data []byte, passphrase string) (*archive, error) {
	if len(data) > MaxArchiveBytes {
		return nil, fmt.Errorf("%w: larger than %d GiB", ErrBadArchive, MaxArchiveBytes>>30)
	}
	if IsEncrypted(data) {
		plain, err := decrypt(data, passphrase)
		if err != nil {
			return nil, err
		}
		data = plain
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: not a zip archive (%v)", ErrBadArchive, err)
	}
	parts := map[string][]byte{}
	var total uint64
	for _, f := range zr.File {
		switch f.Name {
		case PartManifest, PartChats, PartDocuments, PartSettings:
		default:
			return nil, fmt.Errorf("%w: unexpected entry %q", ErrBadArchive, f.Name)
		}
		if _, dup := parts[f.Name]; dup {
			return nil, fmt.Errorf("%w: %s appears twice", ErrBadArchive, f.Name)
		}
		total += f.UncompressedSize64
		if f.UncompressedSize64 > maxPartBytes || total > maxTotalBytes {
			return nil, fmt.Errorf("%w: %s unpacks to more than allowed", ErrBadArchive, f.Name)
		}
		if f.UncompressedSize64 > 10<<20 && f.CompressedSize64 > 0 && f.UncompressedSize64/f.CompressedSize64 > maxRatio {
			return nil, fmt.Errorf("%w: %s is compressed suspiciously well (a zip bomb?)", ErrBadArchive, f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrBadArchive, f.Name, err)
		}
		// Never trust the declared size: read at most one byte more.
		b, err := io.ReadAll(io.LimitReader(rc, int64(f.UncompressedSize64)+1))
		rc.Close()
		if err != nil || uint64(len(b)) != f.UncompressedSize64 {
			return nil, fmt.Errorf("%w: %s is damaged", ErrBadArchive, f.Name)
		}
		parts[f.Name] = b
	}
	for _, name := range []string{PartManifest, PartChats, PartDocuments, PartSettings} {
		if _, ok := parts[name]; !ok {
			return nil, fmt.Errorf("%w: %s is missing", ErrBadArchive, name)
		}
	}
	a := &archive{}
	if err := strict(parts[PartManifest], &a.manifest); err != nil {
		return nil, fmt.Errorf("%w: manifest: %v", ErrBadArchive, err)
	}
	if a.manifest.Format != Format {
		return nil, fmt.Errorf("%w: format %q", ErrBadArchive, a.manifest.Format)
	}
	if a.manifest.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%w: schema version %d; this Sidecar reads version %d", ErrBadArchive, a.manifest.SchemaVersion, SchemaVersion)
	}
	for _, name := range []string{PartChats, PartDocuments, PartSettings} {
		sum := sha256.Sum256(parts[name])
		if a.manifest.SHA256[name] != hex.EncodeToString(sum[:]) {
			return nil, fmt.Errorf("%w: %s does not match its SHA-256 in the manifest", ErrBadArchive, name)
		}
	}
	if err := strict(parts[PartChats], &a.chats); err != nil {
		return nil, fmt.Errorf("%w: chats: %v", ErrBadArchive, err)
	}
	if err := strict(parts[PartDocuments], &a.docs); err != nil {
		return nil, fmt.Errorf("%w: documents: %v", ErrBadArchive, err)
	}
	if err := strict(parts[PartSettings], &a.settings); err != nil {
		return nil, fmt.Errorf("%w: settings: %v", ErrBadArchive, err)
	}
	c := Counts{Chats: len(a.chats), Documents: len(a.docs), Settings: len(a.settings)}
	for _, ch := range a.chats {
		c.Messages += len(ch.Messages)
		for _, m := range ch.Messages {
			switch {
			case m.Role != "user" && m.Role != "assistant" && m.Role != "system":
				return nil, fmt.Errorf("%w: a message has role %q", ErrBadArchive, m.Role)
			case m.Status != "done" && m.Status != "stopped" && m.Status != "error" && m.Status != "streaming":
				return nil, fmt.Errorf("%w: a message has status %q", ErrBadArchive, m.Status)
			case !json.Valid([]byte(m.Citations)):
				return nil, fmt.Errorf("%w: a message's citations are not JSON", ErrBadArchive)
			}
		}
	}
	for _, d := range a.docs {
		c.Chunks += len(d.Chunks)
		if d.Source == "" || len(d.SHA256) != 64 {
			return nil, fmt.Errorf("%w: a document lacks its source or SHA-256", ErrBadArchive)
		}
	}
	if c != a.manifest.Counts {
		return nil, fmt.Errorf("%w: the counts do not match the manifest", ErrBadArchive)
	}
	return a, nil
}

func strict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
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

// Import restores an archive into db: into an empty profile exactly, into
// a non-empty one as a merge without duplicates. A hostile or broken
// archive is refused before anything is written; chats, messages and
// settings are written in one transaction.
func Import(ctx context.Context, db *store.DB, restorer DocRestorer, data []byte, passphrase string, progress func(Progress)) (Report, error) {
	if progress == nil {
		progress = func(Progress) {}
	}
	a, err := Read(data, passphrase)
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
	for i, c := range a.chats {
		progress(Progress{Stage: "chats", Done: i, Total: len(a.chats)})
		if existing[chatKey(c.CreatedAt, c.Title, c.Messages)] {
			rep.ChatsSkipped++
			continue
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO chats(title, model, use_documents, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			c.Title, c.Model, c.UseDocuments, c.CreatedAt, c.UpdatedAt)
		if err != nil {
			return Report{}, fmt.Errorf("dataexport: import chat: %w", err)
		}
		id, _ := res.LastInsertId()
		for _, m := range c.Messages {
			if _, err := tx.ExecContext(ctx, `INSERT INTO messages(chat_id, role, content, model, status, error, prompt_tokens, completion_tokens,
				duration_ms, context_dropped, citations, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, m.Role, m.Content, m.Model, m.Status, m.Error, m.PromptTokens, m.CompletionTokens, m.DurationMS, m.ContextDropped, m.Citations, m.CreatedAt); err != nil {
				return Report{}, fmt.Errorf("dataexport: import message: %w", err)
			}
			rep.Messages++
		}
		rep.Chats++
	}
	for k, v := range a.settings {
		if secretSetting(k) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING`, k, v); err != nil {
			return Report{}, fmt.Errorf("dataexport: import settings: %w", err)
		}
		rep.Settings++
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("dataexport: %w", err)
	}
	for i, d := range a.docs {
		progress(Progress{Stage: "documents", Done: i, Total: len(a.docs)})
		chunks := make([]docs.Chunk, len(d.Chunks))
		for j, c := range d.Chunks {
			chunks[j] = docs.Chunk{Ord: c.Ord, Text: c.Text, LineStart: c.LineStart, LineEnd: c.LineEnd, Heading: c.Heading, Tokens: c.Tokens}
		}
		r, err := restorer.Restore(ctx, docs.Restored{Source: d.Source, Title: d.Title, Kind: d.Kind, Content: d.Content, SHA256: d.SHA256,
			Size: d.Size, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Chunks: chunks})
		if err != nil {
			return rep, fmt.Errorf("dataexport: import document %q: %w", strings.TrimSpace(d.Title), err)
		}
		if r.Outcome == docs.Added {
			rep.Documents++
		} else {
			rep.DocumentsSkipped++
		}
	}
	progress(Progress{Stage: "done", Done: 1, Total: 1})
	return rep, nil
}
