package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"sidecar/backend/attn"
	"sidecar/backend/gguf"
	"sidecar/backend/ggufrt"
	"sidecar/backend/gptj"
	"sidecar/backend/llama"
	"sidecar/backend/llm"
	"sidecar/backend/models"
	"sidecar/backend/tokenizer"
)

// errGGUFWType refuses --wtype for GGUF files: their weights are used as
// stored, so a different type would measure something else.
var errGGUFWType = errors.New("--wtype does not apply to a GGUF file: its weights are used in the types it stores")

// isGGUF reports whether path is a file starting with the GGUF magic.
func isGGUF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == gguf.Magic
}

// wtypeSet reports whether --wtype was given on the command line.
func wtypeSet(fs *flag.FlagSet) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == "wtype" })
	return set
}

func ggufInfo(path string, out io.Writer) error {
	f, err := gguf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	i := llama.Describe(f)
	support := "yes"
	if !i.Supported {
		support = "no (this engine runs " + fmt.Sprint(llama.Architectures()) + ")"
	}
	fmt.Fprintf(out, "format:        GGUF v%d\narchitecture:  %s\nsupported:     %s\nname:          %s\n", f.Version, i.Arch, support, i.Name)
	fmt.Fprintf(out, "weight type:   %s\ntensor types:  %s\nsize:          %d bytes\nparameters:    %d\n", i.FileType, i.TypeSummary(), i.Bytes, i.Params)
	fmt.Fprintf(out, "context:       %d\nlayers:        %d\nwidth:         %d\nchat template: %v\nfim:           %s\n", i.ContextLength, i.Layers, i.Embd, i.ChatTemplate, fimText(f))
	return nil
}

// fimText says whether the vocabulary has fill-in-the-middle tokens (as
// the runtime finds them: named by the metadata or by their text).
func fimText(f *gguf.File) string {
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	fim := tok.FIM()
	if !fim.OK() {
		return "no"
	}
	return fmt.Sprintf("yes (prefix %d, suffix %d, middle %d)", fim.Prefix, fim.Suffix, fim.Middle)
}

// ggufEval prints the logits of steps greedy steps after prompt, fed as
// given (no BOS is added), with a KV cache of type cache.
func ggufEval(ctx context.Context, path string, prompt []int, steps int, cache llama.CacheType, out io.Writer) error {
	m, err := llama.Load(ctx, path, nil)
	if err != nil {
		return err
	}
	defer m.Close()
	s, err := m.NewStateCache(len(prompt)+steps, 2, cache)
	if err != nil {
		return err
	}
	defer s.Close()
	logits, err := s.Eval(ctx, prompt)
	if err != nil {
		return err
	}
	res := struct {
		Greedy      []int       `json:"greedy"`
		LogitsSteps [][]float32 `json:"logits_steps"`
	}{}
	for k := 0; k < steps; k++ {
		res.LogitsSteps = append(res.LogitsSteps, append([]float32(nil), logits...))
		next := 0
		for i, x := range logits {
			if x > logits[next] {
				next = i
			}
		}
		res.Greedy = append(res.Greedy, next)
		if k+1 < steps {
			if logits, err = s.Eval(ctx, []int{next}); err != nil {
				return err
			}
		}
	}
	return json.NewEncoder(out).Encode(res)
}

// ggufGenerate streams an answer to prompt, sent as the user's message
// through the file's chat template, or as it is with raw.
func ggufGenerate(ctx context.Context, path, prompt string, raw bool, s models.Sampling, out io.Writer) error {
	m, err := ggufrt.Runtime{}.Load(ctx, path, models.LoadOptions{Threads: 2})
	if err != nil {
		return err
	}
	defer m.Close()
	write := func(piece string) error { _, err := io.WriteString(out, piece); return err }
	if raw {
		c, ok := m.(interface {
			Complete(context.Context, string, models.Sampling, llm.TokenFunc) (llm.Usage, error)
		})
		if !ok {
			return fmt.Errorf("generate: this runtime cannot complete raw text")
		}
		_, err = c.Complete(ctx, prompt, s, write)
	} else {
		_, err = m.Stream(ctx, models.Prompt{Messages: []llm.Message{{Role: llm.RoleUser, Content: prompt}}}, s, write)
	}
	fmt.Fprintln(out)
	return err
}

// benchState is what the benchmark drives, for either engine.
type benchState interface {
	Reset()
	Truncate(n int)
	SetAllLogits(bool)
	Eval(ctx context.Context, tokens []int) ([]float32, error)
	Close()
}

// benchTarget is a loaded model as the benchmark sees it.
type benchTarget struct {
	vocab     int
	wtype     string // the weights measured, as kept in memory
	fileType  string // the weights as stored in the file
	kernels   string
	streamed  int64
	newState  func(ctxSize, threads int) (benchState, error)
	cache     func(benchState) (kind string, bytes int64) // the KV cache's type and size
	readFloor func(threads int, fiveStreams bool) time.Duration
	close     func()
}

func ggufBenchTarget(ctx context.Context, path string) (benchTarget, error) {
	m, err := llama.Load(ctx, path, nil)
	if err != nil {
		return benchTarget{}, err
	}
	return benchTarget{
		vocab: m.Vocab(), wtype: llama.Describe(m.File).FileType, fileType: llama.Describe(m.File).FileType, kernels: m.Kernels() + " attn:" + attn.Kernels(), streamed: m.StreamedBytes(),
		newState: func(n, threads int) (benchState, error) {
			s, err := m.NewState(n, threads)
			if err != nil {
				return nil, err
			}
			return s, nil
		},
		cache: func(s benchState) (string, int64) {
			ls := s.(*llama.State)
			return ls.Cache().String(), ls.CacheBytes()
		},
		readFloor: m.ReadFloor,
		close:     func() { m.Close() },
	}, nil
}

// gptjState gives a GPT-J State the benchmark's Eval.
type gptjState struct{ *gptj.State }

func (s gptjState) Eval(_ context.Context, tokens []int) ([]float32, error) {
	return s.State.Eval(tokens)
}

// gptjBenchTarget loads path in weight type wtype ("": the file's own) or
// makes a random 6b2l model (q8_0 unless wtype says otherwise).
func gptjBenchTarget(random, path, wtype string) (benchTarget, error) {
	wt, err := gptj.KeepFileType, error(nil)
	switch {
	case wtype != "":
		wt, err = gptj.ParseWType(wtype)
	case random != "":
		wt = gptj.Q8_0
	}
	if err != nil {
		return benchTarget{}, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	var m *gptj.Model
	if random != "" {
		m, err = gptj.RandomModel(gptj.Shape6B2L, wt, 99)
	} else {
		m, err = gptj.Load(path, gptj.Options{WType: wt})
	}
	if err != nil {
		return benchTarget{}, err
	}
	return benchTarget{
		vocab: m.Config.NVocab, wtype: m.WType.String(), fileType: m.FileType, kernels: gptj.Kernels(), streamed: m.StreamedBytes(),
		newState: func(n, threads int) (benchState, error) {
			return gptjState{m.NewStateThreads(n, threads)}, nil
		},
		cache: func(s benchState) (string, int64) { // as NewStateThreads sizes it
			c, kind, size := m.Config, "f16", int64(2)
			if m.WType == gptj.F32 {
				kind, size = "f32", 4
			}
			return kind, 2 * size * int64(c.NLayer) * int64(s.(gptjState).Cap()) * int64(c.NEmbd)
		},
		readFloor: m.ReadFloor,
		close:     func() {},
	}, nil
}
