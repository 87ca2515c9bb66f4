package llama

import "math"

// rope holds what RoPE needs for one kind of layer (sliding layers may
// have their own base and scale): each pair's base frequency, already
// divided by its frequency factor, and the YaRN blend, as ggml computes
// them (ggml_rope_yarn_corr_dims and rope_yarn).
type rope struct {
	style     RopeStyle
	dims      int // values turned per head
	theta     []float64
	freqScale float64
	extFactor float64
	corr      [2]float64
	mscale    float64
	cos, sin  []float32 // scratch for one position
	cachedPos int
}

func newRope(c Config, base, freqScale float64, factors []float32) *rope {
	r := &rope{style: c.a.rope, dims: c.Rot, freqScale: freqScale, cachedPos: -1}
	half := c.Rot / 2
	r.theta = make([]float64, half)
	for i := range r.theta {
		r.theta[i] = math.Pow(base, -2*float64(i)/float64(c.Rot))
		if factors != nil {
			r.theta[i] /= float64(factors[i])
		}
	}
	if c.Scaling == ScalingYarn {
		r.extFactor = 1
	}
	r.mscale = attnFactor(c)
	if r.extFactor != 0 {
		r.mscale *= 1 + 0.1*math.Log(1/freqScale)
		corrDim := func(nRot float64) float64 {
			return float64(c.Rot) * math.Log(float64(c.OrigCtx)/(nRot*2*math.Pi)) / (2 * math.Log(base))
		}
		r.corr[0] = max(0, math.Floor(corrDim(c.BetaFast)))
		r.corr[1] = min(float64(c.Rot-1), math.Ceil(corrDim(c.BetaSlow)))
	}
	r.cos, r.sin = make([]float32, half), make([]float32, half)
	return r
}

// attnFactor is the magnitude scale of the rotation before YaRN's own
// correction, as llama.cpp derives it from the scaling keys.
func attnFactor(c Config) float64 {
	f := 1.0
	if c.Scaling == ScalingYarn {
		factor := 1 / c.RopeScale
		mscale := func(m float64) float64 {
			if factor <= 1 {
				return 1
			}
			return 0.1*m*math.Log(factor) + 1
		}
		if c.YarnLogMul != 0 {
			f = mscale(1) / mscale(c.YarnLogMul)
		} else {
			f = mscale(1)
		}
		f /= 1 + 0.1*math.Log(factor)
	}
	return f * c.AttnFactor
}

// at fills the cosines and sines for position pos.
func (r *rope) at(pos int) {
	if pos == r.cachedPos {
		return
	}
	r.cachedPos = pos
	for i, th := range r.theta {
		extrap := float64(pos) * th
		theta := r.freqScale * extrap
		if r.extFactor != 0 {
			y := (float64(i) - r.corr[0]) / max(0.001, r.corr[1]-r.corr[0])
			mix := (1 - min(1, max(0, y))) * r.extFactor
			theta = theta*(1-mix) + extrap*mix
		}
		r.cos[i] = float32(math.Cos(theta) * r.mscale)
		r.sin[i] = float32(math.Sin(theta) * r.mscale)
	}
}

// apply turns each head of v (heads of hd values) for the position last
// given to at.
func (r *rope) apply(v []float32, heads, hd int) {
	half := r.dims / 2
	for h := 0; h < heads; h++ {
		x := v[h*hd : h*hd+r.dims]
		for i := 0; i < half; i++ {
			var a, b *float32
			if r.style == RopeNorm {
				a, b = &x[2*i], &x[2*i+1]
			} else {
				a, b = &x[i], &x[i+half]
			}
			x0, x1 := *a, *b
			*a = x0*r.cos[i] - x1*r.sin[i]
			*b = x0*r.sin[i] + x1*r.cos[i]
		}
	}
}
