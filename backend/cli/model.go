package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"sidecar/backend/gptj"
	"sidecar/backend/llama"
	"sidecar/backend/models"
	"sidecar/backend/procmem"
)

// modelCommands returns the GPT-J commands (model info/eval, generate).
func modelCommands() []Command {
	return []Command{
		{Name: "model", Usage: "sidecar model info PATH | eval --model PATH --tokens 42,7,9 --steps 16 [--wtype f32|f16|q8_0|q4_0] [--cache f16|f32] | bench (--gen-random 6b2l | --model PATH) [--wtype f16|q8_0|q4_0|f32] [--threads 2] [--prompt 64] [--gen 64] [--runs 3] [--warmup 1] [--ctx-fill N] | tokenize --model PATH (--text T | --file F) | write-random --shape 6b|6b2l --wtype f16|q8_0|q4_0|f32 --out FILE [--seed N]",
			Summary: "describe a GPT-J or GGUF model file, print its logits or a text's token ids as JSON, measure its speed, or write a GPT-J file of random weights", Run: runModel},
		{Name: "generate", Usage: "sidecar generate --model PATH --prompt TEXT [--max-tokens N] [--temperature T] [--seed S]",
			Summary: "stream text from a local GPT-J or GGUF model (GGUF: the file's chat template unless --raw)", Run: runGenerate},
	}
}

func runModel(ctx context.Context, env Env) error {
	if len(env.Args) == 0 {
		return fmt.Errorf("%w: model needs a subcommand: info, eval, bench, tokenize or write-random", ErrUsage)
	}
	switch env.Args[0] {
	case "info":
		if len(env.Args) != 2 {
			return fmt.Errorf("%w: model info takes one PATH", ErrUsage)
		}
		if isGGUF(env.Args[1]) {
			return ggufInfo(env.Args[1], env.Stdout)
		}
		info, err := gptj.Inspect(env.Args[1])
		if err != nil {
			return err
		}
		c := info.Config
		fmt.Fprintf(env.Stdout, "format:      %s\nweight type: %s\nsize:        %d bytes\nparameters:  %d\ntokenizer:   %s\n", info.Format, info.FileType, info.Bytes, info.Params, info.Tokenizer)
		fmt.Fprintf(env.Stdout, "config:      n_vocab %d, n_ctx %d, n_embd %d, n_head %d, n_layer %d, n_rot %d\n", c.NVocab, c.NCtx, c.NEmbd, c.NHead, c.NLayer, c.NRot)
		return nil
	case "eval":
		return runEval(ctx, env.Args[1:], env.Stdout)
	case "bench":
		return runBench(ctx, env.Args[1:], env.Stdout)
	case "tokenize":
		return runTokenize(env.Args[1:], env.Stdout)
	case "write-random":
		return runWriteRandom(env.Args[1:], env.Stdout)
	}
	return fmt.Errorf("%w: unknown model subcommand %q", ErrUsage, env.Args[0])
}

func runEval(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("model eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("model", "", "model file or folder")
	tokens := fs.String("tokens", "", "prompt token ids, comma separated")
	steps := fs.Int("steps", 16, "greedy steps")
	wtype := fs.String("wtype", "f32", "weights in memory: f32, f16, q8_0 or q4_0")
	cache := fs.String("cache", "f16", "KV cache of a GGUF model: f16 or f32")
	if err := fs.Parse(args); err != nil || *path == "" || *tokens == "" || *steps < 1 || *steps > 4096 {
		return fmt.Errorf("%w: eval needs --model, --tokens and --steps 1..4096", ErrUsage)
	}
	cacheType, ok := map[string]llama.CacheType{"f16": llama.CacheF16, "f32": llama.CacheF32}[*cache]
	if !ok {
		return fmt.Errorf("%w: --cache must be f16 or f32", ErrUsage)
	}
	wt, err := gptj.ParseWType(*wtype)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	var prompt []int
	for _, f := range strings.Split(*tokens, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return fmt.Errorf("%w: %q is not a token id", ErrUsage, f)
		}
		prompt = append(prompt, id)
	}
	if isGGUF(*path) {
		if wtypeSet(fs) {
			return fmt.Errorf("%w: %v", ErrUsage, errGGUFWType)
		}
		return ggufEval(ctx, *path, prompt, *steps, cacheType, out)
	}
	if fs.Lookup("cache").Value.String() != "f16" {
		return fmt.Errorf("%w: --cache applies to GGUF models", ErrUsage)
	}
	m, err := gptj.Load(*path, gptj.Options{WType: wt})
	if err != nil {
		return err
	}
	s := m.NewState(0)
	logits, err := s.Eval(prompt)
	if err != nil {
		return err
	}
	res := struct {
		Greedy      []int       `json:"greedy"`
		LogitsSteps [][]float32 `json:"logits_steps"`
	}{}
	for k := 0; k < *steps; k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		res.LogitsSteps = append(res.LogitsSteps, append([]float32(nil), logits...))
		next := 0
		for i, x := range logits {
			if x > logits[next] {
				next = i
			}
		}
		res.Greedy = append(res.Greedy, next)
		if k+1 < *steps {
			if logits, err = s.Eval([]int{next}); err != nil {
				return err
			}
		}
	}
	return json.NewEncoder(out).Encode(res)
}

func runGenerate(ctx context.Context, env Env) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("model", "", "model file or folder")
	prompt := fs.String("prompt", "", "the prompt")
	maxTokens := fs.Int("max-tokens", 128, "tokens to generate at most")
	temp := fs.Float64("temperature", 0.7, "0 for greedy")
	seed := fs.Int64("seed", 0, "random seed (same seed, same text)")
	wtype := fs.String("wtype", "q8_0", "weights in memory: f32, f16, q8_0 or q4_0")
	raw := fs.Bool("raw", false, "send the prompt as is, without the model's template")
	if err := fs.Parse(env.Args); err != nil || *path == "" || *prompt == "" {
		return fmt.Errorf("%w: generate needs --model and --prompt", ErrUsage)
	}
	if *maxTokens < 1 || *temp < 0 || *temp > 5 {
		return fmt.Errorf("%w: --max-tokens must be positive and --temperature 0..5", ErrUsage)
	}
	if isGGUF(*path) {
		if wtypeSet(fs) {
			return fmt.Errorf("%w: %v", ErrUsage, errGGUFWType)
		}
		return ggufGenerate(ctx, *path, *prompt, *raw, models.Sampling{MaxTokens: *maxTokens, Temperature: *temp,
			TopK: 40, TopP: 0.95, RepeatPenalty: 1.1, Seed: *seed}, env.Stdout)
	}
	wt, err := gptj.ParseWType(*wtype)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	m, err := gptj.Load(*path, gptj.Options{WType: wt})
	if err != nil {
		return err
	}
	text := *prompt
	if !*raw {
		text = gptj.FormatPrompt(m.Template, "", *prompt)
	}
	s := m.NewState(0)
	_, err = s.Generate(ctx, m.Tokenizer.Encode(text), gptj.GenerateOptions{MaxTokens: *maxTokens,
		Sampling: gptj.Sampling{Temperature: *temp, TopK: 40, TopP: 0.95, RepeatPenalty: 1.1, Seed: *seed}},
		func(piece string) error { _, err := io.WriteString(env.Stdout, piece); return err })
	fmt.Fprintln(env.Stdout)
	return err
}

// runBench measures prompt and generation speed.
func runBench(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("model bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	random := fs.String("gen-random", "", "generate a random model of this shape instead of loading one (6b2l)")
	path := fs.String("model", "", "model file or folder")
	wtype := fs.String("wtype", "", "weights in memory: f32, f16, q8_0 or q4_0 (default: the file's own; q8_0 for --gen-random)")
	threads := fs.Int("threads", 2, "threads")
	promptN := fs.Int("prompt", 64, "prompt tokens, evaluated as one batch")
	genN := fs.Int("gen", 64, "tokens generated one by one")
	runs := fs.Int("runs", 3, "measured runs (after the warm-up ones)")
	warmups := fs.Int("warmup", 1, "runs before the measured ones, not measured")
	fill := fs.Int("ctx-fill", 0, "positions evaluated once before the runs, untimed: each run's prompt and generation come after them (as llama-bench's -d)")
	allLogits := fs.Bool("all-logits", false, "compute the logits of every prompt position, as ggml's GPT-J example does")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured runs to this file")
	if err := fs.Parse(args); err != nil || (*random == "") == (*path == "") || *promptN < 1 || *genN < 1 || *runs < 1 || *fill < 0 || *warmups < 0 {
		return fmt.Errorf("%w: bench needs --gen-random 6b2l or --model PATH, positive --prompt, --gen, --runs, and --ctx-fill, --warmup ≥ 0", ErrUsage)
	}
	start := time.Now()
	var target benchTarget
	var err error
	switch {
	case *random != "" && *random != "6b2l":
		return fmt.Errorf("%w: the only random shape is 6b2l", ErrUsage)
	case *path != "" && isGGUF(*path):
		if wtypeSet(fs) {
			return fmt.Errorf("%w: %v", ErrUsage, errGGUFWType)
		}
		target, err = ggufBenchTarget(ctx, *path)
	default:
		target, err = gptjBenchTarget(*random, *path, *wtype)
	}
	if err != nil {
		return err
	}
	defer target.close()
	loadMS := float64(time.Since(start).Microseconds()) / 1000
	prompt := make([]int, *promptN)
	for i := range prompt {
		prompt[i] = (i*7919 + 13) % target.vocab
	}
	var promptMS, genMS, ttft, floorMS, floor5MS []float64
	// One state for every run, emptied between them, as the app keeps one
	// per loaded model.
	s, err := target.newState(*fill+*promptN+*genN+1, *threads)
	if err != nil {
		return err
	}
	defer s.Close()
	var fillMS float64
	if *fill > 0 {
		filler := make([]int, *fill)
		for i := range filler {
			filler[i] = (i*104729 + 7) % target.vocab
		}
		t0 := time.Now()
		if _, err := s.Eval(ctx, filler); err != nil {
			return err
		}
		fillMS = float64(time.Since(t0).Microseconds()) / 1000
	}
	cacheType, cacheBytes := target.cache(s)
	// With filled positions, each run also generates in a state without
	// them, so that the two speeds come from the same moments.
	var base benchState
	var baseGenMS []float64
	if *fill > 0 {
		if base, err = target.newState(*promptN+*genN+1, *threads); err != nil {
			return err
		}
		defer base.Close()
	}
	for run := 0; run < *warmups+*runs; run++ {
		measured := run >= *warmups
		if run == *warmups && *cpuProfile != "" {
			f, err := os.Create(*cpuProfile)
			if err != nil {
				return err
			}
			if err := pprof.StartCPUProfile(f); err != nil {
				f.Close()
				return err
			}
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		floor, floor5 := target.readFloor(*threads, false), target.readFloor(*threads, true)
		if measured {
			floorMS = append(floorMS, float64(floor.Microseconds())/1000)
			floor5MS = append(floor5MS, float64(floor5.Microseconds())/1000)
		}
		firstMS, g, err := benchRun(ctx, s, *fill, prompt, *genN, *allLogits)
		if err != nil {
			return err
		}
		if measured {
			promptMS, genMS, ttft = append(promptMS, firstMS/float64(*promptN)), append(genMS, g), append(ttft, firstMS)
		}
		if base != nil { // the same run without the filled positions, right after
			_, g, err := benchRun(ctx, base, 0, prompt, *genN, false)
			if err != nil {
				return err
			}
			if measured {
				baseGenMS = append(baseGenMS, g)
			}
		}
	}
	res := map[string]any{
		"model": map[bool]string{true: "random 6b2l", false: *path}[*random != ""], "wtype": target.wtype, "file_type": target.fileType, "threads": *threads,
		"prompt_tokens": *promptN, "gen_tokens": *genN, "runs": *runs,
		"ctx_fill": *fill, "ctx_fill_ms": fillMS, "kv_cache": cacheType, "kv_cache_mib": float64(cacheBytes) / (1 << 20),
		"prompt_ms_per_token": median(promptMS), "gen_ms_per_token": median(genMS),
		"time_to_first_token_ms": median(ttft), "all_logits": *allLogits,
		"weights_mib_per_token":      float64(target.streamed) / (1 << 20),
		"gen_gb_per_s":               float64(target.streamed) / median(genMS) / 1e6,
		"kernels":                    target.kernels,
		"read_floor_ms":              median(floorMS),
		"gen_vs_read_floor":          median(genMS) / median(floorMS),
		"read_floor_5streams_ms":     median(floor5MS),
		"gen_vs_read_floor_5streams": median(genMS) / median(floor5MS),
		"peak_rss_mib":               procmem.PeakRSSMiB(), "load_ms": loadMS,
	}
	if base != nil {
		res["gen_ms_per_token_unfilled"] = median(baseGenMS)
		res["gen_filled_vs_unfilled"] = median(genMS) / median(baseGenMS)
	}
	return json.NewEncoder(out).Encode(res)
}

// benchRun evaluates prompt after the state's first keep positions and
// then generates gen tokens greedily: it returns the time to the first
// token and the milliseconds per generated token.
func benchRun(ctx context.Context, s benchState, keep int, prompt []int, gen int, allLogits bool) (firstMS, genMS float64, err error) {
	s.Truncate(keep)
	s.SetAllLogits(allLogits)
	t0 := time.Now()
	logits, err := s.Eval(ctx, prompt)
	s.SetAllLogits(false)
	if err != nil {
		return 0, 0, err
	}
	firstMS = float64(time.Since(t0).Microseconds()) / 1000
	t1 := time.Now()
	for i := 0; i < gen; i++ {
		next := 0
		for j, x := range logits {
			if x > logits[next] {
				next = j
			}
		}
		if logits, err = s.Eval(ctx, []int{next}); err != nil {
			return 0, 0, err
		}
	}
	return firstMS, float64(time.Since(t1).Microseconds()) / 1000 / float64(gen), nil
}

// runWriteRandom writes a GPT-J file of random weights in a real model's
// shape, to measure loading and speed without the real model.
func runWriteRandom(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("model write-random", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	shape := fs.String("shape", "", "6b (GPT-J-6B) or 6b2l (its first two layers)")
	wtype := fs.String("wtype", "", "weight type in the file: f32, f16, q8_0 or q4_0")
	path := fs.String("out", "", "file to write")
	seed := fs.Int64("seed", 1, "random seed")
	if err := fs.Parse(args); err != nil || *path == "" || fs.NArg() != 0 {
		return fmt.Errorf("%w: write-random needs --shape, --wtype and --out", ErrUsage)
	}
	c, ok := map[string]gptj.Config{"6b": gptj.Shape6B, "6b2l": gptj.Shape6B2L}[*shape]
	if !ok {
		return fmt.Errorf("%w: --shape must be 6b or 6b2l", ErrUsage)
	}
	wt, err := gptj.ParseWType(*wtype)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if _, err := os.Stat(*path); err == nil {
		return fmt.Errorf("%w: %s exists", ErrUsage, *path)
	}
	if err := gptj.WriteRandomFile(*path, c, wt, *seed); err != nil {
		os.Remove(*path)
		return err
	}
	fmt.Fprintf(out, "wrote %s (%s, %d layers, random weights)\n", *path, wt, c.NLayer)
	return nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}
