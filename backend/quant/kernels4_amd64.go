package quant

// Four-stream generation kernels (kernels512g_amd64.s): a worker's share
// of a matrix-vector product is cut in four quarters whose rows are
// multiplied side by side, in the file's own layout.

//go:noescape
func dot4Q4_0512(w *byte, stride int, qsP *int8, d, s *float32, n4 int, out *[4]float32)

//go:noescape
func dot4Q8_0512(w *byte, stride int, qs *int8, d *float32, n4 int, out *[4]float32)

//go:noescape
func dot4F16AVX2(w *byte, stride int, x *float32, n int, out *[4]float32) // n a multiple of 32

// streams holds the four-row kernels of the chosen set, by type.
var streams map[Type]dot4

// selectStreams installs the four-row kernels the set has as the
// generation products of their types (after selectKernels).
func selectStreams(avx2, vnni bool) {
	streams = map[Type]dot4{}
	if avx2 {
		streams[F16] = dot4F16
	}
	if vnni {
		streams[Q4_0] = dot4Q4_0
		streams[Q8_0] = dot4Q8_0
	}
	for t := range streams {
		k := fast[t]
		k.rows = rowsStreams
		fast[t] = k
	}
}

// rowsStreams is DotRows with four streams: rows r, r+q, r+2q and r+3q
// of the share together (q a quarter of it), and the rows left over one
// at a time.
func rowsStreams(m Matrix, r0, r1 int, a *Acts, out []float32) {
	x := &a.first
	rb, q := m.rowBytes, (r1-r0)/4
	if q > 0 {
		_ = m.data[(r0+4*q)*rb-1]
		var o [4]float32
		for r := r0; r < r0+q; r++ {
			// Called directly, not through streams, so o stays on the stack.
			switch w := m.data[r*rb:]; m.typ {
			case Q4_0:
				dot4Q4_0(w, q*rb, x, &o)
			case Q8_0:
				dot4Q8_0(w, q*rb, x, &o)
			default:
				dot4F16(w, q*rb, x, &o)
			}
			out[r], out[r+q], out[r+2*q], out[r+3*q] = o[0], o[1], o[2], o[3]
		}
	}
	dot := asmDots[m.typ]
	for r := r0 + 4*q; r < r1; r++ {
		out[r] = dot(m.Row(r), x)
	}
}

// dot4Q4_0 takes whole groups of four blocks with the four-row kernel
// and the blocks left over with the one-row one.
func dot4Q4_0(w []byte, stride int, x *actVec, out *[4]float32) {
	nb := len(x.d)
	n4 := nb / 4
	_ = w[3*stride+18*nb-1]
	*out = [4]float32{}
	if n4 > 0 {
		dot4Q4_0512(&w[0], stride, &x.qsP[0], &x.d[0], &x.s[0], n4, out)
	}
	if k := 4 * n4; k < nb {
		for i := range out {
			out[i] += dotQ4_0VNNI(&w[i*stride+18*k], &x.qs[32*k], &x.d[k], &x.s[k], nb-k)
		}
	}
}

// dot4Q8_0 is dot4Q4_0 for Q8_0.
func dot4Q8_0(w []byte, stride int, x *actVec, out *[4]float32) {
	nb := len(x.d)
	n4 := nb / 4
	_ = w[3*stride+34*nb-1]
	*out = [4]float32{}
	if n4 > 0 {
		dot4Q8_0512(&w[0], stride, &x.qs[0], &x.d[0], n4, out)
	}
	if k := 4 * n4; k < nb {
		for i := range out {
			out[i] += dotQ8_0VNNI(&w[i*stride+34*k], &x.qs[32*k], &x.d[k], nb-k)
		}
	}
}

// dot4F16 takes whole steps of 32 values with the four-row kernel and the
// rest with Go.
func dot4F16(w []byte, stride int, x *actVec, out *[4]float32) {
	n := len(x.f) &^ 31
	_ = w[3*stride+2*len(x.f)-1]
	*out = [4]float32{}
	if n > 0 {
		dot4F16AVX2(&w[0], stride, &x.f[0], n, out)
	}
	if n < len(x.f) {
		t := actVec{f: x.f[n:]}
		for i := range out {
			out[i] += dotF16Go(w[i*stride+2*n:], &t)
		}
	}
}

// f16Kernels are DotF16Rows' row products in the chosen set.
func f16Kernels() (one func(row []byte, x *actVec) float32, four dot4) {
	if d, ok := asmDots[F16]; ok {
		return d, streams[F16]
	}
	return dotF16Go, nil
}
