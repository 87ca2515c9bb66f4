// Package models defines the interface local engines (GPT-J, GGUF)
// implement: inspect a file, load it with progress, render its chat
// template, count tokens, stream, and say what the model can do. The
// catalogue (backend/catalog) keeps the registry of model files and picks
// the runtime of each.
package models
