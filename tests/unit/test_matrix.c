/*
 * test_matrix.c - unit tests of the matrix kernels (src/matrix): exact or
 * mathematically known values for every kernel, broadcasting shapes and
 * error texts, NaN/-0.0 edge cases, and statistical checks of rand/sample.
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "matrix/matrix_int.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- helpers ---------------------------------------------------------------------------------------- */

static MatBlock *mk(int64_t r, int64_t c, const double *v)
{
    Err e;
    err_clear(&e);
    MatBlock *m = mb_new(r, c, &e);
    if (!m) {
        fprintf(stderr, "mb_new failed: %s\n", e.msg);
        exit(2);
    }
    if (v) memcpy(m->dense, v, (size_t)(r * c) * sizeof(double));
    mb_recount_nnz(m);
    return m;
}
#define MK(r, c, ...) mk((r), (c), (const double[]){ __VA_ARGS__ })

static int64_t nnz_of(const MatBlock *m)
{
    int64_t nz = 0;
    for (int64_t i = 0; i < m->rows * m->cols; i++) nz += (m->dense[i] != 0.0);
    return nz;
}

/* Shape, every cell (same_double()) and nnz exactness. */
static int mat_is(const MatBlock *m, int64_t r, int64_t c, const double *v)
{
    if (!m || m->rows != r || m->cols != c) return 0;
    for (int64_t i = 0; i < r * c; i++)
        if (!same_double(m->dense[i], v[i])) {
            fprintf(stderr, "   cell %lld: got %.17g want %.17g\n", (long long)i, m->dense[i], v[i]);
            return 0;
        }
    return m->nnz == nnz_of(m);
}
#define CHECK_M(m, r, c, ...) \
    check_at(mat_is((m), (r), (c), (const double[]){ __VA_ARGS__ }), #m " cells", __FILE__, __LINE__)
#define CHECK_SHAPE(m, r, c) \
    check_at((m) && (m)->rows == (r) && (m)->cols == (c) && (m)->nnz == nnz_of(m), #m " shape", \
             __FILE__, __LINE__)

static Err E;

/* Runs a kernel expected to fail and compares the message. */
#define CHECK_ERR(call, text)                                                \
    do {                                                                     \
        err_clear(&E);                                                       \
        tsr_status st_ = (call);                                             \
        check_at(st_ != TSR_OK, #call " fails", __FILE__, __LINE__);         \
        check_str(E.msg, (text), __FILE__, __LINE__);                        \
    } while (0)

#define OK(call) check_at((err_clear(&E), (call)) == TSR_OK, #call, __FILE__, __LINE__)

/* ---- blocks ------------------------------------------------------------------------------------------------ */

static void test_blocks(void)
{
    MatBlock *m = mb_new_fill(2, 2, -0.0, &E);
    CHECK(m && m->nnz == 0 && signbit(m->dense[3]));
    mb_free(m);
    m = mb_new_fill(2, 3, NAN, &E);
    CHECK(m && m->nnz == 6);
    mb_set(m, 0, 0, 0.0);
    mb_set(m, 0, 1, 0.0);
    mb_set(m, 0, 1, 0.0);
    mb_set(m, 1, 2, 5.0);
    CHECK(m->nnz == 4 && m->nnz == nnz_of(m));
    MatBlock *c = mb_copy(m, &E);
    CHECK(c && c->nnz == 4 && same_double(mb_get(c, 1, 2), 5.0) && same_double(mb_get(c, 1, 1), NAN));
    mb_free(c);
    mb_free(m);
    err_clear(&E);
    CHECK(mb_new(-1, 3, &E) == NULL && E.code == TSR_RUNTIME);
    err_clear(&E);
    CHECK(mb_new((int64_t)1 << 30, (int64_t)1 << 30, &E) == NULL && E.code == TSR_LIMIT);
    err_clear(&E);
    CHECK(mb_new(INT64_MAX, 3, &E) == NULL && E.code == TSR_LIMIT);
    m = mb_new(0, 0, &E);
    CHECK(m && m->dense == NULL && m->nnz == 0);
    mb_free(m);
}

/* ---- scalar semantics ---------------------------------------------------------------------------------- */

static void test_binop_double(void)
{
    CHECK_D(kn_binop_double(BOP_INTDIV, -7, 2), -3);
    CHECK_D(kn_binop_double(BOP_INTDIV, 7, 2), 3);
    CHECK_D(kn_binop_double(BOP_INTDIV, 7, -2), -3);
    CHECK_D(kn_binop_double(BOP_INTDIV, -7, -2), 3);
    CHECK_D(kn_binop_double(BOP_INTDIV, 5, 0), INFINITY);
    CHECK_D(kn_binop_double(BOP_INTDIV, -5, 0), -INFINITY);
    CHECK_D(kn_binop_double(BOP_INTDIV, 0, 0), NAN);
    CHECK_D(kn_binop_double(BOP_INTDIV, 0.3, 0.1), 2);   /* q = 2.9999999999999996 */
    CHECK_D(kn_binop_double(BOP_INTDIV, -0.0, 5), -0.0);
    CHECK_D(kn_binop_double(BOP_MOD, -7, 2), -1);
    CHECK_D(kn_binop_double(BOP_MOD, 7, -2), 1);
    CHECK_D(kn_binop_double(BOP_MOD, 7, 2), 1);
    CHECK_D(kn_binop_double(BOP_MOD, -7, -2), -1);
    CHECK_D(kn_binop_double(BOP_MOD, 5, 0), NAN);
    CHECK_D(kn_binop_double(BOP_MOD, 5.5, 2), 1.5);
    CHECK_D(kn_binop_double(BOP_MOD, NAN, 2), NAN);
    CHECK_D(kn_binop_double(BOP_DIV, 1, 0), INFINITY);
    CHECK_D(kn_binop_double(BOP_DIV, -1, 0), -INFINITY);
    CHECK_D(kn_binop_double(BOP_DIV, 0, 0), NAN);
    CHECK_D(kn_binop_double(BOP_POW, 2, 10), 1024);
    CHECK_D(kn_binop_double(BOP_POW, 2, -1), 0.5);
    CHECK_D(kn_binop_double(BOP_POW, -8, 1.0 / 3), NAN);
    CHECK_D(kn_binop_double(BOP_ADD, 1, NAN), NAN);
    CHECK_D(kn_binop_double(BOP_SUB, 3, 5), -2);
    CHECK_D(kn_binop_double(BOP_MUL, 3, 5), 15);
    CHECK_D(kn_binop_double(BOP_LT, 1, 2), 1);
    CHECK_D(kn_binop_double(BOP_LE, 2, 2), 1);
    CHECK_D(kn_binop_double(BOP_GT, 1, 2), 0);
    CHECK_D(kn_binop_double(BOP_GE, 1, 2), 0);
    CHECK_D(kn_binop_double(BOP_EQ, NAN, NAN), 0);
    CHECK_D(kn_binop_double(BOP_NE, NAN, NAN), 1);
    CHECK_D(kn_binop_double(BOP_LT, NAN, 1), 0);
    CHECK_D(kn_binop_double(BOP_AND, NAN, 2), 1);
    CHECK_D(kn_binop_double(BOP_AND, 0, 2), 0);
    CHECK_D(kn_binop_double(BOP_OR, 0, -0.0), 0);
    CHECK_D(kn_binop_double(BOP_OR, 0, NAN), 1);
}

static void test_unary_double(void)
{
    CHECK_D(kn_unary_double(KU_ROUND, 2.5), 3);
    CHECK_D(kn_unary_double(KU_ROUND, -2.5), -2);
    CHECK_D(kn_unary_double(KU_ROUND, -0.5), 0);
    CHECK_D(kn_unary_double(KU_ROUND, 0.49999999999999994), 0);
    CHECK_D(kn_unary_double(KU_ROUND, NAN), 0);
    CHECK_D(kn_unary_double(KU_ROUND, 1.4), 1);
    CHECK_D(kn_unary_double(KU_ROUND, INFINITY), INFINITY);
    CHECK_D(kn_unary_double(KU_SIGN, -3), -1);
    CHECK_D(kn_unary_double(KU_SIGN, 0), 0);
    CHECK_D(kn_unary_double(KU_SIGN, 2.5), 1);
    CHECK_D(kn_unary_double(KU_SIGN, NAN), NAN);
    CHECK_D(kn_unary_double(KU_NOT, 0), 1);
    CHECK_D(kn_unary_double(KU_NOT, 5), 0);
    CHECK_D(kn_unary_double(KU_NOT, NAN), 0);
    CHECK_D(kn_unary_double(KU_NEG, 5), -5);
    CHECK_D(kn_unary_double(KU_NEG, 0), -0.0);
    CHECK_D(kn_unary_double(KU_ISNA, NAN), 1);
    CHECK_D(kn_unary_double(KU_ISNAN, 1), 0);
    CHECK_D(kn_unary_double(KU_ISINF, -INFINITY), 1);
    CHECK_D(kn_unary_double(KU_ISINF, NAN), 0);
    CHECK_D(kn_unary_double(KU_LOG, 0), -INFINITY);
    CHECK_D(kn_unary_double(KU_SQRT, -1), NAN);
    CHECK_D(kn_unary_double(KU_ABS, -2), 2);
    CHECK_D(kn_unary_double(KU_FLOOR, -1.5), -2);
    CHECK_D(kn_unary_double(KU_CEIL, -1.5), -1);
    CHECK_D(kn_unary_double(KU_EXP, 0), 1);
}

/* ---- elementwise matrices ------------------------------------------------------------------------------ */

static void test_binary(void)
{
    MatBlock *a = MK(2, 3, 1, 2, 3, 4, 5, 6), *z = NULL;
    MatBlock *b = MK(2, 3, 6, 5, 4, 3, 2, 1);
    MatBlock *col = MK(2, 1, 10, 20), *row = MK(1, 3, 1, 0, -1), *one = MK(1, 1, 2);

    OK(kn_binary(NULL, BOP_ADD, a, b, &z, &E));
    CHECK_M(z, 2, 3, 7, 7, 7, 7, 7, 7);
    mb_free(z);
    OK(kn_binary(NULL, BOP_SUB, a, b, &z, &E));
    CHECK_M(z, 2, 3, -5, -3, -1, 1, 3, 5);
    mb_free(z);
    OK(kn_binary(NULL, BOP_MUL, a, col, &z, &E));
    CHECK_M(z, 2, 3, 10, 20, 30, 80, 100, 120);
    mb_free(z);
    OK(kn_binary(NULL, BOP_MUL, a, row, &z, &E));
    CHECK_M(z, 2, 3, 1, 0, -3, 4, 0, -6);
    CHECK(z->nnz == 4);
    mb_free(z);
    OK(kn_binary(NULL, BOP_POW, a, one, &z, &E));
    CHECK_M(z, 2, 3, 1, 4, 9, 16, 25, 36);
    mb_free(z);
    OK(kn_binary(NULL, BOP_GT, a, b, &z, &E));
    CHECK_M(z, 2, 3, 0, 0, 0, 1, 1, 1);
    mb_free(z);
    OK(kn_binary(NULL, BOP_EQ, a, row, &z, &E));
    CHECK_M(z, 2, 3, 1, 0, 0, 0, 0, 0);
    mb_free(z);

    /* m x 1 vs m x 1 is cellwise */
    MatBlock *col2 = MK(2, 1, 3, 4);
    OK(kn_binary(NULL, BOP_DIV, col, col2, &z, &E));
    CHECK_M(z, 2, 1, 10.0 / 3, 5);
    mb_free(z);

    /* errors: vectors / 1x1 on the left of a bigger matrix */
    CHECK_ERR(kn_binary(NULL, BOP_ADD, col, a, &z, &E),
              "Block sizes are not matched for binary cell operations: 2x1 vs 2x3");
    CHECK(z == NULL);
    CHECK_ERR(kn_binary(NULL, BOP_ADD, row, a, &z, &E),
              "Block sizes are not matched for binary cell operations: 1x3 vs 2x3");
    CHECK_ERR(kn_binary(NULL, BOP_ADD, one, a, &z, &E),
              "Block sizes are not matched for binary cell operations: 1x1 vs 2x3");
    CHECK_ERR(kn_binary(NULL, BOP_ADD, col, row, &z, &E),
              "Block sizes are not matched for binary cell operations: 2x1 vs 1x3");
    MatBlock *b32 = mb_new(3, 2, &E);
    CHECK_ERR(kn_binary(NULL, BOP_MUL, a, b32, &z, &E),
              "Block sizes are not matched for binary cell operations: 2x3 vs 3x2");
    CHECK_ERR(kn_binary(NULL, BOP_MATMUL, a, b, &z, &E),
              "operator %*% is not a cellwise operation");

    /* %/% and %% cellwise with signs and zero */
    MatBlock *p = MK(1, 4, -7, 7, 5, -7), *q = MK(1, 4, 2, -2, 0, -2);
    OK(kn_binary(NULL, BOP_INTDIV, p, q, &z, &E));
    CHECK_M(z, 1, 4, -3, -3, INFINITY, 3);
    mb_free(z);
    OK(kn_binary(NULL, BOP_MOD, p, q, &z, &E));
    CHECK_M(z, 1, 4, -1, 1, NAN, -1);
    CHECK(z->nnz == 4);
    mb_free(z);

    /* scalar forms */
    OK(kn_binary_scalar(NULL, BOP_SUB, a, 10, 1, &z, &E));
    CHECK_M(z, 2, 3, 9, 8, 7, 6, 5, 4);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_SUB, a, 10, 0, &z, &E));
    CHECK_M(z, 2, 3, -9, -8, -7, -6, -5, -4);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_MUL, a, 0, 0, &z, &E));
    CHECK(z->nnz == 0);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_ADD, a, NAN, 0, &z, &E));
    CHECK(isnan(z->dense[5]) && z->nnz == 6);
    mb_free(z);

    /* SIMD loops: odd lengths, NaN, -0.0, both scalar sides */
    MatBlock *w5 = MK(1, 5, 1, NAN, 3, -0.0, 2);
    OK(kn_binary_scalar(NULL, BOP_LT, w5, 2, 0, &z, &E));
    CHECK_M(z, 1, 5, 1, 0, 0, 1, 0);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_LT, w5, 2, 1, &z, &E));
    CHECK_M(z, 1, 5, 0, 0, 1, 0, 0);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_AND, w5, 1, 0, &z, &E));
    CHECK_M(z, 1, 5, 1, 1, 1, 0, 1);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_OR, w5, 0, 1, &z, &E));
    CHECK_M(z, 1, 5, 1, 1, 1, 0, 1);
    mb_free(z);
    OK(kn_binary(NULL, BOP_NE, w5, w5, &z, &E));
    CHECK_M(z, 1, 5, 0, 1, 0, 0, 0);
    mb_free(z);
    OK(kn_binary(NULL, BOP_EQ, w5, w5, &z, &E));
    CHECK_M(z, 1, 5, 1, 0, 1, 1, 1);
    mb_free(z);
    OK(kn_binary(NULL, BOP_LE, w5, w5, &z, &E));
    CHECK_M(z, 1, 5, 1, 0, 1, 1, 1);
    mb_free(z);
    OK(kn_binary(NULL, BOP_GE, w5, w5, &z, &E));
    CHECK_M(z, 1, 5, 1, 0, 1, 1, 1);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_DIV, w5, 0, 1, &z, &E));   /* 0 / x */
    CHECK_M(z, 1, 5, 0, NAN, 0, NAN, 0);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_DIV, w5, 0, 0, &z, &E));   /* x / 0 */
    CHECK_M(z, 1, 5, INFINITY, NAN, INFINITY, NAN, INFINITY);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_MUL, w5, -1, 0, &z, &E));
    CHECK_M(z, 1, 5, -1, NAN, -3, 0.0, -2);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_SUB, w5, 0, 1, &z, &E));
    CHECK_M(z, 1, 5, -1, NAN, -3, 0.0, -2);
    mb_free(z);
    OK(kn_binary_scalar(NULL, BOP_ADD, w5, -0.0, 0, &z, &E));
    CHECK_M(z, 1, 5, 1, NAN, 3, -0.0, 2);
    mb_free(z);
    MatBlock *x5 = MK(1, 5, 0, 0, 1, 0, 3);
    OK(kn_binary_fn(NULL, KB_XOR, w5, x5, &z, &E));
    CHECK_M(z, 1, 5, 1, 1, 0, 0, 0);
    mb_free(z);
    mb_free(w5), mb_free(x5);

    /* empty operands */
    MatBlock *e0 = mb_new(0, 3, &E), *e1 = mb_new(1, 3, &E);
    OK(kn_binary(NULL, BOP_ADD, e0, e1, &z, &E));
    CHECK_SHAPE(z, 0, 3);
    mb_free(z);

    /* binary builtins */
    MatBlock *u = MK(1, 4, 1, NAN, -0.0, 4), *v = MK(1, 4, 2, 1, 0.0, 3);
    OK(kn_binary_fn(NULL, KB_MIN, u, v, &z, &E));
    CHECK_M(z, 1, 4, 1, NAN, -0.0, 3);
    mb_free(z);
    OK(kn_binary_fn(NULL, KB_MAX, u, v, &z, &E));
    CHECK_M(z, 1, 4, 2, NAN, 0.0, 4);
    mb_free(z);
    OK(kn_binary_fn(NULL, KB_XOR, u, v, &z, &E));
    CHECK_M(z, 1, 4, 0, 0, 0, 0);
    mb_free(z);
    OK(kn_binary_fn_scalar(NULL, KB_MAX, a, 3.5, 0, &z, &E));
    CHECK_M(z, 2, 3, 3.5, 3.5, 3.5, 4, 5, 6);
    mb_free(z);
    MatBlock *l8 = MK(1, 2, 8, 1);
    OK(kn_binary_fn_scalar(NULL, KB_LOG, l8, 2, 0, &z, &E));
    CHECK_M(z, 1, 2, 3, 0);
    mb_free(z);

    mb_free(a), mb_free(b), mb_free(col), mb_free(row), mb_free(one), mb_free(col2);
    mb_free(b32), mb_free(p), mb_free(q), mb_free(e0), mb_free(e1), mb_free(u), mb_free(v);
    mb_free(l8);
}

/* The SIMD min/max loops (vector-vector, vector-scalar both ways, and the
 * relu loop of max(x, +0)) against kn_min2/kn_max2 bit for bit over every
 * pair of special values, NaN and both zeros included. */
static int same_bits(double x, double y)
{
    return (x != x && y != y) || memcmp(&x, &y, sizeof x) == 0;
}

static void test_minmax_bits(void)
{
    const double v[] = { -INFINITY, -1.5, -0.0, 0.0, 0.5, 2.0, INFINITY, NAN, -DBL_MIN };
    const int nv = (int)(sizeof v / sizeof v[0]);
    MatBlock *x = mb_new(1, nv * nv, &E), *y = mb_new(1, nv * nv, &E), *z = NULL;
    for (int i = 0; i < nv; i++)
        for (int j = 0; j < nv; j++) {
            x->dense[i * nv + j] = v[i];
            y->dense[i * nv + j] = v[j];
        }
    mb_recount_nnz(x);
    mb_recount_nnz(y);
    for (int f = 0; f < 2; f++) {
        KnBinFn fn = f ? KB_MAX : KB_MIN;
        int ok = 1;
        OK(kn_binary_fn(NULL, fn, x, y, &z, &E));
        for (int k = 0; k < nv * nv; k++) {
            double a = x->dense[k], b = y->dense[k];
            ok &= same_bits(mb_get(z, 0, k), f ? kn_max2(a, b) : kn_min2(a, b));
        }
        mb_free(z);
        for (int s = 0; s < nv; s++)
            for (int left = 0; left < 2; left++) {
                OK(kn_binary_fn_scalar(NULL, fn, x, v[s], left, &z, &E));
                for (int k = 0; k < nv * nv; k++) {
                    double a = left ? v[s] : x->dense[k], b = left ? x->dense[k] : v[s];
                    ok &= same_bits(mb_get(z, 0, k), f ? kn_max2(a, b) : kn_min2(a, b));
                }
                mb_free(z);
            }
        CHECK(ok);
    }
    mb_free(x);
    mb_free(y);
}

static void test_unary_ifelse(void)
{
    MatBlock *a = MK(2, 2, 0.5, -1.5, NAN, 0), *z = NULL;
    OK(kn_unary(NULL, KU_ROUND, a, &z, &E));
    CHECK_M(z, 2, 2, 1, -1, 0, 0);
    mb_free(z);
    OK(kn_unary(NULL, KU_NOT, a, &z, &E));
    CHECK_M(z, 2, 2, 0, 0, 0, 1);
    mb_free(z);
    OK(kn_unary(NULL, KU_ISNAN, a, &z, &E));
    CHECK_M(z, 2, 2, 0, 0, 1, 0);
    mb_free(z);
    OK(kn_unary(NULL, KU_ABS, a, &z, &E));
    CHECK_M(z, 2, 2, 0.5, 1.5, NAN, 0);
    mb_free(z);
    OK(kn_unary(NULL, KU_NEG, a, &z, &E));
    CHECK_M(z, 2, 2, -0.5, 1.5, NAN, -0.0);
    mb_free(z);

    MatBlock *c = MK(2, 2, 1, 0, NAN, 0), *x = MK(2, 2, 1, 2, 3, 4);
    OK(kn_ifelse(NULL, c, 0, x, 0, NULL, -1, &z, &E));
    CHECK_M(z, 2, 2, 1, -1, 3, -1);
    mb_free(z);
    OK(kn_ifelse(NULL, NULL, 0, x, 0, NULL, 7, &z, &E));   /* scalar c selects a branch */
    CHECK_M(z, 2, 2, 7, 7, 7, 7);
    mb_free(z);
    MatBlock *bad = MK(1, 2, 1, 2);
    CHECK_ERR(kn_ifelse(NULL, c, 0, bad, 0, NULL, 0, &z, &E),
              "ifelse requires matrix arguments of equal dimensions: 2x2 vs 1x2");
    mb_free(a), mb_free(c), mb_free(x), mb_free(bad);
}

/* ---- aggregates --------------------------------------------------------------------------------------- */

static double agg(KnAgg fn, const MatBlock *a)
{
    double v = -12345;
    err_clear(&E);
    if (kn_agg_full(NULL, fn, a, &v, &E) != TSR_OK) return -99999;
    return v;
}

/* rowMins/rowMaxs of short dense rows (1..15 cells: the vector path from 2
 * cells where the CPU has AVX-512, the scalar one otherwise) bit for bit
 * against a fold with kn_min2/kn_max2 (NaN wins, -0.0 < +0.0) over rows
 * drawn from special values. */
static void test_row_minmax_short(void)
{
    static const double pool[] = { 0.0, -0.0, 1.0, -1.0, 2.5, -3.75, INFINITY, -INFINITY, NAN,
                                   1e-310, -1e300 };
    const int np = (int)(sizeof pool / sizeof *pool), rows = 400;
    uint64_t st = 12345;
    int ok = 1;
    for (int n = 1; n < 16; n++) {
        MatBlock *a = mb_new(rows, n, &E), *lo = NULL, *hi = NULL;
        for (int64_t c = 0; c < (int64_t)rows * n; c++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            /* mostly finite values; a NaN or a zero in some rows only */
            int pick = (int)((st >> 33) % (uint64_t)(c % 7 == 0 ? np : 4));
            a->dense[c] = pool[c % 7 == 0 ? pick : 2 + pick] * (1.0 + (double)((st >> 20) & 7));
        }
        mb_recount_nnz(a);
        OK(kn_agg_dir(NULL, KA_MIN, KD_ROW, a, &lo, &E));
        OK(kn_agg_dir(NULL, KA_MAX, KD_ROW, a, &hi, &E));
        for (int i = 0; i < rows; i++) {
            double m = INFINITY, x = -INFINITY;
            for (int j = 0; j < n; j++) {
                m = kn_min2(m, a->dense[i * n + j]);
                x = kn_max2(x, a->dense[i * n + j]);
            }
            ok &= same_bits(mb_get(lo, i, 0), m) && same_bits(mb_get(hi, i, 0), x);
        }
        mb_free(a);
        mb_free(lo);
        mb_free(hi);
    }
    CHECK(ok);
    /* rows of only zeros of both signs, and all +-Inf */
    MatBlock *z = MK(3, 3, 0.0, -0.0, 0.0, 0.0, 0.0, 0.0, INFINITY, INFINITY, INFINITY), *r = NULL;
    OK(kn_agg_dir(NULL, KA_MIN, KD_ROW, z, &r, &E));
    CHECK(same_bits(r->dense[0], -0.0) && same_bits(r->dense[1], 0.0) && r->dense[2] == INFINITY);
    mb_free(r);
    OK(kn_agg_dir(NULL, KA_MAX, KD_ROW, z, &r, &E));
    CHECK(same_bits(r->dense[0], 0.0) && same_bits(r->dense[1], 0.0) && r->dense[2] == INFINITY);
    mb_free(r);
    mb_free(z);
}

/* Dense -> CSR (the vector path where the CPU has AVX-512, full vectors
 * of 8 stored past the last value): widths around the vector width, NaN
 * kept, both zeros dropped, against the CSR arrays built cell by cell. */
static void test_to_sparse_widths(void)
{
    uint64_t st = 99;
    int ok = 1;
    for (int n = 1; n <= 40; n += (n < 18 ? 1 : 7)) {
        for (int dens = 0; dens < 3; dens++) {
            const int rows = 37;
            MatBlock *a = mb_new(rows, n, &E);
            for (int64_t c = 0; c < (int64_t)rows * n; c++) {
                st = st * 6364136223846793005ull + 1442695040888963407ull;
                int r = (int)((st >> 33) % 10);
                double v = r < 3 * dens ? (double)(r + 1) : r == 9 ? -0.0 : 0.0;
                if (r == 8 && dens == 2) v = NAN;
                a->dense[c] = v;
            }
            mb_recount_nnz(a);
            int64_t want = a->nnz;
            int64_t *ptr = calloc((size_t)rows + 1, sizeof *ptr);
            int32_t *idx = malloc((size_t)(rows * n) * sizeof *idx);
            double *val = malloc((size_t)(rows * n) * sizeof *val);
            int64_t nz = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++)
                    if (a->dense[i * n + j] != 0.0) {
                        idx[nz] = j;
                        val[nz++] = a->dense[i * n + j];
                    }
                ptr[i + 1] = nz;
            }
            OK(mb_to_sparse_inplace(a, &E));
            ok &= a->sparse && a->nnz == want && nz == want;
            for (int i = 0; ok && i <= rows; i++) ok &= a->ptr[i] == ptr[i];
            for (int64_t k = 0; ok && k < nz; k++) ok &= a->idx[k] == idx[k] && same_bits(a->val[k], val[k]);
            free(ptr);
            free(idx);
            free(val);
            mb_free(a);
        }
    }
    CHECK(ok);
}

/* Comparisons of short rows against a column vector (a vector compare per
 * row where the CPU has AVX-512) cell for cell against kn_binop_double,
 * NaN and both zeros included, with the result's nnz; also through a pool
 * (cell ranges that start and end inside rows). */
static void test_cmp_col_short(void)
{
    static const double pool[] = { 0.0, -0.0, 1.0, -1.0, 2.0, INFINITY, -INFINITY, NAN };
    static const BinOp ops[] = { BOP_LT, BOP_LE, BOP_GT, BOP_GE, BOP_EQ, BOP_NE };
    ParPool *pp = par_pool_new(3, &E);
    ParCtx ctx = { pp, 3, NULL };
    uint64_t st = 7;
    int ok = 1;
    for (int n = 1; n < 18; n++) {
        const int rows = 3000;
        MatBlock *x = mb_new(rows, n, &E), *y = mb_new(rows, 1, &E);
        for (int64_t c = 0; c < (int64_t)rows * n; c++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            x->dense[c] = pool[(st >> 33) % 8];
        }
        for (int i = 0; i < rows; i++) {
            st = st * 6364136223846793005ull + 1442695040888963407ull;
            y->dense[i] = pool[(st >> 33) % 8];
        }
        mb_recount_nnz(x);
        mb_recount_nnz(y);
        for (size_t o = 0; o < sizeof ops / sizeof *ops; o++)
            for (int w = 0; w < 2; w++) {
                MatBlock *z = NULL;
                OK(kn_binary(w ? &ctx : NULL, ops[o], x, y, &z, &E));
                OK(mb_to_dense_inplace(z, &E));
                int64_t nz = 0;
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < n; j++) {
                        double want = kn_binop_double(ops[o], x->dense[i * n + j], y->dense[i]);
                        ok &= same_bits(z->dense[i * n + j], want);
                        nz += want != 0.0;
                    }
                ok &= z->nnz == nz;
                mb_free(z);
            }
        mb_free(x);
        mb_free(y);
    }
    CHECK(ok);
    par_pool_free(pp);
}

static void test_aggregates(void)
{
    MatBlock *a = MK(2, 3, 1, 2, 3, 4, 5, 6), *z = NULL;
    CHECK_D(agg(KA_SUM, a), 21);
    CHECK_D(agg(KA_MEAN, a), 3.5);
    CHECK_D(agg(KA_VAR, a), 3.5);
    CHECK_D(agg(KA_SD, a), sqrt(3.5));
    CHECK_D(agg(KA_MIN, a), 1);
    CHECK_D(agg(KA_MAX, a), 6);
    CHECK_D(agg(KA_PROD, a), 720);

    MatBlock *e = mb_new(0, 0, &E);
    CHECK_D(agg(KA_SUM, e), 0);
    CHECK_D(agg(KA_MEAN, e), NAN);
    CHECK_D(agg(KA_MIN, e), INFINITY);
    CHECK_D(agg(KA_MAX, e), -INFINITY);
    CHECK_D(agg(KA_PROD, e), 1);
    MatBlock *s = MK(1, 1, 4.25);
    CHECK_D(agg(KA_VAR, s), 0);
    CHECK_D(agg(KA_SD, s), 0);
    CHECK_D(agg(KA_MEAN, s), 4.25);

    /* compensation: naive summation loses the 1s */
    MatBlock *k = MK(1, 6, 1e100, 1, -1e100, 1, 1e16, -1e16);
    CHECK_D(agg(KA_SUM, k), 2);
    /* var: shifted data keeps full precision */
    MatBlock *sh = MK(1, 4, 1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16);
    CHECK_D(agg(KA_VAR, sh), 30);
    /* NaN propagation */
    MatBlock *nan = MK(1, 3, 1, NAN, -5);
    CHECK_D(agg(KA_MIN, nan), NAN);
    CHECK_D(agg(KA_MAX, nan), NAN);
    CHECK_D(agg(KA_SUM, nan), NAN);
    MatBlock *inf = MK(1, 3, INFINITY, 1, 2);
    CHECK_D(agg(KA_SUM, inf), INFINITY);
    /* long inputs go through the SIMD paths (8 lanes) and the scalar tails */
    MatBlock *lg = mb_new(1, 21, &E);
    for (int i = 0; i < 21; i++) lg->dense[i] = (double)((i * 8) % 21) - 10;   /* -10..10 */
    mb_recount_nnz(lg);
    CHECK_D(agg(KA_MIN, lg), -10);
    CHECK_D(agg(KA_MAX, lg), 10);
    CHECK_D(agg(KA_SUM, lg), 0);
    lg->dense[20] = 99;
    CHECK_D(agg(KA_MAX, lg), 99);
    lg->dense[3] = NAN;
    CHECK_D(agg(KA_MIN, lg), NAN);
    lg->dense[3] = 1;
    lg->dense[20] = NAN;
    CHECK_D(agg(KA_MAX, lg), NAN);
    for (int i = 0; i < 21; i++) lg->dense[i] = i == 9 ? -0.0 : 0.0;
    CHECK_D(agg(KA_MIN, lg), -0.0);
    CHECK_D(agg(KA_MAX, lg), 0.0);
    for (int i = 0; i < 21; i++) lg->dense[i] = i % 2 ? 0x1p100 : 1.0;   /* 10 x 2^100, 10 x 1 */
    lg->dense[20] = -10 * 0x1p100;
    CHECK_D(agg(KA_SUM, lg), 10);
    MatBlock *zz = MK(1, 2, 0.0, -0.0);
    CHECK_D(agg(KA_MIN, zz), -0.0);
    CHECK_D(agg(KA_MAX, zz), 0.0);

    OK(kn_agg_dir(NULL, KA_SUM, KD_ROW, a, &z, &E));
    CHECK_M(z, 2, 1, 6, 15);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_SUM, KD_COL, a, &z, &E));
    CHECK_M(z, 1, 3, 5, 7, 9);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MEAN, KD_COL, a, &z, &E));
    CHECK_M(z, 1, 3, 2.5, 3.5, 4.5);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_VAR, KD_COL, a, &z, &E));
    CHECK_M(z, 1, 3, 4.5, 4.5, 4.5);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_VAR, KD_ROW, a, &z, &E));
    CHECK_M(z, 2, 1, 1, 1);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_SD, KD_COL, a, &z, &E));
    CHECK_M(z, 1, 3, sqrt(4.5), sqrt(4.5), sqrt(4.5));
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MAX, KD_ROW, a, &z, &E));
    CHECK_M(z, 2, 1, 3, 6);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MIN, KD_COL, a, &z, &E));
    CHECK_M(z, 1, 3, 1, 2, 3);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_PROD, KD_COL, a, &z, &E));
    CHECK_M(z, 1, 3, 4, 10, 18);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MEAN, KD_ALL, a, &z, &E));
    CHECK_M(z, 1, 1, 3.5);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MIN, KD_COL, nan, &z, &E));
    CHECK_M(z, 1, 3, 1, NAN, -5);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_VAR, KD_COL, nan, &z, &E));   /* one row: 0, a NaN cell too (DML.md 7.5) */
    CHECK_M(z, 1, 3, 0, 0, 0);
    mb_free(z);

    /* empty directions */
    MatBlock *m0 = mb_new(3, 0, &E), *r0 = mb_new(0, 2, &E);
    OK(kn_agg_dir(NULL, KA_SUM, KD_ROW, m0, &z, &E));
    CHECK_M(z, 3, 1, 0, 0, 0);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MEAN, KD_ROW, m0, &z, &E));
    CHECK_M(z, 3, 1, NAN, NAN, NAN);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_SUM, KD_COL, r0, &z, &E));
    CHECK_M(z, 1, 2, 0, 0);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_MAX, KD_COL, r0, &z, &E));
    CHECK_M(z, 1, 2, -INFINITY, -INFINITY);
    mb_free(z);
    OK(kn_agg_dir(NULL, KA_SUM, KD_COL, m0, &z, &E));
    CHECK_SHAPE(z, 1, 0);
    mb_free(z);

    /* rowIndexMax/Min */
    MatBlock *ri = MK(4, 3, 1, 3, 3, NAN, NAN, NAN, 0, 0, 0, 2, NAN, -1);
    OK(kn_row_index(NULL, 1, ri, &z, &E));
    CHECK_M(z, 4, 1, 3, 1, 3, 1);
    mb_free(z);
    OK(kn_row_index(NULL, 0, ri, &z, &E));
    CHECK_M(z, 4, 1, 1, 1, 3, 3);
    mb_free(z);
    CHECK_ERR(kn_row_index(NULL, 1, m0, &z, &E), "rowIndexMax undefined for ncol=0");
    CHECK_ERR(kn_row_index(NULL, 0, m0, &z, &E), "rowIndexMin undefined for ncol=0");

    /* cumulative */
    MatBlock *c = MK(3, 2, 1, -1, 2, 5, 3, NAN);
    OK(kn_cumagg(KC_SUM, c, &z, &E));
    CHECK_M(z, 3, 2, 1, -1, 3, 4, 6, NAN);
    mb_free(z);
    OK(kn_cumagg(KC_PROD, c, &z, &E));
    CHECK_M(z, 3, 2, 1, -1, 2, -5, 6, NAN);
    mb_free(z);
    OK(kn_cumagg(KC_MIN, c, &z, &E));
    CHECK_M(z, 3, 2, 1, -1, 1, -1, 1, NAN);
    mb_free(z);
    OK(kn_cumagg(KC_MAX, c, &z, &E));
    CHECK_M(z, 3, 2, 1, -1, 2, 5, 3, NAN);
    mb_free(z);
    MatBlock *cc = MK(3, 1, 1e100, 1, -1e100);
    OK(kn_cumagg(KC_SUM, cc, &z, &E));
    CHECK_M(z, 3, 1, 1e100, 1e100, 1);
    mb_free(z);

    double t = 0;
    MatBlock *sq = MK(2, 2, 1, 2, 3, 4);
    OK(kn_trace(sq, &t, &E));
    CHECK_D(t, 5);
    CHECK_ERR(kn_trace(a, &t, &E), "Trace is only defined on squared matrices but found [2x3].");

    mb_free(a), mb_free(e), mb_free(s), mb_free(k), mb_free(sh), mb_free(nan), mb_free(inf);
    mb_free(zz), mb_free(lg), mb_free(m0), mb_free(r0), mb_free(ri), mb_free(c), mb_free(cc), mb_free(sq);
}

/* ---- matmul and reorganisation ------------------------------------------------------------------------- */

static void test_matmul(void)
{
    MatBlock *a = MK(2, 3, 1, 2, 3, 4, 5, 6), *b = MK(3, 2, 7, 8, 9, 10, 11, 12), *z = NULL;
    OK(kn_matmul(NULL, a, b, &z, &E));
    CHECK_M(z, 2, 2, 58, 64, 139, 154);
    mb_free(z);
    MatBlock *v = MK(3, 1, 1, 0, -1), *w = MK(1, 2, 1, 1), *r = MK(1, 3, 1, 1, 1);
    OK(kn_matmul(NULL, a, v, &z, &E));
    CHECK_M(z, 2, 1, -2, -2);
    mb_free(z);
    OK(kn_matmul(NULL, w, a, &z, &E));
    CHECK_M(z, 1, 3, 5, 7, 9);
    mb_free(z);
    OK(kn_matmul(NULL, r, v, &z, &E));
    CHECK_M(z, 1, 1, 0);
    mb_free(z);
    OK(kn_matmul(NULL, v, r, &z, &E));   /* outer product */
    CHECK_M(z, 3, 3, 1, 1, 1, 0, 0, 0, -1, -1, -1);
    mb_free(z);
    MatBlock *k0a = mb_new(2, 0, &E), *k0b = mb_new(0, 3, &E);
    OK(kn_matmul(NULL, k0a, k0b, &z, &E));
    CHECK_M(z, 2, 3, 0, 0, 0, 0, 0, 0);
    mb_free(z);
    OK(kn_matmul(NULL, k0b, b, &z, &E));
    CHECK_SHAPE(z, 0, 2);
    mb_free(z);
    CHECK_ERR(kn_matmul(NULL, a, a, &z, &E), "dimension mismatch in %*%: 2x3 %*% 2x3");
    CHECK(z == NULL);

    /* larger product against a naive triple loop */
    int64_t m = 37, k = 53, n = 29;
    MatBlock *x = mb_new(m, k, &E), *y = mb_new(k, n, &E);
    for (int64_t i = 0; i < m * k; i++) x->dense[i] = (double)((i * 7) % 11) - 5;
    for (int64_t i = 0; i < k * n; i++) y->dense[i] = (double)((i * 5) % 13) - 6;
    mb_recount_nnz(x), mb_recount_nnz(y);
    OK(kn_matmul(NULL, x, y, &z, &E));
    int okv = z != NULL;
    for (int64_t i = 0; okv && i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t l = 0; l < k; l++) s += x->dense[i * k + l] * y->dense[l * n + j];
            if (s != z->dense[i * n + j]) okv = 0;
        }
    CHECK(okv && z->nnz == nnz_of(z));
    mb_free(z);

    /* random shapes through the (possibly re-selected) BLAS kernels, incl. gemv paths */
    static const int64_t dims[][3] = { { 203, 301, 257 }, { 1, 500, 333 }, { 444, 321, 1 },
                                       { 65, 1, 67 }, { 1, 1000, 1 } };
    for (int t = 0; t < 5; t++) {
        MatBlock *p = NULL, *q = NULL, *pq = NULL;
        int64_t dm = dims[t][0], dk = dims[t][1], dn = dims[t][2];
        OK(kn_rand(NULL, dm, dk, -1, 1, 1, 100 + (uint64_t)t, KR_UNIFORM, 1, &p, &E));
        OK(kn_rand(NULL, dk, dn, -1, 1, 1, 200 + (uint64_t)t, KR_UNIFORM, 1, &q, &E));
        OK(kn_matmul(NULL, p, q, &pq, &E));
        double maxerr = pq ? 0 : 1;
        for (int64_t i = 0; pq && i < dm; i++)
            for (int64_t j = 0; j < dn; j++) {
                double s = 0;
                for (int64_t l = 0; l < dk; l++) s += p->dense[i * dk + l] * q->dense[l * dn + j];
                maxerr = fmax(maxerr, fabs(s - pq->dense[i * dn + j]));
            }
        check_at(maxerr < 1e-11, "random matmul matches the naive product", __FILE__, __LINE__);
        mb_free(p), mb_free(q), mb_free(pq);
    }
    mb_free(a), mb_free(b), mb_free(v), mb_free(w), mb_free(r), mb_free(k0a), mb_free(k0b);
    mb_free(x), mb_free(y);
}

/* max |op(A) op(B) - C| against a naive loop (effective shapes m x k, k x n) */
static double matmul_err(const MatBlock *a, int ta, const MatBlock *b, int tb, const MatBlock *c)
{
    int64_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols, n = tb ? b->rows : b->cols;
    if (!c || c->rows != m || c->cols != n || c->nnz != nnz_of(c)) return INFINITY;
    double e = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            double s = 0;
            for (int64_t l = 0; l < k; l++) {
                double av = ta ? a->dense[l * a->cols + i] : a->dense[i * a->cols + l];
                double bv = tb ? b->dense[j * b->cols + l] : b->dense[l * b->cols + j];
                s += av * bv;
            }
            e = fmax(e, fabs(s - c->dense[i * n + j]));
        }
    return e;
}

static void test_matmul_ex(void)
{
    MatBlock *a = NULL, *b = NULL, *v = NULL, *z = NULL;
    OK(kn_rand(NULL, 150, 130, -1, 1, 1, 1, KR_UNIFORM, 1, &a, &E));
    OK(kn_rand(NULL, 150, 70, -1, 1, 1, 2, KR_UNIFORM, 1, &b, &E));
    OK(kn_rand(NULL, 150, 1, -1, 1, 1, 3, KR_UNIFORM, 1, &v, &E));
    OK(kn_matmul_ex(NULL, a, 1, b, 0, &z, &E));   /* t(A) %*% B: 130x70 */
    CHECK(matmul_err(a, 1, b, 0, z) < 1e-12);
    mb_free(z);
    OK(kn_matmul_ex(NULL, b, 1, a, 0, &z, &E));
    CHECK(matmul_err(b, 1, a, 0, z) < 1e-12);
    mb_free(z);
    OK(kn_matmul_ex(NULL, a, 1, v, 0, &z, &E));   /* t(A) %*% v via dgemv */
    CHECK(matmul_err(a, 1, v, 0, z) < 1e-12);
    mb_free(z);
    OK(kn_matmul_ex(NULL, v, 1, a, 0, &z, &E));   /* t(v) %*% A */
    CHECK(matmul_err(v, 1, a, 0, z) < 1e-12);
    mb_free(z);
    OK(kn_matmul_ex(NULL, a, 1, a, 0, &z, &E));   /* t(A) %*% A via dsyrk */
    CHECK(matmul_err(a, 1, a, 0, z) < 1e-12);
    int sym = z != NULL;
    for (int64_t i = 0; sym && i < 130; i++)
        for (int64_t j = 0; j < 130; j++) sym &= z->dense[i * 130 + j] == z->dense[j * 130 + i];
    CHECK(sym);
    mb_free(z);
    OK(kn_matmul_ex(NULL, a, 0, a, 1, &z, &E));   /* A %*% t(A): 150x150 */
    CHECK(matmul_err(a, 0, a, 1, z) < 1e-12);
    mb_free(z);
    OK(kn_matmul_ex(NULL, b, 0, b, 1, &z, &E));
    CHECK(matmul_err(b, 0, b, 1, z) < 1e-12);
    mb_free(z);
    MatBlock *c = NULL;
    OK(kn_transpose(NULL, b, &c, &E));           /* A %*% t(B') with B' = t(B): 130x150 %*% ... */
    OK(kn_matmul_ex(NULL, a, 1, c, 1, &z, &E));  /* t(A) %*% t(C): 130x150 %*% 150x70 */
    CHECK(matmul_err(a, 1, c, 1, z) < 1e-12);
    mb_free(z);
    CHECK_ERR(kn_matmul_ex(NULL, a, 0, b, 0, &z, &E),
              "dimension mismatch in %*%: 150x130 %*% 150x70");
    CHECK_ERR(kn_matmul_ex(NULL, a, 1, c, 0, &z, &E),
              "dimension mismatch in %*%: 130x150 %*% 70x150");
    MatBlock *e = mb_new(0, 4, &E);
    OK(kn_tsmm(NULL, e, 1, &z, &E));
    CHECK_M(z, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    mb_free(z);
    OK(kn_tsmm(NULL, e, 0, &z, &E));
    CHECK_SHAPE(z, 0, 0);
    mb_free(z);
    mb_free(a), mb_free(b), mb_free(v), mb_free(c), mb_free(e);
}

static void test_reorg(void)
{
    MatBlock *a = MK(2, 3, 1, 2, 0, 4, 5, 6), *z = NULL;
    OK(kn_transpose(NULL, a, &z, &E));
    CHECK_M(z, 3, 2, 1, 4, 2, 5, 0, 6);
    mb_free(z);
    /* blocked transpose over tile edges */
    MatBlock *big = mb_new(100, 70, &E);
    for (int64_t i = 0; i < 7000; i++) big->dense[i] = (double)i;
    mb_recount_nnz(big);
    OK(kn_transpose(NULL, big, &z, &E));
    int okt = z && z->rows == 70 && z->cols == 100 && z->nnz == 6999;
    for (int64_t i = 0; okt && i < 100; i++)
        for (int64_t j = 0; j < 70; j++)
            if (z->dense[j * 100 + i] != big->dense[i * 70 + j]) okt = 0;
    CHECK(okt);
    mb_free(z);

    OK(kn_rev(a, &z, &E));
    CHECK_M(z, 2, 3, 4, 5, 6, 1, 2, 0);
    mb_free(z);

    MatBlock *v = MK(3, 1, 1, 0, 3), *sq = MK(2, 2, 1, 2, 3, 4);
    OK(kn_diag(v, &z, &E));
    CHECK(z->sparse);   /* built as CSR (test_sparse_reorg.c checks both formats) */
    mb_to_dense_inplace(z, &E);
    CHECK_M(z, 3, 3, 1, 0, 0, 0, 0, 0, 0, 0, 3);
    mb_free(z);
    OK(kn_diag(sq, &z, &E));
    CHECK_M(z, 2, 1, 1, 4);
    mb_free(z);
    CHECK_ERR(kn_diag(a, &z, &E),
              "diag can either: (1) create diagonal matrix from (n x 1) matrix, or (2) take "
              "diagonal from a square matrix. Error invoking diag on matrix with dimensions (2,3)");

    const MatBlock *cb[3] = { a, v, sq };
    MatBlock *c2 = MK(2, 1, 7, 8);
    const MatBlock *cb2[2] = { a, c2 };
    OK(kn_cbind(NULL, cb2, 2, &z, &E));
    CHECK_M(z, 2, 4, 1, 2, 0, 7, 4, 5, 6, 8);
    mb_free(z);
    CHECK_ERR(kn_cbind(NULL, cb, 2, &z, &E),
              "inputs to cbind must have same number of rows: input 1 rows: 2, input 2 rows: 3");
    MatBlock *r3 = MK(1, 3, 9, 9, 9);
    const MatBlock *rb[2] = { a, r3 };
    OK(kn_rbind(NULL, rb, 2, &z, &E));
    CHECK_M(z, 3, 3, 1, 2, 0, 4, 5, 6, 9, 9, 9);
    mb_free(z);
    const MatBlock *rb2[3] = { a, r3, sq };
    CHECK_ERR(kn_rbind(NULL, rb2, 3, &z, &E),
              "inputs to rbind must have same number of columns: input 1 columns: 3, input 3 "
              "columns: 2");

    OK(kn_reshape(a, 3, 2, 1, &z, &E));
    CHECK_M(z, 3, 2, 1, 2, 0, 4, 5, 6);
    mb_free(z);
    OK(kn_reshape(a, 3, 2, 0, &z, &E));   /* column-major order: 1 4 2 5 0 6 */
    CHECK_M(z, 3, 2, 1, 5, 4, 0, 2, 6);
    mb_free(z);
    OK(kn_reshape(a, 1, 6, 0, &z, &E));
    CHECK_M(z, 1, 6, 1, 4, 2, 5, 0, 6);
    mb_free(z);
    CHECK_ERR(kn_reshape(a, 4, 2, 1, &z, &E),
              "Reshape matrix requires consistent numbers of input/output cells (2:3, 4:2).");

    OK(kn_slice(NULL, a, 1, 2, 2, 3, &z, &E));
    CHECK_M(z, 2, 2, 2, 0, 5, 6);
    mb_free(z);
    OK(kn_slice(NULL, a, 2, 2, 1, 3, &z, &E));
    CHECK_M(z, 1, 3, 4, 5, 6);
    mb_free(z);
    CHECK_ERR(kn_slice(NULL, a, 0, 1, 1, 1, &z, &E),
              "Invalid values for matrix indexing: [0:1,1:1] must be within matrix dimensions [2,3]");
    CHECK_ERR(kn_slice(NULL, a, 2, 1, 1, 1, &z, &E),
              "Invalid values for matrix indexing: [2:1,1:1] must be within matrix dimensions [2,3]");
    CHECK_ERR(kn_slice(NULL, a, 1, 1, 1, 4, &z, &E),
              "Invalid values for matrix indexing: [1:1,1:4] must be within matrix dimensions [2,3]");

    MatBlock *t = mb_copy(a, &E), *src = MK(2, 1, 0, 9);
    OK(kn_assign_slice(t, 1, 2, 1, 1, src, &E));
    CHECK_M(t, 2, 3, 0, 2, 0, 9, 5, 6);
    OK(kn_assign_cell(t, 1, 3, 3, &E));
    CHECK_M(t, 2, 3, 0, 2, 3, 9, 5, 6);
    OK(kn_assign_cell(t, 2, 2, 0, &E));
    CHECK_M(t, 2, 3, 0, 2, 3, 9, 0, 6);
    CHECK_ERR(kn_assign_slice(t, 1, 2, 1, 2, src, &E),
              "Invalid values for matrix indexing: dimensions of the source matrix [2x1] do not "
              "match the shape of the matrix specified by indices [1:2, 1:2].");
    CHECK_ERR(kn_assign_cell(t, 3, 1, 1, &E),
              "Invalid values for matrix indexing: [3:3,1:1] must be within matrix dimensions [2,3]");
    CHECK_M(a, 2, 3, 1, 2, 0, 4, 5, 6);   /* inputs untouched */

    mb_free(a), mb_free(big), mb_free(v), mb_free(sq), mb_free(c2), mb_free(r3), mb_free(t);
    mb_free(src);
}

/* ---- data generation ------------------------------------------------------------------------------------ */

static void test_philox(void)
{
    /* Known-answer vectors of the Philox4x32-10 reference (Salmon et al.). */
    uint32_t c0[4] = { 0, 0, 0, 0 }, k0[2] = { 0, 0 }, o[4];
    kn_philox4x32(c0, k0, o);
    CHECK(o[0] == 0x6627e8d5u && o[1] == 0xe169c58du && o[2] == 0xbc57ac4cu &&
          o[3] == 0x9b00dbd8u);
    uint32_t c1[4] = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };
    uint32_t k1[2] = { 0xffffffffu, 0xffffffffu };
    kn_philox4x32(c1, k1, o);
    CHECK(o[0] == 0x408f276du && o[1] == 0x41c83b0eu && o[2] == 0xa20bc7c6u &&
          o[3] == 0x6d5451fdu);
    uint32_t c2[4] = { 0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u };
    uint32_t k2[2] = { 0xa4093822u, 0x299f31d0u };
    kn_philox4x32(c2, k2, o);
    CHECK(o[0] == 0xd16cfe09u && o[1] == 0x94fdccebu && o[2] == 0x5001e420u &&
          o[3] == 0x24126ea1u);
}

static void mean_var(const MatBlock *m, int nonzero_only, double *mean, double *var, int64_t *cnt)
{
    double s = 0, ss = 0;
    int64_t n = 0;
    for (int64_t i = 0; i < m->rows * m->cols; i++) {
        double v = m->dense[i];
        if (nonzero_only && v == 0.0) continue;
        s += v;
        ss += v * v;
        n++;
    }
    *mean = s / (double)n;
    *var = ss / (double)n - *mean * *mean;
    *cnt = n;
}

static void test_rand(void)
{
    MatBlock *a = NULL, *b = NULL, *c = NULL;
    double mu, var;
    int64_t n;
    OK(kn_rand(NULL, 1000, 1000, 0, 1, 1, 42, KR_UNIFORM, 1, &a, &E));
    OK(kn_rand(NULL, 1000, 1000, 0, 1, 1, 42, KR_UNIFORM, 1, &b, &E));
    OK(kn_rand(NULL, 1000, 1000, 0, 1, 1, 43, KR_UNIFORM, 1, &c, &E));
    CHECK(a && b && c && memcmp(a->dense, b->dense, 8000000) == 0);
    int64_t diff = 0;
    for (int64_t i = 0; i < 1000000; i++) diff += a->dense[i] != c->dense[i];
    CHECK(diff > 999000);
    mean_var(a, 0, &mu, &var, &n);
    CHECK(fabs(mu - 0.5) < 3 * sqrt(1.0 / 12 / 1e6));
    CHECK(fabs(var - 1.0 / 12) < 0.002);
    double mn = 1, mx = 0;
    for (int64_t i = 0; i < 1000000; i++) {
        mn = fmin(mn, a->dense[i]);
        mx = fmax(mx, a->dense[i]);
    }
    CHECK(mn >= 0 && mx < 1 && mn < 1e-4 && mx > 1 - 1e-4);
    CHECK(a->nnz == nnz_of(a));
    mb_free(b), mb_free(c);

    /* independent of tiling: a 1500x1300 matrix agrees with the 1000x1000 one on the overlap */
    OK(kn_rand(NULL, 1500, 1300, 0, 1, 1, 42, KR_UNIFORM, 1, &b, &E));
    int same_overlap = b != NULL;
    for (int64_t i = 0; same_overlap && i < 1000; i++)
        if (memcmp(b->dense + i * 1300, a->dense + i * 1000, 8000) != 0) same_overlap = 0;
    CHECK(same_overlap);
    mb_free(a), mb_free(b);

    /* range and sparsity */
    OK(kn_rand(NULL, 500, 400, -3, 5, 0.3, 7, KR_UNIFORM, 1, &a, &E));
    CHECK(a->sparse);   /* built as CSR (test_sparse_elementwise.c checks the cells) */
    mb_to_dense_inplace(a, &E);
    double frac = (double)a->nnz / 200000.0;
    CHECK(fabs(frac - 0.3) < 4 * sqrt(0.3 * 0.7 / 200000));
    CHECK(a->nnz == nnz_of(a));
    mean_var(a, 1, &mu, &var, &n);
    CHECK(fabs(mu - 1) < 4 * sqrt(64.0 / 12 / (double)n));
    mb_free(a);
    OK(kn_rand(NULL, 300, 300, 1, 1, 0.5, 9, KR_UNIFORM, 1, &a, &E));   /* Bernoulli mask */
    int only01 = 1;
    for (int64_t i = 0; i < 90000; i++) only01 &= a->dense[i] == 0 || a->dense[i] == 1;
    CHECK(only01 && fabs((double)a->nnz / 90000 - 0.5) < 0.01);
    mb_free(a);
    OK(kn_rand(NULL, 10, 10, 0, 1, 0, 9, KR_UNIFORM, 1, &a, &E));
    mb_to_dense_inplace(a, &E);
    CHECK(a->nnz == 0 && nnz_of(a) == 0);
    mb_free(a);
    OK(kn_rand(NULL, 0, 5, 0, 1, 1, 9, KR_UNIFORM, 1, &a, &E));
    CHECK_SHAPE(a, 0, 5);
    mb_free(a);

    /* normal */
    OK(kn_rand(NULL, 1000, 1000, 0, 1, 1, 11, KR_NORMAL, 1, &a, &E));
    mean_var(a, 0, &mu, &var, &n);
    CHECK(fabs(mu) < 3e-3 * 1.5);
    CHECK(fabs(var - 1) < 0.006);
    int64_t tail = 0;
    for (int64_t i = 0; i < 1000000; i++) tail += fabs(a->dense[i]) > 1.959964;
    CHECK(fabs((double)tail / 1e6 - 0.05) < 0.001);
    mb_free(a);

    /* poisson, small and large lambda */
    OK(kn_rand(NULL, 500, 500, 0, 1, 1, 5, KR_POISSON, 3, &a, &E));
    mean_var(a, 0, &mu, &var, &n);
    CHECK(fabs(mu - 3) < 4 * sqrt(3.0 / 250000));
    CHECK(fabs(var - 3) < 0.05);
    int64_t zeros = 250000 - a->nnz;
    CHECK(fabs((double)zeros / 250000 - exp(-3)) < 0.003);
    mb_free(a);
    OK(kn_rand(NULL, 500, 500, 0, 1, 1, 5, KR_POISSON, 50, &a, &E));
    mean_var(a, 0, &mu, &var, &n);
    CHECK(fabs(mu - 50) < 4 * sqrt(50.0 / 250000));
    CHECK(fabs(var - 50) < 0.8);
    int integral = 1;
    for (int64_t i = 0; i < 250000; i++) integral &= a->dense[i] == floor(a->dense[i]);
    CHECK(integral);
    mb_free(a);
    OK(kn_rand(NULL, 100, 100, 1, 3, 1, 5, KR_POISSON, 2, &a, &E));   /* min + (max-min) k */
    int odd = 1;
    for (int64_t i = 0; i < 10000; i++) odd &= fmod(a->dense[i], 2.0) == 1.0;
    CHECK(odd);
    mb_free(a);

    CHECK_ERR(kn_rand(NULL, 2, 2, 0, 1, 1.5, 1, KR_UNIFORM, 1, &a, &E),
              "rand: sparsity must be in [0, 1] (got 1.5)");
    CHECK_ERR(kn_rand(NULL, -1, 2, 0, 1, 1, 1, KR_UNIFORM, 1, &a, &E),
              "invalid matrix dimensions -1x2");
}

static void test_seq(void)
{
    MatBlock *z = NULL;
    OK(kn_seq(0, 1, 0.6, &z, &E));
    CHECK_M(z, 2, 1, 0, 0.6);
    mb_free(z);
    OK(kn_seq(1, 10, 3, &z, &E));
    CHECK_M(z, 4, 1, 1, 4, 7, 10);
    mb_free(z);
    OK(kn_seq(10, 1, -3, &z, &E));
    CHECK_M(z, 4, 1, 10, 7, 4, 1);
    mb_free(z);
    OK(kn_seq(1, 2, 0.25, &z, &E));
    CHECK_M(z, 5, 1, 1, 1.25, 1.5, 1.75, 2);
    mb_free(z);
    OK(kn_seq(5, 5, 1, &z, &E));
    CHECK_M(z, 1, 1, 5);
    mb_free(z);
    OK(kn_seq(-1, 1, 1, &z, &E));
    CHECK_M(z, 3, 1, -1, 0, 1);
    CHECK(z->nnz == 2);
    mb_free(z);
    OK(kn_seq(1, 2, 0.1, &z, &E));
    CHECK(z->rows == 11 && same_double(z->dense[10], 2.0));
    mb_free(z);
    CHECK_ERR(kn_seq(1, 10, -1, &z, &E), "Invalid seq parameters: (1.0, 10.0, -1.0)");
    CHECK_ERR(kn_seq(10, 1, 1, &z, &E), "Invalid seq parameters: (10.0, 1.0, 1.0)");
    CHECK_ERR(kn_seq(1, 2, 0, &z, &E), "Invalid seq parameters: (1.0, 2.0, 0.0)");
    CHECK_ERR(kn_seq(NAN, 2, 1, &z, &E), "Invalid seq parameters: (NaN, 2.0, 1.0)");
    CHECK_ERR(kn_seq(1, INFINITY, 1, &z, &E), "Invalid seq parameters: (1.0, Infinity, 1.0)");
}

static void test_sample(void)
{
    MatBlock *z = NULL, *y = NULL;
    /* without replacement: a permutation of 1..10 */
    OK(kn_sample(10, 10, 0, 3, &z, &E));
    int seen[11] = { 0 }, perm = z && z->rows == 10 && z->cols == 1 && z->nnz == 10;
    for (int i = 0; perm && i < 10; i++) {
        double v = z->dense[i];
        if (v < 1 || v > 10 || v != floor(v) || seen[(int)v]++) perm = 0;
    }
    CHECK(perm);
    int identity = 1;
    for (int i = 0; i < 10; i++) identity &= z->dense[i] == i + 1;
    CHECK(!identity);
    OK(kn_sample(10, 10, 0, 3, &y, &E));
    CHECK(y && memcmp(y->dense, z->dense, 80) == 0);
    mb_free(z), mb_free(y);

    /* large population (implicit Fisher-Yates): distinct values in range */
    OK(kn_sample((int64_t)1e12, 2000, 0, 8, &z, &E));
    int distinct = z != NULL;
    for (int i = 0; distinct && i < 2000; i++) {
        if (z->dense[i] < 1 || z->dense[i] > 1e12) distinct = 0;
        for (int j = 0; j < i; j++)
            if (z->dense[j] == z->dense[i]) distinct = 0;
    }
    CHECK(distinct);
    mb_free(z);
    OK(kn_sample(5000, 1000, 0, 8, &z, &E));   /* dense path, partial */
    char *hit = calloc(5001, 1);
    int ok5 = z != NULL;
    for (int i = 0; ok5 && i < 1000; i++) {
        int v = (int)z->dense[i];
        if (v < 1 || v > 5000 || hit[v]++) ok5 = 0;
    }
    CHECK(ok5);
    free(hit);
    mb_free(z);

    /* with replacement: uniform on 1..6 */
    OK(kn_sample(6, 60000, 1, 4, &z, &E));
    int cnt[7] = { 0 }, inr = 1;
    for (int i = 0; i < 60000; i++) {
        double v = z->dense[i];
        if (v < 1 || v > 6 || v != floor(v)) inr = 0;
        else cnt[(int)v]++;
    }
    int fair = 1;
    for (int v = 1; v <= 6; v++) fair &= abs(cnt[v] - 10000) < 400;
    CHECK(inr && fair && z->nnz == 60000);
    mb_free(z);
    OK(kn_sample(3, 0, 0, 1, &z, &E));
    CHECK_SHAPE(z, 0, 1);
    mb_free(z);
    CHECK_ERR(kn_sample(5, 6, 0, 1, &z, &E),
              "Sample (size=6) larger than population (size=5) can only be generated with "
              "replacement.");
}

/* ---- linear algebra --------------------------------------------------------------------------------------- */

static void test_linalg(void)
{
    MatBlock *a = MK(3, 3, 2, 1, -1, -3, -1, 2, -2, 1, 2), *b = MK(3, 1, 8, -11, -3), *x = NULL;
    OK(kn_solve(a, b, &x, &E));
    CHECK(x && x->rows == 3 && x->cols == 1);
    if (x) {
        CHECK_NEAR(x->dense[0], 2, 1e-12);
        CHECK_NEAR(x->dense[1], 3, 1e-12);
        CHECK_NEAR(x->dense[2], -1, 1e-12);
    }
    mb_free(x);
    /* least squares: fit y = 1 + 2t exactly through 4 points */
    MatBlock *ls = MK(4, 2, 1, 0, 1, 1, 1, 2, 1, 3), *y = MK(4, 1, 1, 3, 5, 7);
    OK(kn_solve(ls, y, &x, &E));
    CHECK(x && x->rows == 2);
    if (x) {
        CHECK_NEAR(x->dense[0], 1, 1e-12);
        CHECK_NEAR(x->dense[1], 2, 1e-12);
    }
    mb_free(x);
    /* noisy least squares: y = 0,1,1,3 -> intercept -0.1? (normal equations: 0.3..) */
    MatBlock *y2 = MK(4, 1, 0, 1, 1, 3);
    OK(kn_solve(ls, y2, &x, &E));
    if (x) {
        CHECK_NEAR(x->dense[0], -0.1, 1e-12);
        CHECK_NEAR(x->dense[1], 0.9, 1e-12);
    }
    mb_free(x);
    MatBlock *sing = MK(2, 2, 1, 2, 2, 4), *b2 = MK(2, 1, 1, 1);
    CHECK_ERR(kn_solve(sing, b2, &x, &E), "matrix is singular");
    CHECK(x == NULL);
    CHECK_ERR(kn_solve(a, ls, &x, &E), "Second input to solve() must be a vector");

    MatBlock *inv = NULL, *prod = NULL;
    OK(kn_inv(a, &inv, &E));
    OK(kn_matmul(NULL, inv, a, &prod, &E));
    int ident = prod != NULL;
    for (int i = 0; ident && i < 3; i++)
        for (int j = 0; j < 3; j++)
            if (fabs(prod->dense[i * 3 + j] - (i == j)) > 1e-12) ident = 0;
    CHECK(ident);
    mb_free(prod);
    MatBlock *u = MK(2, 2, 4, 7, 2, 6);
    mb_free(inv);
    OK(kn_inv(u, &inv, &E));
    if (inv) {
        CHECK_NEAR(inv->dense[0], 0.6, 1e-15);
        CHECK_NEAR(inv->dense[1], -0.7, 1e-15);
        CHECK_NEAR(inv->dense[2], -0.2, 1e-15);
        CHECK_NEAR(inv->dense[3], 0.4, 1e-15);
    }
    mb_free(inv);
    CHECK_ERR(kn_inv(sing, &inv, &E), "matrix is singular");
    CHECK_ERR(kn_inv(ls, &inv, &E), "Input to inv() must be square matrix -- given: a 4x2 matrix.");
    CHECK_M(a, 3, 3, 2, 1, -1, -3, -1, 2, -2, 1, 2);   /* input untouched */

    mb_free(a), mb_free(b), mb_free(ls), mb_free(y), mb_free(y2), mb_free(sing), mb_free(b2);
    mb_free(u);
}

/* ---- toString ----------------------------------------------------------------------------------------------- */

static void tostr(const MatBlock *m, int64_t r, int64_t c, int dec, int sparse, const char *sep,
                  const char *ls, const char *want, int line)
{
    StrBuf sb;
    sb_init(&sb);
    kn_to_string(m, r, c, dec, sparse, sep, ls, &sb);
    check_str(sb.s ? sb.s : "", want, __FILE__, line);
    sb_free(&sb);
}

static void test_to_string(void)
{
    MatBlock *a = MK(2, 3, 1, -0.0, 0.3333, -0.0001, NAN, -INFINITY);
    tostr(a, -1, -1, 3, 0, " ", "\n", "1.000 0.000 0.333\n-0.000 NaN -Infinity\n", __LINE__);
    tostr(a, 1, 2, 3, 0, ",", ";", "1.000,0.000;", __LINE__);
    tostr(a, -1, -1, 1, 1, " ", "\n", "1 1 1.0\n1 3 0.3\n2 1 -0.0\n2 2 NaN\n2 3 -Infinity\n",
          __LINE__);
    MatBlock *b = MK(1, 4, 0.125, 0.375, 2.5, 1e6);
    tostr(b, -1, -1, 2, 0, " ", "\n", "0.12 0.38 2.50 1000000.00\n", __LINE__);
    tostr(b, -1, -1, 0, 0, " ", "\n", "0 0 2 1000000\n", __LINE__);
    MatBlock *c = MK(1, 3, 1, 0.5, 1.0 / 3);
    tostr(c, -1, -1, -1, 0, " ", "\n", "1 0.5 0.333\n", __LINE__);
    MatBlock *e = mb_new(0, 3, &E);
    tostr(e, -1, -1, 3, 0, " ", "\n", "", __LINE__);
    mb_free(a), mb_free(b), mb_free(c), mb_free(e);
}

int main(void)
{
    printf("BLAS kernels: %s\n", kn_blas_setup());
    test_blocks();
    test_minmax_bits();
    test_binop_double();
    test_unary_double();
    test_binary();
    test_unary_ifelse();
    test_aggregates();
    test_row_minmax_short();
    test_to_sparse_widths();
    test_cmp_col_short();
    test_matmul();
    test_matmul_ex();
    test_reorg();
    test_philox();
    test_rand();
    test_seq();
    test_sample();
    test_linalg();
    test_to_string();
    return check_summary();
}
