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
#include <stdlib.h>
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

/* ---- integer conversion of DML.md 3.2 -------------------------------------
 * sign(v) * floor(|v| + 2^-53), NaN -> 0, saturating at the int64 range. */
static inline int64_t kn_dbl_to_int(double d)
{
    if (d != d) return 0;
    double t = floor(fabs(d) + 0x1p-53);
    if (t >= 0x1p63) return d < 0 ? INT64_MIN : INT64_MAX;
    return d < 0 ? -(int64_t)t : (int64_t)t;
}

/* ---- sorting (sort.c) -----------------------------------------------------
 * The value order of order/quantile/unique: NaN above every number (ties
 * among NaNs), -0.0 ties with 0.0.  Returns -1, 0 or 1. */
static inline int kn_cmp_nan_last(double a, double b)
{
    if (a < b) return -1;
    if (a > b) return 1;
    return (a != a) - (b != b);   /* equal numbers 0; NaN vs number +-1 */
}

/* Compares the items with indexes a and b (<0, 0, >0) under ctx. */
typedef int (*KnIdxCmp)(const void *ctx, int64_t a, int64_t b);
/* Stable merge sort of idx[0..n) with n cells of scratch; allocation-free. */
void kn_sort_idx(int64_t *idx, int64_t *scratch, int64_t n, KnIdxCmp cmp, const void *ctx);
/* Sorts v[0..n) in place in the same stable order (NaNs last, in input
 * order; -0.0 and 0.0 keep their input order); tmp holds n doubles. */
void kn_sort_dbl(double *v, double *tmp, int64_t n);
/* Allocates idx = 0..n-1 and sorts it stably by key[] (kn_cmp_nan_last,
 * descending if desc).  NULL on allocation failure (n == 0 gives a valid
 * 1-cell allocation).  The caller frees. */
int64_t *kn_argsort(const double *key, int64_t n, int desc);

/* ---- LAPACK glue (linalg.c) --------------------------------------------- */
/* TSR_LIMIT error if a dimension exceeds lapack_int. */
tsr_status kn_lapack_limit(const MatBlock *a, Err *err);
/* Error of a negative LAPACKE info (workspace allocation, invalid argument). */
tsr_status kn_lapack_fail(int info, const char *fn, Err *err);

/* ---- parallel partial results (matmul.c) ---------------------------------------
 * y[i] += part[p * len + i] for p = 0 .. np-1 in that order (per-chunk
 * partial results reduced in chunk order), split over i on the pool. */
void kn_add_partials(const ParCtx *par, double *y, const double *part, int64_t np,
                     int64_t len);

/* ---- argument helpers -------------------------------------------------------- */
/* A matrix with no cells has dense == NULL; this gives a usable pointer
 * expression for loops that run zero times. */
#define MB_CELLS(m) ((m)->rows * (m)->cols)

/* ---- CSR search ---------------------------------------------------------------
 * First stored entry in [lo, hi) (a part of one CSR row) whose column is
 * >= j; hi when there is none. */
static inline int64_t mb_csr_lower(const MatBlock *a, int64_t lo, int64_t hi, int64_t j)
{
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (a->idx[mid] < j) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* ---- CSR capacity ------------------------------------------------------------
 * A kernel that reserved an upper bound of its output nnz (X * Y reserves
 * min(nnz(X), nnz(Y))) gives the unused part back once the block is built.
 * A failing realloc keeps the larger arrays (still valid). */
static inline void kn_csr_trim(MatBlock *m)
{
    if (!m->sparse || m->cap <= m->nnz + m->nnz / 4 + 64) return;
    int64_t cap = m->nnz ? m->nnz : 1;
    int32_t *idx = realloc(m->idx, (size_t)cap * sizeof *idx);
    if (!idx) return;
    m->idx = idx;
    m->cap = cap;   /* the usable capacity is the smaller array's */
    double *val = realloc(m->val, (size_t)cap * sizeof *val);
    if (val) m->val = val;
}

#endif /* TSR_MATRIX_INT_H */
