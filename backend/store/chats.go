package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Chat is one conversation.
type Chat struct {
	ID           int64
	Title        string
	Model        string // model the chat uses for new answers ("provider/model")
	UseDocuments bool   // answers draw on the user's documents
	Settings     ChatSettings
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Message status values.
const (
	StatusStreaming = "streaming" // an answer being generated
	StatusDone      = "done"
	StatusStopped   = "stopped" // the user stopped the generation
	StatusError     = "error"   // generation failed; Error says why
)

// Message is one stored turn of a chat.
type Message struct {
	ID               int64
	ChatID           int64
	Role             string
	Content          string
	Model            string
	Status           string
	Error            string
	PromptTokens     int
	CompletionTokens int
	DurationMS       int64
	ContextDropped   int    // earlier messages left out of the prompt to fit the context
	Citations        string // JSON list of the document excerpts the answer drew on
	Reasoning        string // what a thinking model reasoned before answering; never part of Content
	CreatedAt        time.Time
	// ParentID is the message this one follows (0: it opens the chat).
	// Messages with the same parent are versions of one turn (an edit, a
	// regenerated answer).
	ParentID int64
	// Siblings are the ids of every version of this turn, this one
	// included, oldest first; filled by ShownPath and PathTo only.
	Siblings []int64
	// Attach, when adding a message, names the attachments it carries:
	// pending ones of the chat, or ones of another message of the chat
	// (copied: an edited message keeps its files).
	Attach []int64
}

func now() int64 { return time.Now().UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms) }

// CreateChat creates an empty chat.
func (db *DB) CreateChat(ctx context.Context, title, model string) (Chat, error) {
	return db.CreateChatWith(ctx, title, model, ChatSettings{})
}

// CreateChatWith creates an empty chat with a system prompt and sampling
// settings.
func (db *DB) CreateChatWith(ctx context.Context, title, model string, s ChatSettings) (Chat, error) {
	title = strings.TrimSpace(title)
	if title == "" {
		title = "New chat"
	}
	s = s.Normalize()
	if err := s.Check(); err != nil {
		return Chat{}, fmt.Errorf("store: create chat: %w", err)
	}
	t := now()
	res, err := db.sql.ExecContext(ctx,
		`INSERT INTO chats(title, model, system_prompt, temperature, top_p, max_tokens, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		title, model, s.SystemPrompt, nullFloat(s.Temperature), nullFloat(s.TopP), s.MaxTokens, t, t)
	if err != nil {
		return Chat{}, fmt.Errorf("store: create chat: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Chat{}, fmt.Errorf("store: create chat: %w", err)
	}
	return Chat{ID: id, Title: title, Model: model, Settings: s, CreatedAt: fromMillis(t), UpdatedAt: fromMillis(t)}, nil
}

// RenameChat changes a chat's title.
func (db *DB) RenameChat(ctx context.Context, id int64, title string) error {
	title = strings.TrimSpace(title)
	if title == "" {
		return fmt.Errorf("store: rename chat: title is empty")
	}
	return db.execOne(ctx, "rename chat", `UPDATE chats SET title = ?, updated_at = ? WHERE id = ?`, title, now(), id)
}

// SetChatModel sets the model a chat uses for new answers.
func (db *DB) SetChatModel(ctx context.Context, id int64, model string) error {
	return db.execOne(ctx, "set chat model", `UPDATE chats SET model = ? WHERE id = ?`, model, id)
}

// SetChatDocuments turns document grounding on or off for a chat.
func (db *DB) SetChatDocuments(ctx context.Context, id int64, on bool) error {
	return db.execOne(ctx, "set chat documents", `UPDATE chats SET use_documents = ? WHERE id = ?`, on, id)
}

// DeleteChat deletes a chat and all its messages.
func (db *DB) DeleteChat(ctx context.Context, id int64) error {
	return db.execOne(ctx, "delete chat", `DELETE FROM chats WHERE id = ?`, id)
}

func (db *DB) execOne(ctx context.Context, what, q string, args ...any) error {
	res, err := db.sql.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s: %w", what, ErrNotFound)
	}
	return nil
}

const chatColumns = `id, title, model, use_documents, system_prompt, temperature, top_p, max_tokens, created_at, updated_at`

func scanChat(sc interface{ Scan(...any) error }) (Chat, error) {
	var c Chat
	var temp, topP sql.NullFloat64
	var created, updated int64
	if err := sc.Scan(&c.ID, &c.Title, &c.Model, &c.UseDocuments, &c.Settings.SystemPrompt, &temp, &topP, &c.Settings.MaxTokens, &created, &updated); err != nil {
		return Chat{}, err
	}
	c.Settings.Temperature, c.Settings.TopP = floatPtr(temp), floatPtr(topP)
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	return c, nil
}

// Chat returns one chat.
func (db *DB) Chat(ctx context.Context, id int64) (Chat, error) {
	c, err := scanChat(db.sql.QueryRowContext(ctx, `SELECT `+chatColumns+` FROM chats WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Chat{}, fmt.Errorf("store: chat %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Chat{}, fmt.Errorf("store: chat %d: %w", id, err)
	}
	return c, nil
}

// ListChats returns all chats, most recently active first.
func (db *DB) ListChats(ctx context.Context) ([]Chat, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+chatColumns+` FROM chats ORDER BY updated_at DESC, id DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: list chats: %w", err)
	}
	defer rows.Close()
	chats := []Chat{}
	for rows.Next() {
		c, err := scanChat(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list chats: %w", err)
		}
		chats = append(chats, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list chats: %w", err)
	}
	return chats, nil
}

const messageColumns = `id, chat_id, role, content, model, status, error, prompt_tokens, completion_tokens, duration_ms, context_dropped, citations, reasoning, created_at, parent_id`

func scanMessage(sc interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var created int64
	var parent sql.NullInt64
	err := sc.Scan(&m.ID, &m.ChatID, &m.Role, &m.Content, &m.Model, &m.Status, &m.Error,
		&m.PromptTokens, &m.CompletionTokens, &m.DurationMS, &m.ContextDropped, &m.Citations, &m.Reasoning, &created, &parent)
	m.CreatedAt, m.ParentID = fromMillis(created), parent.Int64
	return m, err
}

// Messages returns every message of a chat, of all its branches, oldest
// first. ShownPath returns the ones shown.
func (db *DB) Messages(ctx context.Context, chatID int64) ([]Message, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE chat_id = ? ORDER BY id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()
	msgs := []Message{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("store: messages: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	return msgs, nil
}

// Message returns one message.
func (db *DB) Message(ctx context.Context, id int64) (Message, error) {
	m, err := scanMessage(db.sql.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("store: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Message{}, fmt.Errorf("store: message %d: %w", id, err)
	}
	return m, nil
}

// AddMessage appends a message to the end of a chat's shown path, makes
// it the path's new end and marks the chat active. ID, ParentID and
// CreatedAt are filled in.
func (db *DB) AddMessage(ctx context.Context, m Message) (Message, error) {
	return db.addMessage(ctx, m, true)
}

// AddReply adds a message after m.ParentID (0: as a first message of the
// chat), next to any the parent has already, makes it the end of the
// shown path and marks the chat active. This is how an edited message or
// a regenerated answer becomes a new version beside the earlier ones.
func (db *DB) AddReply(ctx context.Context, m Message) (Message, error) {
	return db.addMessage(ctx, m, false)
}

func (db *DB) addMessage(ctx context.Context, m Message, atLeaf bool) (Message, error) {
	if m.Status == "" {
		m.Status = StatusDone
	}
	if m.Citations == "" {
		m.Citations = "[]"
	}
	t := now()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return Message{}, fmt.Errorf("store: add message: %w", err)
	}
	defer tx.Rollback()
	var leaf sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT leaf_id FROM chats WHERE id = ?`, m.ChatID).Scan(&leaf); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			err = ErrNotFound
		}
		return Message{}, fmt.Errorf("store: add message to chat %d: %w", m.ChatID, err)
	}
	if atLeaf {
		m.ParentID = leaf.Int64
	} else if m.ParentID != 0 {
		var chat int64
		if err := tx.QueryRowContext(ctx, `SELECT chat_id FROM messages WHERE id = ?`, m.ParentID).Scan(&chat); err != nil || chat != m.ChatID {
			return Message{}, fmt.Errorf("store: add message: parent %d is not in chat %d: %w", m.ParentID, m.ChatID, ErrNotFound)
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO messages(chat_id, parent_id, role, content, model, status, error,
		prompt_tokens, completion_tokens, duration_ms, context_dropped, citations, reasoning, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ChatID, nullID(m.ParentID), m.Role, m.Content, m.Model, m.Status, m.Error, m.PromptTokens, m.CompletionTokens, m.DurationMS, m.ContextDropped, m.Citations, m.Reasoning, t)
	if err != nil {
		return Message{}, fmt.Errorf("store: add message: %w", err)
	}
	if m.ID, err = res.LastInsertId(); err != nil {
		return Message{}, fmt.Errorf("store: add message: %w", err)
	}
	if err := attachTx(ctx, tx, m.ChatID, m.ID, m.Attach); err != nil {
		return Message{}, fmt.Errorf("store: add message: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE chats SET updated_at = ?, leaf_id = ? WHERE id = ?`, t, m.ID, m.ChatID); err != nil {
		return Message{}, fmt.Errorf("store: add message: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Message{}, fmt.Errorf("store: add message: %w", err)
	}
	m.CreatedAt = fromMillis(t)
	return m, nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// FinishMessage stores the final content, reasoning, status and figures
// of a message.
func (db *DB) FinishMessage(ctx context.Context, m Message) error {
	return db.execOne(ctx, "finish message", `UPDATE messages SET content = ?, reasoning = ?, status = ?, error = ?,
		prompt_tokens = ?, completion_tokens = ?, duration_ms = ?, context_dropped = ? WHERE id = ?`,
		m.Content, m.Reasoning, m.Status, m.Error, m.PromptTokens, m.CompletionTokens, m.DurationMS, m.ContextDropped, m.ID)
}

// MarkInterrupted turns answers left "streaming" by a crash into "stopped",
// so a restart never shows a generation that nothing is producing, and
// deletes attachments picked but never sent (DropPendingAttachments). It
// returns the number of answers marked.
func (db *DB) MarkInterrupted(ctx context.Context) (int64, error) {
	res, err := db.sql.ExecContext(ctx, `UPDATE messages SET status = 'stopped' WHERE status = 'streaming'`)
	if err != nil {
		return 0, fmt.Errorf("store: mark interrupted: %w", err)
	}
	if _, err := db.DropPendingAttachments(ctx); err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
