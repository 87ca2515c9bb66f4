package gptj

import (
	"math/rand"
)

// Shape6B2L is GPT-J-6B's shape with two layers: the speed benchmark's model.
var Shape6B2L = Config{NVocab: 50400, NCtx: 2048, NEmbd: 4096, NHead: 16, NLayer: 2, NRot: 64, Eps: 1e-5}

// RandomModel builds a model of shape c with random weights directly in
// weight type wt, a row at a time (the F32 weights never exist whole).
func RandomModel(c Config, wt WType, seed int64) (*Model, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewSource(seed))
	row := make([]float32, 4*c.NEmbd)
	mat := func(rows, cols int, std float64) (*Matrix, error) {
		m, err := newMatrix(wt, rows, cols)
		if err != nil {
			return nil, err
		}
		for r := 0; r < rows; r++ {
			for i := 0; i < cols; i++ {
				row[i] = float32(rng.NormFloat64() * std)
			}
			m.setRow(r, row[:cols])
		}
		return m, nil
	}
	vec := func(n int, mean, std float64) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(mean + rng.NormFloat64()*std)
		}
		return v
	}
	e := c.NEmbd
	m := &Model{Config: c, Format: "random", FileType: wt.String(), WType: wt, Template: DefaultTemplate, Tokenizer: byteTokenizer{}}
	var err error
	if m.wte, err = mat(c.NVocab, e, 0.02); err != nil {
		return nil, err
	}
	m.layers = make([]layer, c.NLayer)
	for i := range m.layers {
		l := &m.layers[i]
		l.ln1W, l.ln1B = vec(e, 1, 0.1), vec(e, 0, 0.02)
		for _, p := range []**Matrix{&l.k, &l.v, &l.q, &l.out} {
			if *p, err = mat(e, e, 0.02); err != nil {
				return nil, err
			}
		}
		if l.fcIn, err = mat(4*e, e, 0.02); err != nil {
			return nil, err
		}
		l.fcInB = vec(4*e, 0, 0.02)
		if l.fcOut, err = mat(e, 4*e, 0.02); err != nil {
			return nil, err
		}
		l.fcOutB = vec(e, 0, 0.02)
	}
	m.lnfW, m.lnfB = vec(e, 1, 0.1), vec(e, 0, 0.02)
	if m.lmHead, err = mat(c.NVocab, e, 0.02); err != nil {
		return nil, err
	}
	m.lmHeadB = vec(c.NVocab, 0, 0.02)
	return m, nil
}
