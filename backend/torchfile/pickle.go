package torchfile

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Bounds on what one data.pkl may ask of the unpickler. A state dict of
// GPT-J-6B is a pickle of about 30 KB with a few thousand values; these
// are far above it and keep a hostile pickle to memory linear in its size.
const (
	maxPickle    = 64 << 20 // bytes of data.pkl
	maxStack     = 1 << 20  // values on the stack at once
	maxMarks     = 1 << 12  // open MARKs
	maxMemo      = 1 << 20  // memo entries
	maxStringLen = 1 << 20  // bytes of one string or key
	maxDims      = 8        // dimensions of one tensor
)

// global is a class or function named by GLOBAL or STACK_GLOBAL.
type global struct{ module, name string }

func (g global) String() string { return g.module + "." + g.name }

// tuple, list and dict are the pickle containers a state dict uses. Dict
// keys are strings or integers (the only hashable values kept).
type tuple []any

type list struct{ items []any }

type dict struct {
	keys []any
	vals map[any]any
}

func newDict() *dict { return &dict{vals: map[any]any{}} }

func (d *dict) set(k, v any) error {
	switch k.(type) {
	case string, int64:
	default:
		return fmt.Errorf("a dict key of type %s is not supported", typeName(k))
	}
	if _, ok := d.vals[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.vals[k] = v
	return nil
}

// storageRef is what a persistent id resolves to.
type storageRef struct {
	dtype DType
	key   string
	numel int64
}

// Allowed globals: the callables a state dict's pickle reduces with, and
// the storage classes its persistent ids name. Everything else is refused
// by name before it is used.
var (
	reducers = map[global]bool{
		{"collections", "OrderedDict"}:         true,
		{"torch._utils", "_rebuild_tensor_v2"}: true,
		{"torch._utils", "_rebuild_parameter"}: true,
	}
	storageTypes = map[global]DType{
		{"torch", "FloatStorage"}:    F32,
		{"torch", "HalfStorage"}:     F16,
		{"torch", "BFloat16Storage"}: BF16,
		{"torch", "DoubleStorage"}:   F64,
		{"torch", "LongStorage"}:     I64,
		{"torch", "IntStorage"}:      I32,
		{"torch", "ShortStorage"}:    I16,
		{"torch", "CharStorage"}:     I8,
		{"torch", "ByteStorage"}:     U8,
		{"torch", "BoolStorage"}:     Bool,
	}
)

func allowed(g global) bool {
	_, st := storageTypes[g]
	return reducers[g] || st
}

// unpickler runs the opcodes of pickle protocols 0-5 that a state dict
// written by torch.save uses (protocol 2). It never imports or calls
// anything: GLOBAL yields a name that is checked against the allow-list,
// and REDUCE builds only OrderedDicts and tensors.
type unpickler struct {
	b       []byte
	off     int
	stack   []any
	marks   []int
	memo    map[uint32]any
	persist func(pid any) (*storageRef, error)
}

type mark struct{}

func (u *unpickler) errorf(format string, a ...any) error {
	return fmt.Errorf("%w: data.pkl at byte %d: %s", ErrFormat, u.off, fmt.Sprintf(format, a...))
}

func (u *unpickler) read(n int) ([]byte, error) {
	if n < 0 || n > len(u.b)-u.off {
		return nil, u.errorf("truncated (wants %d bytes, %d left)", n, len(u.b)-u.off)
	}
	p := u.b[u.off : u.off+n]
	u.off += n
	return p, nil
}

func (u *unpickler) line() (string, error) {
	for i := u.off; i < len(u.b) && i-u.off <= 256; i++ {
		if u.b[i] == '\n' {
			s := string(u.b[u.off:i])
			u.off = i + 1
			return s, nil
		}
	}
	return "", u.errorf("unterminated or over-long line")
}

func (u *unpickler) push(v any) error {
	if len(u.stack) >= maxStack {
		return u.errorf("more than %d values on the stack", maxStack)
	}
	u.stack = append(u.stack, v)
	return nil
}

func (u *unpickler) pop() (any, error) {
	n := len(u.stack)
	if n == 0 || (len(u.marks) > 0 && u.marks[len(u.marks)-1] == n) {
		return nil, u.errorf("stack underflow")
	}
	v := u.stack[n-1]
	u.stack = u.stack[:n-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	n := len(u.stack)
	if n == 0 || (len(u.marks) > 0 && u.marks[len(u.marks)-1] == n) {
		return nil, u.errorf("stack underflow")
	}
	return u.stack[n-1], nil
}

// popMark returns the values pushed since the last MARK (a copy).
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, u.errorf("no MARK to pop to")
	}
	m := u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	items := append([]any(nil), u.stack[m:]...)
	u.stack = u.stack[:m]
	return items, nil
}

func (u *unpickler) str(n int) (string, error) {
	if n > maxStringLen {
		return "", u.errorf("string of %d bytes (limit %d)", n, maxStringLen)
	}
	p, err := u.read(n)
	return string(p), err
}

func (u *unpickler) u32() (int, error) {
	p, err := u.read(4)
	if err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint32(p)), nil
}

func (u *unpickler) put(idx uint32) error {
	v, err := u.top()
	if err != nil {
		return err
	}
	if _, ok := u.memo[idx]; !ok && len(u.memo) >= maxMemo {
		return u.errorf("more than %d memo entries", maxMemo)
	}
	u.memo[idx] = v
	return nil
}

func (u *unpickler) get(idx uint32) error {
	v, ok := u.memo[idx]
	if !ok {
		return u.errorf("memo entry %d is not set", idx)
	}
	return u.push(v)
}

// run executes the pickle and returns the value STOP leaves.
func (u *unpickler) run() (any, error) {
	if len(u.b) > maxPickle {
		return nil, fmt.Errorf("%w: data.pkl has %d bytes (limit %d)", ErrFormat, len(u.b), maxPickle)
	}
	u.memo = map[uint32]any{}
	for {
		if u.off >= len(u.b) {
			return nil, u.errorf("truncated (no STOP)")
		}
		op := u.b[u.off]
		u.off++
		if err := u.step(op); err != nil {
			if err == errStop {
				if len(u.stack) != 1 || len(u.marks) != 0 {
					return nil, u.errorf("STOP with %d values and %d marks left", len(u.stack), len(u.marks))
				}
				return u.stack[0], nil
			}
			return nil, err
		}
	}
}

var errStop = fmt.Errorf("stop")

func (u *unpickler) step(op byte) error {
	switch op {
	case 0x80: // PROTO
		p, err := u.read(1)
		if err != nil {
			return err
		}
		if p[0] > 5 {
			return u.errorf("pickle protocol %d is not supported", p[0])
		}
	case 0x95: // FRAME: a length hint only
		_, err := u.read(8)
		return err
	case '.': // STOP
		return errStop
	case '(': // MARK
		if len(u.marks) >= maxMarks {
			return u.errorf("more than %d nested MARKs", maxMarks)
		}
		u.marks = append(u.marks, len(u.stack))
	case 'N':
		return u.push(nil)
	case 0x88:
		return u.push(true)
	case 0x89:
		return u.push(false)
	case 'J': // BININT
		p, err := u.read(4)
		if err != nil {
			return err
		}
		return u.push(int64(int32(binary.LittleEndian.Uint32(p))))
	case 'K': // BININT1
		p, err := u.read(1)
		if err != nil {
			return err
		}
		return u.push(int64(p[0]))
	case 'M': // BININT2
		p, err := u.read(2)
		if err != nil {
			return err
		}
		return u.push(int64(binary.LittleEndian.Uint16(p)))
	case 0x8a: // LONG1: little-endian two's complement, kept if it fits int64
		p, err := u.read(1)
		if err != nil {
			return err
		}
		n := int(p[0])
		if n > 8 {
			return u.errorf("integer of %d bytes does not fit 64 bits", n)
		}
		d, err := u.read(n)
		if err != nil {
			return err
		}
		var v uint64
		for i := n - 1; i >= 0; i-- {
			v = v<<8 | uint64(d[i])
		}
		if n > 0 && n < 8 && d[n-1]&0x80 != 0 {
			v |= ^uint64(0) << (8 * n) // sign-extend
		}
		return u.push(int64(v))
	case 'G': // BINFLOAT, big-endian
		p, err := u.read(8)
		if err != nil {
			return err
		}
		return u.push(math.Float64frombits(binary.BigEndian.Uint64(p)))
	case 'X', 'T', 'B': // BINUNICODE, BINSTRING, BINBYTES: 4-byte length
		n, err := u.u32()
		if err != nil {
			return err
		}
		s, err := u.str(n)
		if err != nil {
			return err
		}
		return u.push(s)
	case 0x8c, 'U', 'C': // SHORT_BINUNICODE, SHORT_BINSTRING, SHORT_BINBYTES
		p, err := u.read(1)
		if err != nil {
			return err
		}
		s, err := u.str(int(p[0]))
		if err != nil {
			return err
		}
		return u.push(s)
	case '}':
		return u.push(newDict())
	case ']':
		return u.push(&list{})
	case ')':
		return u.push(tuple{})
	case 't':
		items, err := u.popMark()
		if err != nil {
			return err
		}
		return u.push(tuple(items))
	case 0x85, 0x86, 0x87: // TUPLE1..3
		n := int(op - 0x84)
		if len(u.stack) < n || (len(u.marks) > 0 && u.marks[len(u.marks)-1] > len(u.stack)-n) {
			return u.errorf("stack underflow")
		}
		t := append(tuple(nil), u.stack[len(u.stack)-n:]...)
		u.stack = u.stack[:len(u.stack)-n]
		return u.push(t)
	case 'q': // BINPUT
		p, err := u.read(1)
		if err != nil {
			return err
		}
		return u.put(uint32(p[0]))
	case 'r': // LONG_BINPUT
		n, err := u.u32()
		if err != nil {
			return err
		}
		return u.put(uint32(n))
	case 0x94: // MEMOIZE
		return u.put(uint32(len(u.memo)))
	case 'h': // BINGET
		p, err := u.read(1)
		if err != nil {
			return err
		}
		return u.get(uint32(p[0]))
	case 'j': // LONG_BINGET
		n, err := u.u32()
		if err != nil {
			return err
		}
		return u.get(uint32(n))
	case 'a': // APPEND
		v, err := u.pop()
		if err != nil {
			return err
		}
		t, err := u.top()
		if err != nil {
			return err
		}
		l, ok := t.(*list)
		if !ok {
			return u.errorf("APPEND to a %s", typeName(t))
		}
		l.items = append(l.items, v)
	case 'e': // APPENDS
		items, err := u.popMark()
		if err != nil {
			return err
		}
		t, err := u.top()
		if err != nil {
			return err
		}
		l, ok := t.(*list)
		if !ok {
			return u.errorf("APPENDS to a %s", typeName(t))
		}
		l.items = append(l.items, items...)
	case 's': // SETITEM
		v, err := u.pop()
		if err != nil {
			return err
		}
		k, err := u.pop()
		if err != nil {
			return err
		}
		return u.setItems([]any{k, v})
	case 'u': // SETITEMS
		items, err := u.popMark()
		if err != nil {
			return err
		}
		if len(items)%2 != 0 {
			return u.errorf("SETITEMS with an odd number of values")
		}
		return u.setItems(items)
	case 'c': // GLOBAL
		mod, err := u.line()
		if err != nil {
			return err
		}
		name, err := u.line()
		if err != nil {
			return err
		}
		return u.global(global{mod, name})
	case 0x93: // STACK_GLOBAL
		name, err := u.pop()
		if err != nil {
			return err
		}
		mod, err := u.pop()
		if err != nil {
			return err
		}
		ms, ok1 := mod.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return u.errorf("STACK_GLOBAL of a %s and a %s", typeName(mod), typeName(name))
		}
		return u.global(global{ms, ns})
	case 'Q': // BINPERSID
		pid, err := u.pop()
		if err != nil {
			return err
		}
		s, err := u.persist(pid)
		if err != nil {
			return fmt.Errorf("%w (at byte %d of data.pkl)", err, u.off)
		}
		return u.push(s)
	case 'R': // REDUCE
		args, err := u.pop()
		if err != nil {
			return err
		}
		fn, err := u.pop()
		if err != nil {
			return err
		}
		v, err := u.reduce(fn, args)
		if err != nil {
			return err
		}
		return u.push(v)
	case 'b': // BUILD: only an OrderedDict's attributes (_metadata), ignored
		state, err := u.pop()
		if err != nil {
			return err
		}
		obj, err := u.top()
		if err != nil {
			return err
		}
		if _, ok := obj.(*dict); !ok {
			return u.errorf("BUILD on a %s", typeName(obj))
		}
		if _, ok := state.(*dict); !ok && state != nil {
			return u.errorf("BUILD with a %s state", typeName(state))
		}
	case '0': // POP
		if len(u.marks) > 0 && u.marks[len(u.marks)-1] == len(u.stack) {
			_, err := u.popMark()
			return err
		}
		_, err := u.pop()
		return err
	default:
		return u.errorf("opcode 0x%02x is not supported in a state dict", op)
	}
	return nil
}

func (u *unpickler) setItems(items []any) error {
	t, err := u.top()
	if err != nil {
		return err
	}
	d, ok := t.(*dict)
	if !ok {
		return u.errorf("SETITEM on a %s", typeName(t))
	}
	for i := 0; i < len(items); i += 2 {
		if err := d.set(items[i], items[i+1]); err != nil {
			return u.errorf("%v", err)
		}
	}
	return nil
}

func (u *unpickler) global(g global) error {
	if !allowed(g) {
		return fmt.Errorf("%w: data.pkl at byte %d names %s, which a state dict does not use (allowed: collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter, torch.*Storage)", ErrNotAllowed, u.off, g)
	}
	return u.push(g)
}

func (u *unpickler) reduce(fn, args any) (any, error) {
	g, ok := fn.(global)
	if !ok || !reducers[g] {
		name := typeName(fn)
		if ok {
			name = g.String()
		}
		return nil, fmt.Errorf("%w: data.pkl at byte %d calls %s, which a state dict does not use", ErrNotAllowed, u.off, name)
	}
	a, ok := args.(tuple)
	if !ok {
		return nil, u.errorf("%s called with a %s instead of a tuple", g, typeName(args))
	}
	switch g.name {
	case "OrderedDict":
		d := newDict()
		if len(a) == 0 {
			return d, nil
		}
		if len(a) != 1 {
			return nil, u.errorf("OrderedDict with %d arguments", len(a))
		}
		var pairs []any
		switch p := a[0].(type) {
		case *list:
			pairs = p.items
		case tuple:
			pairs = p
		default:
			return nil, u.errorf("OrderedDict of a %s", typeName(a[0]))
		}
		for _, p := range pairs {
			kv, ok := p.(tuple)
			if !ok || len(kv) != 2 {
				return nil, u.errorf("OrderedDict item is not a pair")
			}
			if err := d.set(kv[0], kv[1]); err != nil {
				return nil, u.errorf("%v", err)
			}
		}
		return d, nil
	case "_rebuild_parameter":
		if len(a) != 3 {
			return nil, u.errorf("_rebuild_parameter with %d arguments", len(a))
		}
		t, ok := a[0].(*Tensor)
		if !ok {
			return nil, u.errorf("_rebuild_parameter of a %s", typeName(a[0]))
		}
		return t, nil
	default: // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks[, metadata])
		if len(a) < 4 || len(a) > 7 {
			return nil, u.errorf("_rebuild_tensor_v2 with %d arguments", len(a))
		}
		s, ok := a[0].(*storageRef)
		if !ok {
			return nil, u.errorf("_rebuild_tensor_v2 of a %s instead of a storage", typeName(a[0]))
		}
		off, ok := a[1].(int64)
		if !ok {
			return nil, u.errorf("tensor storage offset is a %s", typeName(a[1]))
		}
		shape, err := u.ints(a[2], "size")
		if err != nil {
			return nil, err
		}
		strides, err := u.ints(a[3], "stride")
		if err != nil {
			return nil, err
		}
		t, err := newTensor(s, off, shape, strides)
		if err != nil {
			return nil, fmt.Errorf("%w (at byte %d of data.pkl)", err, u.off)
		}
		return t, nil
	}
}

func (u *unpickler) ints(v any, what string) ([]int64, error) {
	t, ok := v.(tuple)
	if !ok {
		return nil, u.errorf("tensor %s is a %s, not a tuple", what, typeName(v))
	}
	if len(t) > maxDims {
		return nil, u.errorf("tensor %s has %d dimensions (limit %d)", what, len(t), maxDims)
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok {
			return nil, u.errorf("tensor %s holds a %s", what, typeName(x))
		}
		out[i] = n
	}
	return out, nil
}

func typeName(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "string"
	case tuple:
		return "tuple"
	case *list:
		return "list"
	case *dict:
		return "dict"
	case global:
		return v.String()
	case *storageRef:
		return "storage"
	case *Tensor:
		return "tensor"
	}
	return fmt.Sprintf("%T", v)
}
