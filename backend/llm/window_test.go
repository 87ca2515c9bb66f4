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
