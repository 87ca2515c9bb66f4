package session

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite frontend/src/events.gen.ts from EventTable")

// eventsFile renders the frontend's event names from EventTable.
func eventsFile() string {
	var b strings.Builder
	b.WriteString("// Generated from backend/session/events.go by `go test ./backend/session -run TestEventNamesFile -update`.\n")
	b.WriteString("// Do not edit: change the table there.\n")
	// The namespaces of the payload types, as the generated bindings name them.
	seen := map[string]bool{}
	var spaces []string
	for _, e := range EventTable {
		if ns, _, ok := strings.Cut(e.Payload, "."); ok && !seen[ns] {
			seen[ns] = true
			spaces = append(spaces, ns)
		}
	}
	sort.Strings(spaces)
	fmt.Fprintf(&b, "import type { %s } from './wailsjs/go/models';\n\n", strings.Join(spaces, ", "))
	b.WriteString("export const eventNames = {\n")
	for _, e := range EventTable {
		fmt.Fprintf(&b, "  %s: '%s',\n", e.Key, e.Name)
	}
	b.WriteString("} as const;\n\n")
	b.WriteString("/** The payload of each event (undefined: the event carries none). */\n")
	b.WriteString("export interface EventPayload {\n")
	for _, e := range EventTable {
		p := e.Payload
		if p == "" {
			p = "undefined"
		}
		fmt.Fprintf(&b, "  %s: %s;\n", e.Key, p)
	}
	b.WriteString("}\n")
	return b.String()
}

// TestEventNamesFile keeps the frontend's event names generated from the
// one Go table: it fails when the file differs from what the table says.
func TestEventNamesFile(t *testing.T) {
	path := filepath.Join("..", "..", "frontend", "src", "events.gen.ts")
	want := eventsFile()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("%s is out of date: run go test ./backend/session -run TestEventNamesFile -update", path)
	}
	seen := map[string]bool{}
	for _, e := range EventTable {
		if seen[e.Name] || seen[e.Key] {
			t.Errorf("event %s/%s listed twice", e.Key, e.Name)
		}
		seen[e.Name], seen[e.Key] = true, true
	}
}
