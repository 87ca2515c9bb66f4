package localapi

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Every route in the table passes the same checks: Host, Origin, token,
// body size; none answers before them.
func TestEveryRouteIsGuarded(t *testing.T) {
	e := start(t, Config{MaxBodyBytes: 1000})
	port := strconv.Itoa(e.srv.Port())
	big := `{"x":"` + strings.Repeat("x", 2000) + `"}`
	for _, rt := range routes {
		path := rt.path
		if strings.HasSuffix(path, "/") {
			path += "1"
		}
		if path == "/healthz" {
			continue
		}
		for _, tc := range []struct {
			name   string
			hdr    map[string]string
			body   string
			status int
		}{
			{"no token", map[string]string{"Authorization": ""}, "", 401},
			{"wrong token", map[string]string{"Authorization": "Bearer nope"}, "", 401},
			{"wrong token in the path", map[string]string{"Authorization": ""}, "", 401},
			{"rebinding host", map[string]string{"Host": "evil.example:" + port}, "", 421},
			{"foreign origin", map[string]string{"Origin": "https://evil.example"}, "", 403},
			{"body too large", nil, big, 413},
		} {
			if tc.body != "" && rt.method != http.MethodPost {
				continue
			}
			p := path
			if tc.name == "wrong token in the path" {
				p = "/t/nope" + path
			}
			r := e.do(t, rt.method, p, tc.body, tc.hdr)
			if r.StatusCode != tc.status {
				t.Errorf("%s %s, %s: %d, want %d", rt.method, path, tc.name, r.StatusCode, tc.status)
			}
			if r.Header.Get("Content-Security-Policy") == "" || r.Header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("%s %s, %s: security headers missing", rt.method, path, tc.name)
			}
		}
	}
}

// Every generating route shares the concurrent-generation limit.
func TestEveryGeneratingRouteIsLimited(t *testing.T) {
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
	for path, body := range map[string]string{
		"/v1/chat/completions": `{"model":"echo/echo","messages":[{"role":"user","content":"hi"}]}`,
		"/v1/completions":      `{"model":"echo/echo","prompt":"hi"}`,
		"/v1/messages":         `{"model":"echo/echo","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}`,
		"/v1/responses":        `{"model":"echo/echo","input":"hi"}`,
		"/api/chat":            `{"model":"echo/echo","messages":[{"role":"user","content":"hi"}]}`,
		"/api/generate":        `{"model":"echo/echo","prompt":"hi"}`,
	} {
		r := e.do(t, "POST", path, body, nil)
		if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
			t.Errorf("%s while busy: %d", path, r.StatusCode)
		}
	}
}
