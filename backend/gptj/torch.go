package gptj

import (
	"fmt"
	"io"
	"os"

	"sidecar/backend/torchfile"
)

// isTorchFile reports whether path starts like a torch.save checkpoint.
func isTorchFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 16)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return torchfile.IsCheckpoint(head)
}

// addTorch adds the GPT-J tensors of one PyTorch checkpoint (a whole
// state dict or one shard of it). Its data.pkl is read by the restricted
// unpickler of backend/torchfile; each tensor's bytes are a slice of the
// mapped file (or one tensor's copy for a strided view), converted by
// the builder before the next is read. Tensors GPT-J does not use (the
// attn.bias / attn.masked_bias buffers) are skipped unread.
//
// fm is the mapped file: a tensor whose bytes lie in it may be used in
// place, and the pages of one that is converted are handed back.
func addTorch(b *builder, file string, fm *fileMap, progress func(float64)) (string, error) {
	tf, err := torchfile.Open(fm.data)
	if err != nil {
		return "", fmt.Errorf("gptj: %s: %w", file, err)
	}
	entries := tf.Tensors()
	ftype := ""
	for i, e := range entries {
		if !wanted(e.Name) {
			continue
		}
		t := e.Tensor
		var tt fileType
		switch t.DType {
		case torchfile.F32:
			tt = ftF32
		case torchfile.F16:
			tt = ftF16
		case torchfile.BF16:
			tt = ftBF16
		default:
			return "", fmt.Errorf("%w: %s: tensor %s has dtype %s (F32, F16, BF16 are supported)", ErrFormat, file, e.Name, t.DType)
		}
		ftype = tt.String()
		if len(t.Shape) < 1 || len(t.Shape) > 2 {
			return "", fmt.Errorf("%w: %s: tensor %s has %d dimensions", ErrFormat, file, e.Name, len(t.Shape))
		}
		rows, cols := int64(1), t.Shape[len(t.Shape)-1]
		if len(t.Shape) == 2 {
			rows = t.Shape[0]
		}
		if rows <= 0 || cols <= 0 || rows > maxVocab*4 || cols > maxVocab*4 {
			return "", fmt.Errorf("%w: %s: tensor %s has shape %v", ErrFormat, file, e.Name, t.Shape)
		}
		rt := &rawTensor{name: e.Name, typ: tt, rows: int(rows), cols: int(cols), dims: len(t.Shape)}
		if !b.dry {
			if rt.data, err = tf.Data(t); err != nil {
				return "", fmt.Errorf("gptj: %s: tensor %s: %w", file, e.Name, err)
			}
			if fm.holds(rt.data) { // not a strided view's copy
				rt.file = fm
			}
		}
		if err := b.add(rt); err != nil {
			return "", err
		}
		if !rt.kept {
			rt.consumed(len(rt.data))
		}
		if progress != nil {
			progress(float64(i+1) / float64(len(entries)))
		}
	}
	return ftype, nil
}
