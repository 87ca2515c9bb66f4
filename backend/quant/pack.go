package quant

// packed4 is a batch of Q8_K vectors laid out for the four-vector kernels:
// for group g of four vectors and super-block b, at index (g·nb+b)·4+v,
// vector v's 256 values (qsK4 order in qsK4, plain in qs), scale, and
// 32- and 16-value sums. Vectors past the batch's end are zero.
type packed4 struct {
	qsK4, qs       []int8
	d              []float32
	bsums32, bsums []int16
	groups         int
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
