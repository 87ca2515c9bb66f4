package llm

import "fmt"

// CountPreparer is an optional extension of Windowed: it looks the model
// up once and returns a counter, so fitting a long chat does not look the
// model (and its settings) up for every count.
type CountPreparer interface {
	PrepareCount(model string) (func(msgs []Message) (int, error), error)
}

// FitWindow drops the oldest messages from msgs until they fit the
// window, never dropping the leading system messages or the last message.
// It returns the messages kept and how many were dropped. A provider that
// is not Windowed gets msgs unchanged.
//
// The work is linear in the number of messages: the prompt is counted
// once whole and each droppable message once alone (less the cost of an
// empty prompt), the oldest are dropped until the estimate fits, and the
// result is counted again to confirm (dropping one more per recount in
// the rare case a template makes the estimate short).
func FitWindow(p Provider, model string, msgs []Message) ([]Message, int, error) {
	w, ok := p.(Windowed)
	if !ok || len(msgs) == 0 {
		return msgs, 0, nil
	}
	count := func(m []Message) (int, error) { return w.CountTokens(model, m) }
	if cp, ok := p.(CountPreparer); ok {
		c, err := cp.PrepareCount(model)
		if err != nil {
			return nil, 0, err
		}
		count = c
	}
	size, reserve := w.ContextWindow(model)
	budget := size - reserve
	n, err := count(msgs)
	if err != nil || n <= budget {
		return msgs, 0, err
	}
	lead := 0
	for lead < len(msgs)-1 && msgs[lead].Role == RoleSystem {
		lead++
	}
	empty, err := count(nil)
	if err != nil {
		return nil, 0, err
	}
	drop := 0
	for est := n; est > budget && lead+drop < len(msgs)-1; drop++ {
		c, err := count(msgs[lead+drop : lead+drop+1])
		if err != nil {
			return nil, 0, err
		}
		est -= max(c-empty, 0)
	}
	for {
		kept := make([]Message, 0, len(msgs)-drop)
		kept = append(append(kept, msgs[:lead]...), msgs[lead+drop:]...)
		if n, err = count(kept); err != nil {
			return nil, 0, err
		}
		if n <= budget {
			return kept, drop, nil
		}
		if lead+drop >= len(msgs)-1 {
			return nil, drop, fmt.Errorf("%w: the newest message alone needs %d tokens, the model has %d", ErrContextTooLong, n, budget)
		}
		drop++
	}
}
