package localapi

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sidecar/backend/applog"
	"sidecar/backend/assistant"
	"sidecar/backend/catalog"
	"sidecar/backend/llm"
	"sidecar/backend/llm/openai"
)

// startLogged starts a server that logs to a real applog file in dir,
// rotated at 1 MiB.
func startLogged(t *testing.T, cfg Config, dir string) (*env, io.Closer) {
	t.Helper()
	log, closer, err := applog.Setup(applog.Options{Dir: dir, Level: slog.LevelInfo, MaxBytes: 1 << 20, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port, cfg.DataDir = -1, t.TempDir()
	toks, err := LoadTokens(context.Background(), &memSecrets{})
	if err != nil {
		t.Fatal(err)
	}
	s := New(cfg, &gen{cancelled: make(chan struct{})}, lengthEmbedder{}, toks, log)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Shutdown(context.Background()); closer.Close() })
	return &env{srv: s, url: s.URL(), token: toks.Current(), dir: cfg.DataDir}, closer
}

// Thousands of refused requests with long paths (the attack rotated away
// every log file with 400 of 64 KiB; here the files rotate at 1 MiB and
// 2,000 paths of 4 KiB would do) leave the rotated files alone and add a
// few kilobytes to the current one.
func TestHostileRefusalFloodKeepsTheLogs(t *testing.T) {
	dir := t.TempDir()
	older := map[string]string{}
	for i := 1; i <= 3; i++ {
		name := fmt.Sprintf("%s.%d", applog.FileName, i)
		older[name] = fmt.Sprintf(`{"msg":"what happened before, file %d"}`+"\n", i)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(older[name]), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	e, closer := startLogged(t, Config{}, dir)

	const n = 2000
	path := "/v1/" + strings.Repeat("a", 4<<10)
	var wg sync.WaitGroup
	var refused atomic.Int64
	next := make(chan struct{})
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				req, _ := http.NewRequest("GET", e.url+path, nil)
				req.Header.Set("Authorization", "Bearer wrong")
				if r, err := http.DefaultClient.Do(req); err == nil {
					io.Copy(io.Discard, r.Body)
					r.Body.Close()
					if r.StatusCode == 401 {
						refused.Add(1)
					}
				}
			}
		}()
	}
	began := time.Now()
	for i := 0; i < n; i++ {
		next <- struct{}{}
	}
	close(next)
	wg.Wait()
	if refused.Load() != n {
		t.Fatalf("%d of %d requests refused", refused.Load(), n)
	}
	if total, last := e.srv.AuthFailures(); total != n || len(last) == 0 || len(last[0].Path) > maxLoggedField+len("…") {
		t.Fatalf("auth failures: %d, %d kept, first path %d bytes", total, len(last), len(last[0].Path))
	}
	e.srv.Shutdown(context.Background()) // writes the summary of the window
	closer.Close()

	for name, want := range older {
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != want {
			t.Errorf("%s changed: %q %v", name, got, err)
		}
	}
	cur, err := os.ReadFile(filepath.Join(dir, applog.FileName))
	if err != nil {
		t.Fatal(err)
	}
	// Each window of a minute (one, unless the machine is very slow) has
	// at most 10 lines and one summary; together they account for every
	// refused request.
	windows := int(time.Since(began)/refusalWindow) + 1
	lines := strings.Count(string(cur), "local API: refused a request")
	summed := 0
	for _, m := range regexp.MustCompile(`local API: (\d+) more refused requests in the last \d+ s`).FindAllStringSubmatch(string(cur), -1) {
		k, _ := strconv.Atoi(m[1])
		summed += k
	}
	if lines > defaultRefusalLogs*windows || lines+summed != n || len(cur) > windows*(8<<10) {
		t.Fatalf("log after %d window(s): %d refusal lines, %d summed up, %d bytes:\n%.2000s", windows, lines, summed, len(cur), cur)
	}
	t.Logf("%d refused requests left %d bytes in the log", n, len(cur))
}

func TestRefusalLogWindows(t *testing.T) {
	var buf syncBuf
	l := newRefusalLog(slog.New(slog.NewTextHandler(&buf, nil)), 2, time.Minute)
	t0 := time.Now()
	for i := 0; i < 5; i++ {
		l.note(t0.Add(time.Duration(i)*time.Second), "wrong token", "127.0.0.1:1", "/x")
	}
	// The next window starts with a summary of the last one.
	l.note(t0.Add(61*time.Second), "no token", "127.0.0.1:1", "/y")
	l.stop()
	out := buf.String()
	if c := strings.Count(out, "refused a request"); c != 3 || !strings.Contains(out, "3 more refused requests in the last 61 s") {
		t.Fatalf("%d lines:\n%s", c, out)
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestClip(t *testing.T) {
	if got := clip(strings.Repeat("é", 80)); len(got) > maxLoggedField+len("…") || !strings.HasSuffix(got, "…") || strings.ContainsRune(got, '\uFFFD') {
		t.Fatalf("clip = %q", got)
	}
	if got := clip("/v1/models"); got != "/v1/models" {
		t.Fatalf("clip = %q", got)
	}
}

// Connections past the cap wait to be accepted; none is dropped, and a
// slot freed serves the next one.
func TestHostileConnectionCap(t *testing.T) {
	const max = 4
	e := start(t, Config{MaxConns: max})
	host := strings.TrimPrefix(e.url, "http://")
	// Hold every slot with a request that never finishes its headers.
	var held []net.Conn
	for i := 0; i < max; i++ {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n", host)
		held = append(held, c)
	}
	// Make sure the server has accepted them: each answers once completed,
	// then the slots are held again by a second unfinished request.
	for _, c := range held {
		fmt.Fprint(c, "\r\n")
		if r, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || r.StatusCode != 200 {
			t.Fatalf("held connection: %v %v", r, err)
		}
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n", host)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	waiting := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 500 * time.Millisecond}
	if r, err := waiting.Get(e.url + "/healthz"); err == nil {
		r.Body.Close()
		t.Fatalf("a fifth connection was served (%d) while %d were open", r.StatusCode, max)
	}
	held[0].Close()
	done := make(chan error, 1)
	go func() {
		r, err := client.Get(e.url + "/healthz")
		if err == nil {
			r.Body.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("after a slot was freed: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("a freed slot served nobody")
	}
	for _, c := range held[1:] {
		c.Close()
	}
	// Many clients at once all get served, a few at a time.
	var wg sync.WaitGroup
	var ok atomic.Int64
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r, err := client.Get(e.url + "/healthz"); err == nil {
				r.Body.Close()
				if r.StatusCode == 200 {
					ok.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if ok.Load() != 50 {
		t.Fatalf("%d of 50 queued clients served", ok.Load())
	}
}

// countingSecrets counts reads, to bound what refused requests cost.
type countingSecrets struct {
	memSecrets
	gets atomic.Int64
}

func (c *countingSecrets) Get(ctx context.Context, a string) (string, error) {
	c.gets.Add(1)
	return c.memSecrets.Get(ctx, a)
}

// A rotation made by another process (another Tokens on the same keychain
// entry) works at once for the new token, revokes the old one, and reaches
// the discovery file without any request.
func TestTokenRotatedElsewhere(t *testing.T) {
	secrets := &countingSecrets{}
	ctx := context.Background()
	toks, err := LoadTokens(ctx, secrets)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := New(Config{Port: -1, DataDir: dir, TokenRefresh: 200 * time.Millisecond}, &gen{cancelled: make(chan struct{})}, lengthEmbedder{}, toks,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown(ctx)
	e := &env{srv: s, url: s.URL(), token: toks.Current(), dir: dir}
	old := e.token

	other, err := LoadTokens(ctx, secrets) // as `sidecar token rotate` does
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := other.Rotate(ctx)
	if err != nil || fresh == old {
		t.Fatal(err)
	}
	e.token = fresh
	if r := e.do(t, "GET", "/v1/models", "", nil); r.StatusCode != 200 {
		t.Fatalf("new token refused: %d", r.StatusCode)
	}
	e.token = old
	if r := e.do(t, "GET", "/v1/models", "", nil); r.StatusCode != 401 {
		t.Fatalf("old token still works: %d", r.StatusCode)
	}

	// Rotated again, with no request: the periodic re-read finds it.
	again, _ := other.Rotate(ctx)
	deadline := time.Now().Add(20 * time.Second)
	for readDiscovery(t, dir).Token != again {
		if time.Now().After(deadline) {
			t.Fatal("the discovery file never got the new token")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Wrong tokens cannot keep the keychain busy: at most one re-read a
	// second on failures, besides the periodic ones.
	before, began := secrets.gets.Load(), time.Now()
	e.token = "wrong"
	for i := 0; i < 300; i++ {
		e.do(t, "GET", "/v1/models", "", nil).Body.Close()
	}
	took := time.Since(began)
	allowed := int64(took/refreshOnFailureEvery) + 1 + int64(took/(200*time.Millisecond)) + 1
	if got := secrets.gets.Load() - before; got > allowed {
		t.Fatalf("300 refused requests in %v read the keychain %d times (allowed %d)", took, got, allowed)
	}
}

func readDiscovery(t *testing.T, dir string) discovery {
	t.Helper()
	var d discovery
	b, err := os.ReadFile(filepath.Join(dir, DiscoveryFile))
	if err == nil {
		json.Unmarshal(b, &d)
	}
	return d
}

// cloudGen generates with the real OpenAI provider.
type cloudGen struct{ p llm.Provider }

func (g cloudGen) Models(context.Context) ([]catalog.ModelView, error) {
	return []catalog.ModelView{{ID: "openai/gpt-4o", Provider: "openai"}}, nil
}

func (g cloudGen) Complete(ctx context.Context, model string, req llm.Request, on llm.EventFunc) (assistant.Completion, error) {
	req.Model = strings.TrimPrefix(model, "openai/")
	u, err := llm.StreamEvents(ctx, g.p, req, on)
	return assistant.Completion{Usage: u}, err
}

func (g cloudGen) Capabilities(string) (llm.Capabilities, error) {
	return llm.Capabilities{ContextLength: 128000}, nil
}

// A provider whose error quotes the prompt: the answer to the API client
// may say so, the log file must not.
func TestProviderErrorEchoingThePromptIsNotLogged(t *testing.T) {
	const prompt = "quarterly numbers: revenue 4.2M, do not share"
	cloud := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct {
				Content string `json:"content"`
			} `json:"messages"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		msg, _ := json.Marshal("Invalid value for 'content': " + req.Messages[len(req.Messages)-1].Content)
		fmt.Fprintf(w, `{"error":{"message":%s,"type":"invalid_request_error","param":"messages","code":null}}`, msg)
	}))
	defer cloud.Close()
	p, err := openai.New(openai.Config{APIKey: "sk-test-key-0123456789", BaseURL: cloud.URL + "/v1"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	log, closer, err := applog.Setup(applog.Options{Dir: dir, Level: slog.LevelInfo, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	toks, _ := LoadTokens(context.Background(), &memSecrets{})
	s := New(Config{Port: -1}, cloudGen{p}, lengthEmbedder{}, toks, log)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	e := &env{srv: s, url: s.URL(), token: toks.Current()}
	body, _ := json.Marshal(map[string]any{"model": "openai/gpt-4o", "messages": []map[string]string{{"role": "user", "content": prompt}}})
	r := e.do(t, "POST", "/v1/chat/completions", string(body), nil)
	answer, _ := io.ReadAll(r.Body)
	s.Shutdown(context.Background())
	closer.Close()
	if r.StatusCode != http.StatusBadGateway || !strings.Contains(string(answer), prompt) {
		t.Fatalf("the provider's error did not come back: %d %s", r.StatusCode, answer)
	}
	logged, err := os.ReadFile(filepath.Join(dir, applog.FileName))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(logged), "revenue") || !strings.Contains(string(logged), "OpenAI refused the request (400)") {
		t.Fatalf("log:\n%s", logged)
	}
}
