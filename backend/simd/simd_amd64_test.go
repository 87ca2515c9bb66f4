package simd

// dot2x4Kernels lists the Dot2x4 assembly kernels this CPU can run.
func dot2x4Kernels() []namedDot2x4 {
	if !Accelerated {
		return nil
	}
	ks := []namedDot2x4{{"avx2", dot2x4Asm}}
	if hasAVX512 {
		ks = append(ks, namedDot2x4{"avx512", dot2x4Asm512})
	}
	return ks
}
