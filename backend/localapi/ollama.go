package localapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"sidecar/backend/llm"
)

// The Ollama dialect: what editor tools that speak to a local Ollama
// (Continue, Zed, CodeCompanion.nvim, Copilot's Ollama option, llm-ls...)
// use to list models, read their capabilities, chat, complete code and
// embed. Model names are "ID:latest" (and "ID:docs" for grounding).

// ollamaVersion is the Ollama version reported: clients gate features on
// it (codex --oss needs 0.13.4 or later).
const ollamaVersion = "0.13.5"

func (s *Server) ollamaVersion(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": ollamaVersion})
}

// ollamaModel is one model in /api/tags and /api/ps.
type ollamaModel struct {
	Name       string        `json:"name"`
	Model      string        `json:"model"`
	ModifiedAt string        `json:"modified_at"`
	Size       int64         `json:"size"`
	Digest     string        `json:"digest"`
	Details    ollamaDetails `json:"details"`
}

type ollamaDetails struct {
	ParentModel       string   `json:"parent_model"`
	Format            string   `json:"format"`
	Family            string   `json:"family"`
	Families          []string `json:"families"`
	ParameterSize     string   `json:"parameter_size"`
	QuantizationLevel string   `json:"quantization_level"`
}

// family is what a model's details and model_info call its architecture.
func family(id string) string {
	p, _, _ := strings.Cut(id, "/")
	if p == "" {
		p = "sidecar"
	}
	return strings.ToLower(p)
}

func describe(name, id string, local bool, since time.Time) ollamaModel {
	sum := sha256.Sum256([]byte(id))
	format := ""
	if local {
		format = "gguf"
	}
	f := family(id)
	return ollamaModel{Name: name, Model: name, ModifiedAt: since.UTC().Format(time.RFC3339Nano), Digest: hex.EncodeToString(sum[:]),
		Details: ollamaDetails{Format: format, Family: f, Families: []string{f}}}
}

func (s *Server) ollamaTags(w http.ResponseWriter, r *http.Request) {
	ms, err := s.gen.Models(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "server_error", "", publicMessage(err))
		return
	}
	out := []ollamaModel{}
	for _, m := range ms {
		out = append(out, describe(m.ID+":latest", m.ID, m.Local, s.started))
		if s.docs != nil {
			out = append(out, describe(m.ID+":docs", m.ID, m.Local, s.started))
		}
	}
	if s.emb != nil {
		for _, id := range s.emb.EmbeddingModels() {
			out = append(out, describe(id+":latest", id, true, s.started))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": out})
}

// ollamaPS lists loaded models. Sidecar loads local models on demand and
// does not report them as resident, so the list is empty.
func (s *Server) ollamaPS(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"models": []ollamaModel{}})
}

// isEmbeddingModel reports whether id is one of the embedding models.
func (s *Server) isEmbeddingModel(id string) bool {
	if s.emb == nil {
		return false
	}
	for _, e := range s.emb.EmbeddingModels() {
		if e == id {
			return true
		}
	}
	return false
}

// ollamaTemplate is a template that shows what the model takes: clients
// look for .Suffix (fill in the middle) and .Tools in it.
func ollamaTemplate(c llm.Capabilities) string {
	t := "{{ if .System }}{{ .System }}\n{{ end }}"
	if c.Tools {
		t += "{{ if .Tools }}{{ range .Tools }}{{ . }}\n{{ end }}{{ end }}"
	}
	if c.FIM {
		return t + "{{ if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{ else }}{{ .Prompt }}{{ end }}"
	}
	return t + "{{ .Prompt }}"
}

func (s *Server) ollamaShow(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model   string          `json:"model"`
		Name    string          `json:"name"`
		Verbose json.RawMessage `json:"verbose"`
		System  json.RawMessage `json:"system"`
		Options json.RawMessage `json:"options"`
	}
	if !s.decodeStrict(w, r, &req) {
		return
	}
	name := req.Model
	if name == "" {
		name = req.Name
	}
	id, _ := resolveModel(name)
	f := family(id)
	info := map[string]any{"general.architecture": f, "general.basename": id}
	var caps []string
	tmpl := "{{ .Prompt }}"
	if s.isEmbeddingModel(id) {
		caps = []string{"embedding"}
	} else {
		c, err := s.gen.Capabilities(id)
		if err != nil {
			writeError(w, http.StatusNotFound, "not_found_error", "model_not_found", fmt.Sprintf("model '%s' not found", name))
			return
		}
		caps = capabilityNames(c)
		tmpl = ollamaTemplate(c)
		ctx := c.ContextLength
		if ctx <= 0 {
			ctx = 4096
		}
		info[f+".context_length"] = ctx
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"license": "", "modelfile": "", "parameters": "", "template": tmpl,
		"details":      describe(name, id, false, s.started).Details,
		"model_info":   info,
		"capabilities": caps,
		"modified_at":  s.started.UTC().Format(time.RFC3339Nano),
	})
}

// capabilityNames lists a model's capabilities as Ollama names them.
func capabilityNames(c llm.Capabilities) []string {
	out := []string{"completion"}
	for _, x := range []struct {
		on   bool
		name string
	}{{c.Tools, "tools"}, {c.FIM, "insert"}, {c.Thinking, "thinking"}, {c.Vision, "vision"}} {
		if x.on {
			out = append(out, x.name)
		}
	}
	return out
}
