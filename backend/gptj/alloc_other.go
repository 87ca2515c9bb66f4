//go:build !linux

package gptj

// weightBytes allocates a matrix's storage on the Go heap.
func weightBytes(_ *Matrix, n int) []byte { return make([]byte, n) }
