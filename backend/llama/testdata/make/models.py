# Writes small random-weight GGUF models, one per architecture variant, for the engine's tests.
# Run with Debian's python3 and llama.cpp's gguf-py on PYTHONPATH: python3 models.py OUTDIR [width layers]
import sys
import numpy as np
import gguf

VOCAB = 288  # 3 control tokens, 256 byte tokens, 29 words


def vocab(w):
    toks = ["<unk>", "<s>", "</s>"] + ["<0x%02X>" % i for i in range(256)]
    toks += ["\u2581w%d" % i for i in range(VOCAB - len(toks))]
    types = [2, 3, 3] + [6] * 256 + [1] * (VOCAB - 259)
    w.add_tokenizer_model("llama")
    w.add_token_list(toks)
    w.add_token_scores([-float(i) for i in range(VOCAB)])
    w.add_token_types(types)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_unk_token_id(0)


def build(path, arch, width, layers, seed, **v):
    rng = np.random.RandomState(seed)
    heads, kv = v.get("heads", 4), v.get("kv", 2)
    hd = v.get("head_dim", width // heads)
    ff = v.get("ff", 2 * width)
    w = gguf.GGUFWriter(path, arch)
    w.add_context_length(256)
    w.add_embedding_length(width)
    w.add_block_count(layers)
    w.add_feed_forward_length(ff)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(v.get("base", 10000.0))
    if hd != width // heads:
        w.add_key_length(hd)
        w.add_value_length(hd)
    for k, fn in (("scaling", lambda s: w.add_rope_scaling_type(gguf.RopeScalingType(s))), ("factor", w.add_rope_scaling_factor),
                  ("orig_ctx", w.add_rope_scaling_orig_ctx_len), ("attn_factor", w.add_rope_scaling_attn_factors),
                  ("swa", w.add_sliding_window), ("swa_pattern", w.add_sliding_window_pattern),
                  ("attn_cap", w.add_attn_logit_softcapping), ("final_cap", w.add_final_logit_softcapping)):
        if k in v:
            fn(v[k])
    vocab(w)

    def t(name, *shape, std=0.1, mean=0.0):
        w.add_tensor(name, (mean + std * rng.standard_normal(shape)).astype(np.float32))

    t("token_embd.weight", VOCAB, width, std=0.4 if not arch.startswith("gemma") else 0.1)
    t("output_norm.weight", width, std=0.1, mean=1.0)
    if v.get("untied"):
        t("output.weight", VOCAB, width, std=0.1)
    if v.get("rope_freqs"):
        w.add_tensor("rope_freqs.weight", np.linspace(1, 8, hd // 2).astype(np.float32))
    if v.get("longrope"):
        w.add_tensor("rope_factors_long.weight", np.linspace(1, 6, hd // 2).astype(np.float32))
        w.add_tensor("rope_factors_short.weight", np.linspace(1, 1.5, hd // 2).astype(np.float32))
    for i in range(layers):
        b = "blk.%d." % i
        t(b + "attn_norm.weight", width, std=0.1, mean=1.0)
        if v.get("fused"):
            q = rng.standard_normal((heads * hd + 2 * kv * hd, width))
            q[: (heads + kv) * hd] *= 0.15
            q[(heads + kv) * hd:] *= 0.05
            w.add_tensor(b + "attn_qkv.weight", q.astype(np.float32))
        else:
            t(b + "attn_q.weight", heads * hd, width, std=0.15)
            t(b + "attn_k.weight", kv * hd, width, std=0.15)
            t(b + "attn_v.weight", kv * hd, width)
        if v.get("bias"):
            t(b + "attn_q.bias", heads * hd, std=0.3)
            t(b + "attn_k.bias", kv * hd, std=0.3)
            t(b + "attn_v.bias", kv * hd, std=0.1)
        if v.get("qk_norm"):
            t(b + "attn_q_norm.weight", hd, std=0.2, mean=1.0)
            t(b + "attn_k_norm.weight", hd, std=0.2, mean=1.0)
        t(b + "attn_output.weight", width, heads * hd)
        if v.get("post_norms"):
            t(b + "post_attention_norm.weight", width, std=0.1, mean=1.0)
            t(b + "post_ffw_norm.weight", width, std=0.1, mean=1.0)
        t(b + "ffn_norm.weight", width, std=0.1, mean=1.0)
        if v.get("fused"):
            t(b + "ffn_up.weight", 2 * ff, width)
        else:
            t(b + "ffn_gate.weight", ff, width)
            t(b + "ffn_up.weight", ff, width)
        t(b + "ffn_down.weight", width, ff)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


VARIANTS = {
    "llama": ("llama", dict(rope_freqs=True)),
    "mistral": ("llama", dict(untied=True, scaling="linear", factor=2.0)),
    "smollm": ("llama", dict(kv=4, scaling="yarn", factor=4.0, orig_ctx=64)),
    "qwen2": ("qwen2", dict(bias=True, untied=True, base=1e6)),
    "qwen3": ("qwen3", dict(qk_norm=True, head_dim=32, base=1e6)),
    "gemma2": ("gemma2", dict(post_norms=True, swa=4, attn_cap=50.0, final_cap=30.0, kv=4)),
    "gemma3": ("gemma3", dict(post_norms=True, qk_norm=True, swa=4, swa_pattern=2, base=1e6)),
    "phi3": ("phi3", dict(fused=True, untied=True, kv=4, scaling="longrope", orig_ctx=128, attn_factor=1.19,
                          longrope=True)),
}

if __name__ == "__main__":
    out = sys.argv[1]
    width = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    layers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    names = sys.argv[4].split(",") if len(sys.argv) > 4 else list(VARIANTS)
    for n, (arch, v) in VARIANTS.items():
        if n in names:
            if width >= 256:
                v = dict(v, ff=width)
            build("%s/%s-w%d-f32.gguf" % (out, n, width), arch, width, layers, hash(n) % 1000 + width, **v)
