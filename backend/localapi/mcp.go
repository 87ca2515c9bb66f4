package localapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"sidecar/backend/docs"
)

type searchArgs struct {
	Query string `json:"query" jsonschema:"what to look for in the user's documents"`
	K     int    `json:"k,omitempty" jsonschema:"how many excerpts (default 5, at most 20)"`
}

type searchOut struct {
	Results []docs.Hit `json:"results"`
}

type readArgs struct {
	ID        int64 `json:"id" jsonschema:"the document id (from search_documents or list_documents)"`
	StartLine int   `json:"start_line,omitempty" jsonschema:"first line to return (1-based); default 1"`
	EndLine   int   `json:"end_line,omitempty" jsonschema:"last line to return; default the end"`
}

type readOut struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Lines     int    `json:"lines"`
	Text      string `json:"text"`
	Truncated bool   `json:"truncated,omitempty"`
}

type listArgs struct {
	Offset int `json:"offset,omitempty" jsonschema:"documents to skip, to page through a long list; default 0"`
}

type listOut struct {
	Documents []docs.Document `json:"documents"`
	More      bool            `json:"more,omitempty"`
}

// mcpListPage is the most documents one list_documents call returns.
const mcpListPage = 500

// newMCP serves the documents to agents over MCP (streamable HTTP). It
// sits behind the same token, Host and Origin checks as the rest; one
// read_document call returns at most maxRead bytes of text.
func newMCP(d Documents, maxRead int) http.Handler {
	srv := mcp.NewServer(&mcp.Implementation{Name: "sidecar", Version: "1"}, nil)
	mcp.AddTool(srv, &mcp.Tool{Name: "search_documents", Description: "Search the user's documents (notes, docs, code) and return the best excerpts with their source and line range."},
		func(ctx context.Context, _ *mcp.CallToolRequest, in searchArgs) (*mcp.CallToolResult, searchOut, error) {
			if strings.TrimSpace(in.Query) == "" {
				return nil, searchOut{}, fmt.Errorf("query is required")
			}
			k := in.K
			if k <= 0 || k > 20 {
				k = 5
			}
			hits, err := d.Search(ctx, in.Query, docs.SearchOptions{K: k})
			if err != nil {
				return nil, searchOut{}, fmt.Errorf("search failed: %s", publicMessage(err))
			}
			return searchResult(hits), searchOut{Results: hits}, nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "read_document", Description: fmt.Sprintf("Read a document of the user's, whole or a range of lines. "+
		"At most %d KiB of text come back at once: when truncated is true, call again with start_line set to end_line + 1.", maxRead>>10)},
		func(ctx context.Context, _ *mcp.CallToolRequest, in readArgs) (*mcp.CallToolResult, readOut, error) {
			f, err := d.Get(ctx, in.ID)
			if err != nil {
				return nil, readOut{}, fmt.Errorf("no document %d", in.ID)
			}
			lines := strings.Split(f.Text, "\n")
			start, end := in.StartLine, in.EndLine
			if start < 1 {
				start = 1
			}
			if end < 1 || end > len(lines) {
				end = len(lines)
			}
			if start > end {
				return nil, readOut{}, fmt.Errorf("start_line %d is past the end (%d lines)", start, len(lines))
			}
			text, end, cut := linesWithin(lines, start, end, maxRead)
			return nil, readOut{ID: f.ID, Title: f.Title, Source: f.Source, StartLine: start, EndLine: end, Lines: len(lines),
				Text: text, Truncated: cut}, nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "list_documents", Description: fmt.Sprintf("List the user's documents with their ids, "+
		"%d at a time: when more is true, call again with offset increased by %d.", mcpListPage, mcpListPage)},
		func(ctx context.Context, _ *mcp.CallToolRequest, in listArgs) (*mcp.CallToolResult, listOut, error) {
			list, err := d.List(ctx)
			if err != nil {
				return nil, listOut{}, fmt.Errorf("listing failed: %s", publicMessage(err))
			}
			list = list[min(max(in.Offset, 0), len(list)):]
			more := len(list) > mcpListPage
			return nil, listOut{Documents: list[:min(len(list), mcpListPage)], More: more}, nil
		})
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
}

func (s *Server) serveMCP(w http.ResponseWriter, r *http.Request) {
	if s.mcp == nil {
		writeError(w, http.StatusNotFound, "not_found_error", "documents_unavailable", "documents are not available on this server")
		return
	}
	if r.Method != http.MethodPost {
		s.mcp.ServeHTTP(w, r)
		return
	}
	r, ok := s.admitMCP(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), mcpTimeout)
	defer cancel()
	cw := &cappedWriter{w: w, limit: s.cfg.MaxMCPResponse}
	s.mcp.ServeHTTP(cw, r.WithContext(ctx))
	cw.finish()
}

// linesWithin joins lines[start-1:end] (1-based, inclusive), ending early
// at a line boundary so the text stays within max bytes; a single line
// longer than max is cut. It returns the text, the last line included and
// whether anything was left out.
func linesWithin(lines []string, start, end, max int) (string, int, bool) {
	n, last := 0, start-1
	for last < end && n+len(lines[last]) <= max {
		n += len(lines[last]) + 1
		last++
	}
	if last == start-1 {
		first := lines[start-1]
		cut := max
		for cut > 0 && !utf8.RuneStart(first[cut]) {
			cut--
		}
		return first[:cut], start, true
	}
	return strings.Join(lines[start-1:last], "\n"), last, last < end
}
