package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"sidecar/backend/profile"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func needKeychain(t *testing.T) {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		if os.Getenv("SIDECAR_REQUIRE_KEYCHAIN") != "" {
			t.Fatal("SIDECAR_REQUIRE_KEYCHAIN is set but there is no D-Bus session")
		}
		t.Skip("no D-Bus session: run under `make test`")
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestServeHeadless(t *testing.T) {
	needKeychain(t)
	home := t.TempDir()
	t.Setenv("SIDECAR_HOME", home)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, Env{Args: []string{"--port", fmt.Sprint(port)}, Stdout: &stdout, Stderr: &stderr})
	}()
	var disc struct{ URL, Token string }
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(filepath.Join(home, "localapi.json"))
		if err == nil && json.Unmarshal(b, &disc) == nil && disc.Token != "" {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended early: %v\n%s", err, stderr.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if disc.URL != fmt.Sprintf("http://127.0.0.1:%d", port) {
		t.Fatalf("discovery = %+v", disc)
	}
	if fi, _ := os.Stat(filepath.Join(home, "localapi.json")); fi.Mode().Perm() != 0o600 {
		t.Fatalf("discovery file mode %v", fi.Mode().Perm())
	}
	if r, err := http.Get(disc.URL + "/healthz"); err != nil || r.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	req, _ := http.NewRequest("GET", disc.URL+"/v1/models", nil)
	req.Header.Set("Authorization", "Bearer "+disc.Token)
	r, err := http.DefaultClient.Do(req)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("models: %v %v", r, err)
	}
	var models struct{ Data []struct{ ID string } }
	json.NewDecoder(r.Body).Decode(&models)
	r.Body.Close()
	if len(models.Data) == 0 || models.Data[0].ID != "echo/echo" {
		t.Fatalf("models = %+v", models)
	}
	if !strings.Contains(stdout.String(), disc.URL) {
		t.Errorf("stdout lacks the URL: %q", stdout.String())
	}
	// The same data folder twice: refused, naming the running process.
	err = runServe(context.Background(), Env{Args: []string{"--port", fmt.Sprint(freePort(t))}, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if !errors.Is(err, profile.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("Sidecar is already running (pid %d)", os.Getpid())) {
		t.Fatalf("second serve on the same data folder: %v", err)
	}
	// The same port twice (from another data folder): a clear message.
	t.Setenv("SIDECAR_HOME", t.TempDir())
	err = runServe(context.Background(), Env{Args: []string{"--port", fmt.Sprint(port)}, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second serve on the same port: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if _, err := os.Stat(filepath.Join(home, "localapi.json")); !os.IsNotExist(err) {
		t.Fatal("discovery file left behind")
	}
	if _, err := http.Get(disc.URL + "/healthz"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func TestServeUsage(t *testing.T) {
	err := runServe(context.Background(), Env{Args: []string{"--bogus"}, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if !errors.Is(err, ErrUsage) {
		t.Fatalf("err = %v", err)
	}
}

func TestServeWithLocalModel(t *testing.T) {
	needKeychain(t)
	model := filepath.Join(gptjData, "gptj-tinyA-f16.bin")
	if _, err := os.Stat(model); err != nil {
		t.Skip(err)
	}
	home := t.TempDir()
	t.Setenv("SIDECAR_HOME", home)
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, Env{Args: []string{"--port", fmt.Sprint(port), "--model", model}, Stdout: &stdout, Stderr: &stderr})
	}()
	var disc struct{ URL, Token string }
	for i := 0; i < 300 && disc.Token == ""; i++ {
		if b, err := os.ReadFile(filepath.Join(home, "localapi.json")); err == nil {
			json.Unmarshal(b, &disc)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if disc.Token == "" {
		t.Fatalf("serve did not start: %s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "model: local/gptj-tinya-f16") {
		t.Errorf("stdout: %q", stdout.String())
	}
	body := `{"model":"local/gptj-tinya-f16","max_tokens":5,"seed":1,"messages":[{"role":"user","content":"hi"}]}`
	req, _ := http.NewRequest("POST", disc.URL+"/v1/chat/completions", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+disc.Token)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Choices []struct {
			FinishReason string `json:"finish_reason"`
		}
		Usage struct {
			CompletionTokens int `json:"completion_tokens"`
		}
	}
	json.NewDecoder(r.Body).Decode(&res)
	r.Body.Close()
	if r.StatusCode != 200 || res.Usage.CompletionTokens < 1 || res.Usage.CompletionTokens > 5 {
		t.Fatalf("local completion: %d %+v", r.StatusCode, res)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
