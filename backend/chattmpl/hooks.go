package chattmpl

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ardanlabs/jinja"
)

type callFn = func([]jinja.Value, map[string]jinja.Value) (jinja.Value, error)

// hooks are the checks tree.go puts into a template, bound to one
// render's budget.
func (b *budget) hooks() map[string]jinja.Value {
	fns := map[string]callFn{
		hookEmit: b.emit, hookStep: b.stepHook, hookIter: b.iter, hookOp: b.op,
		hookCheck: b.check, hookTick: b.tick, hookIndex: b.index, hookWork: b.workHook, hookCallee: b.callee, hookFilter: b.filter, hookRecv: b.recvHook,
		hookMethod: b.method, hookSlice: b.slice, hookAssign: b.assign,
		guardEnterName: b.enter, guardLeaveName: b.leave,
		"range": b.rangeFn, "raise_exception": b.raise, toJSONName: b.toJSON,
	}
	out := make(map[string]jinja.Value, len(fns))
	for name, fn := range fns {
		out[name] = jinja.NewCallable(name, fn)
	}
	return out
}

var empty = jinja.NewString("")

func arg(args []jinja.Value, i int) jinja.Value {
	if i >= 0 && i < len(args) {
		return args[i]
	}
	return jinja.Undefined()
}

// print is the engine's text of a value, after checking its size.
func (b *budget) print(v jinja.Value) (string, error) {
	if _, err := b.measure(v); err != nil {
		return "", err
	}
	return text(v), nil
}

// emit is every {{ x }} and every piece of literal text.
func (b *budget) emit(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	v := arg(args, 0)
	s, err := b.print(v)
	if err != nil {
		return jinja.Undefined(), err
	}
	b.emitted += int64(len(s))
	if b.emitted > b.emitLimit {
		return jinja.Undefined(), b.fail("output size", "the template wrote more than %d bytes", b.emitLimit)
	}
	if err := b.made(int64(len(s))); err != nil {
		return jinja.Undefined(), err
	}
	if v.IsString() {
		return v, nil
	}
	return jinja.NewString(s), nil
}

// stepHook starts a loop iteration or a macro or call block body: a step
// and one more for each nodesPerStep nodes in the body (the argument).
func (b *budget) stepHook(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	return empty, b.work(1 + toInt64(arg(args, 0)))
}

func (b *budget) workHook(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	return arg(args, 1), b.work(toInt64(arg(args, 0)))
}

// callee wraps the function of a {% call %} block: the engine prints
// what it returns, so that is checked and counted as output first.
func (b *budget) callee(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	fn := arg(args, 0)
	if !fn.IsCallable() {
		return fn, nil
	}
	inner := fn.AsCallable()
	return jinja.NewCallable(inner.Name, func(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
		out, err := inner.Fn(args, kw)
		if err != nil {
			return out, err
		}
		return b.emit([]jinja.Value{out}, nil)
	}), nil
}

func (b *budget) tick(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	return arg(args, 0), b.step()
}

func (b *budget) index(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	v := arg(args, 0)
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	if v.IsString() {
		return v, b.made(4 * int64(len(v.AsString()))) // the engine's []rune copy
	}
	return v, nil
}

func (b *budget) check(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	v := arg(args, 0)
	if _, err := b.measure(v); err != nil {
		return jinja.Undefined(), err
	}
	return v, nil
}

// iter is what a for loop iterates over: the engine makes an item per
// character of a string.
func (b *budget) iter(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	v := arg(args, 0)
	if v.IsString() {
		n := int64(utf8.RuneCountInString(v.AsString()))
		if err := b.items(n, "a loop over a string"); err != nil {
			return jinja.Undefined(), err
		}
		if err := b.made(2 * n * itemBytes); err != nil { // and a string per item, and the list's growth
			return jinja.Undefined(), err
		}
	}
	return v, nil
}

// assign is {% set ns.x = v %}: a namespace may not come to hold itself.
func (b *budget) assign(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	ns, v := arg(args, 0), arg(args, 1)
	if ns.IsDict() && reaches(v, ns.AsDict()) {
		return jinja.Undefined(), b.fail("nesting", "a namespace would contain itself")
	}
	return v, nil
}

// op is ~, + and * (the operators that make values grow), as the engine
// computes them, after checking the size of the result.
func (b *budget) op(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	op, l, r := arg(args, 0).AsString(), arg(args, 1), arg(args, 2)
	switch {
	case op == "~" || op == "+" && (l.IsString() || r.IsString()):
		ls, err := b.print(l)
		if err != nil {
			return jinja.Undefined(), err
		}
		rs, err := b.print(r)
		if err != nil {
			return jinja.Undefined(), err
		}
		if err := b.size(int64(len(ls))+int64(len(rs)), "'"+op+"'"); err != nil {
			return jinja.Undefined(), err
		}
		return jinja.NewString(ls + rs), nil
	case op == "+" && l.IsList() && r.IsList():
		a, c := l.AsList().Items, r.AsList().Items
		if err := b.items(int64(len(a))+int64(len(c)), "'+'"); err != nil {
			return jinja.Undefined(), err
		}
		items := make([]jinja.Value, 0, len(a)+len(c))
		return jinja.NewList(append(append(items, a...), c...)), nil
	case op == "+":
		if l.IsFloat() || r.IsFloat() {
			return jinja.NewFloat(toFloat64(l) + toFloat64(r)), nil
		}
		return jinja.NewInt(toInt64(l) + toInt64(r)), nil
	case l.IsString() && r.IsInt(): // op == "*"
		s, n := l.AsString(), r.AsInt()
		if n < 0 {
			return jinja.Undefined(), fmt.Errorf("'*': negative repeat count %d", n)
		}
		if len(s) > 0 && n > b.sizeLimit/int64(len(s)) {
			return jinja.Undefined(), b.fail("string size", "'*' would repeat %d bytes %d times (at most %d bytes)", len(s), n, b.sizeLimit)
		}
		if err := b.size(int64(len(s))*n, "'*'"); err != nil {
			return jinja.Undefined(), err
		}
		return jinja.NewString(strings.Repeat(s, int(n))), nil
	case l.IsFloat() || r.IsFloat():
		return jinja.NewFloat(toFloat64(l) * toFloat64(r)), nil
	default:
		return jinja.NewInt(toInt64(l) * toInt64(r)), nil
	}
}

// raise_exception, printing a message of checked size.
func (b *budget) raise(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	if len(args) == 0 {
		return jinja.Undefined(), fmt.Errorf("raise_exception: missing message")
	}
	s, err := b.print(args[0])
	if err != nil {
		return jinja.Undefined(), err
	}
	return jinja.Undefined(), fmt.Errorf("%s", s)
}

// toJSON is toJSON with the encoder stopped at the size limit.
func (b *budget) toJSON(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	for _, a := range args {
		if _, err := b.measure(a); err != nil {
			return jinja.Undefined(), err
		}
	}
	v, err := toJSON(args, kw, b.sizeLimit)
	if err != nil {
		if isTooLong(err) {
			return jinja.Undefined(), b.fail("string size", "tojson would make more than %d bytes", b.sizeLimit)
		}
		return jinja.Undefined(), err
	}
	return v, b.made(int64(len(v.AsString())))
}

// recvHook keeps the receiver of the method being looked up; method
// takes it right after (nothing is evaluated in between).
func (b *budget) recvHook(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	b.recv = arg(args, 0)
	return b.recv, nil
}

// method wraps the method the engine looked up so that its arguments
// and result are checked.
func (b *budget) method(args []jinja.Value, _ map[string]jinja.Value) (jinja.Value, error) {
	recv, fn, name := b.recv, arg(args, 0), arg(args, 1).AsString()
	b.recv = jinja.Undefined()
	if err := b.step(); err != nil {
		return jinja.Undefined(), err
	}
	if !fn.IsCallable() {
		return jinja.Undefined(), fmt.Errorf("%s is not callable: %s", name, fn.String())
	}
	inner := fn.AsCallable()
	return jinja.NewCallable(inner.Name, func(args []jinja.Value, kw map[string]jinja.Value) (jinja.Value, error) {
		if err := b.step(); err != nil {
			return jinja.Undefined(), err
		}
		if recv.IsString() && name == "format" && inner.Name == "str.format" {
			return b.format(recv.AsString(), args)
		}
		if err := b.beforeMethod(recv, name, inner.Name, args, kw); err != nil {
			return jinja.Undefined(), err
		}
		out, err := inner.Fn(args, kw)
		if err != nil {
			return out, err
		}
		return out, b.after(out)
	}), nil
}

// beforeMethod checks the arguments of a method and the size of what it
// will make.
func (b *budget) beforeMethod(recv jinja.Value, name, engineName string, args []jinja.Value, kw map[string]jinja.Value) error {
	if _, err := b.measureAll(args, kw); err != nil {
		return err
	}
	if recv.IsString() {
		if err := b.touched(int64(len(recv.AsString()))); err != nil {
			return err
		}
	}
	switch engineName {
	case "str.replace":
		if len(args) >= 2 {
			count := int64(-1)
			if len(args) > 2 {
				count = toInt64(args[2])
			}
			return b.bound(replacedSize(recv.AsString(), text(args[0]), text(args[1]), count), "replace")
		}
	case "str.split":
		s := recv.AsString()
		n := int64(len(s)/2 + 1)
		if len(args) > 0 {
			n = splitCount(s, text(args[0]))
		}
		return b.items(n, "split")
	case "str.upper", "str.lower", "str.title", "str.capitalize":
		return b.bound(3*int64(len(recv.AsString())), name)
	case "list.append", "list.insert":
		l := recv.AsList()
		item := arg(args, len(args)-1)
		if reaches(item, l) {
			return b.fail("nesting", "a list would contain itself")
		}
		return b.items(int64(l.Len())+1, name)
	case "dict.update":
		d := recv.AsDict()
		if len(args) > 0 && args[0].IsDict() {
			if reaches(args[0], d) {
				return b.fail("nesting", "a dict would contain itself")
			}
			return b.items(int64(d.Len()+args[0].AsDict().Len()), name)
		}
	case "dict.items", "dict.keys", "dict.values":
		return b.items(3*int64(recv.AsDict().Len()), name)
	}
	return nil
}

// measureAll checks the size of every argument; it returns the total.
func (b *budget) measureAll(args []jinja.Value, kw map[string]jinja.Value) (int64, error) {
	var total int64
	for _, a := range args {
		s, err := b.measure(a)
		if err != nil {
			return 0, err
		}
		total += s.bytes
	}
	for _, a := range kw {
		s, err := b.measure(a)
		if err != nil {
			return 0, err
		}
		total += s.bytes
	}
	return total, nil
}

// bound checks a string size before the engine makes it.
func (b *budget) bound(n int64, what string) error {
	if n > b.sizeLimit {
		return b.fail("string size", "%s would make %d bytes (at most %d)", what, n, b.sizeLimit)
	}
	return nil
}

// after counts what an engine function made.
func (b *budget) after(v jinja.Value) error {
	switch {
	case v.IsString():
		return b.size(int64(len(v.AsString())), "a result")
	case v.IsList():
		return b.items(int64(v.AsList().Len()), "a result")
	}
	return nil
}

// format is str.format as the engine does it, checked at each step.
func (b *budget) format(s string, args []jinja.Value) (jinja.Value, error) {
	result := s
	for i, a := range args {
		t, err := b.print(a)
		if err != nil {
			return jinja.Undefined(), err
		}
		ph := fmt.Sprintf("{%d}", i)
		if err := b.size(replacedSize(result, ph, t, -1), "format"); err != nil {
			return jinja.Undefined(), err
		}
		result = strings.ReplaceAll(result, ph, t)
		if err := b.size(replacedSize(result, "{}", t, 1), "format"); err != nil {
			return jinja.Undefined(), err
		}
		result = strings.Replace(result, "{}", t, 1)
	}
	return jinja.NewString(result), nil
}

// replacedSize is the length of strings.Replace(s, old, new, count).
func replacedSize(s, old, new string, count int64) int64 {
	n := int64(strings.Count(s, old))
	if count >= 0 && count < n {
		n = count
	}
	return int64(len(s)) + n*(int64(len(new))-int64(len(old)))
}

// splitCount is the number of parts strings.Split makes.
func splitCount(s, sep string) int64 {
	if sep == "" {
		return int64(utf8.RuneCountInString(s))
	}
	return int64(strings.Count(s, sep)) + 1
}
