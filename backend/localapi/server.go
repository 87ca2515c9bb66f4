// Package localapi is Sidecar's loopback HTTP API for editor plugins and
// tools: OpenAI-compatible endpoints over the user's models, behind a
// token, bound to 127.0.0.1 only, and closed to browsers and DNS
// rebinding (Host and Origin checks) by default.
package localapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"sidecar/backend/assistant"
	"sidecar/backend/catalog"
	"sidecar/backend/llm"
)

// DefaultPort is the port the API listens on unless configured otherwise.
const DefaultPort = 8088

// DiscoveryFile is written to the data folder while the API runs, so local
// tools can find the URL and token (mode 0600).
const DiscoveryFile = "localapi.json"

// Generator is what the API needs from the assistant.
type Generator interface {
	Models(ctx context.Context) ([]catalog.ModelView, error)
	Complete(ctx context.Context, model string, req llm.Request, on llm.EventFunc) (assistant.Completion, error)
	Capabilities(model string) (llm.Capabilities, error)
}

// Models is the Generator of an open profile: the catalogue's models,
// capabilities and token counts, and the assistant's completions and
// grounding.
type Models struct {
	*catalog.Catalog
	*assistant.Service
}

// Embedder turns texts into vectors for /v1/embeddings.
type Embedder interface {
	// EmbeddingModels lists the model IDs Embed accepts.
	EmbeddingModels() []string
	Embed(ctx context.Context, model string, inputs []string) ([][]float32, error)
}

// Config sets the API's address and limits. Zero values take defaults.
type Config struct {
	Port           int           // 0: DefaultPort; tests may use -1 for any free port
	AllowedOrigins []string      // exact origins allowed to call from a browser
	MaxBodyBytes   int64         // request body limit (default 4 MiB)
	RatePerMinute  int           // requests per minute per token (default 300)
	Burst          int           // rate-limit burst (default 60)
	MaxConcurrent  int           // generations at once (default 2)
	MaxGenTime     time.Duration // per generation (default 5 min)
	MaxTokens      int           // largest max_tokens accepted (default 4096)
	DataDir        string        // where the discovery file goes ("" for none)
	MaxConns       int           // open connections at once (default 64); more wait to be accepted
	MCPBatch       int           // JSON-RPC messages in one POST /mcp (default 8)
	MaxMCPResponse int64         // bytes in one /mcp answer (default 4 MiB)
	MaxReadBytes   int           // text one read_document call returns (default 256 KiB)
	RefusalLogs    int           // refused requests logged one by one per minute (default 10)
	TokenRefresh   time.Duration // how often the token is re-read from the keychain (default 10 s)
}

func (c Config) withDefaults() Config {
	if c.Port == 0 {
		c.Port = DefaultPort
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 4 << 20
	}
	if c.RatePerMinute <= 0 {
		c.RatePerMinute = 300
	}
	if c.Burst <= 0 {
		c.Burst = 60
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = 2
	}
	if c.MaxGenTime <= 0 {
		c.MaxGenTime = 5 * time.Minute
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = 4096
	}
	return c.withGuardDefaults()
}

// Server is the loopback API.
type Server struct {
	cfg    Config
	gen    Generator
	emb    Embedder
	tokens *Tokens
	log    *slog.Logger

	limiter *limiter
	gens    chan struct{} // generation slots
	fails   failures
	docs    Documents     // nil: no document endpoints
	mcp     http.Handler  // MCP over streamable HTTP, with docs
	started time.Time     // reported as the models' modification time
	clients *ClientTokens // named client tokens; nil without a data folder

	refusals *refusalLog // refused requests, logged without flooding the log
	watch    tokenWatch  // re-reads of a token rotated elsewhere

	mu   sync.Mutex
	srv  *http.Server
	ln   net.Listener
	port int
}

// New returns a server; Start makes it listen.
func New(cfg Config, gen Generator, emb Embedder, tokens *Tokens, log *slog.Logger) *Server {
	cfg = cfg.withDefaults()
	if log == nil {
		log = slog.Default()
	}
	s := &Server{cfg: cfg, gen: gen, emb: emb, tokens: tokens, log: log,
		limiter: newLimiter(cfg.RatePerMinute, cfg.Burst), gens: make(chan struct{}, cfg.MaxConcurrent), started: time.Now(),
		refusals: newRefusalLog(log, cfg.RefusalLogs, refusalWindow)}
	if cfg.DataDir != "" {
		c, err := LoadClientTokens(cfg.DataDir)
		if err != nil {
			log.Warn("local API: named client tokens are unreadable; only the default token works", "err", err)
		}
		s.clients = c
	}
	return s
}

// clientTokenMatches reports whether tok is one of the named tokens.
func (s *Server) clientTokenMatches(tok string) bool {
	_, ok := s.clients.Match(tok)
	return ok
}

// ErrPortInUse means another program holds the port.
var ErrPortInUse = errors.New("localapi: the port is in use by another program")

// Start listens on 127.0.0.1 and serves until Shutdown.
func (s *Server) Start() error {
	port := s.cfg.Port
	if port < 0 {
		port = 0
	}
	if port > 65535 {
		return fmt.Errorf("localapi: port %d is out of range", port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w: %d is taken; choose another port in Settings", ErrPortInUse, port)
	}
	if err != nil {
		return fmt.Errorf("localapi: listen: %w", err)
	}
	if err := checkLoopback(ln.Addr()); err != nil {
		ln.Close()
		return err
	}
	ln = limitConns(ln, s.cfg.MaxConns)
	s.mu.Lock()
	s.ln, s.port = ln, ln.Addr().(*net.TCPAddr).Port
	s.srv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	srv := s.srv
	s.mu.Unlock()
	if err := s.writeDiscovery(); err != nil {
		ln.Close()
		return err
	}
	s.watchToken()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("local API stopped", "err", err)
		}
	}()
	s.log.Info("local API listening", "url", s.URL())
	return nil
}

// checkLoopback refuses any address that is not loopback.
func checkLoopback(a net.Addr) error {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsLoopback() {
		return fmt.Errorf("localapi: refusing to serve on %v: only 127.0.0.1 is allowed", a)
	}
	return nil
}

// URL is the base URL, e.g. http://127.0.0.1:8088.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("http://127.0.0.1:%d", s.port)
}

// Port is the port it listens on.
func (s *Server) Port() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.port
}

// Shutdown stops accepting requests, lets running ones finish until ctx
// ends (then cancels them), and removes the discovery file.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	s.stopWatchingToken()
	s.removeDiscovery()
	defer s.refusals.stop()
	err := srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		srv.Close()
	}
	return err
}

type discovery struct {
	URL   string `json:"url"`
	Token string `json:"token"`
}

func (s *Server) writeDiscovery() error {
	if s.cfg.DataDir == "" {
		return nil
	}
	b, _ := json.MarshalIndent(discovery{URL: s.URL(), Token: s.tokens.Current()}, "", "  ")
	path := filepath.Join(s.cfg.DataDir, DiscoveryFile)
	tmp, err := os.CreateTemp(s.cfg.DataDir, ".localapi-*.json")
	if err != nil {
		return fmt.Errorf("localapi: discovery file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("localapi: discovery file: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("localapi: discovery file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("localapi: discovery file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("localapi: discovery file: %w", err)
	}
	return nil
}

func (s *Server) removeDiscovery() {
	if s.cfg.DataDir != "" {
		os.Remove(filepath.Join(s.cfg.DataDir, DiscoveryFile))
	}
}

// RotateToken replaces the token: the old one stops working at once.
func (s *Server) RotateToken(ctx context.Context) (string, error) {
	t, err := s.tokens.Rotate(ctx)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		if err := s.writeDiscovery(); err != nil {
			return "", err
		}
	}
	return t, nil
}

// tokenKey identifies a token for rate limiting without keeping it.
func tokenKey(tok string) [32]byte { return sha256.Sum256([]byte(tok)) }
