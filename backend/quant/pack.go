package quant

// packed4 is a batch of Q8_K vectors laid out for the four-vector kernels:
// for group g of four vectors and super-block b, at index (g·nb+b)·4+v,
// vector v's 256 values (qsK4 order in qsK4, plain in qs), scale, and
// 32- and 16-value sums. Vectors past the batch's end are zero.
//
// Q8_0 vectors are packed four blocks (128 values) at a time instead, by
// pack8: for group g and block quad q, at index (g·nq+q)·4+v, vector v's
// 128 values (plain in qs, qsP order in qsP), and at (g·nq+q)·16 + 4v + k
// the scale and sum of its block k.
type packed4 struct {
	qsK4, qs, qsP  []int8
	d, s           []float32
	bsums32, bsums []int16
	groups         int
}

// pack8 lays a's Q8_0 vectors out in p (cols a multiple of 128).
func (p *packed4) pack8(a *Acts) {
	nq := a.nb / 4
	p.groups = (a.n + 3) / 4
	n := p.groups * 4 * nq
	if len(p.qsP) < 128*n {
		*p = packed4{qs: make([]int8, 128*n), qsP: make([]int8, 128*n), d: make([]float32, 4*n), s: make([]float32, 4*n)}
		p.groups = (a.n + 3) / 4
	}
	for g := 0; g < p.groups; g++ {
		for q := 0; q < nq; q++ {
			for v := 0; v < 4; v++ {
				i, t := (g*nq+q)*4+v, g*4+v
				if t >= a.n {
					clear(p.qs[128*i : 128*i+128])
					clear(p.qsP[128*i : 128*i+128])
					clear(p.d[4*i : 4*i+4])
					clear(p.s[4*i : 4*i+4])
					continue
				}
				j := t*a.nb + 4*q // first block
				copy(p.qs[128*i:128*i+128], a.qs[32*j:32*j+128])
				copy(p.qsP[128*i:128*i+128], a.qsP[32*j:32*j+128])
				copy(p.d[4*i:4*i+4], a.d[j:j+4])
				copy(p.s[4*i:4*i+4], a.s[j:j+4])
			}
		}
	}
}

// pack lays a's vectors out in p (made to size once).
func (p *packed4) pack(a *Acts) {
	nb := a.nb
	p.groups = (a.n + 3) / 4
	n := p.groups * 4 * nb
	if len(p.d) < n {
		*p = packed4{qsK4: make([]int8, 256*n), qs: make([]int8, 256*n), d: make([]float32, n),
			bsums32: make([]int16, 8*n), bsums: make([]int16, 16*n)}
		p.groups = (a.n + 3) / 4
	}
	for g := 0; g < p.groups; g++ {
		for b := 0; b < nb; b++ {
			for v := 0; v < 4; v++ {
				i, t := (g*nb+b)*4+v, g*4+v
				if t >= a.n {
					clear(p.qsK4[256*i : 256*i+256])
					clear(p.qs[256*i : 256*i+256])
					p.d[i] = 0
					clear(p.bsums32[8*i : 8*i+8])
					clear(p.bsums[16*i : 16*i+16])
					continue
				}
				j := t*nb + b
				copy(p.qsK4[256*i:256*i+256], a.qsK4[256*j:256*j+256])
				copy(p.qs[256*i:256*i+256], a.qs[256*j:256*j+256])
				p.d[i] = a.d[j]
				copy(p.bsums32[8*i:8*i+8], a.bsums32[8*j:8*j+8])
				copy(p.bsums[16*i:16*i+16], a.bsums[16*j:16*j+16])
			}
		}
	}
}
