// Command sidecar is Sidecar: the desktop window by default, and a command
// line for everything that runs without one (`sidecar help`).
package main

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"

	"sidecar/backend/cli"
)

//go:embed all:frontend/dist
var assets embed.FS

//go:embed build/appicon.png
var icon []byte

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches the command line and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return cli.Main(args, stdout, stderr, runWindow)
}

// explain adds what the user can do to errors that have a known remedy.
func explain(err error) string { return cli.Explain(err) }

// instanceID names the window of one data folder among running instances
// (letters, digits and underscores: it becomes part of a D-Bus name).
func instanceID(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return "sidecar_" + hex.EncodeToString(sum[:8])
}

func runWindow(level slog.Level, stderr io.Writer) int {
	app := &App{started: make(chan struct{})}
	s, closeLog, err := cli.WindowSession(level, stderr, &wailsEvents{a: app})
	if err != nil {
		fmt.Fprintln(stderr, "sidecar:", err)
		return 1
	}
	defer closeLog()
	app.s = s
	err = wails.Run(&options.App{
		Title:            "Sidecar",
		Width:            1180,
		Height:           760,
		MinWidth:         720,
		MinHeight:        480,
		AssetServer:      &assetserver.Options{Assets: assets},
		BackgroundColour: &options.RGBA{R: 24, G: 24, B: 27, A: 255},
		OnStartup:        app.startup,
		OnShutdown:       app.shutdown,
		Bind:             []any{app},
		DragAndDrop:      &options.DragAndDrop{EnableFileDrop: true, DisableWebViewDrop: true},
		Linux:            &linux.Options{ProgramName: "sidecar", Icon: icon, WebviewGpuPolicy: linux.WebviewGpuPolicyNever},
		// A second window on the same data folder brings the first forward
		// and exits; where that fails, the folder's lock refuses it.
		SingleInstanceLock: &options.SingleInstanceLock{UniqueId: instanceID(s.Dir()), OnSecondInstanceLaunch: app.onSecondInstance},
	})
	if err != nil {
		slog.Error("window failed", "err", err)
		fmt.Fprintln(stderr, "sidecar:", err)
		return 1
	}
	if err := s.OpenErr(); err != nil {
		fmt.Fprintln(stderr, "sidecar:", explain(err))
		return 1
	}
	return 0
}
