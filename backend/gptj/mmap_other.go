//go:build !unix

package gptj

import "os"

// mapFile reads the file (no memory mapping on this platform): weights
// that keep the file's type are used from the read buffer in place
// (keeping it alive), and nothing is handed back while loading.
func mapFile(path string) (*fileMap, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return &fileMap{data: b}, nil
}

func dropPages(*fileMap, []byte) {}

func unmap(*fileMap) {}
