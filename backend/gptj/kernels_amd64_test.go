package gptj

import (
	"math"
	"math/rand"
	"testing"

	"golang.org/x/sys/cpu"

	"sidecar/backend/simd"
)

// quantKernelSet is one choice of quantized assembly kernels, for tests
// and benchmarks that compare them.
type quantKernelSet struct {
	name string
	use  func() (restore func())
}

// quantKernelSets lists the quantized kernel choices this CPU can run.
func quantKernelSets() []quantKernelSet {
	type (
		k8  = func(*byte, *int8, *float32, int) float32
		k4  = func(*byte, *int8, *float32, *float32, int) float32
		k48 = func(*byte, int, *int8, *float32, int, *[4]float32)
		k44 = func(*byte, int, *int8, *float32, *float32, int, *[4]float32)
	)
	pick := func(q8 k8, q4 k4, q48 k48, q44 k44) func() func() {
		return func() func() {
			o8, o4, o48, o44 := q8Kernel, q4Kernel, q84Kernel, q44Kernel
			q8Kernel, q4Kernel, q84Kernel, q44Kernel = q8, q4, q48, q44
			return func() { q8Kernel, q4Kernel, q84Kernel, q44Kernel = o8, o4, o48, o44 }
		}
	}
	sets := []quantKernelSet{{"avx2", pick(dotQ8AVX2, dotQ4AVX2, dot4Q8AVX2, dot4Q4AVX2)}}
	if cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL {
		sets = append(sets, quantKernelSet{"vnni", pick(dotQ8VNNI, dotQ4VNNI, dot4Q8VNNI, dot4Q4VNNI)})
	}
	return sets
}

// TestKernelsAgree checks the assembly kernels against the Go ones on many
// lengths, including ones that leave a tail for the Go code.
func TestKernelsAgree(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2/FMA/F16C on this CPU: only the Go kernels run here")
	}
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 96, 100, 256, 416, 4096, 4096 + 32, 16384} {
		rows, x := kernelInputs(rng, n)
		var mag float64
		for _, v := range x {
			mag += math.Abs(float64(v))
		}
		if got, want := dotF32BytesAsm(rows[F32], x), dotF32BytesGo(rows[F32], x); !close32(got, want, mag) {
			t.Errorf("f32 n=%d: asm %v, go %v", n, got, want)
		}
		xs := make([]float32, 4*n+3)
		for i := range xs {
			xs[i] = float32(rng.NormFloat64())
		}
		var o1, o2 [4]float32
		simd.Dot4(x, xs, n+1, &o1)
		dot4Go(x, xs, n+1, &o2)
		for i := range o1 {
			if !close32(o1[i], o2[i], mag*3) {
				t.Errorf("dot4 n=%d row %d: asm %v, go %v", n, i, o1[i], o2[i])
			}
		}
		y1 := append([]float32(nil), x...)
		y2 := append([]float32(nil), x...)
		simd.Axpy(0.37, x[:len(x)/2+1], y1)
		axpyGo(0.37, x[:len(x)/2+1], y2)
		for i := range y1 {
			if !close32(y1[i], y2[i], 1) {
				t.Fatalf("axpy n=%d at %d: asm %v, go %v", n, i, y1[i], y2[i])
			}
		}
		d1, d2 := make([]float32, n), make([]float32, n)
		f16RowAsm(d1, rows[F16])
		f16RowGo(d2, rows[F16])
		for i := range d1 {
			if math.Float32bits(d1[i]) != math.Float32bits(d2[i]) {
				t.Fatalf("f16 row n=%d at %d: asm %v, go %v", n, i, d1[i], d2[i])
			}
		}
		if n%qk != 0 {
			continue
		}
		a := newActQ8(n)
		a.quantize(x)
		for _, set := range quantKernelSets() { // AVX2, and VNNI where the CPU has it
			restore := set.use()
			for _, wt := range []WType{Q8_0, Q4_0} {
				asm, gof := dotQ8Asm, dotQ8Go
				if wt == Q4_0 {
					asm, gof = dotQ4Asm, dotQ4Go
				}
				got, want := asm(rows[wt], &a, 0, n/qk), gof(rows[wt], &a, 0, n/qk)
				if !close32(got, want, mag) {
					t.Errorf("%v %s n=%d: asm %v, go %v", wt, set.name, n, got, want)
				}
				// Four rows side by side, stride apart (with a gap),
				// against one row at a time.
				rb := rowBytes(wt, n)
				stride := rb + 7*qk
				four := make([]byte, 3*stride+rb)
				for k := 0; k < 4; k++ {
					other, _ := kernelInputs(rand.New(rand.NewSource(int64(n+k))), n)
					copy(four[k*stride:], other[wt])
				}
				var o4, g4 [4]float32
				if wt == Q8_0 {
					dot4Q8Asm(four, stride, &a, n/qk, &o4)
					dot4Q8Go(four, stride, &a, n/qk, &g4)
				} else {
					dot4Q4Asm(four, stride, &a, n/qk, &o4)
					dot4Q4Go(four, stride, &a, n/qk, &g4)
				}
				for k := range o4 {
					if !close32(o4[k], g4[k], mag) || g4[k] != gof(four[k*stride:], &a, 0, n/qk) {
						t.Errorf("%v %s n=%d four rows, row %d: asm %v, go %v", wt, set.name, n, k, o4[k], g4[k])
					}
				}
			}
			restore()
		}
		if dotQ8U != nil { // unsigned activations with per-block weight sums
			corr := make([]int32, n/qk)
			sumQ8(rows[Q8_0], n/qk, corr)
			if got, want := dotQ8U(rows[Q8_0], &a, 0, n/qk, corr), dotQ8Go(rows[Q8_0], &a, 0, n/qk); !close32(got, want, mag) {
				t.Errorf("q8_0 unsigned n=%d: asm %v, go %v", n, got, want)
			}
		}
		if nb := n / qk; unpackQ4 != nil && nb >= group { // Q4_0 unpacked to Q8_0, the tail as Q4_0
			whole := nb / group * group
			u, corr := make([]byte, whole*34), make([]int32, whole)
			unpackQ4(rows[Q4_0], whole, u)
			sumQ8(u, whole, corr)
			got := dotQ8U(u, &a, 0, whole, corr)
			if whole < nb {
				got += dotQ4Go(rows[Q4_0][whole*18:], &a, whole, nb-whole)
			}
			if want := dotQ4Go(rows[Q4_0], &a, 0, nb); !close32(got, want, mag) {
				t.Errorf("q4_0 unpacked n=%d: asm %v, go %v", n, got, want)
			}
		}
	}
}
