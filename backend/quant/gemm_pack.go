package quant

// gemmPack lays a's vectors out for the int8 product, 16 per group (the
// last padded with zeros): for group g and 32-value block b, at
// gq[(g·nb+b)·512 + 64q + 4v] the values 4q..4q+3 of vector v, and at
// gf[(g·nb+b)·64] the 16 vectors' scales, then their scaled sums d·Σq
// over the block, over its first 16 values and over its last 16 (Q8_K).
func (a *Acts) gemmPack() {
	if a.kind == F32 {
		a.gemmPackF32()
		return
	}
	nb := a.cols / 32
	a.gemmGroups = (a.n + 15) / 16
	if n := a.gemmGroups * nb; len(a.gf) < 64*n {
		m := (a.max + 15) / 16 * nb
		a.gq, a.gf = make([]int8, 512*m), make([]float32, 64*m)
	}
	for g := 0; g < a.gemmGroups; g++ {
		for b := 0; b < nb; b++ {
			q, f := a.gq[(g*nb+b)*512:(g*nb+b+1)*512], a.gf[(g*nb+b)*64:(g*nb+b+1)*64]
			for v := 0; v < 16; v++ {
				t := g*16 + v
				if t >= a.n {
					for j := 0; j < 8; j++ {
						clear(q[64*j+4*v : 64*j+4*v+4])
					}
					f[v], f[16+v], f[32+v], f[48+v] = 0, 0, 0, 0
					continue
				}
				src := a.qs[t*a.cols+32*b : t*a.cols+32*b+32]
				for j := 0; j < 8; j++ {
					copy(q[64*j+4*v:64*j+4*v+4], src[4*j:4*j+4])
				}
				if a.kind == Q8_0 {
					f[v], f[16+v], f[32+v], f[48+v] = a.d[t*nb+b], a.s[t*nb+b], 0, 0
					continue
				}
				d := a.d[t*a.nb+b/8]
				f[v], f[16+v] = d, d*float32(a.bsums32[t*nb+b])
				f[32+v], f[48+v] = d*float32(a.bsums[2*(t*nb+b)]), d*float32(a.bsums[2*(t*nb+b)+1])
			}
		}
	}
}

// gemmPackF32 lays a's float vectors out for the float product, 32 per
// group (the last padded with zeros): for group g, value k of vector v at
// gf[(g·cols+k)·32+v].
func (a *Acts) gemmPackF32() {
	a.gemmGroups = (a.n + 31) / 32
	if n := a.gemmGroups * 32 * a.cols; len(a.gf) < n {
		a.gf = make([]float32, (a.max+31)/32*32*a.cols)
	}
	for g := 0; g < a.gemmGroups; g++ {
		dst := a.gf[g*32*a.cols : (g+1)*32*a.cols]
		for v := 0; v < 32; v++ {
			t := g*32 + v
			if t >= a.n {
				for k := 0; k < a.cols; k++ {
					dst[32*k+v] = 0
				}
				continue
			}
			src := a.f[t*a.cols : (t+1)*a.cols]
			for k, x := range src {
				dst[32*k+v] = x
			}
		}
	}
}
