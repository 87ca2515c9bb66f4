package gptj

import "golang.org/x/sys/cpu"

// quantKernelSet is one choice of quantized assembly kernels, for tests
// and benchmarks that compare them.
type quantKernelSet struct {
	name string
	use  func() (restore func())
}

// quantKernelSets lists the quantized kernel choices this CPU can run.
func quantKernelSets() []quantKernelSet {
	pick := func(q8 func(*byte, *int8, *float32, int) float32, q4 func(*byte, *int8, *float32, *float32, int) float32) func() func() {
		return func() func() {
			o8, o4 := q8Kernel, q4Kernel
			q8Kernel, q4Kernel = q8, q4
			return func() { q8Kernel, q4Kernel = o8, o4 }
		}
	}
	sets := []quantKernelSet{{"avx2", pick(dotQ8AVX2, dotQ4AVX2)}}
	if cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL {
		sets = append(sets, quantKernelSet{"vnni", pick(dotQ8VNNI, dotQ4VNNI)})
	}
	return sets
}
