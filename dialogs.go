package main

import (
	"github.com/wailsapp/wails/v2/pkg/runtime"

	"sidecar/backend/session"
)

// The native file dialogs of export (all data, one chat) and import. Development builds can
// answer them from the environment (dialogs_dev.go) so the end-to-end
// tests drive those buttons in a browser, where no native dialog exists.
var (
	saveFileDialog          = runtime.SaveFileDialog
	openFileDialog          = runtime.OpenFileDialog
	openDirectoryDialog     = runtime.OpenDirectoryDialog
	openMultipleFilesDialog = runtime.OpenMultipleFilesDialog
)

// ExportData writes every chat, document and setting to an archive the
// user picks; a non-empty passphrase encrypts it. It returns the path, or
// "" if the user cancelled.
func (a *App) ExportData(passphrase string) (string, error) {
	path, err := saveFileDialog(a.ctx, runtime.SaveDialogOptions{Title: "Export all data", DefaultFilename: exportName(passphrase)})
	if err != nil || path == "" {
		return "", err
	}
	_, err = a.ready().Export(a.ctx, path, passphrase)
	return path, err
}

// ImportData restores an archive the user picks; nothing changes if it
// is refused.
func (a *App) ImportData(passphrase string) (session.ImportReport, error) {
	path, err := openFileDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import a Sidecar export",
		Filters: []runtime.FileFilter{{DisplayName: "Sidecar exports (*.zip, *.sidecar)", Pattern: "*.zip;*.sidecar"}}})
	if err != nil || path == "" {
		return session.ImportReport{}, err
	}
	return a.ready().Import(a.ctx, path, passphrase)
}

// ImportModelFile asks for a model file (GGUF, or a GPT-J .bin or
// .safetensors) with the native dialog and adds it; an empty result means
// the user cancelled.
func (a *App) ImportModelFile() (session.LocalModelView, error) {
	path, err := openFileDialog(a.ctx, runtime.OpenDialogOptions{
		Title: "Import a model file",
		Filters: []runtime.FileFilter{
			{DisplayName: "Models (*.gguf, *.bin, *.safetensors)", Pattern: "*.gguf;*.bin;*.safetensors"},
			{DisplayName: "All files", Pattern: "*"},
		},
	})
	if err != nil || path == "" {
		return session.LocalModelView{}, err
	}
	return a.ready().ImportLocalModel(a.ctx, path)
}

// ImportModelFolder asks for a Hugging Face model folder and adds it.
func (a *App) ImportModelFolder() (session.LocalModelView, error) {
	path, err := runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import a GPT-J model folder (config.json + safetensors)"})
	if err != nil || path == "" {
		return session.LocalModelView{}, err
	}
	return a.ready().ImportLocalModel(a.ctx, path)
}

// PickAttachments asks for files with the native dialog and keeps them
// for a chat's next message; the accepted ones come back, with the first
// refusal as the error.
func (a *App) PickAttachments(chatID int64) ([]session.AttachmentView, error) {
	paths, err := openMultipleFilesDialog(a.ctx, runtime.OpenDialogOptions{Title: "Attach files"})
	if err != nil || len(paths) == 0 {
		return []session.AttachmentView{}, err
	}
	return a.ready().AttachFiles(a.ctx, chatID, paths)
}

// AddDocumentFiles asks for files with the native dialog and adds them.
func (a *App) AddDocumentFiles() ([]session.DocResult, error) {
	paths, err := runtime.OpenMultipleFilesDialog(a.ctx, runtime.OpenDialogOptions{Title: "Add documents"})
	if err != nil {
		return nil, err
	}
	return a.ready().AddPaths(a.ctx, paths)
}

// AddDocumentFolder asks for a folder and watches it: its files (respecting
// .gitignore) are added now and followed while Sidecar runs. An empty
// path in the result means the user cancelled.
func (a *App) AddDocumentFolder() (session.FolderState, error) {
	p, err := openDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Add a folder of documents"})
	if err != nil || p == "" {
		return session.FolderState{}, err
	}
	return a.ready().WatchFolder(a.ctx, p)
}

// ImportEmbeddingModel asks for a Hugging Face sentence-embedding folder
// (config.json, model.safetensors, tokenizer.json), checks it by loading
// it and copies it into the data folder. It returns the model's ID, or ""
// if the user cancelled.
func (a *App) ImportEmbeddingModel() (string, error) {
	dir, err := runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Import a sentence-embedding model folder (BERT family, e.g. all-MiniLM-L6-v2)"})
	if err != nil || dir == "" {
		return "", err
	}
	return a.ready().ImportEmbeddingModel(a.ctx, dir)
}

// ChooseBackupFolder asks for a folder ("" if cancelled).
func (a *App) ChooseBackupFolder() (string, error) {
	return runtime.OpenDirectoryDialog(a.ctx, runtime.OpenDialogOptions{Title: "Folder for encrypted backups", CanCreateDirectories: true})
}

// ExportChat saves one chat, as Markdown ("markdown") or a printable HTML
// page ("html"), where the user picks. It returns the path, or "" if the
// user cancelled.
func (a *App) ExportChat(chatID int64, format string) (string, error) {
	name, err := a.ready().ChatExportName(a.ctx, chatID, format)
	if err != nil {
		return "", err
	}
	filter := runtime.FileFilter{DisplayName: "Markdown (*.md)", Pattern: "*.md"}
	if format == "html" {
		filter = runtime.FileFilter{DisplayName: "Web page (*.html)", Pattern: "*.html"}
	}
	path, err := saveFileDialog(a.ctx, runtime.SaveDialogOptions{Title: "Export this chat", DefaultFilename: name, Filters: []runtime.FileFilter{filter}})
	if err != nil || path == "" {
		return "", err
	}
	return path, a.ready().ExportChat(a.ctx, chatID, format, path)
}
