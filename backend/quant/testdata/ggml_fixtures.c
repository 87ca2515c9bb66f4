// Writes the fixtures in this directory with ggml itself (see README.md).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <stdint.h>
#include "ggml.h"
#include "ggml-cpu.h"

void quantize_row_q8_0_ref(const float *x, void *y, int64_t k);
void quantize_row_q8_K_ref(const float *x, void *y, int64_t k);
void dequantize_row_q8_K(const void *x, float *y, int64_t k);

static uint64_t st = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { st ^= st << 13; st ^= st >> 7; st ^= st << 17; return st; }
static double unif(void) { return (next() >> 11) * (1.0 / 9007199254740992.0); }
static double gauss(void) { double u = unif() + 1e-12, v = unif(); return sqrt(-2 * log(u)) * cos(2 * M_PI * v); }

enum { R = 4, C = 512 };

static void fill(float *x) {
    for (int r = 0; r < R; r++) {
        double s = r == 0 ? 1.0 : r == 1 ? 0.02 : r == 2 ? 3.0 : 0.5;
        for (int c = 0; c < C; c++) {
            double v = gauss() * s;
            if (r == 2 && c % 97 == 0) v *= 12;            // outliers
            if (r == 3 && c >= 32 && c < 64) v = 0;        // an all-zero 32-block
            if (r == 3 && c >= 256 && c < 288) v = fabs(v); // one-signed block
            x[r * C + c] = (float)v;
        }
    }
}

static void wr(const char *name, const void *p, size_t n) {
    FILE *f = fopen(name, "wb"); if (!f) { perror(name); exit(1); }
    fwrite(p, 1, n, f); fclose(f);
}

int main(void) {
    ggml_cpu_init();
    static float x[R * C], y[R * C], act[C];
    fill(x);
    for (int c = 0; c < C; c++) act[c] = (float)gauss();
    static uint8_t buf[R * C * 8], qa[C * 8];
    enum ggml_type types[] = {GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q8_0, GGML_TYPE_Q4_0,
        GGML_TYPE_Q4_1, GGML_TYPE_Q5_0, GGML_TYPE_Q5_1, GGML_TYPE_Q2_K, GGML_TYPE_Q3_K, GGML_TYPE_Q4_K,
        GGML_TYPE_Q5_K, GGML_TYPE_Q6_K, GGML_TYPE_IQ4_NL, GGML_TYPE_IQ4_XS, GGML_TYPE_Q8_K};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        enum ggml_type t = types[i];
        const struct ggml_type_traits *tr = ggml_get_type_traits(t);
        size_t rb = ggml_row_size(t, C), n;
        char name[64], lower[32];
        for (int k = 0; ; k++) { lower[k] = tr->type_name[k] >= 'A' && tr->type_name[k] <= 'Z' ? tr->type_name[k] + 32 : tr->type_name[k]; if (!lower[k]) break; }
        if (t == GGML_TYPE_F16 || t == GGML_TYPE_BF16) {
            // Bit patterns rather than conversions: every exponent, both signs, several mantissas.
            uint16_t *h = (uint16_t *)buf;
            for (int k = 0; k < R * C; k++) h[k] = (uint16_t)(k * 32 + (k % 32) + ((k / 32) % 7) * 3);
            for (int r = 0; r < R; r++) h[r * C + 1] = (uint16_t)(r * 0x3c00); // a few plain values
        } else if (t == GGML_TYPE_Q8_K) {
            for (int r = 0; r < R; r++) quantize_row_q8_K_ref(x + r * C, buf + r * rb, C);
        } else {
            n = ggml_quantize_chunk(t, x, buf, 0, R, C, NULL);
            if (n != R * rb) { fprintf(stderr, "%s: size %zu\n", tr->type_name, n); return 1; }
        }
        if (t == GGML_TYPE_F32) memcpy(y, buf, sizeof y); else if (t == GGML_TYPE_Q8_K) for (int r = 0; r < R; r++) dequantize_row_q8_K(buf + r * rb, y + r * C, C); else for (int r = 0; r < R; r++) tr->to_float(buf + r * rb, y + r * C, C);
        snprintf(name, sizeof name, "out/%s.blocks", lower); wr(name, buf, R * rb);
        snprintf(name, sizeof name, "out/%s.f32", lower); wr(name, y, sizeof y);
        if (t == GGML_TYPE_Q8_K) continue;
        // ggml's own dot products of each row with act, activations quantized as ggml's CPU backend does.
        const struct ggml_type_traits_cpu *ct = ggml_get_type_traits_cpu(t);
        enum ggml_type vt = ct->vec_dot_type;
        const void *ap = act;
        if (vt != GGML_TYPE_F32) { ggml_get_type_traits_cpu(vt)->from_float(act, qa, C); ap = qa; }
        float dots[R];
        for (int r = 0; r < R; r++) ct->vec_dot(C, &dots[r], 0, buf + r * rb, 0, ap, 0, 1);
        snprintf(name, sizeof name, "out/%s.dot.f32", lower); wr(name, dots, sizeof dots);
        printf("%-7s rowbytes %4zu vec_dot_type %s\n", tr->type_name, rb, ggml_get_type_traits(vt)->type_name);
    }
    wr("out/x.f32", x, sizeof x);
    wr("out/act.f32", act, sizeof act);
    quantize_row_q8_0_ref(act, qa, C); wr("out/act.q8_0", qa, ggml_row_size(GGML_TYPE_Q8_0, C));
    quantize_row_q8_K_ref(act, qa, C); wr("out/act.q8_k", qa, ggml_row_size(GGML_TYPE_Q8_K, C));
    return 0;
}
