/*
 * test_par_matmul.c - the parallel matrix-multiplication family: kn_matmul /
 * kn_matmul_ex (dense, sparse, mixed, transposed operands, vectors), kn_tsmm
 * kn_mmchain and kn_tsmm_w (t(X) %*% (X * w)) on pools of 1 and 3 workers with 2 and 4 threads must give
 * the same cells, bit for bit, as the sequential back end (the task plans
 * depend on the shapes only), and the sequential results must match a naive
 * triple loop; tsmm is exactly symmetric; mmchain matches the unfused
 * product within 1e-12 relative.  Shapes include empty dimensions, 1x1,
 * vectors, all-zero blocks and NaN/Inf cells, and are large enough that the
 * parallel plans really split the work.
 */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "matrix/matrix.h"
#include "matrix/matrix_int.h"

#define CELLS(m) ((m)->rows * (m)->cols)

/* ---- data ------------------------------------------------------------------------ */

static uint64_t g_rng = 0x9E3779B97F4A7C15ull;

static double urand(void)
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return (double)(g_rng >> 11) / 9007199254740992.0;
}

enum { PLAIN = 0, SPECIAL = 1 };

/* r x c block, a cell non-zero with probability `density` (values in
 * [-1, 1)), CSR when `sparse`; SPECIAL puts a few NaN/+-Inf cells in. */
static MatBlock *rnd(int64_t r, int64_t c, double density, int sparse, int special)
{
    Err err;
    err_clear(&err);
    MatBlock *m = mb_new(r, c, &err);
    for (int64_t i = 0; i < r * c; i++)
        if (urand() < density) m->dense[i] = 2.0 * urand() - 1.0;
    if (special && r * c > 0)
        for (int k = 0; k < 3; k++) {
            int64_t i = (int64_t)(urand() * (double)(r * c));
            m->dense[i] = k == 0 ? NAN : k == 1 ? INFINITY : -INFINITY;
        }
    mb_recount_nnz(m);
    if (sparse) mb_to_sparse_inplace(m, &err);
    return m;
}

/* The cells of m, row-major, in a new array (caller frees). */
static double *cells_of(const MatBlock *m)
{
    double *d = malloc((size_t)(CELLS(m) > 0 ? CELLS(m) : 1) * sizeof *d);
    mb_read_cells(m, d);
    return d;
}

/* Same shape, format, nnz and cells (NaN == NaN, signed zeros equal). */
static int same_block(const MatBlock *a, const MatBlock *b)
{
    if (!a || !b || a->rows != b->rows || a->cols != b->cols || a->sparse != b->sparse ||
        a->nnz != b->nnz)
        return 0;
    double *x = cells_of(a), *y = cells_of(b);
    int ok = 1;
    for (int64_t i = 0; ok && i < CELLS(a); i++) ok = x[i] == y[i] || (x[i] != x[i] && y[i] != y[i]);
    free(x);
    free(y);
    return ok;
}

/* Naive op(A) op(B) with a relative tolerance (finite inputs only): rows
 * of op(A) against rows of t(op(B)), both copied contiguous. */
static int near_naive(const MatBlock *c, const MatBlock *a, int ta, const MatBlock *b, int tb)
{
    int64_t m = ta ? a->cols : a->rows, k = ta ? a->rows : a->cols, n = tb ? b->rows : b->cols;
    if (!c || c->rows != m || c->cols != n) return 0;
    double *x = cells_of(a), *y = cells_of(b), *z = cells_of(c);
    double *oa = malloc((size_t)(m * k + 1) * sizeof *oa), *ob = malloc((size_t)(n * k + 1) * sizeof *ob);
    for (int64_t i = 0; i < m; i++)
        for (int64_t p = 0; p < k; p++) oa[i * k + p] = ta ? x[p * a->cols + i] : x[i * a->cols + p];
    for (int64_t j = 0; j < n; j++)
        for (int64_t p = 0; p < k; p++) ob[j * k + p] = tb ? y[j * b->cols + p] : y[p * b->cols + j];
    int ok = 1;
    for (int64_t i = 0; ok && i < m; i++)
        for (int64_t j = 0; ok && j < n; j++) {
            double s = 0.0, mag = 0.0;
            for (int64_t p = 0; p < k; p++) {
                s += oa[i * k + p] * ob[j * k + p];
                mag += fabs(oa[i * k + p] * ob[j * k + p]);
            }
            ok = fabs(z[i * n + j] - s) <= 1e-12 * mag + 1e-300;
        }
    free(x);
    free(y);
    free(z);
    free(oa);
    free(ob);
    return ok;
}

/* ---- contexts ---------------------------------------------------------------------- */

#define NCTX 3
static ParCtx g_ctx[NCTX];

static void ctx_init(ParPool *p1, ParPool *p3)
{
    for (int k = 0; k < NCTX; k++) g_ctx[k] = par_serial();
    g_ctx[0].pool = p1;
    g_ctx[0].threads = 2;
    g_ctx[1].pool = p3;
    g_ctx[1].threads = 4;
    g_ctx[2].pool = p3;
    g_ctx[2].threads = 2;
}

/* ---- checks ------------------------------------------------------------------------ */

/* op(a) op(b): every context gives the sequential result bit for bit; the
 * sequential result is near the naive product (unless `special`). */
static void check_mm(const MatBlock *a, int ta, const MatBlock *b, int tb, int special,
                     int line)
{
    Err err;
    err_clear(&err);
    MatBlock *ref = NULL;
    tsr_status st = kn_matmul_ex(NULL, a, ta, b, tb, &ref, &err);
    check_at(st == TSR_OK, "sequential product", __FILE__, line);
    if (st != TSR_OK) {
        fprintf(stderr, "   %s\n", err.msg);
        return;
    }
    if (!special) check_at(near_naive(ref, a, ta, b, tb), "naive product", __FILE__, line);
    MatBlock *cp = mb_copy(ref, &err);   /* the kernel's non-zero count is exact */
    int64_t nnz = ref->nnz;
    mb_recount_nnz(cp);
    check_at(cp->nnz == nnz, "nnz of the product", __FILE__, line);
    mb_free(cp);
    for (int k = 0; k < NCTX; k++) {
        MatBlock *c = NULL;
        st = kn_matmul_ex(&g_ctx[k], a, ta, b, tb, &c, &err);
        check_at(st == TSR_OK && same_block(c, ref), "parallel == sequential", __FILE__, line);
        mb_free(c);
    }
    mb_free(ref);
}

/* All four transpose combinations of a product with the given effective
 * shapes m x k times k x n, in every format pair. */
static void check_shapes(int64_t m, int64_t k, int64_t n, double da, double db, int special,
                         int line)
{
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (int sa = 0; sa < 2; sa++)
                for (int sb = 0; sb < 2; sb++) {
                    MatBlock *a = rnd(ta ? k : m, ta ? m : k, da, sa, special);
                    MatBlock *b = rnd(tb ? n : k, tb ? k : n, db, sb, special);
                    check_mm(a, ta, b, tb, special, line);
                    mb_free(a);
                    mb_free(b);
                }
}

static void test_matmul(void)
{
    /* large enough for tiles, row panels, partial vectors */
    check_shapes(270, 250, 260, 1.0, 1.0, PLAIN, __LINE__);    /* dgemm: 2x2 tiles */
    check_shapes(600, 140, 60, 1.0, 1.0, PLAIN, __LINE__);     /* dgemm: row tiles */
    check_shapes(3000, 120, 1, 1.0, 1.0, PLAIN, __LINE__);     /* tall matrix-vector */
    check_shapes(1, 3000, 120, 1.0, 1.0, PLAIN, __LINE__);     /* vector-matrix */
    check_shapes(60, 5000, 1, 1.0, 1.0, PLAIN, __LINE__);      /* wide t(M) v by columns */
    check_shapes(2000, 300, 1, 0.05, 1.0, PLAIN, __LINE__);    /* sparse matrix-vector */
    check_shapes(700, 400, 40, 0.03, 0.9, PLAIN, __LINE__);    /* sparse x dense */
    check_shapes(200, 400, 300, 0.02, 0.02, PLAIN, __LINE__);  /* Gustavson, sparse result */
    check_shapes(300, 200, 300, 0.2, 0.2, PLAIN, __LINE__);    /* Gustavson, dense result */
    /* NaN/Inf: parallel == sequential */
    check_shapes(270, 250, 260, 1.0, 1.0, SPECIAL, __LINE__);
    check_shapes(2000, 300, 1, 0.05, 1.0, SPECIAL, __LINE__);
    check_shapes(700, 400, 40, 0.03, 0.9, SPECIAL, __LINE__);
    /* edge shapes */
    check_shapes(0, 5, 7, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(5, 0, 7, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(5, 7, 0, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(1, 1, 1, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(1, 500, 1, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(400, 1, 300, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(300, 200, 250, 0.0, 1.0, PLAIN, __LINE__);    /* all-zero */
    /* outputs too small to tile: the inner dimension split into panels */
    check_shapes(50, 20000, 3, 1.0, 1.0, PLAIN, __LINE__);     /* t(X) M: narrow kernel */
    check_shapes(40, 12000, 30, 1.0, 1.0, PLAIN, __LINE__);    /* dgemm per panel */
    check_shapes(50, 20000, 3, 1.0, 1.0, SPECIAL, __LINE__);
    check_shapes(40, 12000, 30, 1.0, 1.0, SPECIAL, __LINE__);
    /* tall X times a narrow M: the SIMD row loops (<= 8 and <= 16 columns, odd row counts) */
    check_shapes(3001, 30, 5, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(2003, 7, 8, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(3001, 45, 13, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(1999, 20, 16, 1.0, 1.0, PLAIN, __LINE__);
    check_shapes(3001, 30, 5, 1.0, 1.0, SPECIAL, __LINE__);
    check_shapes(3001, 45, 13, 1.0, 1.0, SPECIAL, __LINE__);

    /* t(A) B with a wide CSR A (few non-zeros per output row): transpose + gather */
    MatBlock *wa = rnd(300, 5000, 0.005, 1, PLAIN), *wb = rnd(300, 40, 1.0, 0, PLAIN);
    check_mm(wa, 1, wb, 0, PLAIN, __LINE__);
    check_mm(wa, 1, wb, 0, SPECIAL, __LINE__);
    mb_free(wa);
    mb_free(wb);

    /* a known value: ones(m x k) %*% ones(k x n) = k everywhere */
    Err err;
    err_clear(&err);
    MatBlock *a = mb_new_fill(257, 301, 1.0, &err), *b = mb_new_fill(301, 263, 1.0, &err), *c;
    CHECK(kn_matmul(&g_ctx[1], a, b, &c, &err) == TSR_OK);
    int ok = c->nnz == 257 * 263;
    for (int64_t i = 0; i < CELLS(c); i++) ok = ok && c->dense[i] == 301.0;
    CHECK(ok);
    mb_free(c);
    /* dimension mismatch names the effective shapes */
    CHECK(kn_matmul_ex(&g_ctx[1], a, 1, b, 0, &c, &err) == TSR_RUNTIME);
    CHECK_S(err.msg, "dimension mismatch in %*%: 301x257 %*% 301x263");
    mb_free(a);
    mb_free(b);
}

/* ---- tsmm -------------------------------------------------------------------------- */

static int symmetric(const MatBlock *c)
{
    if (c->rows != c->cols) return 0;
    for (int64_t i = 0; i < c->rows; i++)
        for (int64_t j = 0; j < i; j++) {
            double x = mb_get(c, i, j), y = mb_get(c, j, i);
            if (!(x == y || (x != x && y != y))) return 0;
        }
    return 1;
}

/* sides: 1 t(X) X, 2 X t(X), 3 both */
static void check_tsmm(int64_t r, int64_t c, double d, int sparse, int special, int sides,
                       int line)
{
    Err err;
    err_clear(&err);
    MatBlock *x = rnd(r, c, d, sparse, special);
    for (int left = 0; left < 2; left++) {
        if (!(sides & (left ? 1 : 2))) continue;
        MatBlock *ref = NULL;
        tsr_status st = kn_tsmm(NULL, x, left, &ref, &err);
        check_at(st == TSR_OK, "sequential tsmm", __FILE__, line);
        if (st != TSR_OK) continue;
        check_at(symmetric(ref), "tsmm symmetric", __FILE__, line);
        if (!special)
            check_at(near_naive(ref, x, left, x, !left), "tsmm naive", __FILE__, line);
        for (int k = 0; k < NCTX; k++) {
            MatBlock *p = NULL;
            st = kn_tsmm(&g_ctx[k], x, left, &p, &err);
            check_at(st == TSR_OK && same_block(p, ref), "parallel tsmm == sequential", __FILE__,
                     line);
            mb_free(p);
        }
        /* through kn_matmul_ex with the same block on both sides */
        MatBlock *q = NULL;
        st = kn_matmul_ex(&g_ctx[1], x, left, x, !left, &q, &err);
        /* (a 1 x 1 result is a dot product there, not tsmm) */
        int64_t out_rows = left ? c : r;
        check_at(st == TSR_OK && (out_rows <= 1 ? near_naive(q, x, left, x, !left) || special
                                                 : same_block(q, ref)),
                 "matmul_ex -> tsmm", __FILE__, line);
        mb_free(q);
        mb_free(ref);
    }
    mb_free(x);
}

static void test_tsmm(void)
{
    for (int s = 0; s < 2; s++) {
        check_tsmm(4000, 40, 1.0, s, PLAIN, 1, __LINE__);     /* dense: row panels */
        check_tsmm(100, 300, 1.0, s, PLAIN, 3, __LINE__);     /* dense: output tiles */
        check_tsmm(300, 100, 1.0, s, PLAIN, 3, __LINE__);
        check_tsmm(3000, 100, 0.1, s, PLAIN, 1, __LINE__);    /* sparse: gather by rows */
        check_tsmm(500, 100, 0.1, s, PLAIN, 2, __LINE__);
        check_tsmm(2000, 400, 0.004, s, PLAIN, 3, __LINE__);  /* sparse result */
        check_tsmm(4000, 40, 1.0, s, SPECIAL, 1, __LINE__);
        check_tsmm(3000, 100, 0.1, s, SPECIAL, 1, __LINE__);
        check_tsmm(300, 100, 1.0, s, SPECIAL, 3, __LINE__);
        check_tsmm(0, 6, 1.0, s, PLAIN, 3, __LINE__);
        check_tsmm(6, 0, 1.0, s, PLAIN, 3, __LINE__);
        check_tsmm(1, 1, 1.0, s, PLAIN, 3, __LINE__);
        check_tsmm(500, 1, 1.0, s, PLAIN, 3, __LINE__);
        check_tsmm(300, 80, 0.0, s, PLAIN, 3, __LINE__);     /* all-zero */
        /* row panels with k not a multiple of the kernel's 8-column panels */
        check_tsmm(30000, 13, 1.0, s, PLAIN, 1, __LINE__);
        check_tsmm(20000, 24, 1.0, s, PLAIN, 1, __LINE__);
        check_tsmm(15000, 17, 1.0, s, SPECIAL, 1, __LINE__);
    }
    check_tsmm(2100, 512, 1.0, 0, PLAIN, 1, __LINE__);      /* the kernel's widest */
    check_tsmm(2100, 513, 1.0, 0, PLAIN, 1, __LINE__);      /* dsyrk again */
    /* exact values: t(X) X of the 3x2 matrix [1 2; 3 4; 5 6] */
    Err err;
    err_clear(&err);
    MatBlock *x = mb_new(3, 2, &err), *c = NULL;
    for (int i = 0; i < 6; i++) x->dense[i] = i + 1;
    mb_recount_nnz(x);
    CHECK(kn_tsmm(&g_ctx[1], x, 1, &c, &err) == TSR_OK);
    CHECK(c->dense[0] == 35 && c->dense[1] == 44 && c->dense[2] == 44 && c->dense[3] == 56);
    mb_free(c);
    mb_free(x);
}

/* The AVX-512 row-panel kernel alone (where the CPU has it): integer cells
 * in [-3, 3] make every sum exact, so the upper triangle must equal the
 * int64 sums bit for bit, for widths around the 8-column panels and 24-column
 * blocks and row counts of one and several packed blocks; cells below the
 * diagonal stay untouched. */
static void test_syrk_kernel(void)
{
    static const int64_t ks[] = { 1, 7, 8, 9, 16, 23, 24, 25, 40, 203 };
    static const int64_t rs[] = { 1, 5, 300, 20000 };
    for (size_t a = 0; a < sizeof ks / sizeof *ks; a++) {
        int64_t k = ks[a];
        if (!kn_syrk_fast(k)) continue;
        for (size_t b = 0; b < sizeof rs / sizeof *rs; b++) {
            int64_t rows = rs[b];
            if (rows * k > 2000000) rows = 2000000 / k;
            double *x = malloc((size_t)(rows * k) * sizeof *x);
            double *c = malloc((size_t)(k * k) * sizeof *c);
            int64_t *ex = calloc((size_t)(k * k), sizeof *ex);
            int64_t *xi = malloc((size_t)(rows * k) * sizeof *xi);
            for (int64_t i = 0; i < rows * k; i++) {
                xi[i] = (int64_t)(urand() * 7.0) - 3;
                x[i] = (double)xi[i];
            }
            for (int64_t r = 0; r < rows; r++)
                for (int64_t i = 0; i < k; i++)
                    for (int64_t j = i; j < k; j++) ex[i * k + j] += xi[r * k + i] * xi[r * k + j];
            for (int64_t i = 0; i < k * k; i++) c[i] = -0.5;
            CHECK(kn_syrk_rows(x, rows, k, c) == 0);
            int ok = 1;
            for (int64_t i = 0; i < k; i++)
                for (int64_t j = 0; j < k; j++)
                    ok &= j >= i ? c[i * k + j] == (double)ex[i * k + j] : c[i * k + j] == -0.5;
            check_at(ok, "syrk kernel exact", __FILE__, (int)(k * 100000 + rows));
            free(x);
            free(c);
            free(ex);
            free(xi);
        }
    }
    CHECK(!kn_syrk_fast(0) && !kn_syrk_fast(513));
}

/* The kernel's weighted form with extra columns (kn_gram_rows): integer X,
 * w and V again make every sum exact; the upper triangle of t(X) diag(w) X
 * and all of t(X) V must equal the int64 sums, the rest of c (the lower
 * triangle, the padding past the leading dimension's used part) untouched. */
static void test_gram_kernel(void)
{
    static const int64_t ks[] = { 1, 7, 9, 16, 25, 51 };
    static const int64_t kvs[] = { 0, 1, 2, 8, 11 };
    static const int64_t rs[] = { 1, 37, 3001 };
    for (size_t a = 0; a < sizeof ks / sizeof *ks; a++)
        for (size_t e = 0; e < sizeof kvs / sizeof *kvs; e++)
            for (size_t b = 0; b < sizeof rs / sizeof *rs; b++) {
                int64_t k = ks[a], kv = kvs[e], rows = rs[b], ldc = k + kv + 3;
                if (!kn_syrk_fast(k + kv)) continue;
                double *x = malloc((size_t)(rows * k) * sizeof *x);
                double *w = malloc((size_t)rows * sizeof *w);
                double *v = malloc((size_t)(rows * kv + 1) * sizeof *v);
                double *c = malloc((size_t)(k * ldc) * sizeof *c);
                int64_t *ex = calloc((size_t)(k * ldc), sizeof *ex);
                for (int64_t i = 0; i < rows * k; i++) x[i] = (double)((int64_t)(urand() * 7.0) - 3);
                for (int64_t i = 0; i < rows; i++) w[i] = (double)((int64_t)(urand() * 5.0) - 2);
                for (int64_t i = 0; i < rows * kv; i++) v[i] = (double)((int64_t)(urand() * 9.0) - 4);
                for (int64_t r = 0; r < rows; r++)
                    for (int64_t i = 0; i < k; i++) {
                        int64_t xi = (int64_t)x[r * k + i];
                        for (int64_t j = i; j < k; j++)
                            ex[i * ldc + j] += xi * (int64_t)w[r] * (int64_t)x[r * k + j];
                        for (int64_t j = 0; j < kv; j++)
                            ex[i * ldc + k + j] += xi * (int64_t)v[r * kv + j];
                    }
                for (int64_t i = 0; i < k * ldc; i++) c[i] = -0.5;
                CHECK(kn_gram_rows(x, rows, k, w, kv ? v : NULL, kv, c, ldc) == 0);
                int ok = 1;
                for (int64_t i = 0; i < k; i++)
                    for (int64_t j = 0; j < ldc; j++) {
                        int set = (j >= i && j < k) || (j >= k && j < k + kv);
                        ok &= set ? c[i * ldc + j] == (double)ex[i * ldc + j]
                                  : c[i * ldc + j] == -0.5;
                    }
                check_at(ok, "gram kernel exact", __FILE__,
                         (int)(k * 100000 + kv * 10000 + rows));
                free(x);
                free(w);
                free(v);
                free(c);
                free(ex);
            }
}

/* ---- mmchain ----------------------------------------------------------------------- */

/* max |a - b| <= 1e-12 max |b| over all cells */
static int rel_close(const MatBlock *a, const MatBlock *b)
{
    if (!a || !b || a->rows != b->rows || a->cols != b->cols) return 0;
    double diff = 0.0, mag = 0.0;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) {
            double x = mb_get(a, i, j), y = mb_get(b, i, j);
            if (x != x || y != y) {
                if (!(x != x && y != y)) return 0;
                continue;
            }
            if (fabs(x - y) > diff) diff = fabs(x - y);
            if (fabs(y) > mag) mag = fabs(y);
        }
    return diff <= 1e-12 * mag;
}

static void check_chain(int64_t n, int64_t k, int64_t c, double d, int sparse, int with_w,
                        int line)
{
    Err err;
    err_clear(&err);
    MatBlock *x = rnd(n, k, d, sparse, PLAIN), *v = rnd(k, c, 1.0, 0, PLAIN);
    MatBlock *w = with_w ? rnd(n, 1, 1.0, 0, PLAIN) : NULL;
    for (int64_t i = 0; i < CELLS(x) && !sparse; i++) x->dense[i] = fabs(x->dense[i]);
    for (int64_t i = 0; sparse && i < x->nnz; i++) x->val[i] = fabs(x->val[i]);
    for (int64_t i = 0; i < CELLS(v); i++) v->dense[i] = fabs(v->dense[i]);
    for (int64_t i = 0; w && i < CELLS(w); i++) w->dense[i] = fabs(w->dense[i]);
    /* unfused: t(X) %*% (w * (X %*% v)) */
    MatBlock *u = NULL, *s = NULL, *want = NULL, *ref = NULL;
    CHECK(kn_matmul(NULL, x, v, &u, &err) == TSR_OK);
    if (w) CHECK(kn_binary(NULL, BOP_MUL, u, w, &s, &err) == TSR_OK);
    CHECK(kn_matmul_ex(NULL, x, 1, w ? s : u, 0, &want, &err) == TSR_OK);
    tsr_status st = kn_mmchain(NULL, x, v, w, &ref, &err);
    check_at(st == TSR_OK && rel_close(ref, want), "mmchain ~ unfused", __FILE__, line);
    for (int k2 = 0; st == TSR_OK && k2 < NCTX; k2++) {
        MatBlock *p = NULL;
        tsr_status pst = kn_mmchain(&g_ctx[k2], x, v, w, &p, &err);
        check_at(pst == TSR_OK && same_block(p, ref), "parallel mmchain == sequential", __FILE__,
                 line);
        mb_free(p);
    }
    /* with X %*% v as a second output: the same chain bit for bit, X v close
     * to the product, both the same for every pool */
    MatBlock *xv_ref = NULL, *ch_ref = NULL;
    tsr_status sx = kn_mmchain_xv(NULL, x, v, w, &ch_ref, &xv_ref, &err);
    check_at(sx == TSR_OK && same_block(ch_ref, ref) && xv_ref->rows == n &&
                 xv_ref->cols == c && rel_close(xv_ref, u),
             "mmchain_xv: chain == mmchain, X v ~ product", __FILE__, line);
    for (int k2 = 0; sx == TSR_OK && k2 < NCTX; k2++) {
        MatBlock *p = NULL, *q = NULL;
        tsr_status pst = kn_mmchain_xv(&g_ctx[k2], x, v, w, &p, &q, &err);
        check_at(pst == TSR_OK && same_block(p, ref) && same_block(q, xv_ref),
                 "parallel mmchain_xv == sequential", __FILE__, line);
        mb_free(p);
        mb_free(q);
    }
    mb_free(xv_ref);
    mb_free(ch_ref);
    /* sparse v and w give the same cells */
    if (st == TSR_OK && CELLS(v) > 0) {
        MatBlock *vs = mb_copy(v, &err), *ws = w ? mb_copy(w, &err) : NULL, *p = NULL;
        mb_to_sparse_inplace(vs, &err);
        if (ws) mb_to_sparse_inplace(ws, &err);
        CHECK(kn_mmchain(&g_ctx[1], x, vs, ws, &p, &err) == TSR_OK && same_block(p, ref));
        mb_free(p);
        mb_free(vs);
        mb_free(ws);
    }
    mb_free(u);
    mb_free(s);
    mb_free(want);
    mb_free(ref);
    mb_free(x);
    mb_free(v);
    mb_free(w);
}

static void test_mmchain(void)
{
    for (int with_w = 0; with_w < 2; with_w++)
        for (int s = 0; s < 2; s++) {
            check_chain(5000, 50, 1, s ? 0.05 : 1.0, s, with_w, __LINE__);
            check_chain(5000, 300, 1, s ? 0.02 : 1.0, s, with_w, __LINE__);
            check_chain(3000, 40, 3, s ? 0.1 : 1.0, s, with_w, __LINE__);   /* few columns */
            check_chain(1, 1, 1, 1.0, s, with_w, __LINE__);
            check_chain(0, 5, 1, 1.0, s, with_w, __LINE__);
            check_chain(5, 0, 1, 1.0, s, with_w, __LINE__);
            check_chain(2000, 30, 1, 0.0, s, with_w, __LINE__);         /* all-zero X */
        }
    /* exact: X = [1 2; 3 4], v = [1; 1], w = [2; 3]: X v = [3; 7], w * = [6; 21],
     * t(X) (..) = [1*6 + 3*21; 2*6 + 4*21] = [69; 96] */
    Err err;
    err_clear(&err);
    MatBlock *x = mb_new(2, 2, &err), *v = mb_new_fill(2, 1, 1.0, &err), *w = mb_new(2, 1, &err);
    MatBlock *r = NULL;
    for (int i = 0; i < 4; i++) x->dense[i] = i + 1;
    w->dense[0] = 2;
    w->dense[1] = 3;
    mb_recount_nnz(x);
    mb_recount_nnz(w);
    CHECK(kn_mmchain(&g_ctx[1], x, v, w, &r, &err) == TSR_OK);
    CHECK(r->rows == 2 && r->cols == 1 && r->dense[0] == 69 && r->dense[1] == 96);
    mb_free(r);
    /* shape errors */
    MatBlock *bad = mb_new(3, 1, &err);
    CHECK(kn_mmchain(NULL, x, bad, NULL, &r, &err) == TSR_RUNTIME);
    CHECK_S(err.msg, "dimension mismatch in %*%: 2x2 %*% 3x1");
    CHECK(kn_mmchain(NULL, x, v, bad, &r, &err) == TSR_RUNTIME);
    mb_free(bad);
    mb_free(x);
    mb_free(v);
    mb_free(w);
}

/* ---- weighted tsmm ------------------------------------------------------------------ */

/* kn_tsmm_w(X, w) against the unfused t(X) %*% (X * w), and every pool
 * against the sequential back end bit for bit. */
static void check_tsmm_w(int64_t n, int64_t k, int special, int negative, int line)
{
    Err err;
    err_clear(&err);
    MatBlock *x = rnd(n, k, 1.0, 0, special), *w = rnd(n, 1, 1.0, 0, PLAIN);
    for (int64_t i = 0; !negative && i < CELLS(w); i++) w->dense[i] = fabs(w->dense[i]);
    MatBlock *s = NULL, *want = NULL, *ref = NULL;
    CHECK(kn_binary(NULL, BOP_MUL, x, w, &s, &err) == TSR_OK);
    CHECK(kn_matmul_ex(NULL, x, 1, s, 0, &want, &err) == TSR_OK);
    tsr_status st = kn_tsmm_w(NULL, x, w, &ref, &err);
    check_at(st == TSR_OK && ref->rows == k && ref->cols == k && rel_close(ref, want),
             "wtsmm ~ unfused", __FILE__, line);
    for (int c = 0; st == TSR_OK && c < NCTX; c++) {
        MatBlock *p = NULL;
        tsr_status pst = kn_tsmm_w(&g_ctx[c], x, w, &p, &err);
        check_at(pst == TSR_OK && same_block(p, ref), "parallel wtsmm == sequential", __FILE__,
                 line);
        mb_free(p);
    }
    mb_free(s);
    mb_free(want);
    mb_free(ref);
    mb_free(x);
    mb_free(w);
}

static void test_tsmm_w(void)
{
    for (int neg = 0; neg < 2; neg++) {
        check_tsmm_w(5000, 50, PLAIN, neg, __LINE__);    /* row panels, several blocks */
        check_tsmm_w(20000, 7, PLAIN, neg, __LINE__);
        check_tsmm_w(100, 300, PLAIN, neg, __LINE__);    /* wide: one panel */
        check_tsmm_w(3000, 40, SPECIAL, neg, __LINE__);  /* NaN/Inf cells */
        check_tsmm_w(1, 1, PLAIN, neg, __LINE__);
        check_tsmm_w(700, 1, PLAIN, neg, __LINE__);
        check_tsmm_w(0, 5, PLAIN, neg, __LINE__);
        check_tsmm_w(5, 0, PLAIN, neg, __LINE__);
    }
    /* exact: X = [1 2; 3 4], w = [2; -1]: t(X) (X * w) = [2 - 9, 4 - 12; 4 - 12, 8 - 16] */
    Err err;
    err_clear(&err);
    MatBlock *x = mb_new(2, 2, &err), *w = mb_new(2, 1, &err), *r = NULL;
    for (int i = 0; i < 4; i++) x->dense[i] = i + 1;
    w->dense[0] = 2;
    w->dense[1] = -1;
    mb_recount_nnz(x);
    mb_recount_nnz(w);
    CHECK(kn_tsmm_w(&g_ctx[1], x, w, &r, &err) == TSR_OK);
    CHECK(r->dense[0] == -7 && r->dense[1] == -8 && r->dense[2] == -8 && r->dense[3] == -8);
    mb_free(r);
    /* CSR X or a w of the wrong shape: an error (the runtime then runs unfused) */
    MatBlock *bad = mb_new(3, 1, &err), *xs = mb_copy(x, &err);
    mb_to_sparse_inplace(xs, &err);
    CHECK(kn_tsmm_w(NULL, x, bad, &r, &err) == TSR_RUNTIME && !r);
    CHECK(kn_tsmm_w(NULL, xs, w, &r, &err) == TSR_RUNTIME && !r);
    mb_free(bad);
    mb_free(xs);
    mb_free(x);
    mb_free(w);
}

/* kn_gram(X, w, V) against the unfused cbind(t(X) %*% (X * w), t(X) %*% V):
 * close to it, the Gram part exactly symmetric, every pool bit for bit the
 * sequential result. */
static void check_gram(int64_t n, int64_t k, int64_t kv, int special, int line)
{
    Err err;
    err_clear(&err);
    MatBlock *x = rnd(n, k, 1.0, 0, special), *w = rnd(n, 1, 1.0, 0, PLAIN);
    MatBlock *v = rnd(n, kv, 1.0, 0, PLAIN);
    MatBlock *s = NULL, *g = NULL, *tv = NULL, *want = NULL, *ref = NULL;
    CHECK(kn_binary(NULL, BOP_MUL, x, w, &s, &err) == TSR_OK);
    CHECK(kn_matmul_ex(NULL, x, 1, s, 0, &g, &err) == TSR_OK);
    CHECK(kn_matmul_ex(NULL, x, 1, v, 0, &tv, &err) == TSR_OK);
    const MatBlock *parts[2] = { g, tv };
    CHECK(kn_cbind(NULL, parts, 2, &want, &err) == TSR_OK);
    tsr_status st = kn_gram(NULL, x, w, v, &ref, &err);
    int ok = st == TSR_OK && ref->rows == k && ref->cols == k + kv && rel_close(ref, want);
    for (int64_t i = 0; ok && i < k; i++)
        for (int64_t j = 0; j < i; j++) {
            double a = ref->dense[i * (k + kv) + j], b = ref->dense[j * (k + kv) + i];
            ok &= a == b || (a != a && b != b);
        }
    check_at(ok, "gram ~ unfused, symmetric", __FILE__, line);
    for (int c = 0; st == TSR_OK && c < NCTX; c++) {
        MatBlock *p = NULL;
        tsr_status pst = kn_gram(&g_ctx[c], x, w, v, &p, &err);
        check_at(pst == TSR_OK && same_block(p, ref), "parallel gram == sequential", __FILE__,
                 line);
        mb_free(p);
    }
    mb_free(s);
    mb_free(g);
    mb_free(tv);
    mb_free(want);
    mb_free(ref);
    mb_free(x);
    mb_free(w);
    mb_free(v);
}

static void test_gram(void)
{
    check_gram(20000, 51, 2, PLAIN, __LINE__);   /* glm's shape: row panels */
    check_gram(5000, 13, 9, PLAIN, __LINE__);
    check_gram(3000, 40, 1, SPECIAL, __LINE__);  /* NaN/Inf cells */
    check_gram(400, 600, 3, PLAIN, __LINE__);    /* wider than the kernel: dgemm */
    check_gram(1, 2, 1, PLAIN, __LINE__);
    check_gram(0, 3, 2, PLAIN, __LINE__);
    /* exact: X = [1 2; 3 4], w = [2; -1], V = [1; 1]:
     * [t(X) (X * w), t(X) V] = [-7 -8 4; -8 -8 6] */
    Err err;
    err_clear(&err);
    MatBlock *x = mb_new(2, 2, &err), *w = mb_new(2, 1, &err), *v = mb_new(2, 1, &err);
    MatBlock *r = NULL;
    for (int i = 0; i < 4; i++) x->dense[i] = i + 1;
    w->dense[0] = 2;
    w->dense[1] = -1;
    v->dense[0] = v->dense[1] = 1;
    mb_recount_nnz(x);
    mb_recount_nnz(w);
    mb_recount_nnz(v);
    CHECK(kn_gram(&g_ctx[1], x, w, v, &r, &err) == TSR_OK);
    CHECK(r->rows == 2 && r->cols == 3 && r->dense[0] == -7 && r->dense[1] == -8 &&
          r->dense[2] == 4 && r->dense[3] == -8 && r->dense[4] == -8 && r->dense[5] == 6);
    mb_free(r);
    /* V with other rows, or CSR: an error (the runtime then runs unfused) */
    MatBlock *bad = mb_new(3, 1, &err), *vs = mb_copy(v, &err);
    mb_to_sparse_inplace(vs, &err);
    CHECK(kn_gram(NULL, x, w, bad, &r, &err) == TSR_RUNTIME && !r);
    CHECK(kn_gram(NULL, x, w, vs, &r, &err) == TSR_RUNTIME && !r);
    mb_free(bad);
    mb_free(vs);
    mb_free(x);
    mb_free(w);
    mb_free(v);
}

int main(void)
{
    Err err;
    err_clear(&err);
    kn_blas_setup();   /* one BLAS thread per call, as the runtime runs it */
    CHECK(kn_blas_concurrent());   /* else the BLAS tasks run inline */
    ParPool *p1 = par_pool_new(1, &err), *p3 = par_pool_new(3, &err);
    if (!p1 || !p3) {
        fprintf(stderr, "cannot create the pools: %s\n", err.msg);
        return 1;
    }
    ctx_init(p1, p3);
    test_matmul();
    test_tsmm();
    test_syrk_kernel();
    test_mmchain();
    test_tsmm_w();
    test_gram_kernel();
    test_gram();
    ParPoolStats st;
    par_pool_stats(p3, &st);
    CHECK(st.jobs > 0);   /* the parallel plans really ran on the pool */
    par_pool_free(p1);
    par_pool_free(p3);
    return check_summary();
}
