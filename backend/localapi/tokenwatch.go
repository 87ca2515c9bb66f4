package localapi

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"
)

// A rotation made by another process (`sidecar token rotate`, or Settings
// in the window while `sidecar serve` runs) reaches a running server in
// two ways: a request whose token does not match makes the server re-read
// the token at once (at most once a second, so refused requests cannot
// keep the keychain busy), and the server re-reads it every
// Config.TokenRefresh anyway, so the old token stops working and the
// discovery file gets the new one even when no client has it yet.
const refreshOnFailureEvery = time.Second

// tokenWatch is the state of the re-reads.
type tokenWatch struct {
	mu     sync.Mutex
	last   time.Time // of the last re-read
	failed bool      // the last re-read failed: only the periodic one retries
	closed bool      // the server is shutting down: no more re-reads
	stop   context.CancelFunc
}

func sameToken(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// tokenMatches reports whether tok is the token in force, re-reading the
// token from the keychain first if tok does not match the cached one.
func (s *Server) tokenMatches(ctx context.Context, tok string) bool {
	if sameToken(tok, s.tokens.Current()) {
		return true
	}
	if !s.refreshToken(ctx, refreshOnFailureEvery, false) {
		return false
	}
	return sameToken(tok, s.tokens.Current())
}

// refreshToken re-reads the token unless the last re-read is more recent
// than minAge; it reports whether the token changed.
func (s *Server) refreshToken(ctx context.Context, minAge time.Duration, periodic bool) bool {
	w := &s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed || time.Since(w.last) < minAge || (w.failed && !periodic) {
		return false
	}
	w.last = time.Now()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	changed, err := s.tokens.Refresh(ctx)
	if err != nil {
		if !w.failed {
			s.log.Warn("local API: cannot re-read the token; keeping the one in force", "err", err)
		}
		w.failed = true
		return false
	}
	w.failed = false
	if !changed {
		return false
	}
	s.log.Info("local API: the token was replaced elsewhere; the old one no longer works")
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		if err := s.writeDiscovery(); err != nil {
			s.log.Warn("local API: discovery file", "err", err)
		}
	}
	return true
}

// watchToken re-reads the token every Config.TokenRefresh until
// stopWatchingToken.
func (s *Server) watchToken() {
	ctx, cancel := context.WithCancel(context.Background())
	s.watch.mu.Lock()
	s.watch.stop = cancel
	s.watch.mu.Unlock()
	go func() {
		t := time.NewTicker(s.cfg.TokenRefresh)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.refreshToken(ctx, s.cfg.TokenRefresh/2, true)
			}
		}
	}()
}

// stopWatchingToken ends the re-reads; once it returns, none writes the
// discovery file any more.
func (s *Server) stopWatchingToken() {
	s.watch.mu.Lock()
	stop := s.watch.stop
	s.watch.closed = true
	s.watch.mu.Unlock()
	if stop != nil {
		stop()
	}
}
