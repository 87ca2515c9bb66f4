package llama

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"sidecar/backend/gguf"
)

// ErrFormat is wrapped by every error about a model file this engine
// cannot run: an unknown architecture, a missing or misshapen tensor, a
// shape out of range.
var ErrFormat = errors.New("llama: unsupported model")

// RopeStyle is how RoPE pairs the values of a head.
type RopeStyle int

const (
	// RopeNorm rotates adjacent pairs (x[2i], x[2i+1]): the llama
	// architecture, whose converter permutes Q and K rows to match.
	RopeNorm RopeStyle = iota
	// RopeNeox rotates halves (x[i], x[i+n/2]).
	RopeNeox
)

// Scaling is a RoPE scaling method as GGUF names it.
type Scaling string

// The RoPE scaling methods. Llama 3's scaling has no name: it is the
// rope_freqs tensor, frequency factors applied under any method.
const (
	ScalingNone     Scaling = "none"
	ScalingLinear   Scaling = "linear"
	ScalingYarn     Scaling = "yarn"
	ScalingLongRope Scaling = "longrope"
)

// arch is what sets one family apart from the llama graph: the
// differences as data.
type arch struct {
	rope        RopeStyle
	qkNorm      bool // RMS norms of each head of Q and K before RoPE (qwen3, gemma3)
	postNorms   bool // RMS norms of the attention and FFN outputs (gemma2, gemma3)
	gemma       bool // embeddings × sqrt(width), GeGLU instead of SwiGLU
	attnSoftCap bool // attention scores soft-capped when the file says how (gemma2)
	fused       bool // attn_qkv and a gate+up ffn_up (phi3)
	swaPattern  int  // default sliding-window pattern: layer i slides unless i%n == n-1 (0: none)
	swaBaseKey  bool // sliding layers have their own RoPE base (gemma2/3: default 10000 or the train base)
}

var arches = map[string]arch{
	"llama":  {rope: RopeNorm},
	"qwen2":  {rope: RopeNeox},
	"qwen3":  {rope: RopeNeox, qkNorm: true},
	"gemma2": {rope: RopeNeox, postNorms: true, gemma: true, attnSoftCap: true, swaPattern: 2},
	"gemma3": {rope: RopeNeox, postNorms: true, gemma: true, qkNorm: true, swaPattern: 6},
	"phi3":   {rope: RopeNeox, fused: true},
}

// Architectures lists the architectures the engine runs.
func Architectures() []string {
	return []string{"llama", "qwen2", "qwen3", "gemma2", "gemma3", "phi3"}
}

// Config is a model's shape and the hyperparameters of its graph.
type Config struct {
	Arch       string
	Vocab      int
	CtxTrain   int
	Embd       int
	Layers     int
	FF         int
	Heads      int
	KVHeads    int
	HeadDim    int
	Rot        int // dimensions RoPE turns (≤ HeadDim)
	Eps        float32
	RopeBase   float64
	Scaling    Scaling
	RopeScale  float64 // frequency scale (1/factor)
	OrigCtx    int     // context the RoPE scaling is relative to
	AttnFactor float64 // rope.scaling.attn_factor
	YarnLogMul float64
	BetaFast   float64
	BetaSlow   float64

	SlidingWindow int    // 0: none
	Sliding       []bool // per layer: does it slide
	SWABase       float64
	SWAScale      float64

	AttnSoftCap  float32 // 0: none
	FinalSoftCap float32 // 0: none
	AttnScale    float32 // the 1/sqrt applied to scores

	a arch
}

// Limits on what a file may declare, far above any model this engine is
// meant for, so a hostile header cannot make it allocate absurdly.
const (
	maxVocab  = 1 << 20
	maxEmbd   = 1 << 15
	maxLayers = 512
	maxHeads  = 1024
	maxFF     = 1 << 18
)

func readConfig(f *gguf.File) (Config, error) {
	var c Config
	name, err := f.String("general.architecture")
	if err != nil {
		return c, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	a, ok := arches[name]
	if !ok {
		return c, fmt.Errorf("%w: architecture %q (this engine runs %s)", ErrFormat, name, strings.Join(Architectures(), ", "))
	}
	c.Arch, c.a = name, a
	r := keyReader{f: f, prefix: name + "."}
	c.Embd = r.int("embedding_length", -1)
	c.Layers = r.int("block_count", -1)
	c.FF = r.int("feed_forward_length", -1)
	c.Heads = r.int("attention.head_count", -1)
	c.KVHeads = r.int("attention.head_count_kv", c.Heads)
	c.CtxTrain = r.int("context_length", -1)
	if r.err != nil {
		return c, r.err
	}
	if c.Heads <= 0 || c.Heads > maxHeads {
		return c, fmt.Errorf("%w: %d attention heads", ErrFormat, c.Heads)
	}
	c.HeadDim = r.int("attention.key_length", c.Embd/c.Heads)
	if v := r.int("attention.value_length", c.HeadDim); v != c.HeadDim && r.err == nil {
		return c, fmt.Errorf("%w: value length %d differs from key length %d", ErrFormat, v, c.HeadDim)
	}
	c.Rot = r.int("rope.dimension_count", c.HeadDim)
	c.Eps = float32(r.float("attention.layer_norm_rms_epsilon", -1))
	c.RopeBase = r.float("rope.freq_base", 10000)
	c.readScaling(&r)
	c.readGemma(&r)
	if r.err != nil {
		return c, r.err
	}
	return c, c.validate()
}

func (c *Config) readScaling(r *keyReader) {
	c.Scaling = Scaling(r.str("rope.scaling.type", string(ScalingLinear)))
	factor := r.float("rope.scaling.factor", 0)
	if factor == 0 {
		factor = r.float("rope.scale_linear", 0)
	}
	c.RopeScale = 1
	if factor != 0 {
		c.RopeScale = 1 / factor
	}
	if c.Scaling == ScalingNone {
		c.RopeScale = 1
	}
	c.OrigCtx = r.int("rope.scaling.original_context_length", c.CtxTrain)
	c.AttnFactor = r.float("rope.scaling.attn_factor", 1)
	c.YarnLogMul = r.float("rope.scaling.yarn_log_multiplier", 0)
	c.BetaFast = r.float("rope.scaling.yarn_beta_fast", 32)
	c.BetaSlow = r.float("rope.scaling.yarn_beta_slow", 1)
	switch c.Scaling {
	case ScalingNone, ScalingLinear, ScalingYarn, ScalingLongRope:
	default:
		if r.err == nil {
			r.err = fmt.Errorf("%w: RoPE scaling %q", ErrFormat, c.Scaling)
		}
	}
}

// readGemma reads sliding windows and soft-caps, which only some
// architectures have.
func (c *Config) readGemma(r *keyReader) {
	c.AttnScale = float32(1 / math.Sqrt(float64(c.HeadDim)))
	c.SWABase, c.SWAScale = 10000, 1
	if c.a.attnSoftCap {
		c.AttnSoftCap = float32(r.float("attn_logit_softcapping", 0))
		c.SWABase, c.SWAScale = c.RopeBase, c.RopeScale
		c.SlidingWindow = r.int("attention.sliding_window", 4096)
	}
	c.FinalSoftCap = float32(r.float("final_logit_softcapping", 0))
	if c.Arch == "gemma3" {
		c.SlidingWindow = r.int("attention.sliding_window", 0)
	}
	c.SWABase = r.float("rope.freq_base_swa", c.SWABase)
	c.Sliding = make([]bool, max(0, min(c.Layers, maxLayers)))
	if c.SlidingWindow <= 0 || c.a.swaPattern == 0 {
		c.SlidingWindow = 0
		return
	}
	key := r.prefix + "attention.sliding_window_pattern"
	if a, err := r.f.Array(key); err == nil {
		flags, ok := a.Values.([]bool) // one flag per layer
		if !ok || len(flags) < len(c.Sliding) {
			r.keep(fmt.Errorf("key %s is not one bool per layer", key))
			return
		}
		copy(c.Sliding, flags)
		return
	}
	n := r.int("attention.sliding_window_pattern", c.a.swaPattern)
	for i := range c.Sliding {
		c.Sliding[i] = n == 0 || i%n < n-1
	}
}

func (c Config) validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, a...)...)
	}
	switch {
	case c.Embd <= 0 || c.Embd > maxEmbd:
		return bad("embedding length %d", c.Embd)
	case c.Layers <= 0 || c.Layers > maxLayers:
		return bad("%d layers", c.Layers)
	case c.FF <= 0 || c.FF > maxFF:
		return bad("feed-forward length %d", c.FF)
	case c.KVHeads <= 0 || c.Heads%c.KVHeads != 0:
		return bad("%d KV heads for %d heads", c.KVHeads, c.Heads)
	case c.HeadDim <= 0 || c.HeadDim%2 != 0 || c.HeadDim*c.Heads > 4*maxEmbd:
		return bad("head size %d", c.HeadDim)
	case c.Rot <= 0 || c.Rot > c.HeadDim || c.Rot%2 != 0:
		return bad("RoPE dimensions %d for head size %d", c.Rot, c.HeadDim)
	case !(c.Eps > 0 && c.Eps < 1):
		return bad("RMS norm epsilon %g", c.Eps)
	case !(c.RopeBase > 1) || !(c.SWABase > 1) || !(c.RopeScale > 0) || !(c.AttnFactor > 0):
		return bad("RoPE base %g, scale %g, attention factor %g", c.RopeBase, c.RopeScale, c.AttnFactor)
	case c.OrigCtx <= 0:
		return bad("original context %d", c.OrigCtx)
	}
	return nil
}

// keyReader reads arch-prefixed keys, keeping the first error.
type keyReader struct {
	f      *gguf.File
	prefix string
	err    error
}

func (r *keyReader) int(key string, def int) int {
	v, err := r.f.IntOr(r.prefix+key, int64(def))
	if err == nil && def < 0 && v == int64(def) {
		err = fmt.Errorf("missing key %s%s", r.prefix, key)
	}
	if err == nil && (v < 0 || v > math.MaxInt32) {
		err = fmt.Errorf("key %s%s = %d out of range", r.prefix, key, v)
	}
	r.keep(err)
	return int(v)
}

func (r *keyReader) float(key string, def float64) float64 {
	v, err := r.f.FloatOr(r.prefix+key, def)
	if err == nil && def < 0 && v == def {
		err = fmt.Errorf("missing key %s%s", r.prefix, key)
	}
	r.keep(err)
	return v
}

func (r *keyReader) str(key string, def string) string {
	v, err := r.f.StringOr(r.prefix+key, def)
	r.keep(err)
	return v
}

func (r *keyReader) keep(err error) {
	if err != nil && r.err == nil {
		r.err = fmt.Errorf("%w: %v", ErrFormat, err)
	}
}
