package localapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"sidecar/backend/docs"
	"sidecar/backend/store"
	"sidecar/backend/store/storetest"
)

func startWithDocs(t *testing.T) (*env, *docs.Service, *store.DB) {
	t.Helper()
	return startWithDocsConfig(t, Config{})
}

func startWithDocsConfig(t *testing.T, cfg Config) (*env, *docs.Service, *store.DB) {
	t.Helper()
	db := storetest.Open(t)
	ds, err := docs.New(context.Background(), db, docs.Lexical{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	e := start(t, cfg)
	e.srv.WithDocuments(ds)
	return e, ds, db
}

func TestDocumentEndpoints(t *testing.T) {
	e, _, db := startWithDocs(t)
	r := e.do(t, "POST", "/api/documents", `{"title":"ops runbook","text":"# Runbook\n\nRestart the queue worker with systemctl restart worker.\n"}`, nil)
	if r.StatusCode != 201 {
		b, _ := io.ReadAll(r.Body)
		t.Fatalf("add text: %d %s", r.StatusCode, b)
	}
	var res docs.Result
	json.NewDecoder(r.Body).Decode(&res)

	// A multipart upload: only the base name of the file is kept.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "../../etc/notes.txt")
	fw.Write([]byte("The staging database password rotates monthly.\n"))
	mw.Close()
	r = e.do(t, "POST", "/api/documents", body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
	var up docs.Result
	json.NewDecoder(r.Body).Decode(&up)
	if r.StatusCode != 201 || up.Source != "upload:notes.txt" {
		t.Fatalf("upload: %d %+v", r.StatusCode, up)
	}

	r = e.do(t, "GET", "/api/documents", "", nil)
	var list struct{ Documents []docs.Document }
	json.NewDecoder(r.Body).Decode(&list)
	if len(list.Documents) != 2 {
		t.Fatalf("list = %+v", list)
	}
	r = e.do(t, "POST", "/api/search", `{"query":"restart queue worker","k":1}`, nil)
	var found struct{ Results []docs.Hit }
	json.NewDecoder(r.Body).Decode(&found)
	if len(found.Results) != 1 || found.Results[0].DocumentID != res.Document {
		t.Fatalf("search = %+v", found)
	}

	// Grounded chat completion through the extension field.
	r = e.do(t, "POST", "/v1/chat/completions", `{"model":"echo/echo","messages":[{"role":"user","content":"how to restart the queue worker"}],"sidecar":{"documents":true,"k":2}}`, nil)
	var chat struct {
		Sidecar struct{ Citations []docs.Hit }
	}
	json.NewDecoder(r.Body).Decode(&chat)
	if r.StatusCode != 200 || len(chat.Sidecar.Citations) == 0 || chat.Sidecar.Citations[0].Title != "ops runbook.md" {
		t.Fatalf("grounded chat: %d %+v", r.StatusCode, chat)
	}

	// Bad ids are refused and change nothing.
	before := count(t, db)
	for _, p := range []string{"/api/documents/abc", "/api/documents/-1", "/api/documents/1%2F..%2F2", "/api/documents/01", "/api/documents/1/../2"} {
		if r := e.do(t, "DELETE", p, "", nil); r.StatusCode != 400 && r.StatusCode != 404 {
			t.Errorf("DELETE %s: %d", p, r.StatusCode)
		}
	}
	if r := e.do(t, "DELETE", "/api/documents/999", "", nil); r.StatusCode != 404 {
		t.Errorf("missing id: %d", r.StatusCode)
	}
	if r := e.do(t, "DELETE", "/api/documents/1", "", map[string]string{"Authorization": "Bearer wrong"}); r.StatusCode != 401 {
		t.Errorf("delete without the token: %d", r.StatusCode)
	}
	if after := count(t, db); after != before {
		t.Fatalf("refused requests changed the database: %d -> %d documents", before, after)
	}
	if r := e.do(t, "DELETE", "/api/documents/1", "", nil); r.StatusCode != 204 {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if count(t, db) != before-1 {
		t.Fatal("delete did not delete")
	}
}

func count(t *testing.T, db *store.DB) int {
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM documents`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// authTransport adds the token, as an MCP client configured with a header does.
type authTransport struct{ token string }

func (a authTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+a.token)
	return http.DefaultTransport.RoundTrip(r)
}

func TestMCPTools(t *testing.T) {
	e, ds, _ := startWithDocs(t)
	ctx := context.Background()
	r, _ := ds.Add(ctx, "api:guide", "guide.md", []byte("# Guide\n\nline two\nThe cache expires after ten minutes.\nline four\n"))

	client := mcp.NewClient(&mcp.Implementation{Name: "sidecar-test", Version: "1"}, nil)
	// Without the token the MCP endpoint is closed.
	if _, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: e.url + "/mcp", MaxRetries: -1, DisableStandaloneSSE: true}, nil); err == nil {
		t.Fatal("MCP connected without a token")
	}
	sess, err := client.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: e.url + "/mcp", MaxRetries: -1, DisableStandaloneSSE: true,
		HTTPClient: &http.Client{Transport: authTransport{e.token}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	tools, err := sess.ListTools(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools.Tools {
		names = append(names, tl.Name)
	}
	if strings.Join(names, ",") != "list_documents,read_document,search_documents" {
		t.Fatalf("tools = %v", names)
	}
	call := func(name string, args map[string]any) map[string]any {
		t.Helper()
		res, err := sess.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
		if err != nil {
			t.Fatal(err)
		}
		if res.IsError {
			t.Fatalf("%s: tool error %+v", name, res.Content)
		}
		b, _ := json.Marshal(res.StructuredContent)
		var out map[string]any
		json.Unmarshal(b, &out)
		return out
	}
	got := call("search_documents", map[string]any{"query": "cache expiry", "k": 1})
	if rs := got["results"].([]any); len(rs) != 1 || !strings.Contains(rs[0].(map[string]any)["text"].(string), "ten minutes") {
		t.Fatalf("search = %v", got)
	}
	// Agents read plain text: no highlight markers, the source and lines.
	res, err := sess.CallTool(ctx, &mcp.CallToolParams{Name: "search_documents", Arguments: map[string]any{"query": "cache", "k": 1}})
	if err != nil || len(res.Content) != 1 {
		t.Fatalf("search: %v %+v", err, res)
	}
	text := res.Content[0].(*mcp.TextContent).Text
	if strings.ContainsAny(text, "\x02\x03") || !strings.Contains(text, "[1] guide.md (document 1, api:guide, lines 1-5)") || !strings.Contains(text, "ten minutes") {
		t.Fatalf("search text %q", text)
	}
	if b, _ := json.Marshal(res.StructuredContent); strings.Contains(string(b), `\u0002`) || !strings.Contains(string(b), "cache") {
		t.Fatalf("structured search result %s", b)
	}
	got = call("read_document", map[string]any{"id": r.Document, "start_line": 4, "end_line": 4})
	if got["text"] != "The cache expires after ten minutes." || got["lines"].(float64) < 5 {
		t.Fatalf("read = %v", got)
	}
	got = call("list_documents", map[string]any{})
	if docsList := got["documents"].([]any); len(docsList) != 1 {
		t.Fatalf("list = %v", got)
	}
	res, err = sess.CallTool(ctx, &mcp.CallToolParams{Name: "read_document", Arguments: map[string]any{"id": 999}})
	if err != nil || !res.IsError {
		t.Fatalf("reading a missing document: %v %+v", err, res)
	}
}

// A model name ending in +docs (or the Ollama tag :docs) grounds the
// answer in the user's documents, for clients that send no extra field.
func TestGroundingAlias(t *testing.T) {
	e, ds, _ := startWithDocs(t)
	ds.Add(context.Background(), "api:guide", "guide.md", []byte("The cache expires after ten minutes.\n"))
	r := e.do(t, "POST", "/v1/chat/completions", `{"model":"echo/echo+docs","messages":[{"role":"user","content":"when does the cache expire?"}]}`, nil)
	var body struct {
		Sidecar struct {
			Citations []docs.Hit `json:"citations"`
		} `json:"sidecar"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || r.StatusCode != 200 {
		t.Fatalf("%d %v", r.StatusCode, err)
	}
	if len(body.Sidecar.Citations) != 1 || body.Sidecar.Citations[0].Title != "guide.md" {
		t.Fatalf("citations %+v", body.Sidecar.Citations)
	}
	tags := decodeMap(t, e.do(t, "GET", "/api/tags", "", nil).Body)
	found := false
	for _, m := range tags["models"].([]any) {
		found = found || m.(map[string]any)["name"] == "echo/echo:docs"
	}
	if !found {
		t.Fatalf("the :docs alias is not listed: %v", tags)
	}
	if r := e.do(t, "POST", "/api/chat", `{"model":"echo/echo:docs","stream":false,"messages":[{"role":"user","content":"cache?"}]}`, nil); r.StatusCode != 200 {
		t.Fatalf("ollama :docs alias: %d", r.StatusCode)
	}
}
