package localapi

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// ndjson reads every line of an NDJSON answer.
func ndjson(t *testing.T, r io.Reader) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func decodeMap(t *testing.T, r io.Reader) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestOllamaDiscovery(t *testing.T) {
	e := start(t, Config{})
	if v := decodeMap(t, e.do(t, "GET", "/api/version", "", nil).Body); v["version"] != ollamaVersion {
		t.Fatalf("version %v", v)
	}
	tags := decodeMap(t, e.do(t, "GET", "/api/tags", "", nil).Body)
	var names []string
	for _, m := range tags["models"].([]any) {
		names = append(names, m.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "echo/echo:latest,slow/wait:latest,sidecar-lexical:latest" {
		t.Fatalf("names %v", names)
	}
	show := decodeMap(t, e.do(t, "POST", "/api/show", `{"model":"echo/echo:latest"}`, nil).Body)
	caps, _ := json.Marshal(show["capabilities"])
	if string(caps) != `["completion","tools","insert","thinking"]` || !strings.Contains(show["template"].(string), ".Suffix") {
		t.Fatalf("echo: caps %s template %q", caps, show["template"])
	}
	if info := show["model_info"].(map[string]any); info["general.architecture"] != "echo" || info["echo.context_length"] != float64(32768) {
		t.Fatalf("model_info %v", info)
	}
	show = decodeMap(t, e.do(t, "POST", "/api/show", `{"name":"slow/wait"}`, nil).Body)
	caps, _ = json.Marshal(show["capabilities"])
	if string(caps) != `["completion"]` || strings.Contains(show["template"].(string), ".Suffix") || strings.Contains(show["template"].(string), ".Tools") {
		t.Fatalf("slow: caps %s template %q", caps, show["template"])
	}
	show = decodeMap(t, e.do(t, "POST", "/api/show", `{"model":"sidecar-lexical:latest"}`, nil).Body)
	if caps, _ = json.Marshal(show["capabilities"]); string(caps) != `["embedding"]` {
		t.Fatalf("embedding caps %s", caps)
	}
	r := e.do(t, "POST", "/api/show", `{"model":"nope:7b"}`, nil)
	if m := decodeMap(t, r.Body); r.StatusCode != 404 || !strings.Contains(m["error"].(string), "nope:7b") {
		t.Fatalf("unknown model: %d %v", r.StatusCode, m)
	}
	if ps := decodeMap(t, e.do(t, "GET", "/api/ps", "", nil).Body); ps["models"] == nil {
		t.Fatalf("ps %v", ps)
	}
}

func TestOllamaChatStreamsToolCallsAndThinking(t *testing.T) {
	e := start(t, Config{})
	body := `{"model":"echo/echo:latest","think":true,"options":{"num_ctx":8192,"temperature":0.1,"top_k":40,"seed":1,"num_gpu":99},
		"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
		"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"call get_weather {\"city\":\"Paris\"}"}]}`
	r := e.do(t, "POST", "/api/chat", body, nil)
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("%d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	lines := ndjson(t, r.Body)
	thinking, calls := "", []any{}
	for _, l := range lines[:len(lines)-1] {
		msg := l["message"].(map[string]any)
		if s, ok := msg["thinking"].(string); ok {
			thinking += s
		}
		if c, ok := msg["tool_calls"].([]any); ok {
			calls = append(calls, c...)
		}
	}
	last := lines[len(lines)-1]
	if thinking != "The user wrote 3 words." || len(calls) != 1 || last["done"] != true || last["done_reason"] != "stop" {
		t.Fatalf("thinking %q calls %v last %v", thinking, calls, last)
	}
	fn := calls[0].(map[string]any)["function"].(map[string]any)
	if fn["name"] != "get_weather" || fn["arguments"].(map[string]any)["city"] != "Paris" {
		t.Fatalf("call %v", calls[0])
	}
	// The result goes back by tool_name; not streamed this time.
	body = `{"model":"echo/echo","stream":false,"messages":[{"role":"user","content":"weather?"},
		{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},
		{"role":"tool","tool_name":"get_weather","content":"sunny"}]}`
	m := decodeMap(t, e.do(t, "POST", "/api/chat", body, nil).Body)
	if msg := m["message"].(map[string]any); msg["content"] != "Echo: get_weather returned: sunny" || m["done"] != true || m["eval_count"] != float64(4) {
		t.Fatalf("after result %v", m)
	}
}

func TestOllamaGenerateAndEmbed(t *testing.T) {
	e := start(t, Config{})
	r := e.do(t, "POST", "/api/generate", `{"model":"echo/echo","prompt":"def add(a, b):","suffix":"\n\nprint(add(1, 2))","options":{"num_predict":3,"stop":["\n\n"]}}`, nil)
	lines := ndjson(t, r.Body)
	text := ""
	for _, l := range lines {
		text += l["response"].(string)
	}
	last := lines[len(lines)-1]
	// The echo model repeats the fill-in-the-middle request, cut at 3 words.
	if text != "Echo: Before the" || last["done_reason"] != "length" {
		t.Fatalf("text %q last %v", text, last)
	}
	m := decodeMap(t, e.do(t, "POST", "/api/generate", `{"model":"echo/echo","prompt":"hi there","system":"s","stream":false,"format":"json"}`, nil).Body)
	if m["response"] != "Echo: hi there" || m["done"] != true {
		t.Fatalf("generate %v", m)
	}
	if m := decodeMap(t, e.do(t, "POST", "/api/generate", `{"model":"echo/echo"}`, nil).Body); m["done_reason"] != "load" {
		t.Fatalf("empty prompt %v", m)
	}
	m = decodeMap(t, e.do(t, "POST", "/api/embed", `{"model":"sidecar-lexical:latest","input":["ab cd","x"]}`, nil).Body)
	if got, _ := json.Marshal(m["embeddings"]); string(got) != "[[5,2,1],[1,1,1]]" || m["prompt_eval_count"] != float64(3) {
		t.Fatalf("embed %v", m)
	}
	m = decodeMap(t, e.do(t, "POST", "/api/embeddings", `{"model":"sidecar-lexical","prompt":"abc"}`, nil).Body)
	if got, _ := json.Marshal(m["embedding"]); string(got) != "[3,1,1]" {
		t.Fatalf("embeddings %v", m)
	}
	for _, bad := range []string{
		`{"model":"echo/echo","prompt":"x","options":{"temperature":"hot"}}`,
		`{"model":"echo/echo","prompt":"x","format":"yaml"}`,
		`{"model":"echo/echo","prompt":"x","think":"very"}`,
		`{"model":"echo/echo","prompt":"x","images":["aGk="]}`,
		`{"model":"echo/echo","prompt":"x","frobnicate":1}`,
	} {
		r := e.do(t, "POST", "/api/generate", bad, nil)
		if m := decodeMap(t, r.Body); r.StatusCode != 400 || m["error"] == nil {
			t.Errorf("%s: %d %v", bad, r.StatusCode, m)
		}
	}
}

func TestTokenInPath(t *testing.T) {
	e := start(t, Config{})
	r := e.do(t, "GET", "/t/"+e.token+"/api/tags", "", map[string]string{"Authorization": ""})
	if r.StatusCode != 200 {
		t.Fatalf("token in path: %d", r.StatusCode)
	}
	r = e.do(t, "GET", "/t/wrong/api/tags", "", map[string]string{"Authorization": ""})
	if m := decodeMap(t, r.Body); r.StatusCode != 401 || m["error"] == nil {
		t.Fatalf("wrong token in path: %d %v", r.StatusCode, m)
	}
	_, last := e.srv.AuthFailures()
	if p := last[len(last)-1].Path; p != "/api/tags" {
		t.Fatalf("the refused path is recorded as %q", p)
	}
}
