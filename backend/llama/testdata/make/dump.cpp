// dump: load a model, F32 or F16 KV cache, n threads, feed ids as given (no BOS), print logits of every position as JSON.
#include "llama.h"
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <string>
int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: dump model threads f32|f16 ids...\n"); return 1; }
    if (!getenv("VERBOSE")) llama_log_set([](ggml_log_level, const char *, void *) {}, nullptr);
    ggml_backend_load_all_from_path(getenv("GGML_LIBS") ? getenv("GGML_LIBS") : "/work/ref/lib");
    llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    llama_model *m = llama_model_load_from_file(argv[1], mp);
    if (!m) { fprintf(stderr, "load failed\n"); return 1; }
    std::vector<llama_token> ids;
    for (int i = 4; i < argc; i++) ids.push_back(atoi(argv[i]));
    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 256; cp.n_batch = 256; cp.n_ubatch = 256;
    cp.n_threads = cp.n_threads_batch = atoi(argv[2]);
    ggml_type kv = strcmp(argv[3], "f16") == 0 ? GGML_TYPE_F16 : GGML_TYPE_F32;
    cp.type_k = kv; cp.type_v = kv;
    cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_DISABLED;
    llama_context *c = llama_init_from_model(m, cp);
    if (!c) { fprintf(stderr, "context failed\n"); return 1; }
    llama_batch b = llama_batch_init(ids.size(), 0, 1);
    for (size_t i = 0; i < ids.size(); i++) {
        b.token[i] = ids[i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = 1;
    }
    b.n_tokens = ids.size();
    if (llama_decode(c, b) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
    int nv = llama_vocab_n_tokens(llama_model_get_vocab(m));
    printf("{\"n_vocab\":%d,\"tokens\":[", nv);
    for (size_t i = 0; i < ids.size(); i++) printf("%s%d", i ? "," : "", ids[i]);
    printf("],\"logits\":[");
    for (size_t i = 0; i < ids.size(); i++) {
        float *l = llama_get_logits_ith(c, i);
        printf("%s[", i ? "," : "");
        for (int j = 0; j < nv; j++) printf("%s%.9g", j ? "," : "", l[j]);
        printf("]");
    }
    printf("]");
    int ngen = getenv("GEN") ? atoi(getenv("GEN")) : 0;
    printf(",\"greedy\":[");
    int pos = ids.size();
    float *last = llama_get_logits_ith(c, ids.size() - 1);
    for (int g = 0; g < ngen; g++) {
        int best = 0;
        for (int j = 1; j < nv; j++) if (last[j] > last[best]) best = j;
        printf("%s%d", g ? "," : "", best);
        llama_batch one = llama_batch_init(1, 0, 1);
        one.token[0] = best; one.pos[0] = pos++; one.n_seq_id[0] = 1; one.seq_id[0][0] = 0; one.logits[0] = 1; one.n_tokens = 1;
        if (llama_decode(c, one) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
        last = llama_get_logits_ith(c, 0);
        llama_batch_free(one);
    }
    printf("]}\n");
    llama_batch_free(b); llama_free(c); llama_model_free(m);
    return 0;
}
