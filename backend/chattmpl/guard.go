package chattmpl

import (
	"fmt"
	"strings"

	"github.com/ardanlabs/jinja"
)

// The engine has no limit on macro recursion, and real templates recurse
// (over nested JSON schemas), so every macro body is bracketed with calls
// that count the nesting; see guardMacros.
const (
	guardEnterName = "sidecar_macro_enter"
	guardLeaveName = "sidecar_macro_leave"
)

func (b *budget) enter([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	b.depth++
	if b.depth > maxMacroDepth {
		return jinja.Undefined(), b.fail("recursion", "macro calls nested more than %d deep", maxMacroDepth)
	}
	return jinja.NewBool(false), nil
}

func (b *budget) leave([]jinja.Value, map[string]jinja.Value) (jinja.Value, error) {
	b.depth--
	return jinja.NewBool(false), nil
}

// rangeFn is Python's range with a budget on the items made per render.
func (b *budget) rangeFn(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	var n [3]int64
	for i, a := range args {
		if i >= 3 || !a.IsInt() {
			return jinja.Undefined(), fmt.Errorf("range: expected 1 to 3 integers")
		}
		n[i] = a.AsInt()
	}
	start, stop, step := int64(0), n[0], int64(1)
	switch len(args) {
	case 0:
		return jinja.Undefined(), fmt.Errorf("range: expected 1 to 3 integers")
	case 2:
		start, stop = n[0], n[1]
	case 3:
		start, stop, step = n[0], n[1], n[2]
	}
	if step == 0 {
		return jinja.Undefined(), fmt.Errorf("range: step must not be zero")
	}
	var count uint64
	if step > 0 && stop > start {
		count = (uint64(stop-start) + uint64(step) - 1) / uint64(step)
	} else if step < 0 && stop < start {
		count = (uint64(start-stop) + uint64(-step) - 1) / uint64(-step)
	}
	if count > uint64(maxRangeItems-b.rangeItems) {
		return jinja.Undefined(), b.fail("range", "range: more than %d items in one render", maxRangeItems)
	}
	b.rangeItems += int(count)
	if err := b.made(int64(count) * itemBytes); err != nil {
		return jinja.Undefined(), err
	}
	items := make([]jinja.Value, count)
	for i := range items {
		items[i] = jinja.NewInt(start + int64(i)*step)
	}
	return jinja.NewList(items), nil
}

// guardMacros rewrites every {% macro %} ... {% endmacro %} so its body
// starts and ends with a block that calls the depth guard. The inserted
// blocks output nothing and take over the whitespace control of the tags
// they sit beside, so the rendered text is unchanged.
func guardMacros(src string) (string, error) {
	var b strings.Builder
	i := 0
	for {
		open := strings.Index(src[i:], "{")
		if open < 0 || i+open+1 >= len(src) {
			b.WriteString(src[i:])
			return b.String(), nil
		}
		at := i + open
		kind := src[at+1]
		if kind != '%' && kind != '{' && kind != '#' {
			b.WriteString(src[i : at+1])
			i = at + 1
			continue
		}
		end, err := tagEnd(src, at, kind)
		if err != nil {
			return "", err
		}
		b.WriteString(src[i:at])
		tag := src[at:end]
		if kind != '#' {
			tag = rewriteToJSON(tag)
		}
		if kind == '%' {
			tag = guardTag(tag)
		}
		b.WriteString(tag)
		i = end
		if kind == '%' && tagWord(src[at:end]) == "raw" {
			stop := strings.Index(src[i:], "endraw")
			if stop < 0 {
				return "", fmt.Errorf("chattmpl: raw block never closed")
			}
			b.WriteString(src[i : i+stop])
			i += stop
		}
	}
}

// tagEnd returns the index just past the tag opened at src[at], skipping
// quoted strings inside statements and expressions.
func tagEnd(src string, at int, kind byte) (int, error) {
	closer := map[byte]string{'%': "%}", '{': "}}", '#': "#}"}[kind]
	for j := at + 2; j < len(src); j++ {
		c := src[j]
		if kind != '#' && (c == '\'' || c == '"') {
			j++
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			continue
		}
		if strings.HasPrefix(src[j:], closer) {
			return j + 2, nil
		}
	}
	return 0, fmt.Errorf("chattmpl: tag at byte %d never closed", at)
}

// tagWord is a statement's first word.
func tagWord(tag string) string {
	body := strings.TrimLeft(tag[2:], "-+ \t\r\n")
	end := strings.IndexFunc(body, func(r rune) bool { return !(r == '_' || r >= 'a' && r <= 'z') })
	if end < 0 {
		return body
	}
	return body[:end]
}

func guardTag(tag string) string {
	switch tagWord(tag) {
	case "macro":
		closeTrim := strings.HasSuffix(tag, "-%}")
		if closeTrim {
			tag = tag[:len(tag)-3] + "%}"
		}
		return tag + "{% if " + guardEnterName + "() %}{% endif " + trimMark(closeTrim) + "%}"
	case "endmacro":
		openTrim := strings.HasPrefix(tag, "{%-")
		if openTrim {
			tag = "{%" + tag[3:]
		}
		return "{%" + trimMark(openTrim) + " if " + guardLeaveName + "() %}{% endif %}" + tag
	}
	return tag
}

func trimMark(on bool) string {
	if on {
		return "-"
	}
	return ""
}

// bracketDepth is the deepest nesting of brackets in the text (the
// engine's parser recurses on each).
func bracketDepth(src string) int {
	depth, deepest := 0, 0
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '(', '[', '{':
			depth++
			deepest = max(deepest, depth)
		case ')', ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return deepest
}
