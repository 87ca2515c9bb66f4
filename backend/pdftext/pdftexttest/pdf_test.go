package pdftexttest

import (
	"bytes"
	"compress/zlib"
	"io"
	"testing"
)

// The hand-written zlib stream inflates, checksum included, to exactly
// the spaces it claims (checked by the standard library's reader).
func TestSpacesZlib(t *testing.T) {
	for _, n := range []int64{1, 259, 1 + 258*1000, 1 + 258*65536} {
		zr, err := zlib.NewReader(bytes.NewReader(spacesZlib(n)))
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		buf := make([]byte, 1<<16)
		for {
			k, err := zr.Read(buf)
			for _, c := range buf[:k] {
				if c != ' ' {
					t.Fatalf("n=%d: byte %q", n, c)
				}
			}
			got += int64(k)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("n=%d: %v after %d bytes", n, err, got)
			}
		}
		if got != n {
			t.Errorf("inflated %d bytes, want %d", got, n)
		}
	}
}
