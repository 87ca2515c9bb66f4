//go:build !unix

package pdftext

func newLinearMemory(limit uint64) linearMemory { return newSliceMemory(limit) }
