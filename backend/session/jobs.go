package session

import (
	"context"
	"sync"
)

// jobs is the background work of one open profile: one context that
// closing, wiping or re-keying cancels, and a wait group they then wait on.
type jobs struct {
	ctx    context.Context //nolint:containedctx // the jobs' lifetime, cancelled by stop
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	done   bool
}

func newJobs() *jobs {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobs{ctx: ctx, cancel: cancel}
}

// goRun runs f on its own goroutine with the jobs' context; after stop it
// does nothing.
func (j *jobs) goRun(f func(ctx context.Context)) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.done {
		return false
	}
	j.wg.Add(1)
	go func() {
		defer j.wg.Done()
		f(j.ctx)
	}()
	return true
}

// stop cancels every job and waits for them to return.
func (j *jobs) stop() {
	j.mu.Lock()
	j.done = true
	j.mu.Unlock()
	j.cancel()
	j.wg.Wait()
}
