package store

import (
	"errors"

	"github.com/ncruces/go-sqlite3"
)

// IsDatabaseError reports whether err comes from SQLite itself, whose
// text (SQL, table and column names) is for the log, not for a client.
func IsDatabaseError(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e)
}

// IsConflict reports whether err is a constraint SQLite enforced, such as
// two writes of the same unique name.
func IsConflict(err error) bool {
	var e *sqlite3.Error
	return errors.As(err, &e) && e.Code() == sqlite3.CONSTRAINT
}
