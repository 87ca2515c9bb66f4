package main

import "github.com/wailsapp/wails/v2/pkg/runtime"

// The native file dialogs of export and import. Development builds can
// answer them from the environment (dialogs_dev.go) so the end-to-end
// tests drive those buttons in a browser, where no native dialog exists.
var (
	saveFileDialog = runtime.SaveFileDialog
	openFileDialog = runtime.OpenFileDialog
)
