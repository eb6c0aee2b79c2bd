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
#include <string.h>
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

/* A kernel compiled twice, for AVX2 and for the baseline, picked at load
 * time (ifunc); callers make sure the arithmetic is the same per lane, so
 * the results do not depend on the clone.  Not under ThreadSanitizer: the
 * ifunc resolvers run before it starts. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_THREAD__)
#define KN_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define KN_CLONES
#endif

/* Kernels written with AVX-512 intrinsics (KN_AVX512_FN functions, picked
 * at run time when kn_avx512() says the CPU has AVX-512F); the callers keep
 * a portable path for other CPUs and compilers. */
/* The lane mask of the first min(len, 8) lanes of an 8-lane vector (0 for
 * len <= 0): masked loads and stores of a row's last cells. */
static inline unsigned kn_lanes8(int64_t len)
{
    return len >= 8 ? 0xFFu : len <= 0 ? 0u : (1u << len) - 1u;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define KN_AVX512 1
#define KN_AVX512_FN __attribute__((target("avx512f,fma")))
static inline int kn_avx512(void)
{
    return __builtin_cpu_supports("avx512f");
}
#else
static inline int kn_avx512(void)
{
    return 0;
}
#endif

/* syrk.c: the upper triangle (cells j >= i) of t(X) X for rows x[0, rows)
 * of a dense X with k columns (leading dimension k) into c (k x k, leading
 * dimension k; cells below the diagonal untouched), by the AVX-512 kernel.
 * kn_syrk_fast(k): the kernel runs on this CPU and beats dsyrk for k
 * columns.  kn_syrk_rows returns 0, or -1 (no scratch, or no kernel on this
 * build) with c untouched. */
int kn_syrk_fast(int64_t k);
int kn_syrk_rows(const double *x, int64_t rows, int64_t k, double *c);
/* The same kernel for t(X) %*% cbind(X * w, V) over rows x[0, rows): the
 * upper triangle of t(X) diag(w) X (w NULL: t(X) X) into columns [0, k) of
 * c (leading dimension ldc), and t(X) V (V rows x kv, leading dimension kv;
 * kv = 0: none) into columns [k, k + kv).  Returns 0, or -1 (no scratch, or
 * no kernel on this build) with c untouched. */
int kn_gram_rows(const double *x, int64_t rows, int64_t k, const double *w, const double *v,
                 int64_t kv, double *c, int64_t ldc);

/* Compensated sum of n contiguous doubles (4 independent lanes). */
double kn_sum_range(const double *x, int64_t n);

/* ---- eight-lane TwoSum accumulator ---------------------------------------------
 * The sums of aggregate.c (sum_range_ks) and of the fused kernel (fused.c)
 * share this state so that they are bit-identical: value number p of a run
 * (p counted from the run's start, p < n & ~7) goes to lane p & 7 through
 * Knuth's TwoSum (s + x = t + e exactly); then the lanes are merged in lane
 * order with ks_add (ksl_merge) and the last n & 7 values are ks_add'ed in
 * order.  ksl_add8 is the SIMD form (GCC vector extensions, branch-free:
 * runs at vector speed at -O2), ksl_add1 the same arithmetic for one value. */
typedef double kn_v2d __attribute__((vector_size(16)));
typedef struct KsLanes {
    kn_v2d s[4], c[4];   /* lane l is s[l >> 1][l & 1] */
} KsLanes;

static inline void ksl_init(KsLanes *L)
{
    for (int l = 0; l < 4; l++) {
        L->s[l] = (kn_v2d){ 0.0, 0.0 };
        L->c[l] = (kn_v2d){ 0.0, 0.0 };
    }
}

static inline void kn_twosum_v(kn_v2d *s, kn_v2d *c, kn_v2d x)
{
    kn_v2d t = *s + x, z = t - *s;
    *c += (*s - (t - z)) + (x - z);
    *s = t;
}

/* x[8q + r] into lane r, for n a multiple of 8. */
static inline void ksl_add8(KsLanes *L, const double *x, int64_t n)
{
    kn_v2d s0 = L->s[0], s1 = L->s[1], s2 = L->s[2], s3 = L->s[3];
    kn_v2d c0 = L->c[0], c1 = L->c[1], c2 = L->c[2], c3 = L->c[3];
    for (int64_t i = 0; i + 8 <= n; i += 8) {
        kn_v2d x0, x1, x2, x3;
        memcpy(&x0, x + i, sizeof x0);
        memcpy(&x1, x + i + 2, sizeof x1);
        memcpy(&x2, x + i + 4, sizeof x2);
        memcpy(&x3, x + i + 6, sizeof x3);
        kn_twosum_v(&s0, &c0, x0);
        kn_twosum_v(&s1, &c1, x1);
        kn_twosum_v(&s2, &c2, x2);
        kn_twosum_v(&s3, &c3, x3);
    }
    L->s[0] = s0, L->s[1] = s1, L->s[2] = s2, L->s[3] = s3;
    L->c[0] = c0, L->c[1] = c1, L->c[2] = c2, L->c[3] = c3;
}

/* One value into lane l (0..7). */
static inline void ksl_add1(KsLanes *L, int l, double x)
{
    double s = L->s[l >> 1][l & 1], t = s + x, z = t - s;
    L->c[l >> 1][l & 1] += (s - (t - z)) + (x - z);
    L->s[l >> 1][l & 1] = t;
}

/* The lanes merged in lane order. */
static inline KSum ksl_merge(const KsLanes *L)
{
    KSum k = { 0, 0 };
    for (int l = 0; l < 4; l++)
        for (int h = 0; h < 2; h++) {
            ks_add(&k, L->s[l][h]);
            k.c += L->c[l][h];
        }
    return k;
}

/* Sums of deviations over n contiguous values (SIMD blocks added with
 * compensation, see aggregate.c): *sp = sum (x - mx) * (y - my) and *sd = sum (x - mx); y == NULL
 * means y = x and my = mx (sum of squared deviations).  aggregate.c. */
void kn_dev_sums(const double *x, const double *y, int64_t n, double mx, double my, KSum *sp,
                 KSum *sd);
/* Number of non-zero values (NaN counts) among n contiguous doubles (SIMD). */
int64_t kn_count_nz(const double *x, int64_t n);
/* Copies n doubles and returns how many are non-zero (one pass). */
int64_t kn_copy_nz(double *dst, const double *src, int64_t n);
/* sum x by the same blocks (the mean inside var/sd/cov; sum() itself uses
 * kn_sum_range, which the fused kernel reproduces bit for bit). */
double kn_sum_blocked(const double *x, int64_t n);


/* The chunkings of the aggregates (aggregate.c), which the fused kernel
 * reproduces: full aggregates cut the cells into par_grain(cells,
 * KN_AGG_CELL_COST) chunks; column aggregates cut the rows into bands of
 * par_grain(rows, cols * KN_AGG_CELL_COST) with per-band partial states,
 * unless bands times columns exceed KN_COL_PART_MAX (then each column is
 * one sequential run). */
#define KN_AGG_CELL_COST 1.0
#define KN_COL_PART_MAX ((int64_t)1 << 20)

/* TwoSum update of (s[j], c[j]) with x: the column sums' state (the same
 * (s, c) as ks_add for finite values), branch-free so that loops over
 * columns vectorise. */
static inline void kn_col_add(double *restrict s, double *restrict c, int64_t j, double x)
{
    double t = s[j] + x, z = t - s[j];
    c[j] += (s[j] - (t - z)) + (x - z);
    s[j] = t;
}

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
