// Times ggml's CPU vec_dot per type on a 256x4096 matrix (in L2), best of N passes: the
// figure BenchmarkRowProducts compares with (see README.md).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>
#include "ggml.h"
#include "ggml-cpu.h"
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    ggml_cpu_init();
    enum { R = 256, C = 4096 };
    enum ggml_type types[] = {GGML_TYPE_Q4_K, GGML_TYPE_Q6_K, GGML_TYPE_Q8_0, GGML_TYPE_Q4_0, GGML_TYPE_F16, GGML_TYPE_Q5_K};
    float *x = malloc(sizeof(float) * R * C), act[C];
    srand(1);
    for (int i = 0; i < R * C; i++) x[i] = (rand() / (float)RAND_MAX - 0.5f);
    for (int i = 0; i < C; i++) act[i] = (rand() / (float)RAND_MAX - 0.5f);
    int passes = argc > 1 ? atoi(argv[1]) : 100;
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
        enum ggml_type t = types[k];
        size_t rb = ggml_row_size(t, C);
        uint8_t *w = malloc(rb * R), qa[C * 4];
        ggml_quantize_chunk(t, x, w, 0, R, C, NULL);
        const struct ggml_type_traits_cpu *ct = ggml_get_type_traits_cpu(t);
        ggml_get_type_traits_cpu(ct->vec_dot_type)->from_float(act, qa, C);
        double best = 1e9; float s, sink = 0;
        for (int p = 0; p < passes; p++) {
            double t0 = now();
            for (int r = 0; r < R; r++) { ct->vec_dot(C, &s, 0, w + r * rb, 0, qa, 0, 1); sink += s; }
            double dt = now() - t0; if (dt < best) best = dt;
        }
        printf("%-5s %.3f GB/s best of %d (%.3f ms) %g\n", ggml_type_name(t), rb * R / best / 1e9, passes, best * 1e3, sink);
        free(w);
    }
    return 0;
}
