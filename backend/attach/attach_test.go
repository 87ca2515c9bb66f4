package attach

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"sidecar/backend/pdftext/pdftexttest"
)

func TestMain(m *testing.M) {
	if err := pdftexttest.Prepare(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

var png1x1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

func TestReadByContent(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name       string
		data       []byte
		kind, mime string
		refused    string
	}{
		{name: "main.go", data: []byte("package main\n"), kind: "code", mime: "text/plain; charset=utf-8"},
		{name: "README.md", data: []byte("# Title\n"), kind: "markdown", mime: "text/markdown; charset=utf-8"},
		{name: "notes", data: []byte("plain words"), kind: "text"},
		// An image named like text is still an image; text named .png is text.
		{name: "shot.txt", data: png1x1, kind: KindImage, mime: "image/png"},
		{name: "fake.png", data: []byte("just text"), kind: "text"},
		{name: "doc.pdf", data: pdftexttest.Text([]string{"Hello from a PDF"}), kind: "pdf", mime: "application/pdf"},
		{name: "app.exe", data: []byte("MZ\x90\x00\x03\x00\x00\x00"), refused: "neither text"},
		{name: "data.txt", data: append([]byte("mostly text"), 0), refused: "neither text"},
		{name: "latin1.txt", data: []byte("caf\xe9 cr\xe8me"), refused: "neither text"},
		{name: "empty.txt", data: nil, refused: "empty"},
		{name: "scan.pdf", data: pdftexttest.Text([]string{}), refused: "no text layer"},
	} {
		f, err := Read(ctx, c.name, c.data)
		if c.refused != "" {
			if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), c.refused) || !strings.Contains(err.Error(), c.name) {
				t.Errorf("%s: err = %v, want refused (%s) naming the file", c.name, err, c.refused)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if f.Kind != c.kind || c.mime != "" && f.MIME != c.mime {
			t.Errorf("%s: kind %q mime %q, want %q %q", c.name, f.Kind, f.MIME, c.kind, c.mime)
		}
		if c.kind == "pdf" && !strings.Contains(f.Text, "Hello from a PDF") {
			t.Errorf("PDF text = %q", f.Text)
		}
		if c.kind == KindImage && f.Text != "" {
			t.Errorf("image has text %q", f.Text)
		}
	}
}

// Files over the limits are refused before they are read; a PDF that
// inflates to a gigabyte is stopped by the documents pipeline's bounds.
func TestReadBounds(t *testing.T) {
	ctx := context.Background()
	big := bytes.Repeat([]byte("a"), MaxFileBytes+1)
	if _, err := Read(ctx, "big.txt", big); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "10 MiB") {
		t.Errorf("big text: %v", err)
	}
	bigImg := append(append([]byte{}, png1x1...), make([]byte, MaxImageBytes)...)
	if _, err := Read(ctx, "big.png", bigImg); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "20 MiB") {
		t.Errorf("big image: %v", err)
	}
	okImg := append(append([]byte{}, png1x1...), make([]byte, MaxFileBytes+1)...)
	if f, err := Read(ctx, "fine.png", okImg); err != nil || f.Kind != KindImage {
		t.Errorf("an 11 MiB image: %+v %v", f, err)
	}
	if _, err := Read(ctx, "bomb.pdf", pdftexttest.FlateBomb(1<<30)); !errors.Is(err, ErrRefused) {
		t.Errorf("PDF bomb: %v", err)
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{"../../etc/passwd": "passwd", `C:\Users\me\a.txt`: "a.txt", "a\x00b\nc.txt": "abc.txt", "": "file", "/": "file"} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
	long := cleanName(strings.Repeat("é", 300))
	if len(long) > MaxNameBytes || !utf8.ValidString(long) {
		t.Errorf("long name: %d bytes, valid %v", len(long), utf8.ValidString(long))
	}
}

func TestBlockFence(t *testing.T) {
	b := Block("a.md", "", "text with ``` inside\n", false, 0, 0)
	if !strings.HasPrefix(b, "Attached file a.md:\n````\n") || !strings.HasSuffix(b, "\n````") {
		t.Errorf("block = %q", b)
	}
	b = Block("a.go", "go", "x", true, 5, 9)
	if !strings.Contains(b, "```go\nx\n```") || !strings.Contains(b, "cut to its first 5 of 9 tokens") {
		t.Errorf("block = %q", b)
	}
}

// words counts tokens as whitespace-separated words: an independent
// count to check Fit against.
func words(s string) (int, error) { return len(strings.Fields(s)), nil }

func TestFit(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 1000; i++ {
		fmt.Fprintf(&b, "line %d has five words\n", i)
	}
	text := b.String()
	kept, n, total, err := Fit(text, 5000, words)
	if err != nil || kept != text || n != 5000 || total != 5000 {
		t.Fatalf("within budget: %d of %d, %v", n, total, err)
	}
	kept, n, total, err = Fit(text, 1234, words)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := words(kept); c != n || n > 1234 || n < 1200 || total != 5000 || !strings.HasPrefix(text, kept) || !strings.HasSuffix(kept, "\n") {
		t.Fatalf("cut to %d (counted %d) of %d, ends %q", n, c, total, kept[max(0, len(kept)-20):])
	}
	if kept, n, _, _ := Fit(text, 0, words); kept != "" || n != 0 {
		t.Fatalf("zero budget kept %d", n)
	}
	// Multi-byte text is cut at a rune boundary.
	kept, _, _, _ = Fit(strings.Repeat("é ", 100), 10, EstimateTokens)
	if !utf8.ValidString(kept) || len(kept) > 40 {
		t.Fatalf("kept %q", kept)
	}
}
