//go:build !amd64

package quant

const fastName = "go"
