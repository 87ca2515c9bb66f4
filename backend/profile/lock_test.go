package profile

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"sidecar/backend/keychain"
	"sidecar/backend/store"
)

// TestLockHeldByAnotherProcess opens a profile in a child process, which
// holds it until it is killed: meanwhile this process cannot open, rotate
// or wipe the folder and is told the child's pid; after SIGKILL the OS has
// freed the lock and the data opens intact.
func TestLockHeldByAnotherProcess(t *testing.T) {
	if dir := os.Getenv("SIDECAR_LOCK_CHILD"); dir != "" {
		kc := &keychain.Keychain{Service: os.Getenv("SIDECAR_LOCK_SERVICE"), Timeout: 10 * time.Second}
		p, err := Open(context.Background(), dir, kc)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(3)
		}
		fmt.Println("OPEN", p.DB.Path())
		select {} // held until killed
	}
	ctx := context.Background()
	dir := t.TempDir()
	kc := testKeychain(t, dir)
	p, err := Open(ctx, dir, kc)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := p.DB.CreateChat(ctx, "kept while locked", "")
	p.DB.AddMessage(ctx, store.Message{ChatID: c.ID, Role: "user", Content: "still here"})
	p.Close()

	cmd := exec.Command(os.Args[0], "-test.run=^TestLockHeldByAnotherProcess$")
	cmd.Env = append(os.Environ(), "SIDECAR_LOCK_CHILD="+dir, "SIDECAR_LOCK_SERVICE="+kc.Service)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "OPEN") {
		t.Fatalf("child: %q", line)
	}
	before := fileHash(t, DBPath(dir))

	wantLocked := func(what string, err error) {
		t.Helper()
		var le *LockedError
		if !errors.As(err, &le) || !errors.Is(err, ErrLocked) || le.PID != cmd.Process.Pid {
			t.Fatalf("%s while another process holds the folder: %v, want the lock error naming pid %d", what, err, cmd.Process.Pid)
		}
		want := fmt.Sprintf("Sidecar is already running (pid %d); close it or use its local API", cmd.Process.Pid)
		if err.Error() != want {
			t.Fatalf("%s: message %q, want %q", what, err, want)
		}
	}
	_, err = Open(ctx, dir, kc)
	wantLocked("open", err)
	_, err = OpenWith(ctx, dir, kc, testPass)
	wantLocked("open with a passphrase", err)
	_, err = Wipe(ctx, dir, kc, nil)
	wantLocked("wipe", err)
	if _, err := kc.Get(ctx, keychain.AccountDBKey); err != nil {
		t.Fatalf("the refused wipe touched the key: %v", err)
	}
	if after := fileHash(t, DBPath(dir)); after != before {
		t.Fatal("the database changed while another process held it")
	}

	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	p, err = Open(ctx, dir, kc)
	if err != nil {
		t.Fatalf("after SIGKILL of the holder: %v", err)
	}
	defer p.Close()
	if msgs, _ := p.DB.Messages(ctx, c.ID); len(msgs) != 1 || msgs[0].Content != "still here" {
		t.Fatalf("messages after the holder died: %+v", msgs)
	}
	// Rotation runs under the lock this process now holds.
	p2, err := Rotate(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if _, err := Acquire(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("the lock was let go during the rotation: %v", err)
	}
}

// TestLockInProcess: a second open of a folder is refused until the first
// is closed, and a failed open leaves the lock free.
func TestLockInProcess(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	kc := testKeychain(t, dir)
	p, err := Open(ctx, dir, kc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, dir, kc); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	p.Close()
	p.Close() // twice is harmless
	kc.Delete(ctx, keychain.AccountDBKey)
	if _, err := Open(ctx, dir, kc); !errors.Is(err, ErrKeyMissing) {
		t.Fatalf("open without the key: %v", err)
	}
	l, err := Acquire(dir)
	if err != nil {
		t.Fatalf("a failed open kept the lock: %v", err)
	}
	l.Release()
	l.Release()
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
