// Package archtest enforces Sidecar's architecture in tests: building
// blocks never import the use cases, the API or Wails, and every package
// says what it is for.
package archtest
