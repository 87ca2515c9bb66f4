package localapi

// Attacks on the running API, each against a real server on 127.0.0.1,
// asserting the bound that defeats it.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// mcpBatch is a JSON-RPC batch of n search_documents calls, as the attack
// sent it (no protocol version header: the SDK then allows batches).
func mcpBatch(n int) string {
	calls := make([]string, n)
	for i := range calls {
		calls[i] = fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"search_documents","arguments":{"query":"cache expiry worker %d","k":20}}}`, i+1, i)
	}
	return "[" + strings.Join(calls, ",") + "]"
}

// postMCP sends body to /mcp as an MCP client does and returns the answer
// (read to the end, at most 64 MiB) and how long it took.
func postMCP(t *testing.T, e *env, body string) (*http.Response, []byte, time.Duration) {
	t.Helper()
	began := time.Now()
	r := e.do(t, "POST", "/mcp", body, map[string]string{"Accept": "application/json, text/event-stream"})
	b, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		t.Fatal(err)
	}
	return r, b, time.Since(began)
}

func TestHostileMCPBatch(t *testing.T) {
	e, ds, _ := startWithDocs(t)
	ctx := context.Background()
	for i := 0; i < 10; i++ {
		text := fmt.Sprintf("# Note %d\n\n%s\n", i, strings.Repeat(fmt.Sprintf("The cache expires after %d minutes; restart the worker. ", i), 20))
		if _, err := ds.Add(ctx, "api:note", fmt.Sprintf("note %d", i), []byte(text)); err != nil {
			t.Fatal(err)
		}
	}

	// The attack: 2,000 calls in one POST (about 300 KiB) is refused whole,
	// at once, with a short answer.
	attack := mcpBatch(2000)
	if len(attack) < 250<<10 {
		t.Fatalf("the attack body is %d bytes, smaller than the one reported", len(attack))
	}
	r, b, took := postMCP(t, e, attack)
	if r.StatusCode != 400 || !strings.Contains(string(b), "batch_too_large") || !strings.Contains(string(b), "at most 8") {
		t.Fatalf("2,000-call batch: %d %s", r.StatusCode, b)
	}
	if len(b) > 1024 || took > 10*time.Second {
		t.Fatalf("refusing the batch took %v and %d bytes", took, len(b))
	}
	t.Logf("2,000-call batch refused in %v with %d bytes", took, len(b))

	// A batch within the limit is served, each call answered.
	r, b, took = postMCP(t, e, mcpBatch(8))
	var answers []struct {
		ID     int `json:"id"`
		Result struct {
			IsError bool `json:"isError"`
		} `json:"result"`
	}
	if err := json.Unmarshal(b, &answers); r.StatusCode != 200 || err != nil || len(answers) != 8 || answers[0].Result.IsError {
		t.Fatalf("8-call batch: %d %v %.300s", r.StatusCode, err, b)
	}
	if int64(len(b)) > e.srv.cfg.MaxMCPResponse {
		t.Fatalf("answer of %d bytes is over the cap", len(b))
	}
	t.Logf("8-call batch answered in %v with %d bytes", took, len(b))
}

// Protocol versions from 2025-06-18 on have no batches at all.
func TestMCPBatchRefusedFromProtocol20250618(t *testing.T) {
	e, _, _ := startWithDocs(t)
	r := e.do(t, "POST", "/mcp", mcpBatch(2), map[string]string{"Accept": "application/json, text/event-stream", "Mcp-Protocol-Version": "2025-06-18"})
	b, _ := io.ReadAll(r.Body)
	if r.StatusCode != 400 || !strings.Contains(string(b), "batching is not supported") {
		t.Fatalf("batch under 2025-06-18: %d %s", r.StatusCode, b)
	}
}

func TestHostileMCPBatchPaysPerCall(t *testing.T) {
	e, _, _ := startWithDocsConfig(t, Config{RatePerMinute: 1, Burst: 20}) // 20 at once, then one a minute
	for i, want := range []int{200, 200, 429} {
		r, b, _ := postMCP(t, e, mcpBatch(8))
		if r.StatusCode != want {
			t.Fatalf("batch %d: %d, want %d: %.300s", i+1, r.StatusCode, want, b)
		}
		if want == 429 && r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
	}
	// 20 - 8 - 8 - 1 (the refused request itself) = 3 left: a refused
	// batch spends no more than its request, so single calls still pass.
	single := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_documents","arguments":{}}}`
	for i, want := range []int{200, 200, 200, 429} {
		if r, b, _ := postMCP(t, e, single); r.StatusCode != want {
			t.Fatalf("single call %d: %d, want %d: %.300s", i+1, r.StatusCode, want, b)
		}
	}
}

func TestHostileMCPAnswerCap(t *testing.T) {
	const maxRead = 32 << 10
	e, ds, _ := startWithDocsConfig(t, Config{MaxReadBytes: maxRead, MaxMCPResponse: 128 << 10})
	ctx := context.Background()
	line := strings.Repeat("a long line of the user's notes ", 4) + "\n" // 129 bytes
	big := "# Big\n" + strings.Repeat(line, 800)                         // about 100 KiB
	res, err := ds.Add(ctx, "api:big", "big", []byte(big))
	if err != nil {
		t.Fatal(err)
	}
	read := func(i int) string {
		return fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"read_document","arguments":{"id":%d}}}`, i, res.Document)
	}

	// One call returns at most MaxReadBytes of text, whole lines, and says
	// where to go on.
	r, b, _ := postMCP(t, e, read(1))
	var one struct {
		Result struct {
			StructuredContent readOut `json:"structuredContent"`
		} `json:"result"`
	}
	if err := json.Unmarshal(b, &one); r.StatusCode != 200 || err != nil {
		t.Fatalf("read: %d %v %.300s", r.StatusCode, err, b)
	}
	got := one.Result.StructuredContent
	if !got.Truncated || len(got.Text) > maxRead || len(got.Text) < maxRead-len(line) ||
		got.Text != strings.Join(strings.Split(big, "\n")[:got.EndLine], "\n") {
		t.Fatalf("read: truncated=%v end_line=%d, %d bytes", got.Truncated, got.EndLine, len(got.Text))
	}

	// Eight such calls at once would pass 256 KiB: over the 128 KiB cap
	// the answer is replaced by a short error.
	calls := make([]string, 8)
	for i := range calls {
		calls[i] = read(i + 1)
	}
	r, b, _ = postMCP(t, e, "["+strings.Join(calls, ",")+"]")
	if r.StatusCode != 500 || len(b) > 1024 || !strings.Contains(string(b), "answer_too_large") {
		t.Fatalf("oversized answer: %d %.300s (%d bytes)", r.StatusCode, b, len(b))
	}
}

func TestLinesWithin(t *testing.T) {
	lines := []string{"aaaa", "bbbb", "cccc", "dd"}
	for _, tc := range []struct {
		start, end, max int
		text            string
		last            int
		cut             bool
	}{
		{1, 4, 100, "aaaa\nbbbb\ncccc\ndd", 4, false},
		{1, 4, 9, "aaaa\nbbbb", 2, true},
		{2, 3, 9, "bbbb\ncccc", 3, false},
		{1, 4, 3, "aaa", 1, true},
		{4, 4, 2, "dd", 4, false},
	} {
		text, last, cut := linesWithin(lines, tc.start, tc.end, tc.max)
		if text != tc.text || last != tc.last || cut != tc.cut {
			t.Errorf("linesWithin(%d, %d, %d) = %q %d %v, want %q %d %v", tc.start, tc.end, tc.max, text, last, cut, tc.text, tc.last, tc.cut)
		}
	}
	// A cut never splits a character.
	if text, _, _ := linesWithin([]string{"ééé"}, 1, 1, 3); text != "é" {
		t.Errorf("cut inside a rune: %q", text)
	}
}

func TestCountMessages(t *testing.T) {
	for body, want := range map[string]int{
		`{"jsonrpc":"2.0"}`:      1,
		`  [{"a":1}, {"b":[2]}]`: 2,
		`[]`:                     0,
		`[1,2,3,4,5,6,7,8,9,10]`: 5, // stops counting at 5
		`[{"a":`:                 0,
		``:                       1,
	} {
		if got := countMessages([]byte(body), 5); got != want {
			t.Errorf("countMessages(%q) = %d, want %d", body, got, want)
		}
	}
}
