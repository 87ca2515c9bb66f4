#!/usr/bin/python3
"""Tokenizes hard_texts.json with llama.cpp's own tokenizer (the
llama-tokenize tool, built against llama.cpp's libraries) for each
committed vocabulary, with its defaults (BOS/EOS added as the vocabulary
says, special-token text parsed) and with --no-parse-special, and writes
hard_golden.json.

Usage: /usr/bin/python3 gen_hard.py /path/to/llama-tokenize /path/to/llama.cpp/models
"""
import json
import os
import subprocess
import sys

VOCABS = ["llama-spm", "phi-3", "llama-bpe", "qwen2", "qwen35", "gpt-2", "deepseek-coder", "starcoder"]


def tokenize(tool, model, text, parse_special):
    args = [tool, "-m", model, "--stdin", "--ids", "--no-escape", "--log-disable"]
    if not parse_special:
        args.append("--no-parse-special")
    out = subprocess.run(args, input=text.encode("utf-8"), capture_output=True, check=True)
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


def main():
    tool, models = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "hard_texts.json"), encoding="utf-8") as f:
        texts = json.load(f)
    golden = []
    for vocab in VOCABS:
        model = os.path.join(models, "ggml-vocab-%s.gguf" % vocab)
        for text in texts:
            for parse in (True, False):
                golden.append({"vocab": vocab, "text": text, "parse_special": parse,
                               "ids": tokenize(tool, model, text, parse)})
    with open(os.path.join(here, "hard_golden.json"), "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, ensure_ascii=False) for c in golden) + "\n]\n")
    print("%d cases" % len(golden))


if __name__ == "__main__":
    main()
