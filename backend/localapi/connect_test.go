package localapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestClientTokenRotate(t *testing.T) {
	e := start(t, Config{})
	ct, err := LoadClientTokens(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	old, err := ct.Create("Zed")
	if err != nil {
		t.Fatal(err)
	}
	auth := func(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }
	if r := e.do(t, "GET", "/v1/models", "", auth(old)); r.StatusCode != 200 {
		t.Fatalf("before rotation: %d", r.StatusCode)
	}
	fresh, err := ct.Rotate("Zed")
	if err != nil || fresh == old || !strings.HasPrefix(fresh, clientTokenPrefix) {
		t.Fatalf("rotate: %q %v", fresh, err)
	}
	if r := e.do(t, "GET", "/v1/models", "", auth(old)); r.StatusCode != 401 {
		t.Fatalf("the old value after rotation: %d", r.StatusCode)
	}
	if r := e.do(t, "GET", "/v1/models", "", auth(fresh)); r.StatusCode != 200 {
		t.Fatalf("the new value: %d", r.StatusCode)
	}
	if list, _ := ct.List(); len(list) != 1 || list[0].Name != "Zed" {
		t.Fatalf("list after rotation: %+v", list)
	}
	if _, err := ct.Rotate("nobody"); err == nil {
		t.Fatal("rotated a token that does not exist")
	}
}

func TestConnect(t *testing.T) {
	c := Connect("http://127.0.0.1:9123/", "sct_abc", "local/qwen")
	got := map[string]string{}
	for _, d := range c.Dialects {
		got[d.Dialect] = d.BaseURL
	}
	want := map[string]string{"OpenAI": "http://127.0.0.1:9123/v1", "Ollama": "http://127.0.0.1:9123/t/sct_abc",
		"Anthropic": "http://127.0.0.1:9123", "OpenAI Responses": "http://127.0.0.1:9123/v1"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s base URL %q, want %q", k, got[k], v)
		}
	}
	if len(c.Clients) != len(ClientIDs) {
		t.Fatalf("%d clients", len(c.Clients))
	}
	by := map[string]ClientSetup{}
	for i, s := range c.Clients {
		if s.ID != ClientIDs[i] || s.Text == "" {
			t.Fatalf("client %d: %+v", i, s)
		}
		by[s.ID] = s
	}
	var zed struct {
		LanguageModels struct {
			Ollama struct {
				APIURL string `json:"api_url"`
			} `json:"ollama"`
		} `json:"language_models"`
	}
	if err := json.Unmarshal([]byte(by["zed"].Text), &zed); err != nil || zed.LanguageModels.Ollama.APIURL != want["Ollama"] {
		t.Fatalf("zed: %+v %v", zed, err)
	}
	for id, parts := range map[string][]string{
		"continue":      {"provider: openai", "apiBase: http://127.0.0.1:9123/v1", "apiKey: sct_abc", "model: local/qwen"},
		"codecompanion": {`extend("ollama"`, `url = "http://127.0.0.1:9123/t/sct_abc"`, `default = "local/qwen:latest"`},
		"claude-code":   {"ANTHROPIC_BASE_URL=http://127.0.0.1:9123\n", "ANTHROPIC_AUTH_TOKEN=sct_abc\n", "ANTHROPIC_MODEL=local/qwen\n"},
		"codex":         {`model = "local/qwen"`, `base_url = "http://127.0.0.1:9123/v1"`, `wire_api = "responses"`, `env_key = "SIDECAR_TOKEN"`},
	} {
		for _, p := range parts {
			if !strings.Contains(by[id].Text, p) {
				t.Errorf("%s lacks %q:\n%s", id, p, by[id].Text)
			}
		}
	}
	// A model name a shell would split is quoted.
	if s := Connect("http://127.0.0.1:1", "t", "a b'c").Clients[3].Text; !strings.Contains(s, `ANTHROPIC_MODEL='a b'\''c'`) {
		t.Errorf("shell quoting:\n%s", s)
	}
}

func TestTokenPlaceholder(t *testing.T) {
	for in, want := range map[string]string{"": "YOUR_TOKEN", "Zed": "YOUR_ZED_TOKEN", "my nvim.2": "YOUR_MY_NVIM_2_TOKEN", "--": "YOUR_TOKEN"} {
		if got := TokenPlaceholder(in); got != want {
			t.Errorf("TokenPlaceholder(%q) = %q, want %q", in, got, want)
		}
	}
}
