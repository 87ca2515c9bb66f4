package gptj

import (
	"sync"
	"sync/atomic"
)

// pool is a fixed set of goroutines that share the work of one State:
// matrix products split by rows, attention split by heads. It lives as long
// as its State; a task is a value sent on a worker's channel, so a token
// creates no goroutine and allocates nothing.
type pool struct {
	n    int
	work []chan task
	wg   sync.WaitGroup
	next atomic.Int64 // the next unclaimed index of the running task
	once sync.Once
}

// task is the work of one split: a product's rows or the attention's
// heads. Workers take chunks of it from next until none are left, so a
// worker slowed by the OS does not hold the others up.
type task struct {
	next    *atomic.Int64
	n, step int
	s       *State
	m       *Matrix
	out, x  []float32
	a       *actQ8
	geluB   []float32 // if set: out = gelu(out + geluB[row]) once the rows are done
	batch   int
	lo, hi  int
	attend  bool
	layer   int
	scratch int // worker index, for per-worker scratch
}

func newPool(n int) *pool {
	p := &pool{n: max(1, n)}
	p.work = make([]chan task, p.n-1)
	for i := range p.work {
		ch := make(chan task, 1)
		p.work[i] = ch
		go func() {
			for t := range ch {
				t.run()
				p.wg.Done()
			}
		}()
	}
	return p
}

// run takes chunks until the task is done.
func (t task) run() {
	for {
		hi := int(t.next.Add(int64(t.step)))
		lo := hi - t.step
		if lo >= t.n {
			return
		}
		t.lo, t.hi = lo, min(hi, t.n)
		t.one()
	}
}

func (t task) one() {
	if t.attend {
		t.s.attendHeads(t.layer, t.batch, t.lo, t.hi, t.scratch)
		return
	}
	t.m.mulRows(t.out, t.x, t.a, t.batch, t.lo, t.hi, &t.s.work[t.scratch])
	if t.geluB != nil {
		for b := 0; b < t.batch; b++ {
			o := t.out[b*t.m.Rows : (b+1)*t.m.Rows]
			for r := t.lo; r < t.hi; r++ {
				o[r] = gelu(o[r] + t.geluB[r])
			}
		}
	}
}

// split runs t over [0, n) in chunks of step shared by all workers (the
// calling goroutine works too).
func (p *pool) split(t task, n, step int) {
	if p.n == 1 || n <= step {
		t.lo, t.hi = 0, n
		t.one()
		return
	}
	p.next.Store(0)
	t.next, t.n, t.step = &p.next, n, step
	p.wg.Add(p.n - 1)
	for w := 1; w < p.n; w++ {
		u := t
		u.scratch = w
		p.work[w-1] <- u
	}
	t.scratch = 0
	t.run()
	p.wg.Wait()
}

func (p *pool) close() {
	p.once.Do(func() {
		for _, ch := range p.work {
			close(ch)
		}
	})
}
