/*
 * syrk.c - t(X) %*% X of a row panel of a tall dense X with few columns, by
 * our own AVX-512 kernel (tsmm's row-panel plan in matmul.c calls it).
 *
 * OpenBLAS's dsyrk runs such shapes (k <= a few hundred columns, a long inner
 * dimension) at ~50% of the core's FMA peak: it packs both operands of every
 * k x k x 384 step separately.  Here each block of RB rows of X is packed
 * once into column panels of 8 (RB x 8, zero-padded on the right), which fit
 * in L2, and every 8 x 24 block on or above the diagonal of the k x k result
 * is computed by a register-blocked loop over the block's rows: 24
 * accumulators, per row one broadcast of each of 8 values of panel a and 3
 * vector loads of panels b..b+2 (24 FMAs).  The kernel alone runs at ~90% of
 * peak; packing (the single pass over X) costs the rest.
 *
 * Arithmetic: cell (i, j) is the sum over the panel's rows in row order,
 * rows of one block accumulated by FMA from zero, then the block's total
 * added to the running cell.  The plan depends on k only, so results are the
 * same for every thread count.  Without AVX-512 (or another compiler) the
 * caller keeps OpenBLAS (kn_syrk_fast returns 0), as it does when the
 * kernel's scratch cannot be allocated (kn_syrk_rows returns -1).
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

/* Rows [0, rb) of x (leading dimension k) into kp panels of rb x 8. */
static void syrk_pack(const double *x, int64_t rb, int64_t k, int64_t kp, double *pk)
{
    int64_t full = k / 8;
    for (int64_t r = 0; r < rb; r++) {
        const double *row = x + r * k;
        for (int64_t p = 0; p < full; p++) memcpy(pk + (p * rb + r) * 8, row + p * 8, 64);
        if (full < kp) {
            double *d = pk + (full * rb + r) * 8;
            int64_t q = 0;
            for (; q < k - full * 8; q++) d[q] = row[full * 8 + q];
            for (; q < 8; q++) d[q] = 0.0;
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

/* c[0:8, 0:24] += panel pa (rb x 8) transposed times panels pb, pb + ps,
 * pb + 2 ps (rb x 8 each). */
KN_AVX512_FN static void syrk_kern3(const double *pa,
                                                               const double *pb, int64_t rb,
                                                               int64_t ps, double *c,
                                                               int64_t ldc)
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
        SYRK_ROW3(0) SYRK_ROW3(1) SYRK_ROW3(2) SYRK_ROW3(3)
        SYRK_ROW3(4) SYRK_ROW3(5) SYRK_ROW3(6) SYRK_ROW3(7)
    }
    SYRK_STORE3(0) SYRK_STORE3(1) SYRK_STORE3(2) SYRK_STORE3(3)
    SYRK_STORE3(4) SYRK_STORE3(5) SYRK_STORE3(6) SYRK_STORE3(7)
}

/* c[0:8, 0:8] += panel pa transposed times panel pb. */
KN_AVX512_FN static void syrk_kern1(const double *pa,
                                                               const double *pb, int64_t rb,
                                                               double *c, int64_t ldc)
{
    __m512d acc[8];
    for (int i = 0; i < 8; i++) acc[i] = _mm512_setzero_pd();
    for (int64_t r = 0; r < rb; r++) {
        __m512d b = _mm512_load_pd(pb + r * 8);
        const double *a = pa + r * 8;
        for (int i = 0; i < 8; i++) acc[i] = _mm512_fmadd_pd(_mm512_set1_pd(a[i]), b, acc[i]);
    }
    for (int i = 0; i < 8; i++) SYRK_ADD(c + i * ldc, acc[i]);
}

/* Adds every 8 x 8 block on or above the diagonal of the packed block's
 * t(B) B into acc (kpad x kpad). */
static void syrk_block(const double *pk, int64_t rb, int64_t kp, double *acc)
{
    int64_t kpad = kp * 8, ps = rb * 8;
    for (int64_t a = 0; a < kp; a++) {
        const double *pa = pk + a * ps;
        double *crow = acc + a * 8 * kpad;
        int64_t b = a;
        for (; b + 3 <= kp; b += 3) syrk_kern3(pa, pk + b * ps, rb, ps, crow + b * 8, kpad);
        for (; b < kp; b++) syrk_kern1(pa, pk + b * ps, rb, crow + b * 8, kpad);
    }
}

int kn_syrk_rows(const double *x, int64_t rows, int64_t k, double *c)
{
    int64_t kp = (k + 7) / 8, kpad = kp * 8;
    int64_t rbmax = SYRK_BLOCK_BYTES / (kpad * (int64_t)sizeof(double));
    if (rbmax < 16) rbmax = 16;
    if (rbmax > rows) rbmax = rows > 0 ? rows : 1;
    size_t pk_bytes = (size_t)(rbmax * kpad) * sizeof(double);
    size_t acc_bytes = (size_t)(kpad * kpad) * sizeof(double);
    double *pk = aligned_alloc(64, (pk_bytes + 63) / 64 * 64);
    double *acc = aligned_alloc(64, (acc_bytes + 63) / 64 * 64);
    if (!pk || !acc) {
        free(pk);
        free(acc);
        return -1;
    }
    memset(acc, 0, acc_bytes);
    for (int64_t r0 = 0; r0 < rows; r0 += rbmax) {
        int64_t rb = rows - r0 < rbmax ? rows - r0 : rbmax;
        syrk_pack(x + r0 * k, rb, k, kp, pk);
        syrk_block(pk, rb, kp, acc);
    }
    for (int64_t i = 0; i < k; i++)
        memcpy(c + i * k + i, acc + i * kpad + i, (size_t)(k - i) * sizeof(double));
    free(pk);
    free(acc);
    return 0;
}

#else

int kn_syrk_rows(const double *x, int64_t rows, int64_t k, double *c)
{
    (void)x;
    (void)rows;
    (void)k;
    (void)c;
    return -1;
}

#endif
