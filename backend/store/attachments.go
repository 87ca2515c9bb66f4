package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Attachment is a file given with one of the user's messages. It is
// pending (MessageID 0) from the moment it is picked until the message is
// sent, and belongs to its message after: deleting the message, its chat,
// or all data deletes it too.
type Attachment struct {
	ID        int64
	ChatID    int64
	MessageID int64 // 0: pending, not sent yet
	Name      string
	MIME      string
	Kind      string // image, pdf, text, markdown, code, html
	Lang      string // programming language of code
	Size      int64  // bytes of Data
	Data      []byte // the file as given; empty when read without data
	Text      string // what goes into a prompt (text kinds, PDFs); empty for images and when read without data
	// How much of Text the last prompt that carried it kept: cut to
	// KeptTokens of TotalTokens to fit the model's window.
	Truncated   bool
	KeptTokens  int
	TotalTokens int
	CreatedAt   time.Time
}

// ErrAttachmentTaken means an attachment given with a message is not
// pending in that chat (sent already, in another chat, or removed).
var ErrAttachmentTaken = errors.New("the attachment is not waiting to be sent in this chat")

// AddPendingAttachment stores a picked file for the next message of its
// chat. ID and CreatedAt are filled in.
func (db *DB) AddPendingAttachment(ctx context.Context, a Attachment) (Attachment, error) {
	a.MessageID, a.Size, a.CreatedAt = 0, int64(len(a.Data)), time.UnixMilli(now())
	if strings.TrimSpace(a.Name) == "" || a.Kind == "" || a.MIME == "" {
		return Attachment{}, errors.New("store: add attachment: name, kind and type are required")
	}
	res, err := db.sql.ExecContext(ctx, `INSERT INTO attachments(chat_id, name, mime, kind, lang, size, data, text, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ChatID, a.Name, a.MIME, a.Kind, a.Lang, a.Size, nonNil(a.Data), a.Text, a.CreatedAt.UnixMilli())
	if err != nil {
		if strings.Contains(err.Error(), "FOREIGN KEY") {
			err = fmt.Errorf("chat %d: %w", a.ChatID, ErrNotFound)
		}
		return Attachment{}, fmt.Errorf("store: add attachment: %w", err)
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return Attachment{}, fmt.Errorf("store: add attachment: %w", err)
	}
	return a, nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// RemovePendingAttachment deletes an attachment that was not sent.
func (db *DB) RemovePendingAttachment(ctx context.Context, id int64) error {
	return db.execOne(ctx, "remove attachment", `DELETE FROM attachments WHERE id = ? AND message_id IS NULL`, id)
}

// DropPendingAttachments deletes every attachment that was never sent (a
// window closed with files picked); the store calls it on open.
func (db *DB) DropPendingAttachments(ctx context.Context) (int64, error) {
	res, err := db.sql.ExecContext(ctx, `DELETE FROM attachments WHERE message_id IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("store: drop pending attachments: %w", err)
	}
	return res.RowsAffected()
}

// attachTx gives message msgID of chat the attachments ids: a pending one
// of the chat becomes the message's, one already sent with another
// message of the chat (an edited message keeps its files) is copied.
func attachTx(ctx context.Context, tx *sql.Tx, chatID, msgID int64, ids []int64) error {
	for _, id := range ids {
		res, err := tx.ExecContext(ctx, `UPDATE attachments SET message_id = ? WHERE id = ? AND chat_id = ? AND message_id IS NULL`, msgID, id, chatID)
		if err != nil {
			return fmt.Errorf("attachment %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			continue
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO attachments(chat_id, message_id, name, mime, kind, lang, size, data, text, created_at)
			SELECT chat_id, ?, name, mime, kind, lang, size, data, text, ? FROM attachments
			WHERE id = ? AND chat_id = ? AND message_id IS NOT NULL AND message_id != ?`, msgID, now(), id, chatID, msgID)
		if err != nil {
			return fmt.Errorf("attachment %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("attachment %d: %w", id, ErrAttachmentTaken)
		}
	}
	return nil
}

const attachmentMeta = `id, chat_id, coalesce(message_id, 0), name, mime, kind, lang, size, truncated, kept_tokens, total_tokens, created_at`

func scanAttachment(sc interface{ Scan(...any) error }, full bool) (Attachment, error) {
	var a Attachment
	var created int64
	dst := []any{&a.ID, &a.ChatID, &a.MessageID, &a.Name, &a.MIME, &a.Kind, &a.Lang, &a.Size, &a.Truncated, &a.KeptTokens, &a.TotalTokens, &created}
	if full {
		dst = append(dst, &a.Data, &a.Text)
	}
	err := sc.Scan(dst...)
	a.CreatedAt = fromMillis(created)
	return a, err
}

// Attachment returns one attachment with its data and text.
func (db *DB) Attachment(ctx context.Context, id int64) (Attachment, error) {
	a, err := scanAttachment(db.sql.QueryRowContext(ctx, `SELECT `+attachmentMeta+`, data, text FROM attachments WHERE id = ?`, id), true)
	if errors.Is(err, sql.ErrNoRows) {
		return Attachment{}, fmt.Errorf("store: attachment %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Attachment{}, fmt.Errorf("store: attachment %d: %w", id, err)
	}
	return a, nil
}

// AttachmentsOf returns the attachments of messages, by message ID, in
// the order they were given; with full false, without Data and Text.
func (db *DB) AttachmentsOf(ctx context.Context, messageIDs []int64, full bool) (map[int64][]Attachment, error) {
	out := map[int64][]Attachment{}
	if len(messageIDs) == 0 {
		return out, nil
	}
	cols := attachmentMeta
	if full {
		cols += `, data, text`
	}
	// The IDs go in as one JSON array, so a long path is one statement.
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range messageIDs {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, id)
	}
	b.WriteByte(']')
	rows, err := db.sql.QueryContext(ctx, `SELECT `+cols+` FROM attachments
		WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY message_id, id`, b.String())
	if err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAttachment(rows, full)
		if err != nil {
			return nil, fmt.Errorf("store: attachments: %w", err)
		}
		out[a.MessageID] = append(out[a.MessageID], a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: attachments: %w", err)
	}
	return out, nil
}

// SetAttachmentFit records how much of an attachment's text the last
// prompt kept.
func (db *DB) SetAttachmentFit(ctx context.Context, id int64, truncated bool, kept, total int) error {
	return db.execOne(ctx, "attachment fit", `UPDATE attachments SET truncated = ?, kept_tokens = ?, total_tokens = ? WHERE id = ?`,
		truncated, kept, total, id)
}

// AttachmentsByID returns the attachments ids, in that order, without
// data and text.
func (db *DB) AttachmentsByID(ctx context.Context, ids []int64) ([]Attachment, error) {
	out := make([]Attachment, 0, len(ids))
	for _, id := range ids {
		a, err := scanAttachment(db.sql.QueryRowContext(ctx, `SELECT `+attachmentMeta+` FROM attachments WHERE id = ?`, id), false)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: attachment %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("store: attachment %d: %w", id, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// PendingAttachments returns a chat's attachments not sent yet, without
// data and text, oldest first.
func (db *DB) PendingAttachments(ctx context.Context, chatID int64) ([]Attachment, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+attachmentMeta+` FROM attachments WHERE chat_id = ? AND message_id IS NULL ORDER BY id`, chatID)
	if err != nil {
		return nil, fmt.Errorf("store: pending attachments: %w", err)
	}
	defer rows.Close()
	out := []Attachment{}
	for rows.Next() {
		a, err := scanAttachment(rows, false)
		if err != nil {
			return nil, fmt.Errorf("store: pending attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
