//go:build dev

package main

import (
	"context"
	"os"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// In development builds SIDECAR_DEV_SAVE_PATH and SIDECAR_DEV_OPEN_PATH
// answer the save dialogs (export all data, export a chat) and the open
// dialogs (import data, import a model file). Production builds do not
// have this.
func init() {
	if p := os.Getenv("SIDECAR_DEV_SAVE_PATH"); p != "" {
		saveFileDialog = func(context.Context, runtime.SaveDialogOptions) (string, error) { return p, nil }
	}
	if p := os.Getenv("SIDECAR_DEV_OPEN_PATH"); p != "" {
		openFileDialog = func(context.Context, runtime.OpenDialogOptions) (string, error) { return p, nil }
	}
	if p := os.Getenv("SIDECAR_DEV_FOLDER_PATH"); p != "" {
		openDirectoryDialog = func(context.Context, runtime.OpenDialogOptions) (string, error) { return p, nil }
	}
}
