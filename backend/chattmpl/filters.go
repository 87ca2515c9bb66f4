package chattmpl

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ardanlabs/jinja"
)

// filterNames are the engine's filters (its registerFilters).
var filterNames = []string{"tojson", "from_json", "fromjson", "items", "join", "default", "d", "trim",
	"lower", "upper", "title", "capitalize", "first", "last", "length", "count", "reverse", "sort",
	"unique", "list", "int", "float", "string", "safe", "replace", "round", "abs", "map", "select",
	"reject", "selectattr", "rejectattr", "indent", "wordcount", "escape", "e", "dictsort", "max",
	"min", "sum", "batch"}

// builtinFilters are the engine's filter functions, taken from it by
// rendering a template that hands them over (they are reachable in
// every template's scope under filterPrefix, which Parse refuses in a
// template's source). Every filter in a template goes through
// sidecar_filter: a name not here is an unknown filter, even one the
// engine would take from the template's variables.
var builtinFilters, filtersErr = takeFilters()

func takeFilters() (map[string]callFn, error) {
	var src strings.Builder
	for _, n := range filterNames {
		fmt.Fprintf(&src, "{{ take('%s', %s%s) }}", n, filterPrefix, n)
	}
	got := map[string]callFn{}
	take := func(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
		if len(args) == 2 && args[1].IsCallable() {
			got[args[0].AsString()] = args[1].AsCallable().Fn
		}
		return empty, nil
	}
	t, err := jinja.Compile(src.String())
	if err == nil {
		_, err = t.RenderValues(map[string]jinja.Value{"take": jinja.NewCallable("take", take)})
	}
	if err == nil && len(got) != len(filterNames) {
		err = fmt.Errorf("found %d of its %d filters", len(got), len(filterNames))
	}
	if err != nil {
		return nil, fmt.Errorf("chattmpl: the template engine's filters: %w", err)
	}
	return got, nil
}

// structural filters only look at how many items a list or dict has
// and hand them on, never printing or comparing them.
var structural = map[string]bool{"length": true, "count": true, "first": true, "last": true, "default": true,
	"d": true, "list": true, "items": true, "dictsort": true, "batch": true, "sum": true, "safe": true, "reverse": true}

// filter is x | name(args) with the engine's filter, after checking
// the size of what it will make.
func (b *budget) filter(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	name := arg(args, 0).AsString()
	fn, ok := builtinFilters[name]
	if !ok {
		return jinja.Undefined(), fmt.Errorf("unknown filter %q", name)
	}
	args = args[1:]
	if in := arg(args, 0); structural[name] && (in.IsList() || in.IsDict()) {
		// Neither printed nor compared: only its length matters.
		if _, err := b.measureAll(args[1:], kw); err != nil {
			return jinja.Undefined(), err
		}
	} else if _, err := b.measureAll(args, kw); err != nil {
		return jinja.Undefined(), err
	}
	if err := b.beforeFilter(name, args, kw); err != nil {
		return jinja.Undefined(), err
	}
	out, err := fn(args, kw)
	if err != nil {
		return out, err
	}
	return out, b.after(out)
}

func (b *budget) beforeFilter(name string, args []jinja.Value, kw map[string]jinja.Value) error {
	in := arg(args, 0)
	switch name {
	case "join":
		if !in.IsList() {
			return nil
		}
		s, _ := b.measure(in)
		sep := text(arg(args, 1))
		if d, ok := kw["d"]; ok {
			sep = text(d)
		}
		return b.bound(s.bytes+int64(in.AsList().Len())*int64(len(sep)), "join")
	case "replace":
		if len(args) < 3 {
			return nil
		}
		count := int64(-1)
		if len(args) > 3 {
			count = toInt64(args[3])
		}
		if c, ok := kw["count"]; ok {
			count = toInt64(c)
		}
		return b.bound(replacedSize(text(in), text(args[1]), text(args[2]), count), "replace")
	case "indent":
		width := int64(4)
		if len(args) > 1 {
			width = toInt64(args[1])
		}
		if w, ok := kw["width"]; ok {
			width = toInt64(w)
		}
		s := text(in)
		lines := int64(strings.Count(s, "\n") + 1)
		if width > 0 && lines > 0 && width > b.sizeLimit/lines {
			return b.fail("string size", "indent(%d) of %d lines is more than %d bytes", width, lines, b.sizeLimit)
		}
		return b.bound(int64(len(s))+lines*max(width, 0), "indent")
	case "list":
		if in.IsString() {
			return b.items(int64(utf8.RuneCountInString(in.AsString())), "list")
		}
	case "tojson":
		s, _ := b.measure(in)
		indent := int64(0)
		if v, ok := kw["indent"]; ok {
			indent = max(toInt64(v), 0)
		}
		seps := int64(4)
		if v, ok := kw["separators"]; ok {
			sv, _ := b.measure(v)
			seps = sv.bytes
		}
		if indent > b.sizeLimit || seps > b.sizeLimit {
			return b.fail("string size", "tojson's indent or separators are larger than %d bytes", b.sizeLimit)
		}
		return b.bound(6*s.bytes+s.nodes*(int64(s.depth)+1)*(indent+1)+s.nodes*seps, "tojson")
	case "fromjson", "from_json":
		return b.items(int64(len(text(in))), name)
	case "escape", "e":
		return b.bound(6*int64(len(text(in))), name)
	case "upper", "lower", "title", "capitalize":
		return b.bound(3*int64(len(text(in))), name)
	case "batch", "map", "select", "reject", "selectattr", "rejectattr", "sort", "unique", "reverse":
		if in.IsList() {
			return b.items(2*int64(in.AsList().Len()), name)
		}
	case "items", "dictsort":
		if in.IsDict() {
			return b.items(3*int64(in.AsDict().Len()), name)
		}
	}
	return nil
}

// slice is x[start:stop:step] as the engine computes it (which is not
// quite Python's), visiting only the positions inside x: the engine
// sizes its result by the positions asked for, however far outside.
func (b *budget) slice(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	obj, which := arg(args, 0), arg(args, 1).AsString()
	parts := map[byte]jinja.Value{}
	for i := 0; i < len(which); i++ {
		parts[which[i]] = arg(args, 2+i)
	}
	var length int
	var runes []rune
	switch {
	case obj.IsList():
		length = obj.AsList().Len()
	case obj.IsString():
		if err := b.made(4 * int64(len(obj.AsString()))); err != nil {
			return jinja.Undefined(), err
		}
		runes = []rune(obj.AsString())
		length = len(runes)
	default:
		return jinja.Undefined(), nil
	}
	step := 1
	if v, ok := parts['p']; ok {
		if step = int(toInt64(v)); step == 0 {
			step = 1
		}
	}
	start, stop := 0, length
	if step < 0 {
		start, stop = length-1, -length-1
	}
	if v, ok := parts['a']; ok {
		if start = int(toInt64(v)); start < 0 {
			start += length
		}
	}
	if v, ok := parts['o']; ok {
		if stop = int(toInt64(v)); stop < 0 {
			stop += length
		}
	}
	var picked []int
	if step > 0 {
		i := start
		if i < 0 {
			i += (-i + step - 1) / step * step
		}
		for ; i < stop && i < length; i += step {
			picked = append(picked, i)
		}
	} else {
		i := start
		if i > length-1 {
			i -= (i - (length - 1) - step - 1) / -step * -step
		}
		for ; i > stop && i >= 0; i += step {
			picked = append(picked, i)
		}
	}
	if obj.IsList() {
		if err := b.items(int64(len(picked)), "a slice"); err != nil {
			return jinja.Undefined(), err
		}
		items := make([]jinja.Value, len(picked))
		for k, i := range picked {
			items[k] = obj.AsList().Items[i]
		}
		return jinja.NewList(items), nil
	}
	out := make([]rune, len(picked))
	for k, i := range picked {
		out[k] = runes[i]
	}
	s := string(out)
	return jinja.NewString(s), b.size(int64(len(s)), "a slice")
}

// text is the engine's printed form of a value (its printValue).
func text(v jinja.Value) string {
	switch {
	case v.IsBool():
		if v.AsBool() {
			return "True"
		}
		return "False"
	case v.IsInt():
		return fmt.Sprintf("%d", v.AsInt())
	case v.IsFloat():
		return fmt.Sprintf("%g", v.AsFloat())
	case v.IsString():
		return v.AsString()
	case v.IsList(), v.IsDict():
		return v.String()
	}
	return "" // undefined, none, callables
}

// toInt64 and toFloat64 convert as the engine's arithmetic does.
func toInt64(v jinja.Value) int64 {
	switch {
	case v.IsInt():
		return v.AsInt()
	case v.IsFloat():
		return int64(v.AsFloat())
	case v.IsBool():
		if v.AsBool() {
			return 1
		}
		return 0
	case v.IsString():
		var n int64
		fmt.Sscanf(v.AsString(), "%d", &n)
		return n
	}
	return 0
}

func toFloat64(v jinja.Value) float64 {
	switch {
	case v.IsFloat():
		return v.AsFloat()
	case v.IsInt():
		return float64(v.AsInt())
	case v.IsBool():
		if v.AsBool() {
			return 1
		}
		return 0
	case v.IsString():
		var f float64
		fmt.Sscanf(v.AsString(), "%f", &f)
		return f
	}
	return 0
}
