package localapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The configurations below are the one source of how clients connect:
// Settings shows them, `sidecar connect` prints them, and the gateway
// end-to-end test runs Claude Code and Codex with what they say.

// DialectURL is the base URL a client of one dialect is given.
type DialectURL struct {
	Dialect string `json:"dialect"` // "OpenAI", "Ollama", "Anthropic", "OpenAI Responses"
	BaseURL string `json:"baseUrl"`
	Auth    string `json:"auth"` // how the token is sent
}

// ClientSetup is the configuration one client needs.
type ClientSetup struct {
	ID       string `json:"id"`       // "continue", "zed", "codecompanion", "claude-code", "codex"
	Client   string `json:"client"`   // "Continue"
	Dialect  string `json:"dialect"`  // the dialect it speaks to Sidecar
	Where    string `json:"where"`    // the file it goes in, or "shell"
	Language string `json:"language"` // yaml, json, lua, sh, toml
	Text     string `json:"text"`
}

// ConnectInfo is every dialect's base URL and every client's configuration
// for one server URL, token and model.
type ConnectInfo struct {
	Dialects []DialectURL  `json:"dialects"`
	Clients  []ClientSetup `json:"clients"`
}

// ClientIDs are the clients Connect configures, in its order.
var ClientIDs = []string{"continue", "zed", "codecompanion", "claude-code", "codex"}

// Connect returns the configurations for a server at url
// ("http://127.0.0.1:PORT") with token (a real token or a placeholder)
// and model (an ID from /v1/models, e.g. "echo/echo").
func Connect(url, token, model string) ConnectInfo {
	url = strings.TrimRight(url, "/")
	pathBase := url + "/t/" + token
	ollamaModel := model + ":latest"
	return ConnectInfo{
		Dialects: []DialectURL{
			{Dialect: "OpenAI", BaseURL: url + "/v1", Auth: "Bearer header"},
			{Dialect: "Ollama", BaseURL: pathBase, Auth: "in the URL path"},
			{Dialect: "Anthropic", BaseURL: url, Auth: "x-api-key or Bearer"},
			{Dialect: "OpenAI Responses", BaseURL: url + "/v1", Auth: "Bearer header"},
		},
		Clients: []ClientSetup{
			{ID: "continue", Client: "Continue", Dialect: "OpenAI", Where: "~/.continue/config.yaml", Language: "yaml",
				Text: fmt.Sprintf(`name: Sidecar
version: 0.0.1
schema: v1
models:
  - name: Sidecar %s
    provider: openai
    model: %s
    apiBase: %s/v1
    apiKey: %s
    roles: [chat, edit, apply]
`, model, model, url, token)},
			{ID: "zed", Client: "Zed", Dialect: "Ollama", Where: "~/.config/zed/settings.json", Language: "json",
				Text: fmt.Sprintf(`{
  "language_models": {
    "ollama": {
      "api_url": %q
    }
  }
}
`, pathBase)},
			{ID: "codecompanion", Client: "CodeCompanion.nvim", Dialect: "Ollama", Where: "your Neovim configuration", Language: "lua",
				Text: fmt.Sprintf(`require("codecompanion").setup({
  adapters = {
    http = {
      sidecar = function()
        return require("codecompanion.adapters").extend("ollama", {
          formatted_name = "Sidecar",
          env = { url = %q },
          schema = { model = { default = %q } },
        })
      end,
    },
  },
  interactions = {
    chat = { adapter = "sidecar" },
    inline = { adapter = "sidecar" },
  },
})
`, pathBase, ollamaModel)},
			{ID: "claude-code", Client: "Claude Code", Dialect: "Anthropic", Where: "shell", Language: "sh",
				Text: fmt.Sprintf(`export ANTHROPIC_BASE_URL=%s
export ANTHROPIC_AUTH_TOKEN=%s
export ANTHROPIC_MODEL=%s
export ANTHROPIC_DEFAULT_HAIKU_MODEL=%s
export ANTHROPIC_SMALL_FAST_MODEL=%s
export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
claude
`, url, shellWord(token), shellWord(model), shellWord(model), shellWord(model))},
			{ID: "codex", Client: "Codex", Dialect: "OpenAI Responses", Where: "~/.codex/config.toml", Language: "toml",
				Text: fmt.Sprintf(`model = %q
model_provider = "sidecar"

[model_providers.sidecar]
name = "Sidecar"
base_url = "%s/v1"
env_key = "SIDECAR_TOKEN"
wire_api = "responses"

# then, in the shell: export SIDECAR_TOKEN=%s; codex
`, model, url, shellWord(token))},
		},
	}
}

// shellWord quotes s for a POSIX shell unless it needs no quoting.
func shellWord(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-./:", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// TokenPlaceholder stands for a token in a configuration shown without
// it: "YOUR_TOKEN", or for the token named "Zed" "YOUR_ZED_TOKEN". It is
// safe in a URL path, a shell word and any of the files above.
func TokenPlaceholder(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	n := strings.TrimSuffix(b.String(), "_")
	if n == "" {
		return "YOUR_TOKEN"
	}
	return "YOUR_" + n + "_TOKEN"
}

// ReadDiscovery returns the URL and token a running API wrote to the data
// folder dir.
func ReadDiscovery(dir string) (url, token string, err error) {
	b, err := os.ReadFile(filepath.Join(dir, DiscoveryFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", "", fmt.Errorf("localapi: the local API is not running (no %s): start it in Settings or with `sidecar serve`", DiscoveryFile)
	}
	if err != nil {
		return "", "", fmt.Errorf("localapi: %w", err)
	}
	var d discovery
	if err := json.Unmarshal(b, &d); err != nil || d.URL == "" {
		return "", "", fmt.Errorf("localapi: %s is not readable: %v", DiscoveryFile, err)
	}
	return d.URL, d.Token, nil
}
