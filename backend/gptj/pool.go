package gptj

import "sync"

// pool is a fixed set of goroutines that split matrix-vector products by
// rows; it lives as long as its State, so tokens create no goroutines.
type pool struct {
	n    int
	jobs chan func()
	wg   sync.WaitGroup
	once sync.Once
}

func newPool(n int) *pool {
	p := &pool{n: max(1, n)}
	if p.n > 1 {
		p.jobs = make(chan func())
		for i := 0; i < p.n-1; i++ {
			go func() {
				for job := range p.jobs {
					job()
					p.wg.Done()
				}
			}()
		}
	}
	return p
}

// matVec computes out = m·x with the rows shared among the workers (the
// calling goroutine takes one share).
func (p *pool) matVec(m *Matrix, out, x []float32, scratch [][]float32) {
	if p == nil || p.n == 1 || m.Rows < 64 {
		m.matVecRows(out, x, 0, m.Rows, scratch[0])
		return
	}
	per := (m.Rows + p.n - 1) / p.n
	p.wg.Add(p.n - 1)
	for w := 1; w < p.n; w++ {
		lo, hi := min(w*per, m.Rows), min((w+1)*per, m.Rows)
		s := scratch[w]
		p.jobs <- func() { m.matVecRows(out, x, lo, hi, s) }
	}
	m.matVecRows(out, x, 0, min(per, m.Rows), scratch[0])
	p.wg.Wait()
}

func (p *pool) close() {
	p.once.Do(func() {
		if p.jobs != nil {
			close(p.jobs)
		}
	})
}
