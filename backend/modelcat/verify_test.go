package modelcat

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testModel = "../llama/testdata/qwen2-w64-f32.gguf"

func writeFile(t *testing.T, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tiny-Q4_K_M.gguf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerify(t *testing.T) {
	raw, err := os.ReadFile(testModel)
	if err != nil {
		t.Fatal(err)
	}
	e := goodEntry()
	if err := Verify(writeFile(t, raw), e); err != nil {
		t.Fatalf("a good model: %v", err)
	}
	exact := e
	exact.SizeApprox, exact.SizeBytes = false, int64(len(raw))
	if err := Verify(writeFile(t, raw), exact); err != nil {
		t.Fatalf("a good model of the exact size: %v", err)
	}
	exact.SizeBytes++
	if err := Verify(writeFile(t, raw), exact); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("size mismatch: %v", err)
	}

	// Unsupported architecture: the same file saying another one.
	other := bytes.Clone(raw)
	i := bytes.Index(other, []byte("general.architecture"))
	j := bytes.Index(other[i:], []byte("qwen2"))
	if i < 0 || j < 0 {
		t.Fatal("test model has no architecture key")
	}
	copy(other[i+j:], "bertx")

	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"truncated":    {raw[:len(raw)-1000], "damaged or incomplete"},
		"header only":  {raw[:64], "damaged or incomplete"},
		"not gguf":     {[]byte("<!DOCTYPE html><html>Sign in to download</html>"), "not a GGUF"},
		"empty":        {nil, "not a GGUF"},
		"architecture": {other, `architecture "bertx"`},
	} {
		if err := Verify(writeFile(t, c.b), e); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}
