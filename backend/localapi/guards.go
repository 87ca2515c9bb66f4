package localapi

import (
	"context"
	"math"
	"net"
	"time"

	"golang.org/x/net/netutil"
)

// The defaults of the limits that keep one client (or a process without
// the token) from using up the machine, the log or the other clients'
// share. README.md states them; change both together.
const (
	defaultMaxConns       = 64
	defaultMCPBatch       = 8
	defaultMaxMCPResponse = 4 << 20
	defaultMaxReadBytes   = 256 << 10
	defaultRefusalLogs    = 10
	defaultTokenRefresh   = 10 * time.Second
	refusalWindow         = time.Minute
	mcpTimeout            = time.Minute
)

func (c Config) withGuardDefaults() Config {
	if c.MaxConns <= 0 {
		c.MaxConns = defaultMaxConns
	}
	if c.MCPBatch <= 0 {
		c.MCPBatch = defaultMCPBatch
	}
	if c.MCPBatch > c.Burst {
		// A batch larger than the burst could never be paid for.
		c.MCPBatch = c.Burst
	}
	if c.MaxMCPResponse <= 0 {
		c.MaxMCPResponse = defaultMaxMCPResponse
	}
	if c.MaxReadBytes <= 0 {
		c.MaxReadBytes = defaultMaxReadBytes
	}
	if c.RefusalLogs <= 0 {
		c.RefusalLogs = defaultRefusalLogs
	}
	if c.TokenRefresh <= 0 {
		c.TokenRefresh = defaultTokenRefresh
	}
	return c
}

// limitConns caps the connections open at once: past the cap, Accept waits
// until one closes, so further clients queue in the kernel's backlog
// instead of each costing a goroutine and a file descriptor here.
func limitConns(ln net.Listener, n int) net.Listener { return netutil.LimitListener(ln, n) }

// rateKeyCtx carries the rate-limit key of the request's token to handlers
// that spend more than one request's worth (an MCP batch).
type rateKeyCtx struct{}

func withRateKey(ctx context.Context, key [32]byte) context.Context {
	return context.WithValue(ctx, rateKeyCtx{}, key)
}

func rateKey(ctx context.Context) ([32]byte, bool) {
	k, ok := ctx.Value(rateKeyCtx{}).([32]byte)
	return k, ok
}

// takeN spends n requests at once, or none: it returns how long to wait
// until n are available.
func (l *limiter) takeN(key [32]byte, n int, now time.Time) time.Duration {
	if n <= 0 {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	need := float64(n)
	if b.tokens >= need {
		b.tokens -= need
		return 0
	}
	return time.Duration((need - b.tokens) / l.rate * float64(time.Second))
}
