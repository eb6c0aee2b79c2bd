/*
 * blas_race.c - checks that OpenBLAS gives correct results when several
 * threads call cblas_dgemm at the same time, as Tessera's parallel kernels do
 * (one single-threaded BLAS call per task).  An OpenBLAS built without
 * threading and without USE_LOCKING shares its packing buffers between
 * callers and then returns wrong products now and then.
 * Each thread repeats products of a few shapes and compares every result
 * bitwise with one computed before the threads start.
 * Usage: blas_race [threads] [seconds-per-shape]; prints one line per shape
 * and a summary line "blas_race: ... wrong=W of N".
 */
#include <cblas.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct Shape {
    int m, n, k;
} Shape;

typedef struct Job {
    const Shape *s;
    const double *a, *b, *ref;
    double seconds;
    long runs, wrong;
} Job;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void product(const Shape *s, const double *a, const double *b, double *c)
{
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, s->n, s->k, 1.0, a, s->k, b,
                s->n, 0.0, c, s->n);
}

static void *hammer(void *arg)
{
    Job *j = arg;
    size_t bytes = (size_t)j->s->m * (size_t)j->s->n * sizeof(double);
    double *c = malloc(bytes);
    if (!c) return NULL;
    double end = now() + j->seconds;
    do {
        for (int r = 0; r < 50; r++) {
            product(j->s, j->a, j->b, c);
            j->runs++;
            j->wrong += memcmp(c, j->ref, bytes) != 0;
        }
    } while (now() < end);
    free(c);
    return NULL;
}

int main(int argc, char **argv)
{
    static const Shape shapes[] = {
        { 64, 64, 64 }, { 128, 128, 128 }, { 128, 128, 256 }, { 256, 10, 20 }, { 300, 300, 300 },
    };
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    double seconds = argc > 2 ? atof(argv[2]) : 0.2;
    if (threads < 2) threads = 2;
    if (threads > 16) threads = 16;
    long total = 0, wrong = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        const Shape *s = &shapes[i];
        size_t na = (size_t)s->m * s->k, nb = (size_t)s->k * s->n, nc = (size_t)s->m * s->n;
        double *a = malloc(na * sizeof *a), *b = malloc(nb * sizeof *b);
        double *ref = malloc(nc * sizeof *ref);
        if (!a || !b || !ref) {
            fprintf(stderr, "blas_race: out of memory\n");
            free(a);
            free(b);
            free(ref);
            return 1;
        }
        for (size_t t = 0; t < na; t++) a[t] = (double)(t % 97) / 97.0 - 0.5;
        for (size_t t = 0; t < nb; t++) b[t] = (double)(t % 89) / 89.0 - 0.5;
        product(s, a, b, ref);
        pthread_t tid[16];
        Job jobs[16];
        int started = 0;
        for (; started < threads; started++) {
            jobs[started] = (Job){ s, a, b, ref, seconds, 0, 0 };
            if (pthread_create(&tid[started], NULL, hammer, &jobs[started]) != 0) break;
        }
        long runs = 0, bad = 0;
        for (int t = 0; t < started; t++) {
            pthread_join(tid[t], NULL);
            runs += jobs[t].runs;
            bad += jobs[t].wrong;
        }
        printf("blas_race: dgemm %dx%dx%d on %d threads: %ld of %ld results wrong\n", s->m, s->n,
               s->k, started, bad, runs);
        total += runs;
        wrong += bad;
        free(a);
        free(b);
        free(ref);
    }
    printf("blas_race: %s (%s) wrong=%ld of %ld\n", openblas_get_config(), openblas_get_corename(),
           wrong, total);
    return 0;
}
