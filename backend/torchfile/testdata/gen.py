# Writes the torch.save fixtures of backend/torchfile and backend/gptj.
# Run once with Debian's python3-torch (not in CI):
#   /usr/bin/python3 backend/torchfile/testdata/gen.py ../shared/testdata/gptj/tinyA-hf
# from the repository root. The files it writes are committed.
import collections, json, os, shutil, struct, sys, zipfile

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
gptj_td = os.path.join(here, "..", "..", "gptj", "testdata")


def small():
    g = torch.Generator().manual_seed(7)
    base = torch.randn(6, 5, generator=g)
    sd = collections.OrderedDict()
    sd["f32"] = base.clone()
    sd["f16"] = torch.randn(3, 4, generator=g).half()
    sd["bf16"] = torch.randn(7, generator=g).bfloat16()
    sd["f64"] = torch.randn(2, 2, generator=g).double()
    sd["i64"] = torch.arange(-3, 5, dtype=torch.int64)
    sd["mask"] = torch.tril(torch.ones(1, 1, 4, 4, dtype=torch.bool))
    sd["scalar"] = torch.tensor(-1e9)
    sd["transposed"] = base.t()                 # strides (1, 5): not contiguous
    sd["rows"] = base[2:4]                      # shares base's storage at offset 10
    sd["cols"] = base[:, 1:3]                   # strided view of the same storage
    sd["empty"] = torch.zeros(0, 3)
    torch.save(sd, os.path.join(here, "small.pt"))
    expect = {}
    for k, v in sd.items():
        expect[k] = {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.float().flatten().tolist()}
    with open(os.path.join(here, "small.json"), "w") as f:
        json.dump(expect, f)
    # The same archive with every entry deflated.
    with zipfile.ZipFile(os.path.join(here, "small.pt")) as src, zipfile.ZipFile(
        os.path.join(here, "small_deflate.pt"), "w", zipfile.ZIP_DEFLATED
    ) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    torch.save({"w": torch.zeros(2), "x": Evil()}, os.path.join(here, "evil_system.pt"))

    class EvilEval:
        def __reduce__(self):
            return (eval, ("1+1",))

    torch.save({"x": EvilEval()}, os.path.join(here, "evil_eval.pt"))
    # Parameters (not plain tensors) go through torch._utils._rebuild_parameter.
    params = collections.OrderedDict(w=torch.nn.Parameter(torch.randn(2, 3, generator=g)), b=torch.nn.Parameter(torch.randn(3, generator=g).half(), requires_grad=False))
    torch.save(params, os.path.join(here, "param.pt"))
    with open(os.path.join(here, "param.json"), "w") as f:
        json.dump({k: v.detach().float().flatten().tolist() for k, v in params.items()}, f)
    # The format of torch before 1.6 (not a zip): refused with its own error.
    torch.save({"w": torch.zeros(2)}, os.path.join(here, "legacy.pt"), _use_new_zipfile_serialization=False)
    # A whole nn.Module rather than a state dict: its class is not allowed.
    torch.save(torch.nn.Linear(2, 2), os.path.join(here, "module.pt"))


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        body = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        assert e["dtype"] == "F32"
        a, b = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(body[a:b], dtype="<f4").reshape(e["shape"]).copy())
    return out


def hf_state_dict(tensors, cfg, dtype):
    # The layout of GPTJForCausalLM.state_dict(): weights plus the causal
    # mask buffers attn.bias / attn.masked_bias that GPT-J checkpoints carry.
    sd = collections.OrderedDict()
    n = cfg["n_positions"]
    for name in ["transformer.wte.weight"] + [f"transformer.h.{i}.{p}" for i in range(cfg["n_layer"]) for p in [
        "ln_1.weight", "ln_1.bias", "attn.bias", "attn.masked_bias", "attn.k_proj.weight", "attn.v_proj.weight",
        "attn.q_proj.weight", "attn.out_proj.weight", "mlp.fc_in.weight", "mlp.fc_in.bias", "mlp.fc_out.weight",
        "mlp.fc_out.bias"]] + ["transformer.ln_f.weight", "transformer.ln_f.bias", "lm_head.weight", "lm_head.bias"]:
        if name.endswith("attn.bias"):
            sd[name] = torch.tril(torch.ones(n, n, dtype=torch.bool)).view(1, 1, n, n)
        elif name.endswith("attn.masked_bias"):
            sd[name] = torch.tensor(-1e9)
        else:
            sd[name] = tensors[name].to(dtype)
    return sd


def gptj(src):
    cfg = json.load(open(os.path.join(src, "config.json")))
    tensors = read_safetensors(os.path.join(src, "model.safetensors"))
    one = os.path.join(gptj_td, "tinyA-torch")
    os.makedirs(one, exist_ok=True)
    shutil.copy(os.path.join(src, "config.json"), one)
    torch.save(hf_state_dict(tensors, cfg, torch.float32), os.path.join(one, "pytorch_model.bin"))
    # Sharded F16, as transformers' save_pretrained(max_shard_size=...) writes it.
    two = os.path.join(gptj_td, "tinyA-torch-f16-sharded")
    os.makedirs(two, exist_ok=True)
    c16 = dict(cfg, torch_dtype="float16")
    json.dump(c16, open(os.path.join(two, "config.json"), "w"), indent=1)
    sd = hf_state_dict(tensors, cfg, torch.float16)
    names = list(sd)
    cut = names.index("transformer.h.1.ln_1.weight")
    shards = [collections.OrderedDict((k, sd[k]) for k in names[:cut]), collections.OrderedDict((k, sd[k]) for k in names[cut:])]
    wm, total = {}, 0
    for i, part in enumerate(shards):
        fn = f"pytorch_model-{i+1:05d}-of-{len(shards):05d}.bin"
        torch.save(part, os.path.join(two, fn))
        for k, v in part.items():
            wm[k] = fn
            total += v.numel() * v.element_size()
    json.dump({"metadata": {"total_size": total}, "weight_map": wm}, open(os.path.join(two, "pytorch_model.bin.index.json"), "w"), indent=1)


small()
gptj(sys.argv[1])
