package localapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sidecar/backend/assistant"
	"sidecar/backend/catalog"
	"sidecar/backend/keychain"
	"sidecar/backend/llm"
)

// memSecrets stands in for the keychain in tests that are about HTTP; the
// keychain itself is tested against gnome-keyring in backend/keychain and
// in TestTokenInRealKeychain below.
type memSecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSecrets) Get(_ context.Context, a string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[a]
	if !ok {
		return "", keychain.ErrNotFound
	}
	return v, nil
}

func (s *memSecrets) Set(_ context.Context, a, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[a] = v
	return nil
}

// gen serves the real Echo provider plus a "slow" model that blocks until
// its context ends, to observe cancellation.
type gen struct {
	echo      llm.Echo
	cancelled chan struct{}
}

func (g *gen) Models(context.Context) ([]catalog.ModelView, error) {
	return []catalog.ModelView{{ID: "echo/echo", Name: "Echo", Provider: "echo", Local: true}, {ID: "slow/wait", Provider: "slow"}}, nil
}

func (g *gen) Complete(ctx context.Context, model string, req llm.Request, on llm.EventFunc) (assistant.Completion, error) {
	switch model {
	case "echo/echo":
		req.Model = "echo"
		u, err := g.echo.StreamEvents(ctx, req, on)
		return assistant.Completion{Usage: u}, err
	case "slow/wait":
		on(llm.Event{Kind: llm.EventText, Text: "first "})
		<-ctx.Done()
		close(g.cancelled)
		return assistant.Completion{}, ctx.Err()
	}
	return assistant.Completion{}, fmt.Errorf("%w %q", llm.ErrUnknownModel, model)
}

func (g *gen) Capabilities(model string) (llm.Capabilities, error) {
	switch model {
	case "echo/echo":
		return g.echo.Capabilities("echo"), nil
	case "slow/wait":
		return llm.Capabilities{ContextLength: 2048}, nil
	}
	return llm.Capabilities{}, fmt.Errorf("%w %q", llm.ErrUnknownModel, model)
}

// lengthEmbedder embeds a text as [len, words, 1].
type lengthEmbedder struct{}

func (lengthEmbedder) EmbeddingModels() []string { return []string{"sidecar-lexical"} }
func (lengthEmbedder) Embed(_ context.Context, model string, in []string) ([][]float32, error) {
	if model != "sidecar-lexical" {
		return nil, llm.ErrUnknownModel
	}
	out := make([][]float32, len(in))
	for i, s := range in {
		out[i] = []float32{float32(len(s)), float32(len(strings.Fields(s))), 1}
	}
	return out, nil
}

type env struct {
	srv   *Server
	url   string
	token string
	gen   *gen
	dir   string
}

func start(t testing.TB, cfg Config) *env {
	t.Helper()
	dir := t.TempDir()
	cfg.Port, cfg.DataDir = -1, dir
	toks, err := LoadTokens(context.Background(), &memSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	g := &gen{cancelled: make(chan struct{})}
	s := New(cfg, g, lengthEmbedder{}, toks, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()) })
	return &env{srv: s, url: s.URL(), token: toks.Current(), gen: g, dir: dir}
}

func (e *env) do(t *testing.T, method, path, body string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if _, ok := hdr["Authorization"]; !ok {
		if _, ok := hdr["X-API-Key"]; !ok {
			req.Header.Set("Authorization", "Bearer "+e.token)
		}
	}
	req.URL.RawQuery = strings.ReplaceAll(req.URL.RawQuery, "TOKEN", e.token)
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	if body != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func errBody(t *testing.T, r *http.Response) apiError {
	t.Helper()
	var e apiError
	if err := json.NewDecoder(r.Body).Decode(&e); err != nil || e.Error.Message == "" || e.Error.Type == "" {
		t.Fatalf("error body is not the OpenAI shape: %v %+v", err, e)
	}
	return e
}

func TestSecurityChecks(t *testing.T) {
	e := start(t, Config{AllowedOrigins: []string{"https://allowed.example"}, MaxBodyBytes: 1000})
	port := strconv.Itoa(e.srv.Port())
	chat := `{"model":"echo/echo","messages":[{"role":"user","content":"hi"}]}`
	for _, tc := range []struct {
		name   string
		method string
		path   string
		body   string
		hdr    map[string]string
		status int
	}{
		{"healthz needs no token", "GET", "/healthz", "", map[string]string{"Authorization": ""}, 200},
		{"no token", "GET", "/v1/models", "", map[string]string{"Authorization": ""}, 401},
		{"wrong bearer", "GET", "/v1/models", "", map[string]string{"Authorization": "Bearer nope"}, 401},
		{"malformed authorization", "GET", "/v1/models", "", map[string]string{"Authorization": "Basic abc"}, 401},
		{"bearer", "GET", "/v1/models", "", nil, 200},
		{"x-api-key", "GET", "/v1/models", "", map[string]string{"X-API-Key": e.token}, 200},
		{"wrong x-api-key", "GET", "/v1/models", "", map[string]string{"X-API-Key": e.token + "x"}, 401},
		{"localhost host", "GET", "/v1/models", "", map[string]string{"Host": "localhost:" + port}, 200},
		{"ipv6 host", "GET", "/v1/models", "", map[string]string{"Host": "[::1]:" + port}, 200},
		{"rebinding host", "GET", "/v1/models", "", map[string]string{"Host": "evil.example:" + port}, 421},
		{"rebinding nip.io host", "GET", "/healthz", "", map[string]string{"Host": "127.0.0.1.nip.io:" + port}, 421},
		{"host without port", "GET", "/v1/models", "", map[string]string{"Host": "127.0.0.1"}, 421},
		{"host with other port", "GET", "/v1/models", "", map[string]string{"Host": "127.0.0.1:1"}, 421},
		{"foreign origin", "GET", "/v1/models", "", map[string]string{"Origin": "https://evil.example"}, 403},
		{"null origin", "GET", "/v1/models", "", map[string]string{"Origin": "null"}, 403},
		{"cross-site fetch without origin", "GET", "/v1/models", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"allowed origin", "GET", "/v1/models", "", map[string]string{"Origin": "https://allowed.example"}, 200},
		{"preflight allowed", "OPTIONS", "/v1/chat/completions", "", map[string]string{"Origin": "https://allowed.example", "Authorization": ""}, 204},
		{"preflight refused", "OPTIONS", "/v1/chat/completions", "", map[string]string{"Origin": "https://evil.example", "Authorization": ""}, 403},
		{"body too large", "POST", "/v1/chat/completions", `{"model":"echo/echo","messages":[{"role":"user","content":"` + strings.Repeat("x", 2000) + `"}]}`, nil, 413},
		{"token in the query string", "GET", "/v1/models?api_key=TOKEN&token=TOKEN", "", map[string]string{"Authorization": ""}, 401},
		{"simple-request CSRF from a page", "POST", "/v1/chat/completions", chat, map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example", "Authorization": ""}, 403},
		{"text/plain body with token", "POST", "/v1/chat/completions", chat, map[string]string{"Content-Type": "text/plain"}, 415},
		{"unknown route", "GET", "/v1/nothing", "", nil, 404},
		{"path traversal", "GET", "/v1/../../etc/passwd", "", nil, 404},
		{"wrong method", "GET", "/v1/chat/completions", "", nil, 405},
		{"chat ok", "POST", "/v1/chat/completions", chat, nil, 200},
		{"not json", "POST", "/v1/chat/completions", `{"model":`, nil, 400},
		{"unknown field", "POST", "/v1/chat/completions", `{"model":"echo/echo","messages":[{"role":"user","content":"hi"}],"frobnicate":1}`, nil, 400},
		{"two values", "POST", "/v1/chat/completions", chat + chat, nil, 400},
		{"wrong content type", "POST", "/v1/chat/completions", chat, map[string]string{"Content-Type": "text/plain"}, 415},
		{"n=2", "POST", "/v1/chat/completions", `{"model":"echo/echo","n":2,"messages":[{"role":"user","content":"hi"}]}`, nil, 400},
		{"tools", "POST", "/v1/chat/completions", `{"model":"echo/echo","tools":[{"type":"function"}],"messages":[{"role":"user","content":"hi"}]}`, nil, 400},
		{"max_tokens too big", "POST", "/v1/chat/completions", `{"model":"echo/echo","max_tokens":99999,"messages":[{"role":"user","content":"hi"}]}`, nil, 400},
		{"unknown model", "POST", "/v1/chat/completions", `{"model":"nope/x","messages":[{"role":"user","content":"hi"}]}`, nil, 404},
		{"image part", "POST", "/v1/chat/completions", `{"model":"echo/echo","messages":[{"role":"user","content":[{"type":"image_url"}]}]}`, nil, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.do(t, tc.method, tc.path, tc.body, tc.hdr)
			if r.StatusCode != tc.status {
				b, _ := io.ReadAll(r.Body)
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tc.status, b)
			}
			for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Cache-Control"} {
				if r.Header.Get(h) == "" {
					t.Errorf("missing %s", h)
				}
			}
			acao := r.Header.Get("Access-Control-Allow-Origin")
			if acao == "*" || (acao != "" && acao != "https://allowed.example") {
				t.Errorf("Access-Control-Allow-Origin = %q", acao)
			}
			if r.StatusCode >= 400 {
				e := errBody(t, r)
				if strings.Contains(e.Error.Message, "/tmp/") {
					t.Errorf("error leaks a path: %q", e.Error.Message)
				}
			}
		})
	}
	n, last := e.srv.AuthFailures()
	if n < 4 || len(last) != n || last[0].Reason == "" {
		t.Errorf("auth failures = %d %+v", n, last)
	}
	for _, f := range last {
		if strings.Contains(f.Reason, "nope") || strings.Contains(f.Path, e.token) {
			t.Errorf("a failure record holds a presented secret: %+v", f)
		}
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	for _, a := range []net.Addr{&net.TCPAddr{IP: net.IPv4(0, 0, 0, 0)}, &net.TCPAddr{IP: net.IPv4(192, 168, 1, 2)}} {
		if err := checkLoopback(a); err == nil {
			t.Errorf("%v accepted", a)
		}
	}
	if err := checkLoopback(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}); err != nil {
		t.Error(err)
	}
}

func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	toks, _ := LoadTokens(context.Background(), &memSecrets{})
	s := New(Config{Port: ln.Addr().(*net.TCPAddr).Port}, &gen{}, nil, toks, nil)
	err = s.Start()
	if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), "Settings") {
		t.Fatalf("err = %v", err)
	}
}

func TestRateLimit(t *testing.T) {
	e := start(t, Config{RatePerMinute: 60, Burst: 3})
	codes := []int{}
	var retry string
	for i := 0; i < 5; i++ {
		r := e.do(t, "GET", "/v1/models", "", nil)
		codes = append(codes, r.StatusCode)
		if r.StatusCode == 429 {
			retry = r.Header.Get("Retry-After")
		}
	}
	if fmt.Sprint(codes) != "[200 200 200 429 429]" {
		t.Fatalf("codes = %v", codes)
	}
	if n, err := strconv.Atoi(retry); err != nil || n < 1 || n > 2 {
		t.Fatalf("Retry-After = %q", retry)
	}
}

func TestRotationRevokesAtOnceAndDiscoveryFile(t *testing.T) {
	e := start(t, Config{})
	path := filepath.Join(e.dir, DiscoveryFile)
	read := func() discovery {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("discovery file: %v %v", fi, err)
		}
		var d discovery
		b, _ := os.ReadFile(path)
		json.Unmarshal(b, &d)
		return d
	}
	if d := read(); d.URL != e.url || d.Token != e.token || len(d.Token) != 64 {
		t.Fatalf("discovery = %+v", d)
	}
	old := e.token
	nt, err := e.srv.RotateToken(context.Background())
	if err != nil || nt == old {
		t.Fatal(err)
	}
	if r := e.do(t, "GET", "/v1/models", "", nil); r.StatusCode != 401 {
		t.Fatalf("old token still works: %d", r.StatusCode)
	}
	e.token = nt
	if r := e.do(t, "GET", "/v1/models", "", nil); r.StatusCode != 200 {
		t.Fatalf("new token refused: %d", r.StatusCode)
	}
	if d := read(); d.Token != nt {
		t.Fatal("discovery file not updated")
	}
	e.srv.Shutdown(context.Background())
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("discovery file left after shutdown")
	}
}

func TestClientDisconnectCancelsGeneration(t *testing.T) {
	e := start(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/v1/chat/completions",
		strings.NewReader(`{"model":"slow/wait","stream":true,"messages":[{"role":"user","content":"x"}]}`))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	if !strings.HasPrefix(line, "data: ") {
		t.Fatalf("first line %q", line)
	}
	cancel()
	resp.Body.Close()
	select {
	case <-e.gen.cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("generation kept running after the client left")
	}
}

func TestConcurrentGenerationLimit(t *testing.T) {
	e := start(t, Config{MaxConcurrent: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.url+"/v1/chat/completions",
		strings.NewReader(`{"model":"slow/wait","stream":true,"messages":[{"role":"user","content":"x"}]}`))
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	bufio.NewReader(resp.Body).ReadString('\n')
	r := e.do(t, "POST", "/v1/chat/completions", `{"model":"echo/echo","messages":[{"role":"user","content":"hi"}]}`, nil)
	if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("second generation: %d", r.StatusCode)
	}
}

func TestRoutesSorted(t *testing.T) {
	if !sort.SliceIsSorted(routes, func(i, j int) bool { return routes[i].path < routes[j].path }) {
		t.Fatal("routes are not sorted by path")
	}
}

func TestPublicMessageHidesPaths(t *testing.T) {
	got := publicMessage(errors.New("load: open /home/alice/models/x.bin: no such file"))
	if strings.Contains(got, "alice") || !strings.Contains(got, "[path]") {
		t.Fatalf("got %q", got)
	}
}

func FuzzDecodeChat(f *testing.F) {
	for _, s := range []string{`{"model":"m","messages":[{"role":"user","content":"x"}]}`, `{"stop":["a","b"]}`, `{"messages":[{"content":[{"type":"text","text":"x"}]}]}`, `[]`, `{"stop":5}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var req chatRequest
		dec := json.NewDecoder(bytes.NewReader([]byte(s)))
		dec.DisallowUnknownFields()
		_ = dec.Decode(&req) // must not panic
	})
}

func asErr[T error](err error, target *T) bool { return errors.As(err, target) }
