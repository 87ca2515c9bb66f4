package gptj

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
)

// Shape6B is GPT-J-6B's shape.
var Shape6B = Config{NVocab: 50400, NCtx: 2048, NEmbd: 4096, NHead: 16, NLayer: 28, NRot: 64, Eps: 1e-5}

// WriteRandomFile writes a legacy ggml GPT-J file of shape c with random
// weights stored as wt (vectors as F32, as ggml's converter stores them)
// and a vocabulary of made-up tokens. It writes a row at a time, so files
// of any size take little memory: it makes full-size files for measuring
// loading and speed without a real model.
func WriteRandomFile(path string, c Config, wt WType, seed int64) (err error) {
	if err := c.validate(); err != nil {
		return err
	}
	if wt != F32 && c.NEmbd%qk != 0 {
		return fmt.Errorf("gptj: n_embd %d is not a multiple of %d", c.NEmbd, qk)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gptj: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("gptj: %w", cerr)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	var scratch [4]byte
	i32 := func(v int) {
		binary.LittleEndian.PutUint32(scratch[:], uint32(int32(v)))
		w.Write(scratch[:])
	}
	// The file's type (header) and its matrices' tensor type.
	ftype, ttype := int(wt), int(wt)
	switch wt {
	case Q8_0:
		ftype, ttype = 7, 8
	case Q4_0:
		ftype, ttype = 2, 2
	}
	for _, v := range []int{ggmlMagic, c.NVocab, c.NCtx, c.NEmbd, c.NHead, c.NLayer, c.NRot, ftype, c.NVocab} {
		i32(v)
	}
	for i := 0; i < c.NVocab; i++ {
		tok := "t" + strconv.Itoa(i)
		i32(len(tok))
		w.WriteString(tok)
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	vals := make([]float32, max(4*c.NEmbd, c.NVocab)) // the longest row or vector
	out := make([]byte, 4*len(vals))
	tensor := func(name string, rows, cols int, mean, std float64) {
		nd, typ := 2, ttype
		if rows == 1 {
			nd, typ = 1, 0 // vectors are F32
		}
		i32(nd)
		i32(len(name))
		i32(typ)
		i32(cols)
		if nd == 2 {
			i32(rows)
		}
		w.WriteString(name)
		for r := 0; r < rows; r++ {
			v := vals[:cols]
			for i := range v {
				v[i] = float32(mean + std*rng.NormFloat64())
			}
			n := 0
			switch {
			case typ == 0:
				for _, x := range v {
					binary.LittleEndian.PutUint32(out[n:], math.Float32bits(x))
					n += 4
				}
			case wt == F16:
				for _, x := range v {
					binary.LittleEndian.PutUint16(out[n:], f32ToF16(x))
					n += 2
				}
			case wt == Q8_0:
				for b := 0; b < cols; b += qk {
					quantQ8(out[n:], v[b:b+qk])
					n += 34
				}
			default:
				for b := 0; b < cols; b += qk {
					quantQ4(out[n:], v[b:b+qk])
					n += 18
				}
			}
			w.Write(out[:n])
		}
	}
	e := c.NEmbd
	tensor("transformer.wte.weight", c.NVocab, e, 0, 0.02)
	for l := 0; l < c.NLayer; l++ {
		p := "transformer.h." + strconv.Itoa(l) + "."
		tensor(p+"ln_1.weight", 1, e, 1, 0.1)
		tensor(p+"ln_1.bias", 1, e, 0, 0.02)
		for _, n := range []string{"q_proj", "k_proj", "v_proj", "out_proj"} {
			tensor(p+"attn."+n+".weight", e, e, 0, 0.02)
		}
		tensor(p+"mlp.fc_in.weight", 4*e, e, 0, 0.02)
		tensor(p+"mlp.fc_in.bias", 1, 4*e, 0, 0.02)
		tensor(p+"mlp.fc_out.weight", e, 4*e, 0, 0.02)
		tensor(p+"mlp.fc_out.bias", 1, e, 0, 0.02)
	}
	tensor("transformer.ln_f.weight", 1, e, 1, 0.1)
	tensor("transformer.ln_f.bias", 1, e, 0, 0.02)
	tensor("lm_head.weight", c.NVocab, e, 0, 0.02)
	tensor("lm_head.bias", 1, c.NVocab, 0, 0.02)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("gptj: %w", err)
	}
	return nil
}
