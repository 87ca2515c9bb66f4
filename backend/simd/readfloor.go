package simd

import (
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// ReadTime measures how long threads goroutines take to read every byte
// of parts with nothing else done: the memory-bandwidth floor of a
// generation step that reads those weights. With fiveStreams false each
// thread reads one sequential stream (a plain read loop); with it true
// each reads five regions side by side, which keeps more reads in flight
// and is faster on some machines.
func ReadTime(parts [][]byte, threads int, fiveStreams bool) time.Duration {
	// Cut everything into 1 MiB pieces shared among the threads.
	var pieces [][]byte
	for _, p := range parts {
		for len(p) > 0 {
			n := min(len(p), 1<<20) &^ 127
			if n == 0 {
				break
			}
			pieces = append(pieces, p[:n])
			p = p[n:]
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	sinks := make([]float32, max(1, threads))
	start := time.Now()
	for w := range sinks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(pieces) {
					return
				}
				f := unsafe.Slice((*float32)(unsafe.Pointer(&pieces[i][0])), len(pieces[i])/4)
				if !fiveStreams {
					sinks[w] += Dot(f, f)
					continue
				}
				k := len(f) / 5 &^ 15 // Dot4 reads w and four x at once
				var o [4]float32
				Dot4(f[:k], f[k:], k, &o)
				sinks[w] += o[0] + o[1] + o[2] + o[3] + Dot(f[5*k:], f[5*k:])
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}
