package docs

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sidecar/backend/pdftext"
	"sidecar/backend/pdftext/pdftexttest"
	"sidecar/backend/procmem"
	"sidecar/backend/store"
)

// bombReport is what the child process of TestPDFBombBoundedMemory tells.
type bombReport struct {
	Outcome, Reason, Err string
	PeakBefore, Peak     int64 // VmHWM before and after the bomb, bytes
	Seconds              float64
	Running              int
	After                string // outcome of a plain PDF added afterwards
}

// TestPDFBombBoundedMemory adds a PDF bomb (13 KB on disk, a content
// stream that inflates to 1 GiB) through the documents service in a child
// process of its own, whose peak resident memory is then a clean figure:
// the file is refused with a clear reason, the process stays within a
// bound set by PDFium's memory cap, the parser is no longer running, and
// the service still reads an ordinary PDF afterwards.
func TestPDFBombBoundedMemory(t *testing.T) {
	if os.Getenv("SIDECAR_PDFBOMB_CHILD") != "" {
		pdfBombChild()
		return
	}
	key := make([]byte, store.KeySize)
	rand.Read(key)
	cmd := exec.Command(os.Args[0], "-test.run=^TestPDFBombBoundedMemory$")
	cmd.Env = append(os.Environ(), "SIDECAR_PDFBOMB_CHILD=1", "SIDECAR_PDFBOMB_DB="+filepath.Join(t.TempDir(), store.FileName),
		fmt.Sprintf("SIDECAR_PDFBOMB_KEY=%x", key))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var rep bombReport
	line := out[strings.LastIndex(strings.TrimSpace(string(out)), "\n")+1:]
	if err := json.Unmarshal(line, &rep); err != nil {
		t.Fatalf("child said %q: %v", out, err)
	}
	t.Logf("bomb: %s (%s) in %.1f s; peak RSS %d MiB before, %d MiB after", rep.Outcome, rep.Reason, rep.Seconds, rep.PeakBefore>>20, rep.Peak>>20)
	if rep.Err != "" || rep.Outcome != Skipped || !strings.Contains(rep.Reason, "memory") {
		t.Errorf("the bomb gave outcome %q reason %q err %q, want a skip for memory", rep.Outcome, rep.Reason, rep.Err)
	}
	// PDFium's memory cap plus what the process held before, plus room for
	// the Go heap's own swings (the race detector's included).
	if limit := rep.PeakBefore + pdftext.MemoryCap + 160<<20; rep.Peak > limit {
		t.Errorf("peak RSS %d MiB, over the bound of %d MiB", rep.Peak>>20, limit>>20)
	}
	if rep.Running != 0 {
		t.Errorf("%d PDF reads still running after Add returned", rep.Running)
	}
	if rep.After != Added {
		t.Errorf("a plain PDF after the bomb: %q", rep.After)
	}
}

func pdfBombChild() {
	report := func(r bombReport) {
		b, _ := json.Marshal(r)
		fmt.Printf("\n%s\n", b)
		os.Exit(0)
	}
	var key []byte
	fmt.Sscanf(os.Getenv("SIDECAR_PDFBOMB_KEY"), "%x", &key)
	ctx := context.Background()
	db, err := store.Open(ctx, os.Getenv("SIDECAR_PDFBOMB_DB"), key)
	if err != nil {
		report(bombReport{Err: err.Error()})
	}
	s, err := New(ctx, db, Lexical{}, nil)
	if err != nil {
		report(bombReport{Err: err.Error()})
	}
	if err := pdftext.Prepare(); err != nil {
		report(bombReport{Err: err.Error()})
	}
	bomb := pdftexttest.FlateBomb(1 << 30)
	var rep bombReport
	rep.PeakBefore = procmem.PeakRSS()
	start := time.Now()
	res, err := s.Add(ctx, "bomb.pdf", "bomb.pdf", bomb)
	rep.Seconds = time.Since(start).Seconds()
	rep.Peak = procmem.PeakRSS()
	rep.Running = pdftext.Running()
	rep.Outcome, rep.Reason = res.Outcome, res.Reason
	if err != nil {
		rep.Err = err.Error()
	}
	after, err := s.Add(ctx, "plain.pdf", "plain.pdf", minimalPDF("a plain page after the bomb"))
	rep.After = after.Outcome
	if err != nil {
		rep.After = err.Error()
	}
	report(rep)
}
