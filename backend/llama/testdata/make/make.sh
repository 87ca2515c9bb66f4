#!/bin/bash
# Regenerates the models and golden logits in backend/llama/testdata (see the README there).
# Needs: llama.cpp's source (LLAMA_SRC), its shared libraries (LLAMA_LIB), llama-quantize (QUANTIZE),
# Debian's python3 with numpy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/..
src=${LLAMA_SRC:-/work/ref/llama.cpp}
lib=${LLAMA_LIB:-/work/ref/lib}
quantize=${QUANTIZE:-/work/ref/bin/llama-quantize}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -O2 -std=c++17 -I"$src/include" -I"$src/ggml/include" -L"$lib" -Wl,-rpath,"$lib" -pthread \
	-o "$work/dump" "$here/dump.cpp" -lllama -lggml -lggml-base
py() { PYTHONHASHSEED=0 PYTHONPATH=$src/gguf-py /usr/bin/python3 "$@"; }
prompt="5 100 37 250 12 77 199 3 150 42 260 8 33 140 201 66"
golden() { # model name
	GEN=8 GGML_LIBS=$lib "$work/dump" "$1" 2 f32 $prompt >"$work/ref.json"
	GGML_LIBS=$lib "$work/dump" "$1" 1 f32 $prompt >"$work/one.json"
	GGML_LIBS=$lib "$work/dump" "$1" 2 f16 $prompt >"$work/f16.json"
	py "$here/golden.py" "$work/ref.json" "$work/one.json" "$work/f16.json" >"$out/$2.json"
}
# Every architecture variant at width 64, two layers, F32.
py "$here/models.py" "$work" 64 2
for m in "$work"/*-w64-f32.gguf; do
	n=$(basename "$m" .gguf)
	cp "$m" "$out/$n.gguf"
	golden "$m" "$n"
done
# Width 256 (whole K-quant rows), one layer: llama in every weight type, each architecture in Q4_K_M.
py "$here/models.py" "$work" 256 1
for t in F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K IQ4_NL IQ4_XS; do
	"$quantize" --pure "$work/llama-w256-f32.gguf" "$out/llama-w256-$t.gguf" "$t" >/dev/null 2>&1
	golden "$out/llama-w256-$t.gguf" "llama-w256-$t"
done
for a in mistral qwen2 qwen3 gemma2 gemma3 phi3; do
	"$quantize" "$work/$a-w256-f32.gguf" "$out/$a-w256-Q4_K_M.gguf" Q4_K_M >/dev/null 2>&1
	golden "$out/$a-w256-Q4_K_M.gguf" "$a-w256-Q4_K_M"
done
