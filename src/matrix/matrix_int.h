/*
 * matrix_int.h - private helpers shared by the kernel files of the matrix
 * module (not for use outside src/matrix and its unit test).
 *
 * What is here: compensated (Neumaier) summation used by sum/mean/var/
 * cumsum/trace, the Philox4x32-10 counter-based generator used by rand and
 * sample, and small argument checks.  Nothing here allocates.
 */
#ifndef TSR_MATRIX_INT_H
#define TSR_MATRIX_INT_H

#include <math.h>
#include <stdint.h>
#include "matrix/matrix.h"

/* ---- compensated summation ------------------------------------------------
 * Kahan-Babuska-Neumaier: `s` is the running sum, `c` the accumulated lost
 * low-order part.  Once s is non-finite (Inf/NaN) the compensation is
 * meaningless, so the result is s alone (keeps Inf and NaN propagation
 * exactly as plain IEEE summation would). */
typedef struct KSum {
    double s, c;
} KSum;

static inline void ks_add(KSum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x)) k->c += (k->s - t) + x;
    else k->c += (x - t) + k->s;
    k->s = t;
}

static inline double ks_value(const KSum *k)
{
    return isfinite(k->s) ? k->s + k->c : k->s;
}

/* Merges b into a (used to combine independent lanes). */
static inline void ks_merge(KSum *a, const KSum *b)
{
    ks_add(a, b->s);
    a->c += b->c;
}

/* Compensated sum of n contiguous doubles (4 independent lanes). */
double kn_sum_range(const double *x, int64_t n);

/* ---- min/max with Java Math.min/max semantics: NaN wins, -0.0 < +0.0 ---- */
static inline double kn_min2(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a < b) return a;
    if (b < a) return b;
    return signbit(a) ? a : b;
}

static inline double kn_max2(double a, double b)
{
    if (a != a || b != b) return a + b;
    if (a > b) return a;
    if (b > a) return b;
    return signbit(a) ? b : a;
}

/* ---- Philox4x32-10 ----------------------------------------------------------
 * Salmon et al., "Parallel random numbers: as easy as 1, 2, 3" (SC'11):
 * a bijection of a 128-bit counter under a 64-bit key.  ctr and out may
 * alias. */
void kn_philox4x32(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* ---- argument helpers -------------------------------------------------------- */
/* A matrix with no cells has dense == NULL; this gives a usable pointer
 * expression for loops that run zero times. */
#define MB_CELLS(m) ((m)->rows * (m)->cols)

#endif /* TSR_MATRIX_INT_H */
