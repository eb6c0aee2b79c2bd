/*
 * dgemm_openblas.c - the direct-OpenBLAS peer of the gemm workload (bench/run.py,
 * bench/run_dgemm.sh): cblas_dgemm on the n x n matrices of bench/dml/gemm.dml,
 * A[i,j] = ((i*j*7 + i*13 + j*29) mod 1009)/1009 - 0.5 and
 * B[i,j] = ((i*j*3 + i*5 + j*11) mod 1013)/1013 - 0.5 (1-based i, j).
 * Prints the compute seconds (monotonic clock), GFLOP/s and sum(abs(C)).
 * Threads: whatever the OpenBLAS it is run with uses (OPENBLAS_NUM_THREADS).
 */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 4000;
    if (n < 1) return 2;
    size_t cells = (size_t)n * (size_t)n;
    double *a = malloc(cells * sizeof *a), *b = malloc(cells * sizeof *b),
           *c = malloc(cells * sizeof *c);
    if (!a || !b || !c) return 1;
    for (long i = 1; i <= n; i++) {
        for (long j = 1; j <= n; j++) {
            size_t at = (size_t)(i - 1) * (size_t)n + (size_t)(j - 1);
            a[at] = (double)((i * j * 7 + i * 13 + j * 29) % 1009) / 1009.0 - 0.5;
            b[at] = (double)((i * j * 3 + i * 5 + j * 11) % 1013) / 1013.0 - 0.5;
            c[at] = 0;
        }
    }
    double t0 = now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a, n, b, n, 0.0, c, n);
    double t1 = now();
    double s = 0;
    for (size_t i = 0; i < cells; i++) s += fabs(c[i]);
    printf("openblas n=%d seconds=%.6f gflops=%.2f checksum=%.17g\n", n, t1 - t0,
           2.0 * n * n * (double)n / (t1 - t0) / 1e9, s);
    free(a);
    free(b);
    free(c);
    return 0;
}
