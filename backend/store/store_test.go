package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func newKey(t testing.TB) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func openTemp(t testing.TB) (*DB, string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "data", FileName)
	key := newKey(t)
	db, err := Open(context.Background(), path, key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return db, path, key
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestChatRoundTripAcrossReopen(t *testing.T) {
	ctx := context.Background()
	db, path, key := openTemp(t)
	c1, err := db.CreateChat(ctx, "  first  ", "echo/echo")
	if err != nil {
		t.Fatal(err)
	}
	if c1.Title != "first" {
		t.Errorf("title = %q, want trimmed", c1.Title)
	}
	time.Sleep(2 * time.Millisecond)
	c2, err := db.CreateChat(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Title != "New chat" {
		t.Errorf("default title = %q", c2.Title)
	}
	time.Sleep(2 * time.Millisecond)
	// A new message makes c1 the most recent.
	u, err := db.AddMessage(ctx, Message{ChatID: c1.ID, Role: "user", Content: "héllo\n```go\nfmt.Println()\n```"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := db.AddMessage(ctx, Message{ChatID: c1.ID, Role: "assistant", Status: StatusStreaming, Model: "echo/echo"})
	if err != nil {
		t.Fatal(err)
	}
	a.Content, a.Status, a.CompletionTokens, a.DurationMS = "answer", StatusDone, 3, 42
	if err := db.FinishMessage(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.RenameChat(ctx, c2.ID, "renamed"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSetting(ctx, "theme", "dark"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(ctx, path, key)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	chats, err := db.ListChats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(chats) != 2 || chats[0].ID != c2.ID || chats[0].Title != "renamed" || chats[1].ID != c1.ID {
		t.Fatalf("chats = %+v, want renamed c2 then c1 (newest first)", chats)
	}
	msgs, err := db.Messages(ctx, c1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].ID != u.ID || msgs[0].Content != u.Content || msgs[1].Content != "answer" ||
		msgs[1].Status != StatusDone || msgs[1].CompletionTokens != 3 || msgs[1].DurationMS != 42 || msgs[1].Model != "echo/echo" {
		t.Fatalf("messages = %+v", msgs)
	}
	if v, _ := db.Setting(ctx, "theme", "light"); v != "dark" {
		t.Errorf("setting = %q", v)
	}
	if v, _ := db.Setting(ctx, "missing", "def"); v != "def" {
		t.Errorf("default setting = %q", v)
	}
	if err := db.DeleteChat(ctx, c1.ID); err != nil {
		t.Fatal(err)
	}
	if msgs, _ := db.Messages(ctx, c1.ID); len(msgs) != 0 {
		t.Errorf("messages survive chat delete: %d", len(msgs))
	}
	if err := db.DeleteChat(ctx, c1.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete err = %v, want ErrNotFound", err)
	}
	if _, err := db.Chat(ctx, 9999); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing chat err = %v", err)
	}
}

func TestFilesAreEncryptedAndPrivate(t *testing.T) {
	ctx := context.Background()
	db, path, _ := openTemp(t)
	const marker = "MARKER-plaintext-7f3a9c"
	c, err := db.CreateChat(ctx, marker+" title", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if _, err := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: strings.Repeat(marker+" ", 20)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetSetting(ctx, "k", marker); err != nil {
		t.Fatal(err)
	}
	// Check the files while open (WAL holds recent pages) and after close.
	check := func(when string) {
		entries, _ := os.ReadDir(filepath.Dir(path))
		seen := 0
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(filepath.Dir(path), e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			seen += len(b)
			if bytes.Contains(b, []byte(marker)) || bytes.Contains(b, []byte("SQLite format 3")) {
				t.Errorf("%s: %s contains plaintext", when, e.Name())
			}
		}
		if seen < 4096 {
			t.Errorf("%s: only %d bytes on disk: nothing was written?", when, seen)
		}
	}
	check("open")
	dir := filepath.Dir(path)
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode = %v, want 0700", fi.Mode().Perm())
	}
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v err %v, want 0600", p, fi.Mode().Perm(), err)
		}
	}
	db.Close()
	check("closed")
}

func TestWrongKeyLeavesFileIntact(t *testing.T) {
	ctx := context.Background()
	db, path, key := openTemp(t)
	if _, err := db.CreateChat(ctx, "keep me", ""); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before := fileHash(t, path)
	_, err := Open(ctx, path, newKey(t))
	if !errors.Is(err, ErrWrongKey) {
		t.Fatalf("wrong key err = %v, want ErrWrongKey", err)
	}
	if !strings.Contains(err.Error(), "wrong key or damaged file") {
		t.Errorf("message not clear: %v", err)
	}
	if fileHash(t, path) != before {
		t.Fatal("file changed after a wrong-key open")
	}
	if _, err := Open(ctx, path, key[:16]); !errors.Is(err, ErrBadKey) {
		t.Errorf("short key err = %v", err)
	}
	db, err = Open(ctx, path, key)
	if err != nil {
		t.Fatalf("right key after wrong: %v", err)
	}
	defer db.Close()
	chats, _ := db.ListChats(ctx)
	if len(chats) != 1 || chats[0].Title != "keep me" {
		t.Errorf("chats = %+v", chats)
	}
}

func TestDamagedFileIsRefusedNotOverwritten(t *testing.T) {
	ctx := context.Background()
	for name, damage := range map[string]func([]byte) []byte{
		"garbage":   func(b []byte) []byte { return bytes.Repeat([]byte{0x5a}, len(b)) },
		"truncated": func(b []byte) []byte { return b[:100] },
		"first page flipped": func(b []byte) []byte {
			c := append([]byte(nil), b...)
			for i := 0; i < 64; i++ {
				c[i] ^= 0xff
			}
			return c
		},
	} {
		t.Run(name, func(t *testing.T) {
			db, path, key := openTemp(t)
			db.CreateChat(ctx, "x", "")
			db.Close()
			b, _ := os.ReadFile(path)
			os.WriteFile(path, damage(b), 0o600)
			before := fileHash(t, path)
			_, err := Open(ctx, path, key)
			if !errors.Is(err, ErrWrongKey) {
				t.Fatalf("err = %v, want ErrWrongKey", err)
			}
			if fileHash(t, path) != before {
				t.Fatal("damaged file was modified")
			}
		})
	}
}

// TestCrashKeepsCommittedRows kills a writer process with SIGKILL in the
// middle of a transaction and checks that every committed row survives and
// the uncommitted ones do not.
func TestCrashKeepsCommittedRows(t *testing.T) {
	if os.Getenv("SIDECAR_STORE_CRASH_CHILD") != "" {
		crashChild()
		return
	}
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	key := newKey(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashKeepsCommittedRows$")
	cmd.Env = append(os.Environ(), "SIDECAR_STORE_CRASH_CHILD="+path, "SIDECAR_STORE_CRASH_KEY="+fmt.Sprintf("%x", key))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The child prints "committed N" after each commit and "inflight" once
	// it is inside an open transaction with rows written.
	var committed int
	// No wall-clock deadline: a loaded machine may take minutes to get
	// there; go test's own timeout bounds the wait.
	buf := make([]byte, 0, 4096)
	for {
		tmp := make([]byte, 256)
		n, err := out.Read(tmp)
		buf = append(buf, tmp[:n]...)
		if bytes.Contains(buf, []byte("inflight")) {
			break
		}
		if err != nil {
			t.Fatalf("child ended early: %v; output %q", err, buf)
		}
	}
	for _, line := range strings.Split(string(buf), "\n") {
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			committed, _ = strconv.Atoi(n)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if committed != 20 {
		t.Fatalf("child committed %d rows before the crash, want 20; output %q", committed, buf)
	}

	db, err := Open(ctx, path, key)
	if err != nil {
		t.Fatalf("reopen after kill -9: %v", err)
	}
	defer db.Close()
	chats, err := db.ListChats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(chats) != 1 {
		t.Fatalf("chats = %d, want 1", len(chats))
	}
	msgs, err := db.Messages(ctx, chats[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != committed {
		t.Fatalf("messages after crash = %d, want the %d committed", len(msgs), committed)
	}
	for i, m := range msgs {
		if m.Content != fmt.Sprintf("committed-%d", i) {
			t.Fatalf("message %d = %q", i, m.Content)
		}
	}
}

func crashChild() {
	ctx := context.Background()
	path := os.Getenv("SIDECAR_STORE_CRASH_CHILD")
	var key []byte
	fmt.Sscanf(os.Getenv("SIDECAR_STORE_CRASH_KEY"), "%x", &key)
	db, err := Open(ctx, path, key)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	c, err := db.CreateChat(ctx, "crash", "")
	if err != nil {
		os.Exit(3)
	}
	for i := 0; i < 20; i++ {
		if _, err := db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: fmt.Sprintf("committed-%d", i)}); err != nil {
			os.Exit(3)
		}
		fmt.Printf("committed %d\n", i+1)
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		os.Exit(3)
	}
	for i := 0; i < 500; i++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO messages(chat_id, role, content, created_at) VALUES (?, 'user', ?, 0)`,
			c.ID, strings.Repeat("uncommitted ", 100)); err != nil {
			os.Exit(3)
		}
	}
	fmt.Println("inflight")
	time.Sleep(time.Minute) // killed here
	os.Exit(4)
}

func TestMigrationsAreVersioned(t *testing.T) {
	ctx := context.Background()
	db, path, key := openTemp(t)
	var v int
	db.SQL().QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	if v != SchemaVersion() || v < 4 {
		t.Fatalf("user_version = %d, want %d", v, SchemaVersion())
	}
	for _, table := range []string{"chats", "messages", "settings", "documents", "chunks", "chunks_fts", "embedding_models", "messages_fts", "presets"} {
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = ?", table).Scan(&n); err != nil || n != 1 {
			t.Errorf("table %s: n=%d err=%v", table, n, err)
		}
	}
	// A file from a newer build is refused, not migrated down.
	db.SQL().ExecContext(ctx, fmt.Sprintf("PRAGMA user_version=%d", SchemaVersion()+1))
	db.Close()
	if _, err := Open(ctx, path, key); !errors.Is(err, ErrTooNew) {
		t.Fatalf("err = %v, want ErrTooNew", err)
	}
}

func TestVectorsAndFTSWork(t *testing.T) {
	ctx := context.Background()
	db, _, _ := openTemp(t)
	defer db.Close()
	s := db.SQL()
	if _, err := s.ExecContext(ctx, `CREATE VIRTUAL TABLE v_test USING vec0(embedding float[4])`); err != nil {
		t.Fatal(err)
	}
	for i, v := range []string{"[1,0,0,0]", "[0,1,0,0]", "[0.9,0.1,0,0]"} {
		if _, err := s.ExecContext(ctx, `INSERT INTO v_test(rowid, embedding) VALUES (?, ?)`, i+1, v); err != nil {
			t.Fatal(err)
		}
	}
	var id int64
	if err := s.QueryRowContext(ctx, `SELECT rowid FROM v_test WHERE embedding MATCH '[0,1,0,0]' AND k = 1`).Scan(&id); err != nil || id != 2 {
		t.Fatalf("knn = %d, %v", id, err)
	}
	c, _ := db.CreateChat(ctx, "fts", "")
	db.AddMessage(ctx, Message{ChatID: c.ID, Role: "user", Content: "the quick brown fox"})
	var n int
	if err := s.QueryRowContext(ctx, `SELECT count(*) FROM messages_fts WHERE messages_fts MATCH 'brown'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("fts = %d, %v", n, err)
	}
}
