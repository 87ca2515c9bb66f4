package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ShownPath returns the messages a chat shows: from its first message to the
// end of the selected branch, each with the ids of its versions
// (Siblings).
func (db *DB) ShownPath(ctx context.Context, chatID int64) ([]Message, error) {
	var leaf sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `SELECT leaf_id FROM chats WHERE id = ?`, chatID).Scan(&leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: path of chat %d: %w", chatID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: path of chat %d: %w", chatID, err)
	}
	return db.pathTo(ctx, chatID, leaf.Int64)
}

// PathTo returns the messages from the chat's first one down to message
// id, each with its Siblings.
func (db *DB) PathTo(ctx context.Context, chatID, id int64) ([]Message, error) {
	return db.pathTo(ctx, chatID, id)
}

func (db *DB) pathTo(ctx context.Context, chatID, leaf int64) ([]Message, error) {
	all, err := db.Messages(ctx, chatID)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return []Message{}, nil
	}
	byID := make(map[int64]int, len(all))
	children := map[int64][]int64{}
	for i, m := range all {
		byID[m.ID] = i
		children[m.ParentID] = append(children[m.ParentID], m.ID)
	}
	if _, ok := byID[leaf]; !ok {
		if leaf != 0 {
			return nil, fmt.Errorf("store: message %d of chat %d: %w", leaf, chatID, ErrNotFound)
		}
		// No end recorded: show the newest message's branch.
		leaf = all[len(all)-1].ID
	}
	var path []Message
	// A parent is always older than its child, so the walk ends; the
	// bound guards against a damaged file.
	for id := leaf; id != 0 && len(path) <= len(all); {
		i, ok := byID[id]
		if !ok {
			break
		}
		m := all[i]
		m.Siblings = children[m.ParentID]
		path = append(path, m)
		id = m.ParentID
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path, nil
}

// Siblings returns the ids of the messages that follow parentID in a chat
// (0: its first messages), oldest first.
func (db *DB) Siblings(ctx context.Context, chatID, parentID int64) ([]int64, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id FROM messages WHERE chat_id = ? AND parent_id IS ? ORDER BY id`, chatID, nullID(parentID))
	if err != nil {
		return nil, fmt.Errorf("store: siblings: %w", err)
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: siblings: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: siblings: %w", err)
	}
	return ids, nil
}

// SelectBranch shows the branch through message id: the chat's path then
// ends at the newest message that follows id (id itself when nothing
// does), so stepping to another version brings back where that version's
// conversation went.
func (db *DB) SelectBranch(ctx context.Context, chatID, id int64) error {
	var leaf sql.NullInt64
	err := db.sql.QueryRowContext(ctx, `WITH RECURSIVE sub(id) AS (
			SELECT id FROM messages WHERE id = ? AND chat_id = ?
			UNION ALL SELECT m.id FROM messages m JOIN sub ON m.parent_id = sub.id
		) SELECT max(id) FROM sub`, id, chatID).Scan(&leaf)
	if err != nil {
		return fmt.Errorf("store: select branch: %w", err)
	}
	if !leaf.Valid {
		return fmt.Errorf("store: select branch: message %d of chat %d: %w", id, chatID, ErrNotFound)
	}
	return db.execOne(ctx, "select branch", `UPDATE chats SET leaf_id = ? WHERE id = ?`, leaf.Int64, chatID)
}
