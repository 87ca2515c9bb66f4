//go:build !unix

package gguf

import (
	"fmt"
	"os"
)

// Open reads and parses the file (no memory mapping on this platform).
func Open(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: open %s: %w", path, err)
	}
	return Parse(b)
}
