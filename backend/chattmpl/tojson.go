package chattmpl

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/ardanlabs/jinja"
)

// The engine's tojson filter differs from the one Hugging Face installs
// (Python's json.dumps): with indent it sorts keys and escapes HTML, it
// ignores ensure_ascii, and it prints floats the Go way. Filters cannot
// be replaced, so Parse rewrites "X | tojson(args)" into a call of this
// function, "sidecar_tojson(X, args)", wherever X is a plain operand
// (names, attributes, subscripts, calls and filters chained on them).
const toJSONName = "sidecar_tojson"

// errJSONTooLong stops an encoding that went past its limit.
var errJSONTooLong = errors.New("tojson: text too long")

func isTooLong(err error) bool { return errors.Is(err, errJSONTooLong) }

// toJSON is json.dumps(value, ensure_ascii=False, indent=None,
// separators=None, sort_keys=False) with Python's output, stopped with
// errJSONTooLong past limit bytes.
func toJSON(args []jinja.Value, kw map[string]jinja.Value, limit int64) (jinja.Value, error) {
	if len(args) != 1 {
		return jinja.Undefined(), fmt.Errorf("tojson: expected one value")
	}
	e := jsonEncoder{item: ", ", key: ": ", limit: limit}
	if v, ok := kw["ensure_ascii"]; ok {
		e.ascii = v.IsTruthy()
	}
	if v, ok := kw["sort_keys"]; ok {
		e.sort = v.IsTruthy()
	}
	if v, ok := kw["indent"]; ok && !v.IsNone() && !v.IsUndefined() {
		switch {
		case v.IsInt():
			e.indent = strings.Repeat(" ", int(min(max(v.AsInt(), 0), 64)))
		case v.IsString():
			e.indent = v.AsString()
		default:
			return jinja.Undefined(), fmt.Errorf("tojson: indent must be an integer or a string")
		}
		e.pretty, e.item = true, ","
	}
	if v, ok := kw["separators"]; ok && !v.IsNone() {
		if !v.IsList() || v.AsList().Len() != 2 || !v.AsList().Get(0).IsString() || !v.AsList().Get(1).IsString() {
			return jinja.Undefined(), fmt.Errorf("tojson: separators must be two strings")
		}
		e.item, e.key = v.AsList().Get(0).AsString(), v.AsList().Get(1).AsString()
	}
	if err := e.value(args[0], 0); err != nil {
		return jinja.Undefined(), err
	}
	if int64(e.b.Len()) > e.limit {
		return jinja.Undefined(), errJSONTooLong
	}
	return jinja.NewString(e.b.String()), nil
}

type jsonEncoder struct {
	b           strings.Builder
	item, key   string
	indent      string
	limit       int64
	pretty      bool
	ascii, sort bool
}

func (e *jsonEncoder) newline(depth int) {
	if e.pretty {
		e.b.WriteByte('\n')
		for range depth {
			if int64(e.b.Len()) > e.limit {
				return // value sees it
			}
			e.b.WriteString(e.indent)
		}
	}
}

func (e *jsonEncoder) value(v jinja.Value, depth int) error {
	if depth > maxJSONDepth {
		return fmt.Errorf("tojson: nested more than %d deep", maxJSONDepth)
	}
	if int64(e.b.Len()) > e.limit {
		return errJSONTooLong
	}
	switch {
	case v.IsNone(), v.IsUndefined(), v.IsCallable():
		e.b.WriteString("null")
	case v.IsBool():
		e.b.WriteString(map[bool]string{true: "true", false: "false"}[v.AsBool()])
	case v.IsInt():
		e.b.WriteString(strconv.FormatInt(v.AsInt(), 10))
	case v.IsFloat():
		e.b.WriteString(pythonFloat(v.AsFloat()))
	case v.IsString():
		e.str(v.AsString())
	case v.IsList():
		items := v.AsList().Items
		if len(items) == 0 {
			e.b.WriteString("[]")
			return nil
		}
		e.b.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				e.b.WriteString(e.item)
			}
			e.newline(depth + 1)
			if err := e.value(it, depth+1); err != nil {
				return err
			}
		}
		e.newline(depth)
		e.b.WriteByte(']')
	case v.IsDict():
		return e.dict(v.AsDict(), depth)
	}
	return nil
}

func (e *jsonEncoder) dict(d *jinja.Dict, depth int) error {
	keys := d.OrderedKeys()
	if len(keys) == 0 {
		e.b.WriteString("{}")
		return nil
	}
	if e.sort {
		slices.Sort(keys)
	}
	e.b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			e.b.WriteString(e.item)
		}
		e.newline(depth + 1)
		e.str(k)
		e.b.WriteString(e.key)
		v, _ := d.Get(k)
		if err := e.value(v, depth+1); err != nil {
			return err
		}
	}
	e.newline(depth)
	e.b.WriteByte('}')
	return nil
}

// str writes a JSON string as Python's json module does: only quote,
// backslash and control characters escaped, and with ensure_ascii every
// non-ASCII character as \uXXXX (surrogate pairs above the BMP).
func (e *jsonEncoder) str(s string) {
	e.b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			e.b.WriteString(`\"`)
		case r == '\\':
			e.b.WriteString(`\\`)
		case r == '\n':
			e.b.WriteString(`\n`)
		case r == '\r':
			e.b.WriteString(`\r`)
		case r == '\t':
			e.b.WriteString(`\t`)
		case r == '\b':
			e.b.WriteString(`\b`)
		case r == '\f':
			e.b.WriteString(`\f`)
		case r < 0x20 || (e.ascii && r > 0x7e && r < 0x10000):
			fmt.Fprintf(&e.b, `\u%04x`, r)
		case e.ascii && r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(&e.b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			e.b.WriteRune(r)
		}
	}
	e.b.WriteByte('"')
}

// pythonFloat is repr(float): the shortest round-trip digits, positional
// from 1e-4 up to 1e16 (with ".0" when integral), exponent otherwise.
func pythonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-4 && a < 1e16) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.ContainsAny(s, ".") {
			s += ".0"
		}
		return s
	}
	return strconv.FormatFloat(f, 'e', -1, 64)
}
