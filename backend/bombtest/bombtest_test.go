package bombtest

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"io"
	"testing"
)

// The hand-written streams inflate, through the standard library's
// readers (zlib's checksum included), to exactly what they claim.
func TestStreamsInflate(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 259, 1000, 1 + 258*1000, 1 + 258*65536 + 17} {
		for _, c := range []byte{' ', 'x', 0xe9} {
			prefix, suffix := []byte("{\"é\":\""), []byte("\"}\xff")
			check(t, flate.NewReader(bytes.NewReader(RawDeflate(prefix, c, n, suffix))), prefix, c, n, suffix)
			zr, err := zlib.NewReader(bytes.NewReader(Zlib(c, n)))
			if err != nil {
				t.Fatal(err)
			}
			check(t, zr, nil, c, n, nil)
		}
	}
}

func check(t *testing.T, r io.Reader, prefix []byte, c byte, n int64, suffix []byte) {
	t.Helper()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("n=%d c=%q: %v", n, c, err)
	}
	want := append(append(append([]byte{}, prefix...), bytes.Repeat([]byte{c}, int(n))...), suffix...)
	if !bytes.Equal(got, want) {
		t.Fatalf("n=%d c=%q: inflated %d bytes, not the %d expected", n, c, len(got), len(want))
	}
}
