// Package models is Sidecar's catalogue of what can generate and what can
// embed: cloud providers, local runtimes and the built-in echo, embedding
// models built in, local or in the cloud. It decides the defaults once,
// and defines the interface local engines (GPT-J, GGUF) implement.
package models
