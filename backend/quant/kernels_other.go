//go:build !amd64

package quant

type actsExt struct{}

func newActsExt(*Acts) *actsExt { return nil }
func (*actsExt) prepare(*Acts)  {}

const fastName = "go"
