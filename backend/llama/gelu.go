package llama

import (
	"math"
	"sync"

	"sidecar/backend/quant"
)

var (
	geluOnce  sync.Once
	geluTable []float32 // by the half-precision bits of the input
)

func geluF32(x float32) float32 {
	const sqrt2OverPi, coefA = 0.79788456080286535587989211986876, 0.044715
	return 0.5 * x * (1 + float32(math.Tanh(float64(sqrt2OverPi*x*(1+coefA*x*x)))))
}

func geluHalf(x float32) float32 {
	if x <= -10 {
		return 0
	}
	if x >= 10 {
		return x
	}
	geluOnce.Do(func() {
		geluTable = make([]float32, 1<<16)
		for i := range geluTable {
			geluTable[i] = quant.F16ToF32(quant.F32ToF16(geluF32(quant.F16ToF32(uint16(i)))))
		}
	})
	return geluTable[quant.F32ToF16(x)]
}
