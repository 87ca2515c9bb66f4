// Package bombtest writes compressed data that expands far beyond its
// size, for tests of the limits on hostile input: deflate streams written
// bit by bit, so a gigabyte of expansion costs the test no gigabyte of
// compressing.
package bombtest

// RawDeflate is a raw deflate stream (as in zip) of prefix, then n copies
// of c, then suffix: one fixed-Huffman block where the run is a literal
// and matches of 258 bytes at distance 1 (13 bits each, a ratio of about
// 159), the rest literals.
func RawDeflate(prefix []byte, c byte, n int64, suffix []byte) []byte {
	var w bitWriter
	w.bits(1, 1) // last block
	w.bits(1, 2) // fixed Huffman codes
	for _, b := range prefix {
		w.literal(b)
	}
	if n > 0 {
		w.literal(c)
		left := n - 1
		for ; left >= 258; left -= 258 {
			w.code(0xc0+285-280, 8) // length 258
			w.code(0, 5)            // distance 1
		}
		for ; left > 0; left-- {
			w.literal(c)
		}
	}
	for _, b := range suffix {
		w.literal(b)
	}
	w.code(0, 7) // end of block
	w.flush()
	return w.out
}

// Zlib is RawDeflate of n copies of c in a zlib wrapper (a PDF
// FlateDecode stream), with its Adler-32.
func Zlib(c byte, n int64) []byte {
	out := append([]byte{0x78, 0x01}, RawDeflate(nil, c, n, nil)...)
	// Adler-32 of n bytes c: a = 1 + c*n, b = n + c*n(n+1)/2, mod 65521.
	const m = 65521
	nm := uint64(n) % m
	var tri uint64 // n(n+1)/2 mod m
	if n%2 == 0 {
		tri = uint64(n/2) % m * (uint64(n+1) % m) % m
	} else {
		tri = nm * (uint64((n+1)/2) % m) % m
	}
	a := (1 + uint64(c)*nm) % m
	b := (nm + uint64(c)*tri) % m
	return append(out, byte(b>>8), byte(b), byte(a>>8), byte(a))
}

// bitWriter writes a deflate bit stream (least significant bit first).
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// code writes a Huffman code, which deflate stores most significant bit first.
func (w *bitWriter) code(v uint64, n uint) {
	var r uint64
	for i := uint(0); i < n; i++ {
		r = r<<1 | (v>>i)&1
	}
	w.bits(r, n)
}

// literal writes byte b with the fixed literal codes.
func (w *bitWriter) literal(b byte) {
	if b < 144 {
		w.code(0x30+uint64(b), 8)
	} else {
		w.code(0x190+uint64(b)-144, 9)
	}
}

func (w *bitWriter) flush() {
	if w.nacc > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc, w.nacc = 0, 0
	}
}
