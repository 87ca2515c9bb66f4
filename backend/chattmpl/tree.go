package chattmpl

import (
	"fmt"
	"reflect"
	"unsafe"

	"github.com/ardanlabs/jinja"
)

// The engine offers no hook into evaluation and keeps its syntax tree
// unexported, so after compiling, Parse edits the tree in place through
// reflection (budget.go says why): operations that can grow a value become
// calls of the render's checks, and every output, loop iteration and
// call passes through them. The engine version is pinned (go.mod); the
// shapes edited here are read from a probe template when the package
// starts, and a tree of another shape is refused rather than left
// unchecked.

// Names of the checks in the tree. Templates cannot use or rebind names
// with these prefixes (Parse refuses their source), so a template cannot
// call a check itself or replace one.
const (
	reservedPrefix = "sidecar_"
	filterPrefix   = "__filter_" // the engine's own names for its filters

	hookEmit   = "sidecar_emit"   // {{ x }} and literal text
	hookStep   = "sidecar_step"   // first node of every loop, macro and call block body
	hookIter   = "sidecar_iter"   // what a for loop iterates over
	hookOp     = "sidecar_op"     // ~ + *
	hookCheck  = "sidecar_check"  // operands of comparisons and tests, keys
	hookTick   = "sidecar_tick"   // calls (their cost is the step)
	hookIndex  = "sidecar_index"  // what is subscripted (the engine copies a string to index it)
	hookWork   = "sidecar_work"   // a loop's item filter, weighed
	hookCallee = "sidecar_callee" // the function a {% call %} block calls
	hookFilter = "sidecar_filter" // x | f(args) with the engine's filters
	hookRecv   = "sidecar_recv"   // receiver of a method call
	hookMethod = "sidecar_method" // the method looked up on it
	hookSlice  = "sidecar_slice"  // x[a:b:c]
	hookAssign = "sidecar_assign" // {% set ns.x = value %}
	blockVar   = "sidecar_block"  // a {% filter %} block's text
)

// shapes are the engine's node types, read from a probe.
type shapes struct {
	call, name, lit, output, attr reflect.Type // struct types
}

var tree, treeErr = probeShapes()

func probeShapes() (s shapes, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chattmpl: the template engine's tree has an unexpected shape: %v", r)
		}
	}()
	t, err := jinja.Compile("{{ f(x.y, 1) }}")
	if err != nil {
		return s, err
	}
	nodes := field(reflect.ValueOf(t).Elem(), "nodes")
	out := nodes.Index(0).Elem().Elem()
	call := field(out, "expression").Elem().Elem()
	s.output, s.call = out.Type(), call.Type()
	s.name = field(call, "fn").Elem().Elem().Type()
	args := field(call, "args")
	s.attr = args.Index(0).Elem().Elem().Type()
	s.lit = args.Index(1).Elem().Elem().Type()
	want := map[reflect.Type]string{s.output: "outputNode", s.call: "callExpr", s.name: "nameExpr", s.attr: "attrExpr", s.lit: "litExpr"}
	for typ, name := range want {
		if typ.Name() != name {
			return s, fmt.Errorf("chattmpl: the template engine's tree has %s where %s was expected", typ.Name(), name)
		}
	}
	return s, nil
}

// field is a struct's field, made writable.
func field(v reflect.Value, name string) reflect.Value {
	f := v.FieldByName(name)
	if !f.IsValid() {
		panic(fmt.Sprintf("%s has no field %s", v.Type().Name(), name))
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

func newName(name string) reflect.Value {
	p := reflect.New(tree.name)
	field(p.Elem(), "name").SetString(name)
	return p
}

func newLit(v jinja.Value) reflect.Value {
	p := reflect.New(tree.lit)
	field(p.Elem(), "val").Set(reflect.ValueOf(v))
	return p
}

// newCall is fn(args...) with the given keyword arguments (a []kwarg, or
// the zero Value for none).
func newCall(fn string, kwargs reflect.Value, args ...reflect.Value) reflect.Value {
	p := reflect.New(tree.call)
	c := p.Elem()
	field(c, "fn").Set(newName(fn))
	list := field(c, "args")
	s := reflect.MakeSlice(list.Type(), 0, len(args))
	for _, a := range args {
		s = reflect.Append(s, a)
	}
	list.Set(s)
	if kwargs.IsValid() {
		field(c, "kwargs").Set(kwargs)
	}
	return p
}

func newOutput(expr reflect.Value) reflect.Value {
	p := reflect.New(tree.output)
	field(p.Elem(), "expression").Set(expr)
	return p
}

// patcher edits one template's tree.
type patcher struct {
	blocks int
	seen   int // nodes seen in the body being weighed (see weighed)
}

// nodesPerStep is how many nodes of a loop or macro body (evaluated
// without a check in between: names, literals, attributes, and/or...)
// count as one more step each time the body runs, so that the time a
// step stands for stays bounded.
const nodesPerStep = 32

// weighed walks a body that runs many times (a loop's, a macro's, a
// call block's) and puts first in it a step weighing its size.
func (p *patcher) weighed(body reflect.Value) {
	saved := p.seen
	p.seen = 0
	p.nodes(body)
	w := int64(p.seen / nodesPerStep)
	p.seen = saved
	list := reflect.MakeSlice(body.Type(), 0, body.Len()+1)
	list = reflect.Append(list, newOutput(newCall(hookStep, reflect.Value{}, newLit(jinja.NewInt(w)))))
	body.Set(reflect.AppendSlice(list, body))
}

// patch edits a compiled template so that it renders under a budget.
func patch(t *jinja.Template) (err error) {
	if treeErr != nil {
		return treeErr
	}
	if filtersErr != nil {
		return filtersErr
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("chattmpl: the template engine's tree has an unexpected shape: %v", r)
		}
	}()
	var p patcher
	p.nodes(field(reflect.ValueOf(t).Elem(), "nodes"))
	return nil
}

// nodes edits a []node in place.
func (p *patcher) nodes(list reflect.Value) {
	for i := 0; i < list.Len(); i++ {
		p.node(list.Index(i))
	}
}

// node edits the node held in slot (a node interface), replacing it
// when needed.
func (p *patcher) node(slot reflect.Value) {
	p.seen++
	n := slot.Elem().Elem()
	switch n.Type().Name() {
	case "textNode":
		text := field(n, "text").String()
		slot.Set(newOutput(newCall(hookEmit, reflect.Value{}, newLit(jinja.NewString(text)))))
	case "outputNode":
		e := field(n, "expression")
		p.expr(e)
		e.Set(newCall(hookEmit, reflect.Value{}, e.Elem()))
	case "ifNode":
		branches := field(n, "branches")
		for i := 0; i < branches.Len(); i++ {
			b := branches.Index(i)
			if c := field(b, "condition"); !c.IsNil() {
				p.expr(c)
			}
			p.nodes(field(b, "body"))
		}
	case "forNode":
		iter := field(n, "iter")
		p.expr(iter)
		iter.Set(newCall(hookIter, reflect.Value{}, iter.Elem()))
		if f := field(n, "filterExpr"); !f.IsNil() {
			// evaluated for every item
			saved := p.seen
			p.seen = 0
			p.expr(f)
			f.Set(newCall(hookWork, reflect.Value{}, newLit(jinja.NewInt(int64(1+p.seen/nodesPerStep))), f.Elem()))
			p.seen = saved
		}
		p.weighed(field(n, "body"))
		p.nodes(field(n, "elseBody"))
	case "setNode":
		v := field(n, "value")
		p.expr(v)
		if ns := field(n, "namespace").String(); ns != "" {
			v.Set(newCall(hookAssign, reflect.Value{}, newName(ns), v.Elem()))
		}
	case "setBlockNode":
		p.nodes(field(n, "body"))
	case "macroNode":
		params := field(n, "params")
		for i := 0; i < params.Len(); i++ {
			if d := field(params.Index(i), "defaultVal"); !d.IsNil() {
				p.expr(d)
			}
		}
		p.weighed(field(n, "body"))
	case "callNode":
		// The engine needs the call itself here (it passes caller);
		// its parts are checked.
		// The result is printed by the engine: the function called
		// is wrapped so that it is checked and counted first.
		e := field(n, "expr")
		if c := e.Elem().Elem(); c.Type() == tree.call {
			p.callParts(c)
			fn := field(c, "fn")
			fn.Set(newCall(hookCallee, reflect.Value{}, fn.Elem()))
		} else {
			p.expr(e)
			e.Set(newCall(hookCallee, reflect.Value{}, e.Elem()))
		}
		p.weighed(field(n, "body")) // caller() may run it many times
	case "filterBlockNode":
		// {% filter f %}body{% endfilter %} becomes
		// {% set sidecar_blockN %}body{% endset %}{{ sidecar_filter('f', sidecar_blockN) }}
		// so the filter is checked like any other.
		p.nodes(field(n, "body"))
		p.blocks++
		name := fmt.Sprintf("%s%d", blockVar, p.blocks)
		set := p.setBlock(name, field(n, "body"))
		var out reflect.Value
		if f := field(n, "filter").Elem().Elem(); f.Type() == tree.name {
			out = newCall(hookFilter, reflect.Value{}, newLit(jinja.NewString(field(f, "name").String())), newName(name))
		} else {
			out = newName(name) // the engine prints the body of any other filter expression as it is
		}
		p.replaceWithTwo(slot, set, newOutput(newCall(hookEmit, reflect.Value{}, out)))
	case "breakNode", "continueNode":
	default:
		panic("unknown node " + n.Type().Name())
	}
}

// expr edits the expression held in slot (an expr interface).
func (p *patcher) expr(slot reflect.Value) {
	if slot.IsNil() {
		return
	}
	p.seen++
	e := slot.Elem().Elem()
	none := reflect.Value{}
	switch e.Type().Name() {
	case "litExpr", "nameExpr":
	case "attrExpr":
		p.expr(field(e, "obj"))
	case "itemExpr":
		obj := field(e, "obj")
		p.expr(obj)
		obj.Set(newCall(hookIndex, none, obj.Elem()))
		key := field(e, "key")
		p.expr(key)
		p.check(key)
	case "sliceExpr":
		// x[a:b:c] becomes sidecar_slice(x, 'which', c, a, b): the
		// engine evaluates step before start and stop.
		args := []reflect.Value{field(e, "obj")}
		which := ""
		for _, part := range []struct{ name, code string }{{"step", "p"}, {"start", "a"}, {"stop", "o"}} {
			f := field(e, part.name)
			if !f.IsNil() {
				p.expr(f)
				which += part.code
				args = append(args, f)
			}
		}
		p.expr(args[0])
		call := []reflect.Value{args[0].Elem(), newLit(jinja.NewString(which))}
		for _, a := range args[1:] {
			call = append(call, a.Elem())
		}
		slot.Set(newCall(hookSlice, none, call...))
	case "unaryExpr":
		p.expr(field(e, "operand"))
	case "binExpr":
		l, r := field(e, "left"), field(e, "right")
		p.expr(l)
		p.expr(r)
		switch op := field(e, "op").String(); op {
		case "and", "or":
		case "~", "+", "*":
			slot.Set(newCall(hookOp, none, newLit(jinja.NewString(op)), l.Elem(), r.Elem()))
		default:
			p.check(l)
			p.check(r)
		}
	case "condExpr":
		p.expr(field(e, "trueExpr"))
		p.expr(field(e, "condition"))
		p.expr(field(e, "falseExpr"))
	case "callExpr":
		p.callParts(e)
		slot.Set(newCall(hookTick, none, slot.Elem()))
	case "filterExpr":
		in := field(e, "expr")
		p.expr(in)
		args := field(e, "args")
		for i := 0; i < args.Len(); i++ {
			p.expr(args.Index(i))
		}
		kw := field(e, "kwargs")
		for i := 0; i < kw.Len(); i++ {
			p.expr(field(kw.Index(i), "value"))
		}
		name := field(e, "name").String()
		call := []reflect.Value{newLit(jinja.NewString(name)), in.Elem()}
		for i := 0; i < args.Len(); i++ {
			call = append(call, args.Index(i).Elem())
		}
		slot.Set(newCall(hookFilter, kw, call...))
	case "testExpr":
		x := field(e, "expr")
		p.expr(x)
		p.check(x)
		args := field(e, "args")
		for i := 0; i < args.Len(); i++ {
			p.expr(args.Index(i))
			p.check(args.Index(i))
		}
	case "listExpr":
		items := field(e, "items")
		for i := 0; i < items.Len(); i++ {
			p.expr(items.Index(i))
		}
	case "dictExpr":
		pairs := field(e, "pairs")
		for i := 0; i < pairs.Len(); i++ {
			k := field(pairs.Index(i), "key")
			p.expr(k)
			p.check(k)
			p.expr(field(pairs.Index(i), "value"))
		}
	default:
		panic("unknown expression " + e.Type().Name())
	}
}

// callParts edits a call's function, arguments and keyword arguments. A
// method call x.m(args) becomes
// sidecar_method(sidecar_recv(x).m, 'm')(args): the check sees the
// receiver, the method and the arguments before the method runs.
func (p *patcher) callParts(c reflect.Value) {
	fn := field(c, "fn")
	if f := fn.Elem().Elem(); f.Type() == tree.attr {
		obj := field(f, "obj")
		p.expr(obj)
		obj.Set(newCall(hookRecv, reflect.Value{}, obj.Elem()))
		fn.Set(newCall(hookMethod, reflect.Value{}, fn.Elem(), newLit(jinja.NewString(field(f, "attr").String()))))
	} else {
		p.expr(fn)
	}
	args := field(c, "args")
	for i := 0; i < args.Len(); i++ {
		p.expr(args.Index(i))
	}
	kw := field(c, "kwargs")
	for i := 0; i < kw.Len(); i++ {
		p.expr(field(kw.Index(i), "value"))
	}
}

// check wraps the expression in slot in sidecar_check, unless it is a
// literal.
func (p *patcher) check(slot reflect.Value) {
	if slot.IsNil() || slot.Elem().Elem().Type() == tree.lit {
		return
	}
	slot.Set(newCall(hookCheck, reflect.Value{}, slot.Elem()))
}

// setBlock is {% set name %}body{% endset %}, made by compiling one and
// putting the body in.
func (p *patcher) setBlock(name string, body reflect.Value) reflect.Value {
	t, err := jinja.Compile("{% set " + name + " %}{% endset %}")
	if err != nil {
		panic(err)
	}
	n := field(reflect.ValueOf(t).Elem(), "nodes").Index(0).Elem()
	if n.Elem().Type().Name() != "setBlockNode" {
		panic("a set block compiled to " + n.Elem().Type().Name())
	}
	field(n.Elem(), "body").Set(body)
	return n
}

// replaceWithTwo puts a and b where slot is: slot becomes an if-true
// block holding both, which renders exactly them.
func (p *patcher) replaceWithTwo(slot, a, b reflect.Value) {
	t, err := jinja.Compile("{% if 1 %}{% endif %}")
	if err != nil {
		panic(err)
	}
	n := field(reflect.ValueOf(t).Elem(), "nodes").Index(0).Elem()
	body := field(field(n.Elem(), "branches").Index(0), "body")
	list := reflect.MakeSlice(body.Type(), 0, 2)
	list = reflect.Append(list, a, b)
	body.Set(list)
	slot.Set(n)
}
