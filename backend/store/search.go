package store

import (
	"context"
	"fmt"
	"strings"
	"unicode"
)

// MessageHit is one message found by SearchMessages.
type MessageHit struct {
	ChatID    int64
	ChatTitle string
	MessageID int64
	Role      string
	Snippet   string // with matches wrapped in \x02 ... \x03
	CreatedAt int64  // Unix milliseconds
}

// Snippet markers: the UI turns them into highlight elements after
// escaping the text, so message content can never inject markup.
const (
	MarkStart = "\x02"
	MarkEnd   = "\x03"
)

// ftsQuery turns user input into a safe FTS5 query: each word becomes a
// quoted prefix term, all required. FTS5 syntax in the input is neutralised.
func ftsQuery(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' })
	var terms []string
	for _, w := range words {
		terms = append(terms, `"`+w+`"*`)
		if len(terms) == 12 {
			break
		}
	}
	return strings.Join(terms, " ")
}

// SearchMessages finds messages whose text matches every word of query
// (prefix match), best first.
func (db *DB) SearchMessages(ctx context.Context, query string, limit int) ([]MessageHit, error) {
	q := ftsQuery(query)
	if q == "" {
		return []MessageHit{}, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := db.sql.QueryContext(ctx, `
		SELECT m.chat_id, c.title, m.id, m.role,
		       snippet(messages_fts, 0, ?, ?, '…', 16), m.created_at
		FROM messages_fts
		JOIN messages m ON m.id = messages_fts.rowid
		JOIN chats c ON c.id = m.chat_id
		WHERE messages_fts MATCH ?
		ORDER BY bm25(messages_fts), m.id DESC
		LIMIT ?`, MarkStart, MarkEnd, q, limit)
	if err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	defer rows.Close()
	hits := []MessageHit{}
	for rows.Next() {
		var h MessageHit
		if err := rows.Scan(&h.ChatID, &h.ChatTitle, &h.MessageID, &h.Role, &h.Snippet, &h.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: search messages: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search messages: %w", err)
	}
	return hits, nil
}
