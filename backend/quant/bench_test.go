package quant

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"sidecar/backend/simd"
)

// benchTypes are the types the benchmarks measure.
var benchTypes = []Type{Q4_K, Q6_K, Q8_0, Q4_0, F16, Q5_K, Q2_K, Q3_K, IQ4_XS, Q4_1, Q5_0, Q5_1, IQ4_NL, BF16, F32}

// fastMatrix is randomMatrix for large shapes: 1 MiB of random blocks
// (finite scales) repeated.
func fastMatrix(b *testing.B, typ Type, rows, cols int, rng *rand.Rand) Matrix {
	b.Helper()
	rb, _ := typ.RowBytes(int64(cols))
	tileRows := max(1, (1<<20)/int(rb))
	tile := randomMatrix(b, typ, min(rows, tileRows), cols, rng)
	data := make([]byte, int64(rows)*rb)
	for off := 0; off < len(data); off += len(tile.data) {
		copy(data[off:], tile.data)
	}
	m, err := NewMatrix(typ, rows, cols, data)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkRowProducts measures one core's throughput on a 256×4096
// matrix (in L2: the kernel's speed, not memory's), in GB/s of
// weights, for each kernel set: "go" and what the CPU has. best_GB/s is
// the fastest pass, the figure least disturbed by other work on the
// machine.
func BenchmarkRowProducts(b *testing.B) {
	const rows, cols = 256, 4096
	rng := rand.New(rand.NewPCG(5, 6))
	sets := []struct {
		name       string
		avx2, vnni bool
	}{{"go", false, false}, {"avx2", hasAVX2, false}, {"vnni", hasAVX2, hasVNNI}}
	defer selectKernels(hasAVX2, hasVNNI)
	for _, typ := range benchTypes {
		m := fastMatrix(b, typ, rows, cols, rng)
		a, _ := NewActs(typ, cols, 1)
		if err := a.Set(randomVectors(cols, rng)); err != nil {
			b.Fatal(err)
		}
		out := make([]float32, rows)
		for _, ks := range sets {
			if ks.name != "go" && !ks.avx2 || ks.name == "vnni" && !ks.vnni {
				continue
			}
			selectKernels(ks.avx2, ks.vnni)
			if ks.name != "go" && Kernels(typ) == "go" {
				continue
			}
			b.Run(typ.String()+"/"+ks.name, func(b *testing.B) {
				best := time.Duration(1 << 62)
				for b.Loop() {
					t0 := time.Now()
					m.DotRows(0, rows, a, out)
					best = min(best, time.Since(t0))
				}
				b.ReportMetric(float64(len(m.data))*float64(b.N)/b.Elapsed().Seconds()/1e9, "GB/s")
				b.ReportMetric(float64(len(m.data))/best.Seconds()/1e9, "best_GB/s")
			})
		}
	}
}

// llamaShapes are one Llama-3.2-1B layer's matrices (q, k, v, o, gate,
// up, down) as rows×cols, and the output head.
var llamaShapes = [][2]int{{2048, 2048}, {512, 2048}, {512, 2048}, {2048, 2048}, {8192, 2048}, {8192, 2048}, {2048, 8192}}

const llamaVocab = 128256

// BenchmarkGeneration is a generation step's products with Llama-3.2-1B
// shapes (two layers and the output head, too large for any cache) on two
// threads, each matrix's rows split between them. It reports ms per step
// and the ratio to the read floor measured in the same run: the time two
// threads take to read the same bytes (readFloor).
func BenchmarkGeneration(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, typ := range []Type{Q4_K, Q6_K, Q8_0, Q4_0, F16} {
		var mats []Matrix
		for l := 0; l < 2; l++ {
			for _, s := range llamaShapes {
				mats = append(mats, fastMatrix(b, typ, s[0], s[1], rng))
			}
		}
		mats = append(mats, fastMatrix(b, typ, llamaVocab, 2048, rng))
		acts := map[int]*Acts{}
		outs := map[*Matrix][]float32{}
		var total int64
		for i := range mats {
			m := &mats[i]
			total += int64(len(m.data))
			if acts[m.cols] == nil {
				acts[m.cols], _ = NewActs(typ, m.cols, 1)
				if err := acts[m.cols].Set(randomVectors(m.cols, rng)); err != nil {
					b.Fatal(err)
				}
			}
			outs[m] = make([]float32, m.rows)
		}
		b.Run(fmt.Sprintf("%s/%s", typ, Kernels(typ)), func(b *testing.B) {
			var floor time.Duration
			for b.Loop() {
				for i := range mats {
					m := &mats[i]
					var wg sync.WaitGroup
					half := m.rows / 2
					wg.Add(1)
					go func() { defer wg.Done(); m.DotRows(half, m.rows, acts[m.cols], outs[m]) }()
					m.DotRows(0, half, acts[m.cols], outs[m])
					wg.Wait()
				}
				b.StopTimer()
				floor += readFloor(mats, 2)
				b.StartTimer()
			}
			per := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(per*1e3, "ms/step")
			b.ReportMetric(per/(floor.Seconds()/float64(b.N)), "vs_floor")
			b.ReportMetric(float64(total)/per/1e9, "GB/s")
		})
	}
}

// readFloor is how long threads take to read every byte of mats once,
// 1 MiB pieces at a time, summing them as floats (the least a product
// over the same weights can cost).
func readFloor(mats []Matrix, threads int) time.Duration {
	var pieces [][]byte
	for _, m := range mats {
		for p := m.data; len(p) >= 128; {
			n := min(len(p), 1<<20) &^ 127
			pieces = append(pieces, p[:n])
			p = p[n:]
		}
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	sinks := make([]float32, threads)
	start := time.Now()
	for w := range sinks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(pieces); i = int(next.Add(1)) - 1 {
				f := unsafe.Slice((*float32)(unsafe.Pointer(&pieces[i][0])), len(pieces[i])/4)
				sinks[w] += simd.Dot(f, f)
			}
		}()
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkBatch measures MulRows, the prompt-evaluation product: a
// 1024×2048 matrix with 64 vectors on one core. GB/s counts the weights
// once per vector (what 64 separate row products would read), so it
// compares directly with BenchmarkRowProducts.
func BenchmarkBatch(b *testing.B) {
	const rows, cols, vecs = 1024, 2048, 64
	rng := rand.New(rand.NewPCG(9, 10))
	for _, typ := range []Type{Q4_K, Q6_K, Q8_0, Q4_0, F16} {
		m := fastMatrix(b, typ, rows, cols, rng)
		a, _ := NewActs(typ, cols, vecs)
		if err := a.Set(randomVectors(vecs*cols, rng)); err != nil {
			b.Fatal(err)
		}
		out := make([]float32, vecs*rows)
		b.Run(typ.String()+"/"+Kernels(typ), func(b *testing.B) {
			best := time.Duration(1 << 62)
			for b.Loop() {
				t0 := time.Now()
				m.MulRows(0, rows, a, out, rows)
				best = min(best, time.Since(t0))
			}
			b.ReportMetric(float64(len(m.data))*vecs/best.Seconds()/1e9, "best_GB/s")
			b.ReportMetric(best.Seconds()*1e6/vecs, "best_µs/vector")
			b.ReportMetric(float64(rows)*cols*vecs/best.Seconds()/1e9, "best_GMAC/s")
		})
	}
}
