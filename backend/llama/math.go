package llama

import (
	"math"

	"sidecar/backend/simd"
)

// rmsNormRows normalises n rows of width values of x into dst (which may
// be x) and multiplies them by w, summing squares in float64 as ggml does.
func rmsNormRows(dst, x, w []float32, width, n int, eps float32) {
	for r := 0; r < n; r++ {
		xr, dr := x[r*width:(r+1)*width], dst[r*width:(r+1)*width]
		var ss float64
		for _, v := range xr {
			ss += float64(v) * float64(v)
		}
		sc := float32(1 / math.Sqrt(ss/float64(width)+float64(eps)))
		for i, v := range xr {
			dr[i] = v * sc * w[i]
		}
	}
}

func addBias(x, b []float32, n int) {
	if b == nil {
		return
	}
	w := len(b)
	for r := 0; r < n; r++ {
		add(x[r*w:(r+1)*w], b)
	}
}

func add(x, y []float32) {
	for i := range x {
		x[i] += y[i]
	}
}

func scale(x []float32, f float32) {
	for i := range x {
		x[i] *= f
	}
}

// glu sets dst = act(gate) · up: SiLU (SwiGLU), or for Gemma the tanh
// GELU taken, as ggml takes it, from a half-precision table (the input
// rounded to half, the result too) for |x| < 10.
func glu(dst, gate, up []float32, gelu bool) {
	if !gelu {
		simd.SiLUMul(dst, gate, up)
		return
	}
	for i, g := range gate {
		dst[i] = geluHalf(g) * up[i]
	}
}
