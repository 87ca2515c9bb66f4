package localapi

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkConcurrentStreams runs 32 streaming clients against the server
// on loopback for SIDECAR_LOAD_SECONDS (default 5; the figure quoted in the
// README used 30) and reports time-to-first-byte percentiles, errors and
// goroutines left over:
//
//	SIDECAR_LOAD_SECONDS=30 go test -run '^$' -bench ConcurrentStreams -benchtime 1x ./backend/localapi
func BenchmarkConcurrentStreams(b *testing.B) {
	secs := 5
	if v := os.Getenv("SIDECAR_LOAD_SECONDS"); v != "" {
		fmt.Sscan(v, &secs)
	}
	for i := 0; i < b.N; i++ {
		e := start(b, Config{MaxConcurrent: 32, RatePerMinute: 1 << 20, Burst: 1 << 20})
		before := runtime.NumGoroutine()
		var mu sync.Mutex
		var ttfb []time.Duration
		errs, streams := 0, 0
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		var wg sync.WaitGroup
		for c := 0; c < 32; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(deadline) {
					body := `{"model":"echo/echo","stream":true,"messages":[{"role":"user","content":"load test message with several words"}]}`
					req, _ := http.NewRequestWithContext(context.Background(), "POST", e.url+"/v1/chat/completions", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+e.token)
					t0 := time.Now()
					resp, err := client.Do(req)
					if err != nil || resp.StatusCode != 200 {
						mu.Lock()
						errs++
						mu.Unlock()
						if resp != nil {
							resp.Body.Close()
						}
						continue
					}
					r := bufio.NewReader(resp.Body)
					r.ReadString('\n')
					first := time.Since(t0)
					done := false
					for {
						line, err := r.ReadString('\n')
						if strings.HasPrefix(line, "data: [DONE]") {
							done = true
						}
						if err != nil {
							break
						}
					}
					resp.Body.Close()
					mu.Lock()
					if done {
						ttfb = append(ttfb, first)
						streams++
					} else {
						errs++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		client.CloseIdleConnections()
		e.srv.Shutdown(context.Background())
		time.Sleep(200 * time.Millisecond)
		leaked := runtime.NumGoroutine() - before
		sort.Slice(ttfb, func(i, j int) bool { return ttfb[i] < ttfb[j] })
		if len(ttfb) == 0 {
			b.Fatal("no stream completed")
		}
		p := func(q float64) float64 { return float64(ttfb[int(q*float64(len(ttfb)-1))].Microseconds()) / 1000 }
		b.ReportMetric(p(0.5), "ttfb_p50_ms")
		b.ReportMetric(p(0.99), "ttfb_p99_ms")
		b.ReportMetric(float64(streams)/float64(secs), "streams/s")
		b.ReportMetric(float64(errs), "errors")
		b.ReportMetric(float64(leaked), "goroutines_left")
		if errs > 0 {
			b.Errorf("%d failed streams", errs)
		}
	}
}
