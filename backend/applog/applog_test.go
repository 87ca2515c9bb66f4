package applog

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sidecar/backend/llm"
)

func TestRotationKeepsNewestFiles(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	r, err := OpenRotating(path, 100, 2)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Repeat("x", 39) + "\n" // 40 bytes: two fit in 100
	for i := 0; i < 10; i++ {
		if _, err := r.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		fi, _ := e.Info()
		if fi.Size() > 100 {
			t.Errorf("%s is %d bytes, over the limit", e.Name(), fi.Size())
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", e.Name(), fi.Mode().Perm())
		}
	}
	if strings.Join(names, ",") != "sidecar.log,sidecar.log.1,sidecar.log.2" {
		t.Fatalf("files = %v", names)
	}
}

func TestSetupRedactsAndFilters(t *testing.T) {
	dir := t.TempDir()
	var stderr bytes.Buffer
	log, c, err := Setup(Options{Dir: dir, Level: slog.LevelInfo, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	log.Debug("hidden debug line")
	log.Info("provider call", "api_key", "sk-SECRET123", "Content", "my private message", "chat_id", 7)
	c.Close()
	file, _ := os.ReadFile(filepath.Join(dir, FileName))
	for name, out := range map[string]string{"file": string(file), "stderr": stderr.String()} {
		if strings.Contains(out, "sk-SECRET123") || strings.Contains(out, "my private message") {
			t.Errorf("%s leaks a secret: %s", name, out)
		}
		if !strings.Contains(out, "provider call") || !strings.Contains(out, "chat_id") || !strings.Contains(out, "[redacted]") {
			t.Errorf("%s lacks the record: %s", name, out)
		}
		if strings.Contains(out, "hidden debug line") {
			t.Errorf("%s has a debug line at info level", name)
		}
	}
	if !strings.HasPrefix(string(file), "{") {
		t.Errorf("file is not JSON lines: %s", file)
	}
}

func TestParseLevel(t *testing.T) {
	for in, want := range map[string]slog.Level{"debug": slog.LevelDebug, "INFO": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("ParseLevel(loud) accepted")
	}
}

// A provider's error that quotes the prompt reaches the log only without
// the quote, however it is wrapped.
func TestSetupRedactsProviderWordsInErrors(t *testing.T) {
	const prompt = "the merger closes on 14 March, tell nobody"
	perr := llm.ClassifyHTTP("OpenAI", 400, nil, "Invalid 'messages[0].content': '"+prompt+"' is not allowed", "sk-test")
	dir := t.TempDir()
	var stderr bytes.Buffer
	log, c, err := Setup(Options{Dir: dir, Level: slog.LevelInfo, Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	log.Warn("generation failed", "err", perr)
	log.Warn("generation failed (wrapped)", "err", fmt.Errorf("assistant: send: %w", perr))
	log.Warn("generation failed (joined)", "err", errors.Join(errors.New("first"), fmt.Errorf("second: %w", perr)))
	log.Warn("plain error", "err", errors.New("disk full"))
	c.Close()
	file, _ := os.ReadFile(filepath.Join(dir, FileName))
	for name, out := range map[string]string{"file": string(file), "stderr": stderr.String()} {
		if strings.Contains(out, prompt) || strings.Contains(out, "14 March") {
			t.Errorf("%s holds the prompt:\n%s", name, out)
		}
		for _, want := range []string{"OpenAI refused the request (400)", "assistant: send: OpenAI refused", "first", "second: OpenAI", "left out of the log", "disk full"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", name, want, out)
			}
		}
	}
	// The user still sees the provider's words where errors are shown.
	if !strings.Contains(perr.Error(), prompt) {
		t.Errorf("Error() lost the provider's message: %q", perr.Error())
	}
}
