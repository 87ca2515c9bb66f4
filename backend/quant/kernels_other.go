//go:build !amd64

package quant

const fastName = "go"

const pack4 = false
