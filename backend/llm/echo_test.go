package llm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSplitWordsRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a", "hello world", "  lead\tand\n\ntrail  ", "héllo 世界 ok"} {
		got := strings.Join(SplitWords(s), "")
		if got != s {
			t.Errorf("SplitWords(%q) joined = %q", s, got)
		}
	}
	if n := len(SplitWords("one two three")); n != 3 {
		t.Errorf("pieces = %d, want 3", n)
	}
}

func TestEchoStreamsLastUserMessage(t *testing.T) {
	e := &Echo{}
	var got []string
	u, err := e.Stream(context.Background(), Request{Messages: []Message{
		{Role: RoleUser, Content: "first"},
		{Role: RoleAssistant, Content: "x"},
		{Role: RoleUser, Content: "hello there"},
	}}, func(s string) error { got = append(got, s); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := "Echo: hello there"; strings.Join(got, "") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, ""), want)
	}
	if u.CompletionTokens != len(got) || len(got) != 3 {
		t.Errorf("usage %+v, pieces %d", u, len(got))
	}
}

func TestEchoCancel(t *testing.T) {
	e := &Echo{Delay: 20 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := e.Stream(ctx, Request{Messages: []Message{{Role: RoleUser, Content: "a b c d e f g h"}}}, func(string) error {
		n++
		if n == 2 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n != 2 {
		t.Errorf("tokens after cancel: got %d pieces, want 2", n)
	}
}

func TestEchoUnknownModel(t *testing.T) {
	_, err := (&Echo{}).Stream(context.Background(), Request{Model: "gpt-9"}, func(string) error { return nil })
	if !errors.Is(err, ErrUnknownModel) {
		t.Fatalf("err = %v", err)
	}
}

func TestEchoShowsSystemPromptsAndSampling(t *testing.T) {
	e := &Echo{}
	answer := func(req Request) string {
		t.Helper()
		var b strings.Builder
		if _, err := e.Stream(context.Background(), req, func(s string) error { b.WriteString(s); return nil }); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	temp, topP := 0.2, 0.9
	msgs := []Message{
		{Role: RoleSystem, Content: "Be a pirate."},
		{Role: RoleSystem, Content: "Excerpts: [1] deploy.md"},
		{Role: RoleUser, Content: "hello"},
		{Role: RoleAssistant, Content: "Echo: hello"},
		{Role: RoleUser, Content: "  /system\n"},
	}
	if got, want := answer(Request{Messages: msgs}), "System: Be a pirate.\n\nSystem: Excerpts: [1] deploy.md"; got != want {
		t.Errorf("/system = %q, want %q", got, want)
	}
	if got := answer(Request{Messages: msgs[2:]}); got != "System: (none)" {
		t.Errorf("/system without one = %q", got)
	}
	// Only the whole message is a command.
	if got := answer(Request{Messages: []Message{{Role: RoleUser, Content: "what does /system do?"}}}); got != "Echo: what does /system do?" {
		t.Errorf("not a command = %q", got)
	}
	sampling := []Message{{Role: RoleUser, Content: "/sampling"}}
	if got, want := answer(Request{Messages: sampling, Temperature: &temp, TopP: &topP, MaxTokens: 700}), "Sampling: temperature 0.2, top-p 0.9, max tokens 700"; got != want {
		t.Errorf("/sampling = %q, want %q", got, want)
	}
	if got, want := answer(Request{Messages: sampling}), "Sampling: temperature default, top-p default, max tokens default"; got != want {
		t.Errorf("/sampling with defaults = %q, want %q", got, want)
	}
}

// The echo model takes no images: it says so instead of echoing.
func TestEchoRefusesImages(t *testing.T) {
	e := &Echo{}
	_, err := e.Stream(context.Background(), Request{Messages: []Message{{Role: RoleUser, Content: "x", Images: []Image{{MIME: "image/png", Data: []byte{1}}}}}},
		func(string) error { t.Fatal("echoed an image request"); return nil })
	if !errors.Is(err, ErrNoVision) || e.Capabilities("").Vision {
		t.Fatalf("err = %v", err)
	}
}
