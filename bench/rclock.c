/*
 * rclock.c - monotonic clock for the R side of the benchmarks (bench/peers.R).
 * R's Sys.time() is wall-clock time, which can jump; this is loaded with
 * dyn.load() and called as .C("tsr_now", t = double(1))$t (seconds).
 * Plain C, no R headers: .C passes a double* for a numeric argument.
 */
#include <time.h>

void tsr_now(double *t);

void tsr_now(double *t)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    *t = (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
