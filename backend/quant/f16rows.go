package quant

import "fmt"

// dot4 sets out[k] to row k · x for the four rows at w, w+stride,
// w+2·stride and w+3·stride.
type dot4 func(w []byte, stride int, x *actVec, out *[4]float32)

// DotF16Rows sets out[r] to the first len(x) half floats of row r of w
// times x, for r < len(out), rows starting stride bytes apart: products
// with a piece of a half-float matrix, as attention takes them from a
// cache wider than the positions filled. The rows are read as matrices'
// are in generation, four streams at a time.
func DotF16Rows(out []float32, w []byte, stride int, x []float32) {
	n := len(out)
	if n == 0 || len(x) == 0 {
		clear(out)
		return
	}
	if stride < 2*len(x) || len(w) < (n-1)*stride+2*len(x) {
		panic(fmt.Sprintf("quant: %d half-float rows of %d values, %d bytes apart, in %d bytes", n, len(x), stride, len(w)))
	}
	v := actVec{f: x}
	one, four := f16Kernels()
	r := 0
	if q := n / 4; q > 0 && four != nil {
		var o [4]float32
		for ; r < q; r++ {
			four(w[r*stride:], q*stride, &v, &o)
			out[r], out[r+q], out[r+2*q], out[r+3*q] = o[0], o[1], o[2], o[3]
		}
		r = 4 * q
	}
	for ; r < n; r++ {
		out[r] = one(w[r*stride:r*stride+2*len(x)], &v)
	}
}
