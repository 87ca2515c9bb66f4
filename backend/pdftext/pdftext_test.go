package pdftext

import (
	"context"
	"strings"
	"testing"
	"time"

	"sidecar/backend/pdftext/pdftexttest"
)

func TestExtractText(t *testing.T) {
	pdf := pdftexttest.Text([]string{"Quarterly report", "Revenue grew by twelve percent."}, []string{"Second page here"})
	r, err := Extract(context.Background(), pdf, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%q pages=%d top=%d", r.Text, r.Pages, r.MemoryTop)
	if r.Pages != 2 || r.Read != 2 {
		t.Errorf("pages %d read %d, want 2", r.Pages, r.Read)
	}
	for _, want := range []string{"Quarterly report\nRevenue grew by twelve percent.", "Second page here"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("text %q lacks %q", r.Text, want)
		}
	}
}

// FuzzExtract: whatever the bytes, Extract returns (text or an error)
// within its time, and leaves no read running.
func FuzzExtract(f *testing.F) {
	f.Add(pdftexttest.Text([]string{"hello"}))
	f.Add(pdftexttest.PageTreeBomb(3, 4))
	f.Add(pdftexttest.FlateBomb(1 << 20))
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj trailer << /Root 1 0 R >>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Extract(context.Background(), data, Options{Timeout: 5 * time.Second})
		if n := Running(); n != 0 {
			t.Fatalf("%d reads still running", n)
		}
	})
}
