package store

import (
	"context"
	"fmt"
	"time"
)

// DeleteChatsOlderThan deletes the chats whose last activity is before
// cutoff, with their messages, and returns how many went.
func (db *DB) DeleteChatsOlderThan(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := db.sql.ExecContext(ctx, `DELETE FROM chats WHERE updated_at < ?`, cutoff.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("store: retention: %w", err)
	}
	return res.RowsAffected()
}
