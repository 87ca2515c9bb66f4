package store

import (
	"context"
	"fmt"
)

// migrations are applied in order; migrations[i] moves the schema from
// version i to i+1 (PRAGMA user_version). Never edit a released migration:
// append a new one.
var migrations = []string{
	// 1: chats, messages, settings.
	`CREATE TABLE settings (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	) STRICT;
	CREATE TABLE chats (
		id         INTEGER PRIMARY KEY,
		title      TEXT NOT NULL,
		model      TEXT NOT NULL DEFAULT '',
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX chats_updated ON chats(updated_at DESC, id DESC);
	CREATE TABLE messages (
		id                INTEGER PRIMARY KEY,
		chat_id           INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
		role              TEXT NOT NULL CHECK (role IN ('system','user','assistant')),
		content           TEXT NOT NULL,
		model             TEXT NOT NULL DEFAULT '',
		status            TEXT NOT NULL DEFAULT 'done' CHECK (status IN ('streaming','done','stopped','error')),
		error             TEXT NOT NULL DEFAULT '',
		prompt_tokens     INTEGER NOT NULL DEFAULT 0,
		completion_tokens INTEGER NOT NULL DEFAULT 0,
		duration_ms       INTEGER NOT NULL DEFAULT 0,
		created_at        INTEGER NOT NULL
	) STRICT;
	CREATE INDEX messages_chat ON messages(chat_id, id);`,

	// 2: documents, their chunks (with full-text index) and embedding models,
	// each of which gets its own vec0 table named by vector_table.
	`CREATE TABLE documents (
		id         INTEGER PRIMARY KEY,
		source     TEXT NOT NULL,
		title      TEXT NOT NULL,
		mime       TEXT NOT NULL,
		size       INTEGER NOT NULL,
		sha256     TEXT NOT NULL,
		content    TEXT NOT NULL,
		status     TEXT NOT NULL DEFAULT 'ready',
		created_at INTEGER NOT NULL,
		updated_at INTEGER NOT NULL
	) STRICT;
	CREATE UNIQUE INDEX documents_source ON documents(source);
	CREATE INDEX documents_sha ON documents(sha256);
	CREATE TABLE chunks (
		id          INTEGER PRIMARY KEY,
		document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
		ord         INTEGER NOT NULL,
		text        TEXT NOT NULL,
		line_start  INTEGER NOT NULL,
		line_end    INTEGER NOT NULL,
		heading     TEXT NOT NULL DEFAULT '',
		tokens      INTEGER NOT NULL DEFAULT 0,
		UNIQUE (document_id, ord)
	) STRICT;
	CREATE VIRTUAL TABLE chunks_fts USING fts5(text, heading, content='chunks', content_rowid='id');
	CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
		INSERT INTO chunks_fts(rowid, text, heading) VALUES (new.id, new.text, new.heading);
	END;
	CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
		INSERT INTO chunks_fts(chunks_fts, rowid, text, heading) VALUES ('delete', old.id, old.text, old.heading);
	END;
	CREATE TABLE embedding_models (
		id           INTEGER PRIMARY KEY,
		name         TEXT NOT NULL UNIQUE,
		dims         INTEGER NOT NULL CHECK (dims > 0),
		vector_table TEXT NOT NULL UNIQUE,
		status       TEXT NOT NULL DEFAULT 'building' CHECK (status IN ('building','ready')),
		created_at   INTEGER NOT NULL
	) STRICT;`,

	// 3: full-text search over chat messages.
	`CREATE VIRTUAL TABLE messages_fts USING fts5(content, content='messages', content_rowid='id');
	CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
		INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
	END;
	CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
		INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
	END;
	CREATE TRIGGER messages_au AFTER UPDATE OF content ON messages BEGIN
		INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
		INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
	END;`,

	// 4: how many earlier messages an answer's prompt had to leave out to
	// fit the model's context.
	`ALTER TABLE messages ADD COLUMN context_dropped INTEGER NOT NULL DEFAULT 0;`,

	// 5: answers grounded in the user's documents: a switch per chat and
	// the citations of each answer (JSON list).
	`ALTER TABLE chats ADD COLUMN use_documents INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE messages ADD COLUMN citations TEXT NOT NULL DEFAULT '[]';`,

	// 6: secrets of a profile in passphrase mode (no OS keychain): provider
	// keys, the API token, the backup passphrase. Never exported.
	`CREATE TABLE secrets (
		account TEXT PRIMARY KEY,
		value   TEXT NOT NULL
	) STRICT;`,

	// 7: a system prompt and sampling settings per chat (NULL and 0: the
	// model's defaults), and named presets of them, two to start with.
	`ALTER TABLE chats ADD COLUMN system_prompt TEXT NOT NULL DEFAULT '';
	ALTER TABLE chats ADD COLUMN temperature REAL;
	ALTER TABLE chats ADD COLUMN top_p REAL;
	ALTER TABLE chats ADD COLUMN max_tokens INTEGER NOT NULL DEFAULT 0;
	CREATE TABLE presets (
		id            INTEGER PRIMARY KEY,
		name          TEXT NOT NULL UNIQUE,
		system_prompt TEXT NOT NULL DEFAULT '',
		temperature   REAL,
		top_p         REAL,
		max_tokens    INTEGER NOT NULL DEFAULT 0,
		created_at    INTEGER NOT NULL,
		updated_at    INTEGER NOT NULL
	) STRICT;
	INSERT INTO presets(name, system_prompt, temperature, created_at, updated_at) VALUES
		('Code reviewer', 'You are a careful senior code reviewer. Point out bugs, unclear names, missing error handling and missing tests, most important first, each with a concrete fix. Do not rewrite code that is fine.', 0.2,
			CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER)),
		('Terse', 'Answer in as few words as possible. No preamble, no summary; code only when asked for code.', NULL,
			CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER));`,

	// 8: folders kept in sync with the documents while Sidecar runs, and
	// whether the user paused each.
	`CREATE TABLE watched_folders (
		id         INTEGER PRIMARY KEY,
		path       TEXT NOT NULL UNIQUE,
		paused     INTEGER NOT NULL DEFAULT 0,
		created_at INTEGER NOT NULL
	) STRICT;`,

	// 9: an answer's reasoning (what a thinking model wrote before it),
	// kept apart from its text.
	`ALTER TABLE messages ADD COLUMN reasoning TEXT NOT NULL DEFAULT '';`,

	// 10: branches. Messages form a tree (parent_id; NULL: a first message)
	// and each chat records the message its shown path ends at (leaf_id).
	// Chats written before are single paths: each message's parent is the
	// one before it, and the leaf is the last.
	`ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE;
	ALTER TABLE chats ADD COLUMN leaf_id INTEGER;
	UPDATE messages SET parent_id = (SELECT max(p.id) FROM messages p WHERE p.chat_id = messages.chat_id AND p.id < messages.id);
	UPDATE chats SET leaf_id = (SELECT max(m.id) FROM messages m WHERE m.chat_id = chats.id);
	CREATE INDEX messages_parent ON messages(parent_id);`,

	// 11: files attached to the user's messages. An attachment is pending
	// (message_id NULL) from the moment it is picked until its message is
	// sent; data is the file as given, text what goes into a prompt (text
	// files, PDFs), and the fit columns say how much of it the last prompt
	// that carried it kept.
	`CREATE TABLE attachments (
		id           INTEGER PRIMARY KEY,
		chat_id      INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
		message_id   INTEGER REFERENCES messages(id) ON DELETE CASCADE,
		name         TEXT NOT NULL,
		mime         TEXT NOT NULL,
		kind         TEXT NOT NULL,
		lang         TEXT NOT NULL DEFAULT '',
		size         INTEGER NOT NULL,
		data         BLOB NOT NULL,
		text         TEXT NOT NULL DEFAULT '',
		truncated    INTEGER NOT NULL DEFAULT 0,
		kept_tokens  INTEGER NOT NULL DEFAULT 0,
		total_tokens INTEGER NOT NULL DEFAULT 0,
		created_at   INTEGER NOT NULL
	) STRICT;
	CREATE INDEX attachments_message ON attachments(message_id, id);
	CREATE INDEX attachments_chat ON attachments(chat_id);`,
}

// SchemaVersion is the schema version this build writes.
func SchemaVersion() int { return len(migrations) }

func (db *DB) migrate(ctx context.Context) error {
	var v int
	if err := db.sql.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("store: migrate: %w", classify(err))
	}
	if v > len(migrations) {
		return fmt.Errorf("store: migrate: %w (schema %d, this build knows %d)", ErrTooNew, v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version=%d", i+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migrate to %d: %w", i+1, err)
		}
	}
	return nil
}
