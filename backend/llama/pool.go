package llama

import (
	"sync"
	"sync/atomic"
)

// pool is a fixed set of goroutines that share the work of one State. A
// job is split in chunks that workers claim in turn, so one worker slowed
// by the OS does not hold the others up; the calling goroutine works too.
type pool struct {
	n    int
	work []chan job
	wg   sync.WaitGroup
	next atomic.Int64
	once sync.Once
}

type job struct {
	fn       func(w, lo, hi int)
	n, chunk int
	w        int
}

func newPool(n int) *pool {
	p := &pool{n: max(1, n)}
	p.work = make([]chan job, p.n-1)
	for i := range p.work {
		ch := make(chan job, 1)
		p.work[i] = ch
		go func() {
			for j := range ch {
				p.take(j)
				p.wg.Done()
			}
		}()
	}
	return p
}

func (p *pool) take(j job) {
	for {
		hi := int(p.next.Add(int64(j.chunk)))
		lo := hi - j.chunk
		if lo >= j.n {
			return
		}
		j.fn(j.w, lo, min(hi, j.n))
	}
}

// run calls fn(worker, lo, hi) over [0, n) in chunks of chunk and returns
// when all are done. worker is in [0, p.n), for per-worker scratch.
func (p *pool) run(n, chunk int, fn func(w, lo, hi int)) {
	chunk = max(1, chunk)
	if p.n == 1 || n <= chunk {
		fn(0, 0, n)
		return
	}
	p.next.Store(0)
	p.wg.Add(p.n - 1)
	for w := 1; w < p.n; w++ {
		p.work[w-1] <- job{fn: fn, n: n, chunk: chunk, w: w}
	}
	p.take(job{fn: fn, n: n, chunk: chunk})
	p.wg.Wait()
}

func (p *pool) close() {
	p.once.Do(func() {
		for _, ch := range p.work {
			close(ch)
		}
	})
}
