package pdftext

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"sidecar/backend/pdftext/pdftexttest"
)

// A PDF whose content stream inflates to 400 MiB stops at the memory cap
// with a clear error, and the module's memory never passed the cap.
func TestFlateBombStopsAtTheCap(t *testing.T) {
	bomb := pdftexttest.FlateBomb(400 << 20)
	if len(bomb) > 64<<10 {
		t.Fatalf("the bomb is %d bytes: not a bomb", len(bomb))
	}
	r, err := Extract(context.Background(), bomb, Options{Timeout: 2 * time.Minute})
	if !errors.Is(err, ErrMemory) {
		t.Fatalf("err = %v, want ErrMemory", err)
	}
	if r.MemoryTop > MemoryCap || r.MemoryTop < MemoryCap/2 {
		t.Errorf("the module's memory peaked at %d MiB; the cap is %d MiB", r.MemoryTop>>20, MemoryCap>>20)
	}
	if n := Running(); n != 0 {
		t.Errorf("%d reads still running", n)
	}
	stillWorks(t)
}

// A read that runs out of time, or whose caller gives up, is stopped for
// real: Extract returns at once, no call of the module runs on, and the
// process burns no more CPU on it.
func TestHardStop(t *testing.T) {
	bomb := pdftexttest.FlateBomb(1 << 30)
	for _, tc := range []struct {
		name   string
		cancel bool
		want   error
	}{{"timeout", false, ErrTimeout}, {"cancel", true, context.Canceled}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			o := Options{Timeout: 300 * time.Millisecond}
			if tc.cancel {
				o.Timeout = time.Minute
				time.AfterFunc(300*time.Millisecond, cancel)
			}
			start := time.Now()
			_, err := Extract(ctx, bomb, o)
			took := time.Since(start)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if took > 10*time.Second {
				t.Errorf("Extract returned %v after the stop", took)
			}
			if n := Running(); n != 0 {
				t.Fatalf("%d reads still running after Extract returned", n)
			}
			before := cpuTime(t)
			time.Sleep(time.Second)
			if burnt := cpuTime(t) - before; burnt > 300*time.Millisecond {
				t.Errorf("the process used %v of CPU in the second after the stop: the parser runs on", burnt)
			}
		})
	}
	stillWorks(t)
}

// A page tree that names the same node over and over (10^9 pages from a
// kilobyte) is refused or read as nothing, quickly.
func TestPageTreeBomb(t *testing.T) {
	r, err := Extract(context.Background(), pdftexttest.PageTreeBomb(10, 9), Options{Timeout: time.Minute})
	if err == nil && strings.TrimSpace(r.Text) != "" {
		t.Errorf("text %q from a page tree with no content", r.Text)
	}
	if r.Read > 10000 {
		t.Errorf("read %d pages", r.Read)
	}
}

func TestPasswordAndGarbage(t *testing.T) {
	for name, data := range map[string][]byte{
		"garbage":   []byte("%PDF-1.7\n\xff\x00\x13 nothing here"),
		"truncated": pdftexttest.Text([]string{"hello"})[:120],
	} {
		if _, err := Extract(context.Background(), data, Options{}); !errors.Is(err, ErrDamaged) {
			t.Errorf("%s: err = %v, want ErrDamaged", name, err)
		}
	}
}

// stillWorks: after a stopped read the pool gives a working reader.
func stillWorks(t *testing.T) {
	t.Helper()
	r, err := Extract(context.Background(), pdftexttest.Text([]string{"after the storm"}), Options{})
	if err != nil || !strings.Contains(r.Text, "after the storm") {
		t.Fatalf("a plain PDF after the bomb: %q, %v", r.Text, err)
	}
}

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Skip("no rusage here")
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
