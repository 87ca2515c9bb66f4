//go:build tools

// Package tools pins the Wails CLI so it can be built with a current
// golang.org/x/tools (the CLI's own module graph does not compile on Go 1.26).
package tools

import _ "github.com/wailsapp/wails/v2/cmd/wails"
