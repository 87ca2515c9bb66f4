package pdftext

import (
	"context"
	"strings"
	"testing"

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
