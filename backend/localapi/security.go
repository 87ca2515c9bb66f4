package localapi

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// secure wraps the routes with the checks every request passes, in order:
// security headers, Host (DNS rebinding), Origin (browsers), token, rate
// limit, body size.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")

		if !s.validHost(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, "invalid_request_error", "misdirected_request",
				"this server only answers requests addressed to 127.0.0.1, localhost or [::1] on its own port")
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" || r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			if origin == "" || !s.allowedOrigin(origin) {
				writeError(w, http.StatusForbidden, "permission_error", "origin_not_allowed",
					"requests from web pages are refused unless their origin is on the allow-list in Sidecar's settings")
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Add("Vary", "Origin")
			if r.Method == http.MethodOptions {
				h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
				h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-API-Key")
				h.Set("Access-Control-Max-Age", "600")
				w.WriteHeader(http.StatusNoContent)
				return
			}
		}
		if r.URL.Path == "/healthz" && r.Method == http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		tok, reason := presentedToken(r)
		if reason == "" && !s.tokenMatches(r.Context(), tok) && !s.clientTokenMatches(tok) {
			reason = "wrong token"
		}
		if reason != "" {
			s.fails.add(r, reason)
			s.refusals.note(time.Now(), reason, r.RemoteAddr, r.URL.Path)
			w.Header().Set("WWW-Authenticate", `Bearer realm="sidecar"`)
			// A client without the token keeps no idle connection (see MaxConns).
			w.Header().Set("Connection", "close")
			writeError(w, http.StatusUnauthorized, "authentication_error", "invalid_api_key",
				"missing or wrong token: send it as 'Authorization: Bearer <token>' or 'X-API-Key: <token>' (see localapi.json or Sidecar's settings)")
			return
		}
		key := tokenKey(tok)
		if wait := s.limiter.take(key, time.Now()); wait > 0 {
			writeRateLimited(w, wait)
			return
		}
		if r.ContentLength > s.cfg.MaxBodyBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "invalid_request_error", "body_too_large",
				fmt.Sprintf("the request body is larger than %d bytes", s.cfg.MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		next.ServeHTTP(w, r.WithContext(withRateKey(r.Context(), key)))
	})
}

// presentedToken reads the token from Authorization: Bearer or X-API-Key.
func presentedToken(r *http.Request) (string, string) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, ok := strings.Cut(auth, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return "", "malformed Authorization header"
		}
		return strings.TrimSpace(tok), ""
	}
	if k := r.Header.Get("X-API-Key"); k != "" {
		return strings.TrimSpace(k), ""
	}
	return "", "no token"
}

func (s *Server) validHost(host string) bool {
	h, p, err := net.SplitHostPort(host)
	if err != nil || p != strconv.Itoa(s.Port()) {
		return false
	}
	switch h {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

func (s *Server) allowedOrigin(origin string) bool {
	for _, o := range s.cfg.AllowedOrigins {
		if o == origin && o != "*" && o != "null" {
			return true
		}
	}
	return false
}

// limiter is a token bucket per API token.
type limiter struct {
	mu      sync.Mutex
	rate    float64 // per second
	burst   float64
	buckets map[[32]byte]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), buckets: map[[32]byte]*bucket{}}
}

// take spends one request; it returns how long to wait when none is left.
func (l *limiter) take(key [32]byte, now time.Time) time.Duration { return l.takeN(key, 1, now) }

// AuthFailure is a refused request, for the Settings screen.
type AuthFailure struct {
	Time   time.Time `json:"time"`
	Remote string    `json:"remote"`
	Path   string    `json:"path"`
	Reason string    `json:"reason"`
}

// failures keeps the last few refused requests and a count.
type failures struct {
	mu    sync.Mutex
	last  []AuthFailure
	total int
}

func (f *failures) add(r *http.Request, reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total++
	f.last = append(f.last, AuthFailure{Time: time.Now(), Remote: clip(r.RemoteAddr), Path: clip(r.URL.Path), Reason: reason})
	if len(f.last) > 20 {
		f.last = f.last[len(f.last)-20:]
	}
}

// AuthFailures returns the total count of refused requests and the latest.
func (s *Server) AuthFailures() (int, []AuthFailure) {
	s.fails.mu.Lock()
	defer s.fails.mu.Unlock()
	return s.fails.total, append([]AuthFailure(nil), s.fails.last...)
}
