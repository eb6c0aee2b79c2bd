/*
 * dgemm_openblas.c - the peer for bench/dgemm: OpenBLAS dgemm called
 * directly on n x n matrices (same sizes as bench/dgemm.dml).  Prints the
 * compute seconds of each repetition (monotonic clock).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4000;
    size_t cells = (size_t)n * n;
    double *a = malloc(cells * sizeof *a), *b = malloc(cells * sizeof *b),
           *c = malloc(cells * sizeof *c);
    if (!a || !b || !c) return 1;
    for (size_t i = 0; i < cells; i++) {
        a[i] = (double)(i % 97) / 97.0;
        b[i] = (double)(i % 89) / 89.0;
        c[i] = 0;
    }
    double t0 = now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    double t1 = now();
    double s = 0;
    for (size_t i = 0; i < cells; i++) s += c[i];
    printf("openblas n=%d seconds=%.4f gflops=%.2f checksum=%.6e\n", n, t1 - t0,
           2.0 * n * n * (double)n / (t1 - t0) / 1e9, s);
    free(a);
    free(b);
    free(c);
    return 0;
}
