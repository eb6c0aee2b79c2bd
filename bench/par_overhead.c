/*
 * par_overhead.c - measures the cost of the thread pool (src/parallel):
 *   per task: one job of N empty tasks on K threads, total time / N;
 *   per job:  M back-to-back jobs of K tiny tasks each (wake-up, close and
 *             join of a job: what a small parallel operator pays);
 *   par_for:  a 1e7-cell sum split by par_grain, against the plain loop.
 * Usage: par_overhead [threads]   (default: all cores).  Prints one line per
 * measurement; medians of 5 runs.  Not a test: timings never go into tests.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "parallel/parallel.h"

static void empty_task(void *arg, int64_t t, int wid)
{
    (void)arg;
    (void)t;
    (void)wid;
}

typedef struct SumJob {
    const double *x;
    double *part;
} SumJob;

static void sum_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    SumJob *s = arg;
    double acc = 0;
    for (int64_t i = lo; i < hi; i++) acc += s->x[i];
    s->part[lo] = acc;   /* chunk start as slot: chunks never share a start */
    (void)wid;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median5(double *v)
{
    qsort(v, 5, sizeof *v, cmp_d);
    return v[2];
}

int main(int argc, char **argv)
{
    int k = argc > 1 ? atoi(argv[1]) : par_ncores();
    if (k < 1) k = 1;
    Err err;
    err_clear(&err);
    ParPool *pool = par_pool_new(k - 1, &err);
    if (!pool) {
        fprintf(stderr, "par_overhead: %s\n", err.msg);
        return 1;
    }
    ParCtx ctx = {.pool = pool, .threads = k};
    double r[5];

    const int64_t ntasks = 4000000;
    for (int rep = 0; rep < 5; rep++) {
        int64_t t0 = tm_now_ns();
        par_run(&ctx, ntasks, empty_task, NULL);
        r[rep] = (double)(tm_now_ns() - t0) / (double)ntasks;
    }
    printf("per-task overhead (%lld empty tasks, %d threads): %.1f ns\n", (long long)ntasks, k,
           median5(r));

    const int njobs = 20000;
    for (int rep = 0; rep < 5; rep++) {
        int64_t t0 = tm_now_ns();
        for (int j = 0; j < njobs; j++) par_run(&ctx, k, empty_task, NULL);
        r[rep] = (double)(tm_now_ns() - t0) / njobs;
    }
    printf("per-job overhead (%d jobs of %d tasks): %.2f us\n", njobs, k, median5(r) / 1e3);

    const int64_t n = 10000000;
    double *x = malloc((size_t)n * sizeof *x);
    double *part = calloc((size_t)n, sizeof *part);
    if (!x || !part) return 1;
    for (int64_t i = 0; i < n; i++) x[i] = (double)(i % 1000) * 1e-3;
    double rs[5], rp[5], ssum = 0, psum = 0;
    for (int rep = 0; rep < 5; rep++) {
        int64_t t0 = tm_now_ns();
        double acc = 0;
        for (int64_t i = 0; i < n; i++) acc += x[i];
        rs[rep] = (double)(tm_now_ns() - t0) / 1e6;
        ssum = acc;
        SumJob sj = {x, part};
        int64_t g = par_grain(n, 1.0);
        t0 = tm_now_ns();
        par_for(&ctx, n, g, sum_chunk, &sj);
        psum = 0;
        for (int64_t lo = 0; lo < n; lo += g) psum += part[lo];
        rp[rep] = (double)(tm_now_ns() - t0) / 1e6;
    }
    printf("sum of 1e7 doubles: loop %.2f ms, par_for %.2f ms (%d threads; sums %.6g %.6g)\n",
           median5(rs), median5(rp), k, ssum, psum);
    free(x);
    free(part);
    par_pool_free(pool);
    return 0;
}
