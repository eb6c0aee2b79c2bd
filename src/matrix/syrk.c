/*
 * syrk.c - Gram products of a row panel of a tall dense X with few columns
 * by our own AVX-512 kernel: t(X) %*% X (tsmm's row-panel plan in matmul.c),
 * t(X) %*% (X * w) (wtsmm) and t(X) %*% cbind(X * w, V) (the gram operator:
 * the weighted Gram matrix and t(X) V in the same pass over X).
 *
 * OpenBLAS's dsyrk runs such shapes (k <= a few hundred columns, a long inner
 * dimension) at ~50% of the core's FMA peak: it packs both operands of every
 * k x k x 384 step separately.  Here each block of rows of X is packed once
 * into column panels of 8 (rows x 8, zero-padded on the right), which fit in
 * L2 - with a weight, a second copy scaled by w, and V's panels after the
 * second operand's - and every 8 x 24 block on or above the diagonal of the
 * result is computed by a register-blocked loop over the block's rows: 24
 * accumulators, per row one broadcast of each of 8 values of panel a (X) and
 * 3 vector loads of panels b..b+2 (X, X * w or V; 24 FMAs); a remainder of
 * two panels (or four) by an 8 x 16 kernel, of one by an 8 x 8 one.  The
 * kernel alone runs at ~90% of peak; packing (the single pass over X, whole
 * vectors, the last partial panel by a masked load) costs the rest.
 *
 * Arithmetic: cell (i, j) is the sum over the panel's rows in row order of
 * x_ri * (w_r * x_rj) (x_ri * v_rj), rows of one block accumulated by FMA
 * from zero, then the block's total added to the running cell.  The plan
 * depends on k only, so results are the same for every thread count.
 * Without AVX-512 (or another compiler) the caller keeps OpenBLAS
 * (kn_syrk_fast returns 0), as it does when the kernel's scratch cannot be
 * allocated (kn_gram_rows returns -1).
 */
#include "matrix/matrix_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef KN_AVX512
#include <immintrin.h>
#endif

/* Columns up to which the kernel beats dsyrk here (at 1000 they are even). */
#define SYRK_MAX_COLS 512
/* Bytes of one packed row block (L2 holds it with room for the result rows). */
#define SYRK_BLOCK_BYTES (512 * 1024)

int kn_syrk_fast(int64_t k)
{
#ifdef KN_AVX512
    return k >= 1 && k <= SYRK_MAX_COLS && kn_avx512();
#else
    (void)k;
    return 0;
#endif
}

#ifdef KN_AVX512

/* Rows [0, rb) of src (leading dimension ld, n columns) into ceil(n / 8)
 * panels of rb x 8 at pk (panel stride rb * 8, zero-padded on the right)
 * and, when w is not NULL, the same rows scaled by w[r] at pw: one read of
 * each row for both copies. */
KN_AVX512_FN static void syrk_pack(const double *src, int64_t ld, int64_t rb, int64_t n,
                                   const double *w, double *pk, double *pw)
{
    int64_t full = n / 8, ps = rb * 8;
    __mmask8 tail = (__mmask8)kn_lanes8(n - full * 8);
    for (int64_t r = 0; r < rb; r++) {
        const double *row = src + r * ld;
        double *d = pk + r * 8, *e = w ? pw + r * 8 : NULL;
        const __m512d f = _mm512_set1_pd(w ? w[r] : 1.0);
        for (int64_t p = 0; p < full; p++) {
            __m512d x = _mm512_loadu_pd(row + p * 8);
            _mm512_store_pd(d + p * ps, x);
            if (w) _mm512_store_pd(e + p * ps, _mm512_mul_pd(x, f));
        }
        if (tail) {   /* masked load: the padding lanes are zero */
            __m512d x = _mm512_maskz_loadu_pd(tail, row + full * 8);
            _mm512_store_pd(d + full * ps, x);
            if (w) _mm512_store_pd(e + full * ps, _mm512_mul_pd(x, f));
        }
    }
}

#define SYRK_ROW3(i)                                   \
    s = _mm512_set1_pd(a[i]);                          \
    c##i##0 = _mm512_fmadd_pd(s, b0, c##i##0);         \
    c##i##1 = _mm512_fmadd_pd(s, b1, c##i##1);         \
    c##i##2 = _mm512_fmadd_pd(s, b2, c##i##2);
#define SYRK_ADD(p, v) _mm512_storeu_pd((p), _mm512_add_pd(_mm512_loadu_pd(p), (v)))
#define SYRK_STORE3(i)                                 \
    SYRK_ADD(c + (i) * ldc, c##i##0);                  \
    SYRK_ADD(c + (i) * ldc + 8, c##i##1);              \
    SYRK_ADD(c + (i) * ldc + 16, c##i##2);

/* Prefetch (into L2) of lines [0, n) from p, spread over a kernel's rows:
 * per lines at each row (rb * per >= n). */
typedef struct SyrkPf {
    const char *p;
    int64_t n, per;
} SyrkPf;

#define SYRK_PREFETCH(pf, r)                                                        \
    for (int64_t q_ = (r) * (pf).per; q_ < (pf).n && q_ < ((r) + 1) * (pf).per; q_++) \
        _mm_prefetch((pf).p + q_ * 64, _MM_HINT_T1);

/* c[0:8, 0:24] += panel pa (rb x 8) transposed times panels pb, pb + ps,
 * pb + 2 ps (rb x 8 each); prefetches pf on the way. */
KN_AVX512_FN static void syrk_kern3(const double *pa, const double *pb, int64_t rb, int64_t ps,
                                    double *c, int64_t ldc, SyrkPf pf)
{
    __m512d c00 = _mm512_setzero_pd(), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00,
            c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00, c40 = c00,
            c41 = c00, c42 = c00, c50 = c00, c51 = c00, c52 = c00, c60 = c00, c61 = c00,
            c62 = c00, c70 = c00, c71 = c00, c72 = c00;
    const double *pb1 = pb + ps, *pb2 = pb + 2 * ps;
    for (int64_t r = 0; r < rb; r++) {
        __m512d b0 = _mm512_load_pd(pb + r * 8), b1 = _mm512_load_pd(pb1 + r * 8),
                b2 = _mm512_load_pd(pb2 + r * 8), s;
        const double *a = pa + r * 8;
        SYRK_PREFETCH(pf, r)
        SYRK_ROW3(0) SYRK_ROW3(1) SYRK_ROW3(2) SYRK_ROW3(3)
        SYRK_ROW3(4) SYRK_ROW3(5) SYRK_ROW3(6) SYRK_ROW3(7)
    }
    SYRK_STORE3(0) SYRK_STORE3(1) SYRK_STORE3(2) SYRK_STORE3(3)
    SYRK_STORE3(4) SYRK_STORE3(5) SYRK_STORE3(6) SYRK_STORE3(7)
}

#define SYRK_ROW2(i)                                   \
    s = _mm512_set1_pd(a[i]);                          \
    c##i##0 = _mm512_fmadd_pd(s, b0, c##i##0);         \
    c##i##1 = _mm512_fmadd_pd(s, b1, c##i##1);
#define SYRK_STORE2(i)                                 \
    SYRK_ADD(c + (i) * ldc, c##i##0);                  \
    SYRK_ADD(c + (i) * ldc + 8, c##i##1);

/* c[0:8, 0:16] += panel pa transposed times panels pb, pb + ps (a row's
 * remainder of two panels: half the broadcasts per FMA of two kern1). */
KN_AVX512_FN static void syrk_kern2(const double *pa, const double *pb, int64_t rb, int64_t ps,
                                    double *c, int64_t ldc, SyrkPf pf)
{
    __m512d c00 = _mm512_setzero_pd(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
            c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00,
            c61 = c00, c70 = c00, c71 = c00;
    const double *pb1 = pb + ps;
    for (int64_t r = 0; r < rb; r++) {
        __m512d b0 = _mm512_load_pd(pb + r * 8), b1 = _mm512_load_pd(pb1 + r * 8), s;
        const double *a = pa + r * 8;
        SYRK_PREFETCH(pf, r)
        SYRK_ROW2(0) SYRK_ROW2(1) SYRK_ROW2(2) SYRK_ROW2(3)
        SYRK_ROW2(4) SYRK_ROW2(5) SYRK_ROW2(6) SYRK_ROW2(7)
    }
    SYRK_STORE2(0) SYRK_STORE2(1) SYRK_STORE2(2) SYRK_STORE2(3)
    SYRK_STORE2(4) SYRK_STORE2(5) SYRK_STORE2(6) SYRK_STORE2(7)
}

/* c[0:8, 0:8] += panel pa transposed times panel pb; prefetches pf. */
KN_AVX512_FN static void syrk_kern1(const double *pa, const double *pb, int64_t rb, double *c,
                                    int64_t ldc, SyrkPf pf)
{
    __m512d acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm512_setzero_pd();
    for (int64_t r = 0; r < rb; r++) {
        __m512d b = _mm512_load_pd(pb + r * 8);
        const double *a = pa + r * 8;
        SYRK_PREFETCH(pf, r)
        for (int i = 0; i < 8; i++) acc[i] = _mm512_fmadd_pd(_mm512_set1_pd(a[i]), b, acc[i]);
    }
    for (int i = 0; i < 8; i++) SYRK_ADD(c + i * ldc, acc[i]);
}

/* Adds to acc (kp x nb panels of 8 x 8, leading dimension nb * 8) every
 * 8 x 8 block (a, b), b >= a, of t(A) B: A the kp packed panels at pa, B the
 * nb packed panels at pb (rb rows each).  The bytes [next, next + nbytes)
 * (the next block of X) are prefetched meanwhile, a kp-th at each panel of
 * A, so that reading them from memory overlaps this block's arithmetic. */
static void syrk_block(const double *pa, const double *pb, int64_t rb, int64_t kp, int64_t nb,
                       double *acc, const char *next, int64_t nbytes)
{
    int64_t ld = nb * 8, ps = rb * 8, lines = (nbytes + 63) / 64, slice = (lines + kp - 1) / kp;
    SyrkPf none = { NULL, 0, 1 };
    for (int64_t a = 0; a < kp; a++) {
        const double *pan = pa + a * ps;
        double *crow = acc + a * 8 * ld;
        int64_t lo = a * slice, n = lo < lines ? (lines - lo < slice ? lines - lo : slice) : 0;
        SyrkPf pf = { next + lo * 64, n, (n + rb - 1) / rb };
        int64_t b = a;
        /* panels b.. in threes, a remainder of 4 as two twos, of 2 as one */
        for (; nb - b >= 3 && nb - b != 4; b += 3, pf = none)
            syrk_kern3(pan, pb + b * ps, rb, ps, crow + b * 8, ld, pf);
        for (; nb - b >= 2; b += 2, pf = none)
            syrk_kern2(pan, pb + b * ps, rb, ps, crow + b * 8, ld, pf);
        for (; b < nb; b++, pf = none) syrk_kern1(pan, pb + b * ps, rb, crow + b * 8, ld, pf);
    }
}

int kn_gram_rows(const double *x, int64_t rows, int64_t k, const double *w, const double *v,
                 int64_t kv, double *c, int64_t ldc)
{
    int64_t kp = (k + 7) / 8, vp = (kv + 7) / 8, nb = kp + vp;
    /* doubles per packed row: A's panels, and B's when they differ (w) */
    int64_t per_row = (w ? kp + nb : nb) * 8;
    int64_t rbmax = SYRK_BLOCK_BYTES / (per_row * (int64_t)sizeof(double));
    if (rbmax < 16) rbmax = 16;
    if (rbmax > rows) rbmax = rows > 0 ? rows : 1;
    size_t pk_bytes = (size_t)(rbmax * per_row) * sizeof(double);
    size_t acc_bytes = (size_t)(kp * 8 * nb * 8) * sizeof(double);
    double *pk = aligned_alloc(64, (pk_bytes + 63) / 64 * 64);
    double *acc = aligned_alloc(64, (acc_bytes + 63) / 64 * 64);
    if (!pk || !acc) {
        free(pk);
        free(acc);
        return -1;
    }
    memset(acc, 0, acc_bytes);
    for (int64_t r0 = 0; r0 < rows; r0 += rbmax) {
        int64_t rb = rows - r0 < rbmax ? rows - r0 : rbmax, ps = rb * 8;
        int64_t rn = rows - r0 - rb < rbmax ? rows - r0 - rb : rbmax;   /* next block's rows */
        /* A = X; B = [X * w or X, V] (B's X part is A's when w is NULL) */
        double *pb = w ? pk + kp * ps : pk;
        syrk_pack(x + r0 * k, k, rb, k, w ? w + r0 : NULL, pk, pb);
        if (kv > 0) syrk_pack(v + r0 * kv, kv, rb, kv, NULL, pb + kp * ps, NULL);
        if (rn > 0) {   /* the next block's w and V are short: at once */
            for (int64_t q = 0; w && q < rn * 8; q += 64)
                _mm_prefetch((const char *)(w + r0 + rb) + q, _MM_HINT_T1);
            for (int64_t q = 0; kv > 0 && q < rn * kv * 8; q += 64)
                _mm_prefetch((const char *)(v + (r0 + rb) * kv) + q, _MM_HINT_T1);
        }
        syrk_block(pk, pb, rb, kp, nb, acc, (const char *)(x + (r0 + rb) * k), rn * k * 8);
    }
    int64_t lda = nb * 8;
    for (int64_t i = 0; i < k; i++) {
        memcpy(c + i * ldc + i, acc + i * lda + i, (size_t)(k - i) * sizeof(double));
        if (kv > 0) memcpy(c + i * ldc + k, acc + i * lda + kp * 8, (size_t)kv * sizeof(double));
    }
    free(pk);
    free(acc);
    return 0;
}

#else

int kn_gram_rows(const double *x, int64_t rows, int64_t k, const double *w, const double *v,
                 int64_t kv, double *c, int64_t ldc)
{
    (void)x;
    (void)rows;
    (void)k;
    (void)w;
    (void)v;
    (void)kv;
    (void)c;
    (void)ldc;
    return -1;
}

#endif

int kn_syrk_rows(const double *x, int64_t rows, int64_t k, double *c)
{
    return kn_gram_rows(x, rows, k, NULL, NULL, 0, c, k);
}

