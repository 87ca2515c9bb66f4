//go:build !unix

package gptj

import "os"

// readMapped reads the file (no memory mapping on this platform).
func readMapped(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, func() {}, err
}

// releasePages does nothing where files are read, not mapped.
func releasePages(file, part []byte) {}
