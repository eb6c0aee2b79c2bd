/*
 * peak.c - FP64 fused multiply-add throughput probe for bench/run.py: the
 * machine's peak GFLOP/s on K threads, to put the GEMM figures in
 * perspective.  Each thread runs 12 independent FMA chains on the widest
 * vectors the compiler targets (build with -O2 -march=native).
 * Usage: peak [threads] [seconds-per-run]; prints "peak threads=K ... gflops=G".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__AVX512F__)
#define VBYTES 64
#elif defined(__AVX__)
#define VBYTES 32
#else
#define VBYTES 16
#endif
#define LANES (VBYTES / 8)
#define CHAINS 12

typedef double vd __attribute__((vector_size(VBYTES)));

/* Keeps the compiler from folding a chain, without sending it to memory. */
#if defined(__x86_64__) || defined(__i386__)
#define KEEP(v) __asm__ volatile("" : "+v"(v))
#else
#define KEEP(v) __asm__ volatile("" : "+w"(v))
#endif
#define STEP(v) \
    do { \
        v = v * a + b; \
        KEEP(v); \
    } while (0)

typedef struct Job {
    long iters;
    double sink;
} Job;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *spin(void *arg)
{
    Job *job = arg;
    vd a, b;
    for (int l = 0; l < LANES; l++) {
        a[l] = 1.0 - 1e-9;
        b[l] = 1e-9;
    }
    vd c0 = a, c1 = a * 2, c2 = a * 3, c3 = a * 4, c4 = a * 5, c5 = a * 6;
    vd c6 = a * 7, c7 = a * 8, c8 = a * 9, c9 = a * 10, c10 = a * 11, c11 = a * 12;
    for (long i = 0; i < job->iters; i++) {
        STEP(c0); STEP(c1); STEP(c2); STEP(c3); STEP(c4); STEP(c5);
        STEP(c6); STEP(c7); STEP(c8); STEP(c9); STEP(c10); STEP(c11);
    }
    vd s = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11;
    job->sink = 0;
    for (int l = 0; l < LANES; l++) job->sink += s[l];
    return NULL;
}

/* GFLOP/s of `threads` threads each running `iters` iterations. */
static double run(int threads, long iters)
{
    pthread_t tid[64];
    Job jobs[64];
    double t0 = now();
    int started = 0;
    for (; started < threads; started++) {
        jobs[started].iters = iters;
        if (pthread_create(&tid[started], NULL, spin, &jobs[started]) != 0) break;
    }
    for (int t = 0; t < started; t++) pthread_join(tid[t], NULL);
    double secs = now() - t0;
    return (double)started * (double)iters * CHAINS * LANES * 2.0 / secs / 1e9;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    double target = argc > 2 ? atof(argv[2]) : 0.2;
    if (threads < 1 || threads > 64) threads = 1;
    long iters = 1000000;
    double g = run(1, iters); /* calibrate: about `target` seconds per run */
    if (g > 0) iters = (long)(target * g * 1e9 / (CHAINS * LANES * 2.0));
    double best = 0;
    for (int r = 0; r < 3; r++) {
        double v = run(threads, iters);
        if (v > best) best = v;
    }
    printf("peak threads=%d vector_bits=%d gflops=%.1f\n", threads, VBYTES * 8, best);
    return 0;
}
