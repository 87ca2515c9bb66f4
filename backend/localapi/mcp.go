package localapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"

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
}

type listArgs struct{}

type listOut struct {
	Documents []docs.Document `json:"documents"`
}

// newMCP serves the documents to agents over MCP (streamable HTTP). It
// sits behind the same token, Host and Origin checks as the rest.
func newMCP(d Documents) http.Handler {
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
	mcp.AddTool(srv, &mcp.Tool{Name: "read_document", Description: "Read a document of the user's, whole or a range of lines."},
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
			return nil, readOut{ID: f.ID, Title: f.Title, Source: f.Source, StartLine: start, EndLine: end, Lines: len(lines),
				Text: strings.Join(lines[start-1:end], "\n")}, nil
		})
	mcp.AddTool(srv, &mcp.Tool{Name: "list_documents", Description: "List the user's documents with their ids."},
		func(ctx context.Context, _ *mcp.CallToolRequest, _ listArgs) (*mcp.CallToolResult, listOut, error) {
			list, err := d.List(ctx)
			if err != nil {
				return nil, listOut{}, fmt.Errorf("listing failed: %s", publicMessage(err))
			}
			return nil, listOut{Documents: list}, nil
		})
	return mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
}

func (s *Server) serveMCP(w http.ResponseWriter, r *http.Request) {
	if s.mcp == nil {
		writeError(w, http.StatusNotFound, "not_found_error", "documents_unavailable", "documents are not available on this server")
		return
	}
	s.mcp.ServeHTTP(w, r)
}
