package chattmpl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ardanlabs/jinja"
)

// hostileTemplates each try to exhaust memory or time; every one must
// stop at a limit. They are rendered in a child process whose heap is
// measured by TestHostileTemplatesStayInMemory.
var hostileTemplates = map[string]string{
	"repeat":                      `{{ 'x' * 3000000000 }}`,
	"repeat in a variable":        `{% set n = 3000000 %}{% set s = 'abcd' * n %}{{ (s * n)|length }}`,
	"doubling with ~":             `{% set s = 'ab' %}{% for i in range(60) %}{% set s = s ~ s %}{% endfor %}{{ s|length }}`,
	"doubling with +":             `{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s|length }}`,
	"doubling a list":             `{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}`,
	"doubling with join":          `{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = [ns.s, ns.s]|join %}{% endfor %}{{ ns.s|length }}`,
	"join separator":              `{{ range(1000)|join('x' * 1000000) }}`,
	"replace":                     `{% set s = 'a' * 100000 %}{{ s|replace('a', s)|length }}`,
	"replace method":              `{% set s = 'a' * 100000 %}{{ s.replace('a', s)|length }}`,
	"format":                      `{{ ('{0}' * 50000).format('x' * 100000)|length }}`,
	"indent":                      `{{ ('a\n' * 100000)|indent(1000000)|length }}`,
	"indent block":                `{% set ns = namespace(s='a\nb') %}{% for i in range(40) %}{% set ns.s = ns.s|indent(ns.s|length, true) %}{% endfor %}{{ ns.s|length }}`,
	"list of characters":          `{% set s = 'x' * 10000000 %}{{ (s|list)|length }}`,
	"split":                       `{% set s = ',' * 10000000 %}{{ s.split(',')|length }}`,
	"loop over characters":        `{% set s = 'x' * 10000000 %}{% for c in s %}{% endfor %}`,
	"huge range":                  `{% for i in range(1000000000000) %}x{% endfor %}`,
	"nested loops":                `{% set s = 'x' * 1000 %}{% for a in s %}{% for b in s %}{% for c in s %}{% endfor %}{% endfor %}{% endfor %}`,
	"output in a loop":            `{% set s = 'x' * 1000000 %}{% for c in s %}{{ s }}{% endfor %}`,
	"set block doubling":          `{% set s = 'ab' %}{% for i in range(60) %}{% set s %}{{ s }}{{ s }}{% endset %}{% endfor %}{{ s|length }}`,
	"shared list printed":         `{% set ns = namespace(l=['x' * 1000]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}`,
	"shared list compared":        `{% set ns = namespace(l=['x'], m=['x']) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% set ns.m = [ns.m, ns.m] %}{% endfor %}{{ ns.l == ns.m }}`,
	"shared list tojson":          `{% set ns = namespace(l=['x' * 1000]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l|tojson }}`,
	"list containing itself":      `{% set l = [1] %}{% set _ = l.append(l) %}{{ l }}`,
	"namespace holding itself":    `{% set ns = namespace(a=1) %}{% set ns.me = ns %}{{ ns }}`,
	"kept values":                 `{% set l = [] %}{% for i in range(100000) %}{% set _ = l.append('x' * 1000000 ~ i) %}{% endfor %}{{ l|length }}`,
	"recursion":                   `{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}`,
	"wide recursion":              `{% macro f(n) %}{% if n < 60 %}{{ f(n + 1) }}{{ f(n + 1) }}{% endif %}{% endmacro %}{{ f(0) }}`,
	"fromjson":                    `{{ ('[' ~ ('[],' * 3000000) ~ '1]')|fromjson|length }}`,
	"tojson indent":               `{{ range(1000)|list|tojson(indent='x' * 10000000) }}`,
	"escape":                      `{{ ('"' * 10000000)|e|length }}`,
	"upper":                       `{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = (ns.s ~ ns.s)|upper %}{% endfor %}`,
	"filter block":                `{% set s = 'x' * 10000000 %}{% filter list %}{{ s }}{% endfilter %}`,
	"dict keys":                   `{% set ns = namespace(l=['x' * 1000]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ {ns.l: 1} }}`,
	"indexing a long string":      `{% set s = 'x' * 10000000 %}{% for i in range(1000000) %}{% if s[5] == 'y' %}{% endif %}{% endfor %}`,
	"scanning a long string":      `{% set s = 'x' * 10000000 %}{% for i in range(1000000) %}{% if s.count('y') %}{% endif %}{% endfor %}`,
	"comparing long strings":      `{% set s = 'x' * 10000000 %}{% set t = 'x' * 10000000 %}{% for i in range(1000000) %}{% if s == t %}{% endif %}{% endfor %}`,
	"call block printing a value": `{% set ns = namespace(l=['x' * 1000]) %}{% for i in range(60) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{% call dict(a=ns.l) %}{% endcall %}`,
	"large literal in a loop":     `{% for a in range(1000) %}{% for b in range(1000) %}{% set l = [` + strings.Repeat("a, ", 2000) + `b] %}{% endfor %}{% endfor %}`,
	"large loop filter":           `{% for a in range(1000) %}{% for b in range(1000) if ` + strings.Repeat("b and ", 2000) + `b %}{% endfor %}{% endfor %}`,
	"strftime":                    `{{ strftime_now('%A' * 8000000)|length }}`,
	"call block":                  `{% macro m() %}{% for i in range(100000) %}{{ caller() }}{% endfor %}{% endmacro %}{% call m() %}{{ 'x' * 10000 }}{% endcall %}`,
}

func TestHostileTemplatesStopAtALimit(t *testing.T) {
	for name := range spinning {
		if _, ok := hostileTemplates[name]; !ok {
			t.Fatalf("spinning names %q, which is not a hostile template", name)
		}
	}
	for name, src := range hostileTemplates {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tmpl, err := Parse(src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.Render(Input{Messages: []Message{{Role: "user", Content: "hi"}}})
			var le *LimitError
			if !errors.Is(err, ErrLimit) || !errors.As(err, &le) {
				t.Fatalf("got %v, want a limit error", err)
			}
			t.Logf("%v", err)
		})
	}
}

// The engine sizes a slice by the positions asked for; here only those
// inside the list are visited.
func TestSliceFarOutside(t *testing.T) {
	got, err := render(t, `{% set l = [1, 2, 3] %}{{ l[-1000000000000:1000000000000:2] }}{{ l[1000000000000:-1000000000000:-3] }}`, Input{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[2][2]"; got != want { // the engine's answers (Python's are [1, 3] and [3])
		t.Fatalf("got %q, want %q", got, want)
	}
}

// The checked operations compute what the engine computes: each
// expression renders the same through the checks as through the bare
// engine.
func TestCheckedOperationsMatchTheEngine(t *testing.T) {
	operands := []string{"'ab'", "''", "3", "-2", "2.5", "True", "None", "[1, 'a']", "[]", "{'k': [1]}", "'7'", "'1.5x'", "undefined_name"}
	var exprs []string
	for _, a := range operands {
		for _, b := range operands {
			for _, op := range []string{"~", "+", "*"} {
				if op == "*" && b == "-2" && strings.HasPrefix(a, "'") {
					continue // the engine panics (strings.Repeat); the check refuses
				}
				exprs = append(exprs, a+" "+op+" "+b)
			}
		}
	}
	parts := []string{"", "-7", "-3", "-1", "0", "2", "4", "9"}
	for _, obj := range []string{"[1, 2, 3, 4, 5]", "'héllo'", "'hello'", "{'a': 1}"} {
		for _, a := range parts {
			for _, o := range parts {
				for _, p := range []string{"-3", "-2", "-1", "0", "1", "2"} {
					exprs = append(exprs, obj+"["+a+":"+o+"]", obj+"["+a+":"+o+":"+p+"]")
				}
			}
		}
	}
	exprs = append(exprs, "'a-b-c'.split('-')", "'a b'.split()", "'x{}y{0}'.format(1, 2)", "'{1}{0}'.format('a', 'b')",
		"'aXbX'.replace('X', 'yy')", "'aXbX'.replace('X', 'yy', 1)", "'a\nb'|indent(2)", "'a\nb'|indent(2, true)",
		"[1, 2]|join('-')", "'abc'|list", "'<&>'|e", "{'b': 1, 'a': 2}|dictsort", "[3, 1]|sort", "'x'|replace('x', 'yz')")
	var src strings.Builder
	for i, e := range exprs {
		fmt.Fprintf(&src, "{%% set v%d = %s %%}[{{ v%d }}]\n", i, e, i)
	}
	plain, err := jinja.Compile(src.String())
	if err != nil {
		t.Fatal(err)
	}
	want, err := plain.Render(nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := render(t, src.String(), Input{})
	if err != nil {
		t.Fatal(err)
	}
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	if len(w) != len(g) {
		t.Fatalf("%d lines, want %d", len(g), len(w))
	}
	for i := range w {
		if w[i] != g[i] {
			t.Errorf("%s: got %s, the engine gives %s", exprs[i], g[i], w[i])
		}
	}
}

func TestRenderStopsWithItsContext(t *testing.T) {
	tmpl, err := Parse(`{% for a in range(1000) %}{% for b in messages %}{{ b.content }}{% endfor %}{% endfor %}`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = tmpl.RenderContext(ctx, Input{Messages: []Message{{Role: "user", Content: "hi"}}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// Every filter goes through the checks: a name that is not one of the
// engine's filters is unknown, even a macro's the engine would take.
func TestOnlyTheEnginesFilters(t *testing.T) {
	_, err := render(t, `{% macro twice(s) %}{{ s }}{{ s }}{% endmacro %}{{ 'a'|twice }}`, Input{})
	if err == nil || !strings.Contains(err.Error(), `unknown filter "twice"`) {
		t.Fatalf("got %v, want an unknown filter", err)
	}
}

// Parse renders a probe conversation to find a template's capabilities,
// with a small budget: a template that spins costs Parse little, and
// still gets its full budget for a conversation.
func TestProbeRenderIsSmall(t *testing.T) {
	src := `{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}{{ tools[0].function.name }}`
	tmpl, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.Capabilities().Tools {
		t.Fatal("the probe render went past its steps and still found the tool")
	}
	tool := json.RawMessage(`{"type":"function","function":{"name":"f","parameters":{}}}`)
	got, err := tmpl.Render(Input{Tools: []json.RawMessage{tool}})
	if err != nil || got != "f" {
		t.Fatalf("got %q, %v", got, err)
	}
	const spun = 1000 * 1000
	if spun <= probeSteps {
		t.Fatalf("the template spins %d steps, within the probe's %d", spun, probeSteps)
	}
}

func TestReservedNamesAreRefused(t *testing.T) {
	for _, src := range []string{`{{ __filter_indent('x', 1000000000) }}`, `{% set sidecar_emit = 1 %}`, `{{ sidecar_macro_leave() }}`} {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), "reserved") {
			t.Errorf("%s: got %v, want refused", src, err)
		}
	}
}
