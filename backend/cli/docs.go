package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"sidecar/backend/docs"
	"sidecar/backend/store"
	"sidecar/backend/termtext"
)

// docsCommands returns the document commands (docs add/list/rm/search).
func docsCommands() []Command {
	return []Command{{
		Name:    "docs",
		Usage:   "sidecar docs add PATH... | list | rm ID | search QUERY [--k N] [--json]",
		Summary: "add, list, remove and search your documents",
		Run:     runDocs,
	}}
}

func runDocs(ctx context.Context, env Env) error {
	if len(env.Args) == 0 {
		return fmt.Errorf("%w: docs needs a subcommand: add, list, rm or search", ErrUsage)
	}
	sub, args := env.Args[0], env.Args[1:]
	s, err := openSession(ctx, nil, false)
	if err != nil {
		return err
	}
	defer s.Close()
	svc, err := s.Docs()
	if err != nil {
		return err
	}
	switch sub {
	case "add":
		return docsAdd(ctx, svc, args, env.Stdout)
	case "list", "ls":
		return docsList(ctx, svc, env.Stdout)
	case "rm", "remove", "delete":
		if len(args) != 1 {
			return fmt.Errorf("%w: docs rm takes one document ID (see docs list)", ErrUsage)
		}
		id, err := strconv.ParseInt(args[0], 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("%w: %q is not a document ID", ErrUsage, args[0])
		}
		if err := svc.Delete(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "removed document %d\n", id)
		return nil
	case "search":
		return docsSearch(ctx, svc, args, env.Stdout)
	}
	return fmt.Errorf("%w: unknown docs subcommand %q", ErrUsage, sub)
}

func docsAdd(ctx context.Context, svc *docs.Service, paths []string, out io.Writer) error {
	if len(paths) == 0 {
		return fmt.Errorf("%w: docs add needs at least one file or folder", ErrUsage)
	}
	last := time.Time{}
	results, err := svc.AddPaths(ctx, paths, func(p docs.Progress) {
		if time.Since(last) > 500*time.Millisecond && p.FilesTotal > 0 {
			last = time.Now()
			fmt.Fprintf(out, "\r%d/%d files, %d chunks", p.Files, p.FilesTotal, p.Chunks)
		}
	})
	if !last.IsZero() {
		fmt.Fprintln(out)
	}
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Outcome]++
		if r.Outcome == docs.Skipped {
			fmt.Fprintf(out, "skipped %s: %s\n", termtext.Line(r.Source), termtext.Line(r.Reason))
		}
	}
	fmt.Fprintf(out, "%d added, %d updated, %d unchanged, %d skipped\n", counts[docs.Added], counts[docs.Updated], counts[docs.Unchanged], counts[docs.Skipped])
	return err
}

func docsList(ctx context.Context, svc *docs.Service, out io.Writer) error {
	list, err := svc.List(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(out, "no documents yet: add some with `sidecar docs add PATH`")
		return nil
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSIZE\tCHUNKS\tSOURCE")
	for _, d := range list {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\n", d.ID, termtext.Line(d.Kind), d.Size, d.Chunks, termtext.Line(d.Source))
	}
	return tw.Flush()
}

// searchHit is one line of `docs search --json`.
type searchHit struct {
	Document struct {
		ID     int64  `json:"id"`
		Title  string `json:"title"`
		Source string `json:"source"`
	} `json:"document"`
	Chunk struct {
		ID        int64  `json:"id"`
		LineStart int    `json:"line_start"`
		LineEnd   int    `json:"line_end"`
		Heading   string `json:"heading"`
	} `json:"chunk"`
	Score float64 `json:"score"`
	Text  string  `json:"text"`
}

func docsSearch(ctx context.Context, svc *docs.Service, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("docs search", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	k := fs.Int("k", 5, "number of results")
	asJSON := fs.Bool("json", false, "print JSON")
	// Flags may come before or after the query words.
	var words []string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("%w: %v", ErrUsage, err)
		}
		args = fs.Args()
		if len(args) > 0 {
			words = append(words, args[0])
			args = args[1:]
		}
	}
	query := strings.Join(words, " ")
	if strings.TrimSpace(query) == "" {
		return fmt.Errorf("%w: docs search needs a query", ErrUsage)
	}
	if *k < 1 || *k > 100 {
		return fmt.Errorf("%w: --k must be 1 to 100", ErrUsage)
	}
	hits, err := svc.Search(ctx, query, docs.SearchOptions{K: *k})
	if err != nil {
		return err
	}
	if *asJSON {
		list := make([]searchHit, len(hits))
		for i, h := range hits {
			list[i].Document.ID, list[i].Document.Title, list[i].Document.Source = h.DocumentID, h.Title, h.Source
			list[i].Chunk.ID, list[i].Chunk.LineStart, list[i].Chunk.LineEnd, list[i].Chunk.Heading = h.ChunkID, h.LineStart, h.LineEnd, h.Heading
			list[i].Score, list[i].Text = h.Score, h.Text
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(hits) == 0 {
		fmt.Fprintln(out, "no matches")
	}
	for i, h := range hits {
		snip := strings.NewReplacer(store.MarkStart, "**", store.MarkEnd, "**").Replace(h.Snippet)
		fmt.Fprintf(out, "%d. %s:%d-%d", i+1, termtext.Line(h.Source), h.LineStart, h.LineEnd)
		if h.Heading != "" {
			fmt.Fprintf(out, "  (%s)", termtext.Line(h.Heading))
		}
		fmt.Fprintf(out, "\n   %s\n\n", strings.ReplaceAll(termtext.Block(snip), "\n", "\n   "))
	}
	return nil
}
