package quant

//go:noescape
func dotQ4_0512x4(row *byte, pk *int8, pd, ps *float32, nq int, out *[80]float32)

//go:noescape
func dotQ8_0512x4(row *byte, pk *int8, pd, ps *float32, nq int, out *[80]float32)

//go:noescape
func dotQ6K512x4(row *byte, pk *int8, pd *float32, pbs *int16, nb int, out *[80]float32)

//go:noescape
func dotQ4K512x4(row *byte, pk *int8, pd *float32, pbs *int16, nb int, out *[80]float32)

// mulQ4K512 is MulRows for Q4_K with the four-vector kernel: for each
// row, each group of four vectors.
func mulQ4K512(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	mul4(m, r0, r1, a, out, ldo, a.nb, func(row []byte, p *packed4, i int, o *[80]float32) {
		dotQ4K512x4(&row[0], &p.qsK4[256*i], &p.d[i], &p.bsums32[8*i], a.nb, o)
	})
}

// mulQ6K512 is mulQ4K512 for Q6_K.
func mulQ6K512(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	mul4(m, r0, r1, a, out, ldo, a.nb, func(row []byte, p *packed4, i int, o *[80]float32) {
		dotQ6K512x4(&row[0], &p.qs[256*i], &p.d[i], &p.bsums[16*i], a.nb, o)
	})
}

// mulQ4_0512 is mulQ4K512 for Q4_0, four blocks at a time.
func mulQ4_0512(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	mul4(m, r0, r1, a, out, ldo, a.nb/4, func(row []byte, p *packed4, i int, o *[80]float32) {
		dotQ4_0512x4(&row[0], &p.qsP[128*i], &p.d[4*i], &p.s[4*i], a.nb/4, o)
	})
}

// mulQ8_0512 is mulQ4_0512 for Q8_0.
func mulQ8_0512(m Matrix, r0, r1 int, a *Acts, out []float32, ldo int) {
	mul4(m, r0, r1, a, out, ldo, a.nb/4, func(row []byte, p *packed4, i int, o *[80]float32) {
		dotQ8_0512x4(&row[0], &p.qs[128*i], &p.d[4*i], &p.s[4*i], a.nb/4, o)
	})
}

// mul4 runs kernel for each row and each group of four packed vectors
// (i is the group's first packed index; units per vector), block by block of rows as
// mulEach, and adds up the lanes it stores.
func mul4(m Matrix, r0, r1 int, a *Acts, out []float32, ldo, units int, kernel func(row []byte, p *packed4, i int, o *[80]float32)) {
	p := &a.pk4
	if p.groups == 0 {
		mulAsm(m, r0, r1, a, out, ldo)
		return
	}
	var o [80]float32
	for b0 := r0; b0 < r1; b0 += m.blockRows() {
		b1 := min(b0+m.blockRows(), r1)
		for g := 0; g < p.groups; g++ {
			for r := b0; r < b1; r++ {
				kernel(m.Row(r), p, g*units*4, &o)
				for v := 0; v < 4 && g*4+v < a.n; v++ {
					out[(g*4+v)*ldo+r] = sumLanes(o[16*v:16*v+16]) - sumLanes(o[64+4*v:68+4*v])
				}
			}
		}
	}
}

func sumLanes(f []float32) float32 {
	var s float32
	for _, v := range f {
		s += v
	}
	return s
}
