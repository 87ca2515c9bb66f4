package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"sidecar/backend/keychain"
)

func TestCommandLine(t *testing.T) {
	t.Setenv("SIDECAR_HOME", t.TempDir())
	for _, tc := range []struct {
		args []string
		code int
		out  []string // in stdout
		err  []string // in stderr
	}{
		{[]string{"help"}, 0, []string{"sidecar help", "log file", "sidecar.log", "data folder", "SIDECAR_HOME"}, nil},
		{[]string{"--help"}, 0, []string{"Usage:"}, nil},
		{[]string{"version"}, 0, []string{"sidecar "}, nil},
		{[]string{"frobnicate"}, 2, nil, []string{`unknown command "frobnicate"`, "Usage:"}},
		{[]string{"--log-level=loud", "version"}, 2, nil, []string{"unknown log level"}},
	} {
		var stdout, stderr bytes.Buffer
		code := run(tc.args, &stdout, &stderr)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (stderr %q)", tc.args, code, tc.code, stderr.String())
		}
		for _, want := range tc.out {
			if !strings.Contains(stdout.String(), want) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, want, stdout.String())
			}
		}
		for _, want := range tc.err {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, want, stderr.String())
			}
		}
	}
}

func TestExplainKeychainErrors(t *testing.T) {
	err := fmt.Errorf("profile: %w", keychain.ErrUnavailable)
	if got := explain(err); !strings.Contains(got, "gnome-keyring") || !strings.HasPrefix(got, err.Error()) {
		t.Errorf("explain = %q", got)
	}
	if got := explain(errors.New("plain")); got != "plain" {
		t.Errorf("explain(plain) = %q", got)
	}
}
