# Merges llama.cpp's runs of one model into a golden file: the logits of the reference run
# (2 threads, F32 KV cache), its greedy continuation, and llama.cpp's own spread: the largest
# absolute logit difference between the reference and runs with 1 thread and with an F16 KV cache.
import json
import sys

ref, one, f16 = (json.load(open(p)) for p in sys.argv[1:4])
spread = 0.0
for other in (one, f16):
    for a, b in zip(ref["logits"], other["logits"]):
        spread = max(spread, max(abs(x - y) for x, y in zip(a, b)))
ref["spread"] = spread
json.dump(ref, sys.stdout, separators=(",", ":"))
