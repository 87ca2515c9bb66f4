//go:build !amd64

package quant

const (
	packGemm     = false
	gemmMinBatch = 8
	gemmFromMax  = 16
)

func gemmName(Type) string { return "" }
