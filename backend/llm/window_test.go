package llm

import (
	"errors"
	"strings"
	"testing"
)

// windowed counts one token per word plus one per message.
type windowed struct {
	Echo
	size, reserve int
}

func (w *windowed) ContextWindow(string) (int, int) { return w.size, w.reserve }
func (w *windowed) CountTokens(_ string, msgs []Message) (int, error) {
	n := 0
	for _, m := range msgs {
		n += 1 + len(strings.Fields(m.Content))
	}
	return n, nil
}

func TestFitWindowDropsOldestKeepsSystemAndNewest(t *testing.T) {
	msgs := []Message{
		{Role: RoleSystem, Content: "be brief"},                // 3
		{Role: RoleUser, Content: "one two three four"},        // 5
		{Role: RoleAssistant, Content: "five six seven eight"}, // 5
		{Role: RoleUser, Content: "nine ten"},                  // 3
		{Role: RoleAssistant, Content: "eleven"},               // 2
		{Role: RoleUser, Content: "latest question here"},      // 4
	}
	p := &windowed{size: 20, reserve: 8} // budget 12
	kept, dropped, err := FitWindow(p, "m", msgs)
	if err != nil {
		t.Fatal(err)
	}
	if dropped != 2 || len(kept) != 4 || kept[0].Role != RoleSystem || kept[len(kept)-1].Content != "latest question here" || kept[1].Content != "nine ten" {
		t.Fatalf("dropped %d, kept %+v", dropped, kept)
	}
	if msgs[1].Content != "one two three four" {
		t.Fatal("input slice modified")
	}
	// Not windowed: unchanged.
	if k, d, _ := FitWindow(&Echo{}, "m", msgs); d != 0 || len(k) != len(msgs) {
		t.Fatal("non-windowed provider changed the prompt")
	}
	// The newest message alone is too big: a clear error.
	_, _, err = FitWindow(&windowed{size: 6, reserve: 2}, "m", msgs)
	if !errors.Is(err, ErrContextTooLong) {
		t.Fatalf("err = %v", err)
	}
}

// countingWindowed is windowed, counting its calls and the messages it
// was given to count.
type countingWindowed struct {
	windowed
	calls, counted int
}

func (c *countingWindowed) CountTokens(model string, msgs []Message) (int, error) {
	c.calls++
	c.counted += len(msgs)
	return c.windowed.CountTokens(model, msgs)
}

// Fitting a long chat counts each message a bounded number of times: the
// work is linear in the number of messages (it used to recount the whole
// prompt once per dropped message, quadratic).
func TestFitWindowIsLinear(t *testing.T) {
	for _, n := range []int{100, 1000, 4000} {
		msgs := []Message{{Role: RoleSystem, Content: "be brief"}}
		for i := 0; i < n; i++ {
			msgs = append(msgs, Message{Role: RoleUser, Content: "one two three"})
		}
		p := &countingWindowed{windowed: windowed{size: 60, reserve: 10}}
		kept, dropped, err := FitWindow(p, "m", msgs)
		if err != nil {
			t.Fatal(err)
		}
		// 50 tokens: the system prompt (3) and 11 messages of 4.
		if len(kept) != 12 || dropped != n-11 || kept[0].Role != RoleSystem {
			t.Fatalf("n=%d: kept %d, dropped %d", n, len(kept), dropped)
		}
		if p.counted > 3*len(msgs) || p.calls > len(msgs)+4 {
			t.Fatalf("n=%d: %d count calls over %d messages: not linear", n, p.calls, p.counted)
		}
	}
}
