// Package quant holds the weight types that GGUF and legacy ggml files use:
// their block layouts and sizes, dequantization to float32, quantization of
// activations, and the dot-product kernels that the local engines share.
//
// Layouts and decoding match ggml bit for bit (the tests compare with
// fixtures ggml made). Products follow ggml's pairing of weight and
// activation types (see ActType): the input vector is quantized once per
// step into an Acts, and each weight row is multiplied with it in
// integers, block by block.
//
// A matrix-vector product (generation), split over workers:
//
//	m, err := quant.NewMatrix(quant.Q4_K, rows, cols, bytesFromTheFile)
//	a, err := quant.NewActs(quant.Q4_K, cols, 1)
//	a.Set(x)                    // once per input vector
//	m.DotRows(r0, r1, a, out)   // each worker its own rows; out[r] for r0 ≤ r < r1
//
// A batch of vectors (prompt evaluation): NewActs with room for n vectors,
// Set with n·cols values, then MulRows(r0, r1, a, out, ldo), which writes
// out[v·ldo+r] and reads each row once per group of vectors.
//
// Every kernel has a plain-Go version; on amd64 faster ones are chosen at
// start from what the CPU has:
//
//	AVX2 (+FMA, F16C)          F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K
//	AVX-512 F/BW/VL + VNNI     also Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K,
//	                           Q5_K, IQ4_XS, and 512-bit Q8_0, Q4_0, Q4_K,
//	                           Q6_K; batches of Q8_0, Q4_0, Q4_K and Q6_K
//	                           four vectors per weight read, and from 8
//	                           vectors an int8 matrix product (weights
//	                           unpacked to bytes once per tile, 16 vectors
//	                           per register); F16 batches a float32 one
//	AMX (tiles, int8)          the int8 product (Q8_0, Q4_0, Q4_K, Q6_K)
//	                           with TDPBUSD, 16 rows by 16 vectors a tile
//
// Other types and CPUs run the Go kernels. SIDECAR_KERNELS=go forces them,
// SIDECAR_KERNELS=avx2 keeps to AVX2 on a CPU with AVX-512 and
// SIDECAR_KERNELS=vnni leaves AMX out (tests and benchmarks); the tests
// check every set the CPU has against Go.
// Kernels(t) names the set in use for a type.
package quant
