package localapi

import (
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"sidecar/backend/docs"
	"sidecar/backend/store"
)

// plainSnippet removes the search's highlight markers from a snippet.
func plainSnippet(s string) string {
	return strings.NewReplacer(store.MarkStart, "", store.MarkEnd, "").Replace(s)
}

// searchResult gives agents the hits as plain text, each with its source
// and line range, and cleans the snippets of the structured result too.
func searchResult(hits []docs.Hit) *mcp.CallToolResult {
	var sb strings.Builder
	if len(hits) == 0 {
		sb.WriteString("No excerpt of the user's documents matches.")
	}
	for i := range hits {
		h := &hits[i]
		h.Snippet = plainSnippet(h.Snippet)
		if i > 0 {
			sb.WriteString("\n\n")
		}
		fmt.Fprintf(&sb, "[%d] %s (document %d, %s, lines %d-%d)\n", i+1, h.Title, h.DocumentID, h.Source, h.LineStart, h.LineEnd)
		if h.Heading != "" {
			fmt.Fprintf(&sb, "Section: %s\n", h.Heading)
		}
		sb.WriteString(strings.TrimSpace(h.Text))
	}
	return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: sb.String()}}}
}
