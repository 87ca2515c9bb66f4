package localapi

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"
)

// maxLoggedField is the most bytes of a client-chosen value (a path, an
// address) that reaches the log or the Settings screen.
const maxLoggedField = 100

// clip shortens a client-chosen value to maxLoggedField bytes, on a rune
// boundary, marking the cut.
func clip(s string) string {
	if len(s) <= maxLoggedField {
		return s
	}
	cut := maxLoggedField
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// refusalLog logs refused requests without letting a flood of them fill
// (and rotate away) the log: the first max refusals of a window are logged
// one by one, the rest are counted and summed up in one line when the
// window ends.
type refusalLog struct {
	log    *slog.Logger
	max    int
	window time.Duration

	mu         sync.Mutex
	start      time.Time // of the current window; zero: none
	logged     int       // lines logged in the window
	suppressed int       // refusals counted but not logged in the window
	timer      *time.Timer
	stopped    bool
}

func newRefusalLog(log *slog.Logger, max int, window time.Duration) *refusalLog {
	return &refusalLog{log: log, max: max, window: window}
}

// note records one refused request.
func (l *refusalLog) note(now time.Time, reason, remote, path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.start.IsZero() && now.Sub(l.start) >= l.window {
		l.endWindowLocked(now)
	}
	if l.start.IsZero() {
		l.start = now
	}
	if l.logged < l.max {
		l.logged++
		l.log.Warn("local API: refused a request", "reason", reason, "remote", clip(remote), "path", clip(path))
		return
	}
	l.suppressed++
	if l.timer == nil && !l.stopped {
		l.timer = time.AfterFunc(l.start.Add(l.window).Sub(now), l.tick)
	}
}

func (l *refusalLog) tick() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.timer = nil
	if !l.start.IsZero() {
		l.endWindowLocked(time.Now())
	}
}

// endWindowLocked writes the summary of the window, if anything was left
// out, and starts afresh.
func (l *refusalLog) endWindowLocked(now time.Time) {
	if l.suppressed > 0 {
		secs := int(now.Sub(l.start).Round(time.Second) / time.Second)
		l.log.Warn(fmt.Sprintf("local API: %d more refused requests in the last %d s", l.suppressed, secs),
			"count", l.suppressed, "seconds", secs)
	}
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	l.start, l.logged, l.suppressed = time.Time{}, 0, 0
}

// stop writes the pending summary and stops the timer.
func (l *refusalLog) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopped = true
	if !l.start.IsZero() {
		l.endWindowLocked(time.Now())
	}
}
