package chattmpl

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/ardanlabs/jinja"
)

// A template comes from a model file and is not trusted: every render
// runs under a budget. The engine has no limits of its own, so Parse
// rewrites the compiled tree (see tree.go) to pass every operation that
// can make a value grow, every piece of output and every loop iteration
// through the checks below.
//
// Sizes scale with the conversation: a template may write a few times
// what it is given (tool schemas printed twice, a prompt assembled in a
// variable and then printed), never more. Real chat templates render a
// few kilobytes to a few hundred per conversation; the base of 16 MiB is
// above any prompt the app sends (4 bytes a token for 1M tokens is 4 MiB).
const (
	baseSizeLimit = 16 << 20 // one value, and the rendered text, before the conversation's share
	inputFactor   = 4        // and this many times the bytes of the conversation and tools
	maxListItems  = 1 << 18  // items in one list made by one operation (range has its own limit)
	maxValueDepth = 256      // lists and dicts nested in one value
	stepsPerClock = 256      // steps between looks at the context

	// A step is a loop iteration, a checked operation or a KiB that
	// one reads or makes, so a render's time is bounded by its steps.
	// Some real templates look at every message for each message: 1000
	// messages take them a million steps.
	baseSteps    = 1 << 21
	stepsPerPair = 4 // more for each pair of messages and tools

	// Values may be dropped as soon as they are made (a prompt rebuilt
	// once per message), so what a render makes is not what it holds.
	// Every gcEvery bytes made the heap is collected and measured: the
	// render stops when what is live has grown, since the first measure,
	// by more than its share. The heap is the process's: what the rest
	// of the app adds meanwhile counts against the render too, which
	// errs on the safe side; small renders never measure.
	gcEvery       = 32 << 20
	baseLiveLimit = 64 << 20
	itemBytes     = 24 // a list item or dict entry, counted as made
)

// ErrLimit is wrapped by the error of every render stopped at one of its
// limits (see LimitError).
var ErrLimit = errors.New("chattmpl: template went past a limit")

// LimitError says which limit a template went past.
type LimitError struct {
	Limit  string // what is limited: "string size", "output size", "list items", ...
	Detail string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("chattmpl: template went past its limit on %s: %s", e.Limit, e.Detail)
}

func (e *LimitError) Unwrap() error { return ErrLimit }

// budget is one render's account.
type budget struct {
	ctx      context.Context
	maxSteps int64

	sizeLimit int64 // one value, and the final text
	emitLimit int64 // all text written, in macros and blocks included (their text is written twice)
	liveLimit uint64

	steps      int64
	emitted    int64
	rangeItems int
	depth      int // nested macro calls

	sinceGC  int64
	heapBase uint64 // live heap at the first measure; 0 before

	recv  jinja.Value // receiver of the method being looked up (see hookMethod)
	err   error       // the first limit reached: every later check fails with it
	clock int
}

// newBudget is the budget of a render of a conversation of inputBytes
// bytes in items messages and tools.
func newBudget(ctx context.Context, inputBytes, items int64) *budget {
	size := baseSizeLimit + inputFactor*inputBytes
	return &budget{
		ctx: ctx, maxSteps: baseSteps + stepsPerPair*items*items,
		sizeLimit: size, emitLimit: size + size/2,
		liveLimit: uint64(baseLiveLimit + 2*inputFactor*inputBytes),
	}
}

// fail records the first limit reached and returns it.
func (b *budget) fail(limit, format string, args ...any) error {
	if b.err == nil {
		b.err = &LimitError{Limit: limit, Detail: fmt.Sprintf(format, args...)}
	}
	return b.err
}

// step counts one checked operation, and now and then looks at the
// context.
func (b *budget) step() error { return b.work(1) }

// work counts n steps.
func (b *budget) work(n int64) error {
	if b.err != nil {
		return b.err
	}
	b.steps += n
	if b.steps > b.maxSteps {
		return b.fail("steps", "more than %d loop iterations, operations and KiB read or made", b.maxSteps)
	}
	if b.clock++; b.clock >= stepsPerClock {
		b.clock = 0
		if err := b.ctx.Err(); err != nil {
			b.err = fmt.Errorf("chattmpl: render: %w", err)
			return b.err
		}
	}
	return nil
}

// touched counts the steps of reading or making n bytes.
func (b *budget) touched(n int64) error { return b.work(n >> 10) }

// made counts n bytes the render allocated and, every gcEvery bytes,
// checks that the live heap has not grown past the render's share.
func (b *budget) made(n int64) error {
	if err := b.touched(n); err != nil {
		return err
	}
	b.sinceGC += n
	if b.sinceGC < gcEvery {
		return nil
	}
	b.sinceGC = 0
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if b.heapBase == 0 || ms.HeapAlloc < b.heapBase {
		b.heapBase = ms.HeapAlloc
		return nil
	}
	if grown := ms.HeapAlloc - b.heapBase; grown > b.liveLimit {
		return b.fail("memory", "the values it holds grew by %d bytes (at most %d)", grown, b.liveLimit)
	}
	return nil
}

// size checks a string about to be made.
func (b *budget) size(n int64, what string) error {
	if n > b.sizeLimit {
		return b.fail("string size", "%s would make %d bytes (at most %d)", what, n, b.sizeLimit)
	}
	return b.made(n)
}

// items checks a list about to be made.
func (b *budget) items(n int64, what string) error {
	if n > maxListItems {
		return b.fail("list items", "%s would make %d items (at most %d)", what, n, maxListItems)
	}
	return b.made(n * itemBytes)
}

// shape is what printing or comparing a value costs: the bytes of its
// text (an upper bound), and for tojson its items and depth.
type shape struct {
	bytes, nodes int64
	depth        int
}

// measure walks a value before the engine prints, compares or encodes it.
// Lists can share items, so a value of a few items can print as
// gigabytes; it is measured once per list or dict (memo), and a value
// that contains itself is refused (the engine would recurse forever).
func (b *budget) measure(v jinja.Value) (shape, error) {
	if b.err != nil {
		return shape{}, b.err
	}
	switch {
	case v.IsString():
		return shape{bytes: int64(len(v.AsString())) + 2, nodes: 1}, b.touched(int64(len(v.AsString())))
	case !v.IsList() && !v.IsDict():
		return shape{bytes: 32, nodes: 1}, nil // numbers, booleans, None; callables print their name
	}
	m := measurer{b: b, memo: map[any]shape{}, open: map[any]bool{}}
	s, err := m.walk(v, 0)
	if err != nil {
		return shape{}, err
	}
	if s.bytes > b.sizeLimit {
		return shape{}, b.fail("string size", "a value prints as more than %d bytes", b.sizeLimit)
	}
	return s, b.work(s.nodes >> 4)
}

type measurer struct {
	b    *budget
	memo map[any]shape
	open map[any]bool
}

func (m *measurer) walk(v jinja.Value, depth int) (shape, error) {
	if depth > maxValueDepth {
		return shape{}, m.b.fail("nesting", "lists and dicts nested more than %d deep", maxValueDepth)
	}
	var key any
	switch {
	case v.IsList():
		key = v.AsList()
	case v.IsDict():
		key = v.AsDict()
	case v.IsString():
		return shape{bytes: int64(len(v.AsString())) + 2, nodes: 1}, nil
	case v.IsCallable():
		return shape{bytes: int64(len(v.AsCallable().Name)) + 12, nodes: 1}, nil
	default:
		return shape{bytes: 32, nodes: 1}, nil
	}
	if s, ok := m.memo[key]; ok {
		return s, nil
	}
	if m.open[key] {
		return shape{}, m.b.fail("nesting", "a list or dict contains itself")
	}
	m.open[key] = true
	s := shape{bytes: 2, nodes: 1}
	add := func(c shape, extra int64) error {
		s.bytes += c.bytes + extra
		s.nodes += c.nodes
		s.depth = max(s.depth, c.depth+1)
		if s.bytes > m.b.sizeLimit || s.nodes > 4*maxListItems {
			return m.b.fail("string size", "a value prints as more than %d bytes", m.b.sizeLimit)
		}
		return nil
	}
	if v.IsList() {
		for _, it := range v.AsList().Items {
			c, err := m.walk(it, depth+1)
			if err != nil {
				return shape{}, err
			}
			if err := add(c, 2); err != nil {
				return shape{}, err
			}
		}
	} else {
		d := v.AsDict()
		for _, k := range d.Keys {
			it, _ := d.Get(k)
			c, err := m.walk(it, depth+1)
			if err != nil {
				return shape{}, err
			}
			if err := add(c, int64(len(k))+6); err != nil {
				return shape{}, err
			}
		}
	}
	delete(m.open, key)
	m.memo[key] = s
	return s, nil
}

// reaches reports whether container c can be reached from v: putting v
// into c would make c contain itself.
func reaches(v jinja.Value, c any) bool {
	seen := map[any]bool{}
	var walk func(jinja.Value, int) bool
	walk = func(v jinja.Value, depth int) bool {
		var key any
		switch {
		case v.IsList():
			key = v.AsList()
		case v.IsDict():
			key = v.AsDict()
		default:
			return false
		}
		if key == c || depth > maxValueDepth {
			return true
		}
		if seen[key] {
			return false
		}
		seen[key] = true
		if v.IsList() {
			for _, it := range v.AsList().Items {
				if walk(it, depth+1) {
					return true
				}
			}
			return false
		}
		d := v.AsDict()
		for _, k := range d.Keys {
			it, _ := d.Get(k)
			if walk(it, depth+1) {
				return true
			}
		}
		return false
	}
	return walk(v, 0)
}
