package quant

// Generation's K-quant products on AVX-512 VNNI: a worker's rows go to the
// four-row kernels (kernels512rows4_amd64.s) in one call, quarter by
// quarter, and the one to three rows left over to the one-row ones.

//go:noescape
func dotQ4K512Rows4(w *byte, span int, qsK4 *int8, d *float32, bs *int16, nb, q int, out *float32)

//go:noescape
func dotQ6K512Rows4(w *byte, span int, qs *int8, d *float32, bs *int16, nb, q int, out *float32)

// rowsQ4K512 sets out[r0:r1] with four-row calls and the rest one by one.
func rowsQ4K512(m Matrix, r0, r1 int, a *Acts, out []float32) {
	if r1 <= r0 {
		return
	}
	x := a.vec(0)
	_ = m.data[r1*m.rowBytes-1]
	_ = out[r1-1]
	q := (r1 - r0) / 4
	if q > 0 {
		dotQ4K512Rows4(&m.data[r0*m.rowBytes], q*m.rowBytes, &x.qsK4[0], &x.d[0], &x.bsums32[0], len(x.d), q, &out[r0])
	}
	if k := r0 + 4*q; k < r1 {
		dotQ4K512Rows(&m.data[k*m.rowBytes], m.rowBytes, &x.qsK4[0], &x.d[0], &x.bsums32[0], len(x.d), r1-k, &out[k])
	}
}

// rowsQ6K512 is rowsQ4K512 for Q6_K.
func rowsQ6K512(m Matrix, r0, r1 int, a *Acts, out []float32) {
	if r1 <= r0 {
		return
	}
	x := a.vec(0)
	_ = m.data[r1*m.rowBytes-1]
	_ = out[r1-1]
	q := (r1 - r0) / 4
	if q > 0 {
		dotQ6K512Rows4(&m.data[r0*m.rowBytes], q*m.rowBytes, &x.qs[0], &x.d[0], &x.bsums[0], len(x.d), q, &out[r0])
	}
	if k := r0 + 4*q; k < r1 {
		dotQ6K512Rows(&m.data[k*m.rowBytes], m.rowBytes, &x.qs[0], &x.d[0], &x.bsums[0], len(x.d), r1-k, &out[k])
	}
}
