/*
 * test_matrix_stats.c - unit tests of the statistics, structural, sorting
 * and decomposition kernels (src/matrix/stats.c, structure.c, sort.c,
 * decomp.c): exact or mathematically known values, error texts, NaN and
 * empty (0-row / 0-column) inputs, exact nnz and untouched inputs.
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "matrix/matrix_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* ---- helpers ------------------------------------------------------------------------------------- */

static Err E;

static MatBlock *mk(int64_t r, int64_t c, const double *v)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) {
        fprintf(stderr, "mb_new failed: %s\n", E.msg);
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
    if (!m || m->rows != r || m->cols != c) {
        if (m) fprintf(stderr, "   shape %lldx%lld\n", (long long)m->rows, (long long)m->cols);
        return 0;
    }
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

#define CHECK_ERR(call, text)                                                \
    do {                                                                     \
        err_clear(&E);                                                       \
        tsr_status st_ = (call);                                             \
        check_at(st_ != TSR_OK, #call " fails", __FILE__, __LINE__);         \
        check_str(E.msg, (text), __FILE__, __LINE__);                        \
    } while (0)

#define OK(call) check_at((err_clear(&E), (call)) == TSR_OK, #call, __FILE__, __LINE__)

/* Frees every block listed (NULL allowed). */
#define FREE(...)                                                            \
    do {                                                                     \
        MatBlock *fl_[] = { __VA_ARGS__ };                                   \
        for (size_t k_ = 0; k_ < sizeof fl_ / sizeof fl_[0]; k_++) mb_free(fl_[k_]); \
    } while (0)

/* Largest absolute cell difference of two blocks of the same shape. */
static double max_abs_diff(const MatBlock *a, const MatBlock *b)
{
    double d = 0;
    for (int64_t i = 0; i < a->rows * a->cols; i++) d = fmax(d, fabs(a->dense[i] - b->dense[i]));
    return d;
}

static MatBlock *mul(const MatBlock *a, int ta, const MatBlock *b, int tb)
{
    MatBlock *z = NULL;
    if (kn_matmul_ex(NULL, a, ta, b, tb, &z, &E) != TSR_OK) {
        fprintf(stderr, "matmul failed: %s\n", E.msg);
        exit(2);
    }
    return z;
}

/* ---- sorting primitives ----------------------------------------------------------------------------- */

static void test_sort_primitives(void)
{
    CHECK(kn_cmp_nan_last(1, 2) < 0);
    CHECK(kn_cmp_nan_last(NAN, INFINITY) > 0);
    CHECK(kn_cmp_nan_last(-INFINITY, NAN) < 0);
    CHECK(kn_cmp_nan_last(NAN, NAN) == 0);
    CHECK(kn_cmp_nan_last(-0.0, 0.0) == 0);
    CHECK(kn_dbl_to_int(0.9999999999999999) == 1);
    CHECK(kn_dbl_to_int(2.9999999999999996) == 2);   /* 2^-53 is below half an ulp at 3 */
    CHECK(kn_dbl_to_int(-1.7) == -1);
    CHECK(kn_dbl_to_int(NAN) == 0);
    CHECK(kn_dbl_to_int(1e300) == INT64_MAX);

    /* stability on a long input with many ties (exercises the merge path) */
    enum { N = 1000 };
    double key[N];
    for (int i = 0; i < N; i++) key[i] = (double)((i * 7) % 5);
    int64_t *idx = kn_argsort(key, N, 0);
    int ok = idx != NULL;
    for (int i = 1; ok && i < N; i++)
        ok = key[idx[i - 1]] < key[idx[i]] || (key[idx[i - 1]] == key[idx[i]] && idx[i - 1] < idx[i]);
    CHECK(ok);
    free(idx);
    idx = kn_argsort(key, N, 1);
    ok = idx != NULL;
    for (int i = 1; ok && i < N; i++)
        ok = key[idx[i - 1]] > key[idx[i]] || (key[idx[i - 1]] == key[idx[i]] && idx[i - 1] < idx[i]);
    CHECK(ok);
    free(idx);
    /* the value sort gives the same order as the stable index sort,
     * including NaNs last and -0.0/0.0 in input order */
    double v[N], tmp[N];
    for (int i = 0; i < N; i++) {
        int r = (i * 37) % 11;
        v[i] = r == 0 ? NAN : r == 1 ? -0.0 : r == 2 ? 0.0 : (double)((i * 13) % 7) - 3;
    }
    idx = kn_argsort(v, N, 0);
    double sorted[N];
    memcpy(sorted, v, sizeof v);
    kn_sort_dbl(sorted, tmp, N);
    ok = idx != NULL;
    for (int i = 0; ok && i < N; i++) ok = same_double(sorted[i], v[idx[i]]);
    CHECK(ok);
    free(idx);
    idx = kn_argsort(NULL, 0, 0);   /* empty: valid allocation, nothing read */
    CHECK(idx != NULL);
    free(idx);
}

/* ---- order ---------------------------------------------------------------------------------------- */

static void test_order(void)
{
    MatBlock *x = MK(5, 2, 3, 10, 1, 20, 2, 30, 1, 40, 3, 50), *by1 = MK(1, 1, 1), *z = NULL;
    OK(kn_order(NULL, x, by1, 0, 0, &z, &E));
    CHECK_M(z, 5, 2, 1, 20, 1, 40, 2, 30, 3, 10, 3, 50);
    mb_free(z);
    OK(kn_order(NULL, x, by1, 0, 1, &z, &E));
    CHECK_M(z, 5, 1, 2, 4, 3, 1, 5);
    mb_free(z);
    /* decreasing keeps ties in input order */
    OK(kn_order(NULL, x, by1, 1, 1, &z, &E));
    CHECK_M(z, 5, 1, 1, 5, 3, 2, 4);
    mb_free(z);
    /* by two columns: (1, 2) decreasing */
    MatBlock *y = MK(4, 2, 1, 5, 2, 1, 1, 7, 2, 1), *by12 = MK(1, 2, 1, 2), *by21 = MK(2, 1, 2, 1);
    OK(kn_order(NULL, y, by12, 1, 1, &z, &E));
    CHECK_M(z, 4, 1, 2, 4, 3, 1);
    mb_free(z);
    OK(kn_order(NULL, y, by21, 0, 1, &z, &E));
    CHECK_M(z, 4, 1, 2, 4, 1, 3);
    mb_free(z);
    /* NaN last ascending, first descending */
    MatBlock *n = MK(4, 1, 2, NAN, -INFINITY, 1);
    OK(kn_order(NULL, n, by1, 0, 0, &z, &E));
    CHECK_M(z, 4, 1, -INFINITY, 1, 2, NAN);
    mb_free(z);
    OK(kn_order(NULL, n, by1, 1, 1, &z, &E));
    CHECK_M(z, 4, 1, 2, 1, 4, 3);
    mb_free(z);
    /* errors and empty input */
    MatBlock *bad = MK(1, 2, 1, 3), *empty = mb_new(0, 3, &E), *by0 = mb_new(1, 0, &E);
    CHECK_ERR(kn_order(NULL, x, bad, 0, 0, &z, &E),
              "Sort configuration issue: invalid orderby columns: [1, 3] (5x2 input).");
    CHECK(z == NULL);
    CHECK_ERR(kn_order(NULL, x, by0, 0, 0, &z, &E),
              "Sort configuration issue: invalid orderby columns: [] (5x2 input).");
    OK(kn_order(NULL, empty, by1, 0, 0, &z, &E));
    CHECK_SHAPE(z, 0, 3);
    mb_free(z);
    OK(kn_order(NULL, empty, by1, 0, 1, &z, &E));
    CHECK_SHAPE(z, 0, 1);
    mb_free(z);
    CHECK_M(x, 5, 2, 3, 10, 1, 20, 2, 30, 1, 40, 3, 50);   /* untouched */
    FREE(x, by1, y, by12, by21, n, bad, empty, by0);
}

/* ---- unique / countDistinct ---------------------------------------------------------------------------- */

static void test_unique(void)
{
    MatBlock *a = MK(2, 3, 3, 1, 3, NAN, 0, NAN), *z = NULL;
    OK(kn_unique(a, KD_ALL, &z, &E));
    CHECK_M(z, 4, 1, 0, 1, 3, NAN);
    mb_free(z);
    OK(kn_unique(a, KD_ROW, &z, &E));
    CHECK_M(z, 2, 2, 1, 3, 0, NAN);
    mb_free(z);
    OK(kn_unique(a, KD_COL, &z, &E));
    CHECK_M(z, 2, 3, 3, 0, 3, NAN, 1, NAN);
    mb_free(z);
    MatBlock *dup = MK(1, 4, 2, 2, 2, 2);
    OK(kn_unique(dup, KD_ROW, &z, &E));
    CHECK_M(z, 1, 1, 2);
    mb_free(z);
    OK(kn_count_distinct(a, KD_ALL, &z, &E));
    CHECK_M(z, 1, 1, 4);
    mb_free(z);
    OK(kn_count_distinct(a, KD_ROW, &z, &E));
    CHECK_M(z, 2, 1, 2, 2);
    mb_free(z);
    OK(kn_count_distinct(a, KD_COL, &z, &E));
    CHECK_M(z, 1, 3, 2, 2, 2);
    mb_free(z);
    /* -0.0 and 0.0 are one value, represented by the first occurrence */
    MatBlock *zz = MK(3, 1, -0.0, 0.0, -0.0);
    OK(kn_unique(zz, KD_ALL, &z, &E));
    CHECK_M(z, 1, 1, -0.0);
    mb_free(z);
    MatBlock *e = mb_new(0, 2, &E);
    OK(kn_unique(e, KD_ALL, &z, &E));
    CHECK_SHAPE(z, 0, 1);
    mb_free(z);
    OK(kn_unique(e, KD_COL, &z, &E));
    CHECK_SHAPE(z, 0, 2);
    mb_free(z);
    OK(kn_count_distinct(e, KD_ALL, &z, &E));
    CHECK_M(z, 1, 1, 0);
    mb_free(z);
    FREE(a, dup, zz, e);
}

/* ---- table --------------------------------------------------------------------------------------------- */

static void test_table(void)
{
    MatBlock *a = MK(6, 1, 1, 2, 2, 3, 1, 3), *b = MK(6, 1, 1, 1, 2, 2, 1, 1), *z = NULL;
    OK(kn_table(NULL, a, 0, b, 0, NULL, 1, -1, -1, &z, &E));
    CHECK_M(z, 3, 2, 2, 0, 1, 1, 1, 1);
    mb_free(z);
    /* scalar B: histogram; weights */
    MatBlock *w = MK(6, 1, 0.5, 1, 2, 4, 8, 16);
    OK(kn_table(NULL, a, 0, NULL, 1, w, 0, -1, -1, &z, &E));
    CHECK_M(z, 3, 1, 8.5, 3, 20);
    mb_free(z);
    /* fixed dims: drop and pad */
    OK(kn_table(NULL, a, 0, b, 0, NULL, 2, 2, 3, &z, &E));
    CHECK_M(z, 2, 3, 4, 0, 0, 2, 2, 0);
    mb_free(z);
    /* NaN skipped anywhere; int conversion of 2.9 and 0.9999999999999999 */
    MatBlock *an = MK(4, 1, NAN, 2.9, 0.9999999999999999, 1), *bn = MK(4, 1, 1, 1, 1, NAN);
    OK(kn_table(NULL, an, 0, bn, 0, NULL, 1, -1, -1, &z, &E));
    CHECK_M(z, 2, 1, 1, 1);
    mb_free(z);
    /* zero weights still count for the size */
    OK(kn_table(NULL, a, 0, b, 0, NULL, 0, -1, -1, &z, &E));
    CHECK_M(z, 3, 2, 0, 0, 0, 0, 0, 0);
    mb_free(z);
    /* all skipped: 0x0 */
    MatBlock *nn = MK(2, 1, NAN, NAN);
    OK(kn_table(NULL, nn, 0, NULL, 1, NULL, 1, -1, -1, &z, &E));
    CHECK_SHAPE(z, 0, 0);
    mb_free(z);
    MatBlock *neg = MK(2, 1, 1, 0);
    CHECK_ERR(kn_table(NULL, neg, 0, NULL, 1, NULL, 1, -1, -1, &z, &E),
              "Erroneous input while computing the contingency table (one of the value <= zero): "
              "0.0 1.0");
    CHECK(z == NULL);
    CHECK_ERR(kn_table(NULL, a, 0, NULL, -2.5, NULL, 1, 5, 5, &z, &E),
              "Erroneous input while computing the contingency table (one of the value <= zero): "
              "1.0 -2.5");
    CHECK_ERR(kn_table(NULL, a, 0, neg, 0, NULL, 1, -1, -1, &z, &E),
              "table(): inputs must have the same dimensions: 6x1 vs 2x1");
    CHECK_ERR(kn_table(NULL, a, 0, b, 0, NULL, 1, -3, 2, &z, &E),
              "table(): invalid output dimensions -3x2");
    FREE(a, b, w, an, bn, nn, neg);
}

/* ---- removeEmpty, replace, tri -------------------------------------------------------------------------- */

static void test_structure(void)
{
    MatBlock *z = NULL, *x = MK(4, 3, 1, 0, 0, 0, 0, 0, NAN, 0, 0, 0, 0, 4);
    OK(kn_remove_empty(x, 1, NULL, 1, &z, &E));
    CHECK_M(z, 3, 3, 1, 0, 0, NAN, 0, 0, 0, 0, 4);
    mb_free(z);
    OK(kn_remove_empty(x, 0, NULL, 1, &z, &E));
    CHECK_M(z, 4, 2, 1, 0, 0, 0, NAN, 0, 0, 4);
    mb_free(z);
    MatBlock *sel = MK(1, 3, 0, 5, 0), *none = MK(4, 1, 0, 0, 0, 0);
    OK(kn_remove_empty(x, 0, sel, 1, &z, &E));
    CHECK_M(z, 4, 1, 0, 0, 0, 0);
    mb_free(z);
    OK(kn_remove_empty(x, 1, none, 1, &z, &E));
    CHECK_M(z, 1, 3, 0, 0, 0);
    mb_free(z);
    OK(kn_remove_empty(x, 1, none, 0, &z, &E));
    CHECK_SHAPE(z, 0, 3);
    mb_free(z);
    CHECK_ERR(kn_remove_empty(x, 1, sel, 1, &z, &E),
              "Invalid select vector for removeEmpty: expected 4 entries, found a 1x3 matrix");
    MatBlock *e = mb_new(0, 2, &E);
    OK(kn_remove_empty(e, 1, NULL, 1, &z, &E));
    CHECK_M(z, 1, 2, 0, 0);
    mb_free(z);
    OK(kn_remove_empty(e, 0, NULL, 0, &z, &E));
    CHECK_SHAPE(z, 0, 0);
    mb_free(z);

    MatBlock *r = MK(2, 3, NAN, INFINITY, -INFINITY, 0, -0.0, 2);
    OK(kn_replace(r, NAN, 7, &z, &E));
    CHECK_M(z, 2, 3, 7, INFINITY, -INFINITY, 0, -0.0, 2);
    mb_free(z);
    OK(kn_replace(r, INFINITY, 1, &z, &E));
    CHECK_M(z, 2, 3, NAN, 1, -INFINITY, 0, -0.0, 2);
    mb_free(z);
    OK(kn_replace(r, 0, NAN, &z, &E));
    CHECK_M(z, 2, 3, NAN, INFINITY, -INFINITY, NAN, NAN, 2);
    mb_free(z);

    MatBlock *t = MK(3, 3, 1, 2, 3, 4, 5, 6, 7, 0, 9);
    OK(kn_tri(t, 0, 0, 0, &z, &E));
    CHECK_M(z, 3, 3, 0, 0, 0, 1, 0, 0, 1, 1, 0);
    mb_free(z);
    OK(kn_tri(t, 0, 1, 1, &z, &E));
    CHECK_M(z, 3, 3, 1, 0, 0, 4, 5, 0, 7, 0, 9);
    mb_free(z);
    OK(kn_tri(t, 1, 0, 1, &z, &E));
    CHECK_M(z, 3, 3, 0, 2, 3, 0, 0, 6, 0, 0, 0);
    mb_free(z);
    MatBlock *wide = MK(2, 3, 1, 2, 3, 4, 5, 6);
    OK(kn_tri(wide, 1, 1, 0, &z, &E));
    CHECK_M(z, 2, 3, 1, 1, 1, 0, 1, 1);
    mb_free(z);
    CHECK_M(x, 4, 3, 1, 0, 0, 0, 0, 0, NAN, 0, 0, 0, 0, 4);   /* untouched */
    FREE(x, sel, none, e, r, t, wide);
}

/* ---- quantiles and moments --------------------------------------------------------------------------------- */

static double qv(const MatBlock *x, const MatBlock *w, double p)
{
    double d = -999;
    if (kn_quantile(x, w, p, &d, &E) != TSR_OK) fprintf(stderr, "quantile: %s\n", E.msg);
    return d;
}

static double med(const MatBlock *x, const MatBlock *w)
{
    double d = -999;
    if (kn_median(x, w, &d, &E) != TSR_OK) fprintf(stderr, "median: %s\n", E.msg);
    return d;
}

static double iqm(const MatBlock *x, const MatBlock *w)
{
    double d = -999;
    if (kn_iqm(x, w, &d, &E) != TSR_OK) fprintf(stderr, "iqm: %s\n", E.msg);
    return d;
}

static void test_quantiles(void)
{
    MatBlock *x = MK(7, 1, 5, 1, 4, 2, 3, 9, 7), *y = MK(8, 1, 5, 1, 4, 2, 3, 9, 7, 8);
    CHECK_D(qv(x, NULL, 0.25), 2);
    CHECK_D(qv(x, NULL, 0), 1);
    CHECK_D(qv(x, NULL, 1), 9);
    CHECK_D(qv(x, NULL, 1.5), 9);
    CHECK_D(qv(x, NULL, NAN), 1);
    CHECK_D(qv(y, NULL, 0.5), 4);
    CHECK_D(med(x, NULL), 4);
    CHECK_D(med(y, NULL), 4.5);
    /* weighted: expansion 1 1 1 2 3 3 (W = 6) */
    MatBlock *v = MK(4, 1, 3, 1, 2, 9), *w = MK(4, 1, 2, 3, 1, 0);
    CHECK_D(qv(v, w, 0.5), 1);
    CHECK_D(qv(v, w, 0.51), 2);
    CHECK_D(qv(v, w, 1), 3);
    CHECK_D(med(v, w), 1.5);
    /* iqm: 1..8 -> 4.5; 1..7 -> 4; one value -> itself */
    MatBlock *s8 = MK(8, 1, 8, 7, 6, 5, 4, 3, 2, 1), *s7 = MK(7, 1, 1, 2, 3, 4, 5, 6, 7);
    MatBlock *one = MK(1, 1, 42);
    CHECK_NEAR(iqm(s8, NULL), 4.5, 1e-15);
    CHECK_NEAR(iqm(s7, NULL), 4, 1e-15);
    CHECK_NEAR(iqm(one, NULL), 42, 1e-15);
    /* weighted iqm equals the iqm of the expansion 1 1 1 2 3 3 */
    MatBlock *ex = MK(6, 1, 1, 1, 1, 2, 3, 3);
    CHECK_NEAR(iqm(v, w), iqm(ex, NULL), 1e-15);
    /* matrix of p */
    MatBlock *p = MK(3, 1, 0.1, 0.5, 1), *z = NULL;
    OK(kn_quantiles(x, NULL, p, &z, &E));
    CHECK_M(z, 3, 1, 1, 4, 9);
    mb_free(z);
    /* NaN sorts last */
    MatBlock *xn = MK(3, 1, NAN, 2, 1);
    CHECK_D(qv(xn, NULL, 1), NAN);
    CHECK_D(qv(xn, NULL, 0.6), 2);
    CHECK_D(med(xn, NULL), 2);
    /* empty sample */
    MatBlock *e = mb_new(0, 1, &E), *w0 = MK(4, 1, 0, 0, 0, 0);
    CHECK_D(qv(e, NULL, 0.5), NAN);
    CHECK_D(med(e, NULL), NAN);
    CHECK_D(iqm(v, w0), NAN);
    double d;
    MatBlock *row = MK(1, 3, 1, 2, 3), *wbad = MK(4, 1, 1, 0.5, 1, 1), *wneg = MK(4, 1, 1, -1, 1, 1);
    CHECK_ERR(kn_quantile(row, NULL, 0.5, &d, &E),
              "quantile(): input must be a column vector, found a 1x3 matrix");
    CHECK_ERR(kn_median(v, wbad, &d, &E), "median(): weights must be non-negative integers, found 0.5");
    CHECK_ERR(kn_iqm(v, wneg, &d, &E),
              "interQuartileMean(): weights must be non-negative integers, found -1.0");
    CHECK_ERR(kn_median(v, x, &d, &E),
              "median(): weights must have the same dimensions as the input: 4x1 vs 7x1");
    CHECK_M(x, 7, 1, 5, 1, 4, 2, 3, 9, 7);   /* untouched (sorted a copy) */
    FREE(x, y, v, w, s8, s7, one, ex, p, xn, e, w0, row, wbad, wneg);
}

static void test_moments(void)
{
    MatBlock *x = MK(4, 1, 1, 2, 3, 6), *w = MK(4, 1, 1, 2, 1, 0), *y = MK(4, 1, 2, 4, 6, 13);
    double d = 0;
    /* mean 3, deviations -2 -1 0 3 */
    OK(kn_moment(x, NULL, 2, &d, &E));
    CHECK_NEAR(d, 14.0 / 4, 1e-15);
    OK(kn_moment(x, NULL, 3, &d, &E));
    CHECK_NEAR(d, 18.0 / 4, 1e-15);
    OK(kn_moment(x, NULL, 4, &d, &E));
    CHECK_NEAR(d, 98.0 / 4, 1e-15);
    /* weighted: mean (1+4+3)/4 = 2, dev -1 0 1 (w 1 2 1) */
    OK(kn_moment(x, w, 2, &d, &E));
    CHECK_NEAR(d, 0.5, 1e-15);
    OK(kn_moment(x, w, 3, &d, &E));
    CHECK_NEAR(d, 0, 1e-15);
    CHECK_ERR(kn_moment(x, NULL, 5, &d, &E), "Central moment order must be 2, 3 or 4, found 5");
    /* cov: x dev -2 -1 0 3, y mean 6.25 dev -4.25 -2.25 -0.25 6.75 */
    OK(kn_cov(x, y, NULL, &d, &E));
    CHECK_NEAR(d, (8.5 + 2.25 + 0 + 20.25) / 3, 1e-14);
    OK(kn_cov(x, x, w, &d, &E));   /* sum w dev^2 / (W - 1) = 2 / 3 */
    CHECK_NEAR(d, 2.0 / 3, 1e-15);
    MatBlock *one = MK(1, 1, 5), *e = mb_new(0, 1, &E), *xn = MK(2, 1, 1, NAN);
    OK(kn_cov(one, one, NULL, &d, &E));
    CHECK_D(d, 0);
    OK(kn_cov(e, e, NULL, &d, &E));
    CHECK_D(d, NAN);
    OK(kn_moment(e, NULL, 2, &d, &E));
    CHECK_D(d, NAN);
    OK(kn_moment(xn, NULL, 2, &d, &E));
    CHECK_D(d, NAN);
    CHECK_ERR(kn_cov(x, one, NULL, &d, &E),
              "cov(): inputs must have the same dimensions: 4x1 vs 1x1");
    FREE(x, w, y, one, e, xn);
}

/* ---- cumsumprod, grouped aggregates --------------------------------------------------------------------------- */

static void test_cumsumprod(void)
{
    MatBlock *x = MK(4, 2, 1, 5, 0, 1, 2, 0, 3, 0.5), *z = NULL;
    OK(kn_cumsumprod(x, &z, &E));
    CHECK_M(z, 4, 1, 1, 1, 2, 4);
    mb_free(z);
    MatBlock *e = mb_new(0, 2, &E), *bad = MK(1, 3, 1, 2, 3);
    OK(kn_cumsumprod(e, &z, &E));
    CHECK_SHAPE(z, 0, 1);
    mb_free(z);
    CHECK_ERR(kn_cumsumprod(bad, &z, &E), "Cumsumprod expects two-column input (n=3).");
    FREE(x, e, bad);
}

static void test_grouped(void)
{
    MatBlock *x = MK(6, 1, 1, 2, 3, 4, 5, NAN), *g = MK(6, 1, 1, 2, 1, 2, 4, 4), *z = NULL;
    OK(kn_grouped_agg(x, g, NULL, KG_SUM, 0, -1, &z, &E));
    CHECK_M(z, 4, 1, 4, 6, 0, NAN);
    mb_free(z);
    OK(kn_grouped_agg(x, g, NULL, KG_COUNT, 0, -1, &z, &E));
    CHECK_M(z, 4, 1, 2, 2, 0, 2);
    mb_free(z);
    OK(kn_grouped_agg(x, g, NULL, KG_MEAN, 0, 2, &z, &E));
    CHECK_M(z, 2, 1, 2, 3);
    mb_free(z);
    OK(kn_grouped_agg(x, g, NULL, KG_VAR, 0, 5, &z, &E));
    CHECK_M(z, 5, 1, 2, 2, 0, NAN, 0);
    mb_free(z);
    OK(kn_grouped_agg(x, g, NULL, KG_MIN, 0, 2, &z, &E));
    CHECK_M(z, 2, 1, 1, 2);
    mb_free(z);
    OK(kn_grouped_agg(x, g, NULL, KG_MAX, 0, 2, &z, &E));
    CHECK_M(z, 2, 1, 3, 4);
    mb_free(z);
    /* weighted: group 1 = {1 (w 1), 3 (w 3)}, group 2 = {2 (w 2), 4 (w 0)} */
    MatBlock *w = MK(6, 1, 1, 2, 3, 0, 1, 1);
    OK(kn_grouped_agg(x, g, w, KG_MEAN, 0, 2, &z, &E));
    CHECK_M(z, 2, 1, 2.5, 2);
    mb_free(z);
    OK(kn_grouped_agg(x, g, w, KG_CM, 2, 2, &z, &E));   /* (1*2.25 + 3*0.25) / 4 */
    CHECK_M(z, 2, 1, 0.75, 0);
    mb_free(z);
    OK(kn_grouped_agg(x, g, w, KG_VAR, 0, 2, &z, &E));  /* 3 / 3, 0 / 1 */
    CHECK_M(z, 2, 1, 1, 0);
    mb_free(z);
    /* several columns */
    MatBlock *xm = MK(3, 2, 1, 10, 2, 20, 3, 30), *gm = MK(3, 1, 2, 1, 2);
    OK(kn_grouped_agg(xm, gm, NULL, KG_SUM, 0, 3, &z, &E));
    CHECK_M(z, 3, 2, 2, 20, 4, 40, 0, 0);
    mb_free(z);
    MatBlock *bad = MK(2, 1, 1, 0), *x2 = MK(2, 1, 1, 2), *e = mb_new(0, 1, &E);
    CHECK_ERR(kn_grouped_agg(x2, bad, NULL, KG_SUM, 0, -1, &z, &E),
              "aggregate(): group ids must be positive integers, found 0.0");
    CHECK_ERR(kn_grouped_agg(x, x2, NULL, KG_SUM, 0, -1, &z, &E),
              "aggregate(): groups must have one entry per row of the target: 2x1 vs 6x1");
    CHECK_ERR(kn_grouped_agg(xm, gm, gm, KG_SUM, 0, 3, &z, &E),
              "aggregate(): weights are not supported for a target with more than one column");
    CHECK_ERR(kn_grouped_agg(x, g, NULL, KG_CM, 5, -1, &z, &E),
              "for centralmoment, must define order.  Order must be equal to 2,3, or 4");
    OK(kn_grouped_agg(e, e, NULL, KG_SUM, 0, -1, &z, &E));
    CHECK_SHAPE(z, 0, 1);
    mb_free(z);
    FREE(x, g, w, xm, gm, bad, x2, e);
}

/* ---- decompositions ------------------------------------------------------------------------------------------ */

static void test_cholesky_det(void)
{
    MatBlock *a = MK(3, 3, 4, 12, -16, 12, 37, -43, -16, -43, 98), *l = NULL;
    OK(kn_cholesky(a, &l, &E));
    CHECK_M(l, 3, 3, 2, 0, 0, 6, 1, 0, -8, 5, 3);
    double d = 0;
    OK(kn_det(a, &d, &E));
    CHECK_NEAR(d, 36, 1e-10);
    mb_free(l);
    MatBlock *ns = MK(2, 2, 1, 2, 2.1, 5), *np = MK(2, 2, 1, 2, 2, 1), *nn = MK(2, 2, NAN, 0, 0, 1);
    MatBlock *rect = MK(1, 2, 1, 2), *e = mb_new(0, 0, &E);
    CHECK_ERR(kn_cholesky(ns, &l, &E),
              "Input to cholesky() must be a symmetric matrix (cells [2,1] and [1,2] differ)");
    CHECK_ERR(kn_cholesky(np, &l, &E), "Input to cholesky() must be a positive definite matrix");
    CHECK_ERR(kn_cholesky(nn, &l, &E), "Input to cholesky() must be a positive definite matrix");
    CHECK_ERR(kn_cholesky(rect, &l, &E),
              "Input to cholesky() must be square matrix -- given: a 1x2 matrix.");
    OK(kn_cholesky(e, &l, &E));
    CHECK_SHAPE(l, 0, 0);
    mb_free(l);
    /* within the 1e-6 relative symmetry tolerance */
    MatBlock *near = MK(2, 2, 4, 2, 2.000001, 5);
    OK(kn_cholesky(near, &l, &E));
    CHECK(l && l->dense[1] == 0 && fabs(l->dense[0] - 2) < 1e-15);
    mb_free(l);
    /* det: permutation sign, singular, NaN, empty */
    MatBlock *perm = MK(3, 3, 0, 1, 0, 1, 0, 0, 0, 0, 1), *sing = MK(2, 2, 1, 2, 2, 4);
    OK(kn_det(perm, &d, &E));
    CHECK_D(d, -1);
    OK(kn_det(sing, &d, &E));
    CHECK_D(fabs(d), 0);
    OK(kn_det(nn, &d, &E));
    CHECK_D(d, NAN);
    OK(kn_det(e, &d, &E));
    CHECK_D(d, 1);
    CHECK_ERR(kn_det(rect, &d, &E), "Input to det() must be square matrix -- given: a 1x2 matrix.");
    CHECK_M(a, 3, 3, 4, 12, -16, 12, 37, -43, -16, -43, 98);
    FREE(a, ns, np, nn, rect, e, near, perm, sing);
}

/* V diag(val) V^T vs a (symmetric), and V^T V = I. */
static void check_eigen(const MatBlock *a, const MatBlock *val, const MatBlock *vec, double tol)
{
    int64_t n = a->rows;
    MatBlock *vd = mb_copy(vec, &E);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) vd->dense[i * n + j] *= val->dense[j];
    MatBlock *rec = mul(vd, 0, vec, 1), *id = mul(vec, 1, vec, 0);
    CHECK(max_abs_diff(rec, a) < tol);
    for (int64_t i = 0; i < n; i++) id->dense[i * n + i] -= 1;
    double off = 0;
    for (int64_t i = 0; i < n * n; i++) off = fmax(off, fabs(id->dense[i]));
    CHECK(off < tol);
    FREE(vd, rec, id);
}

static void test_eigen(void)
{
    MatBlock *a = MK(3, 3, 2, -1, 0, -1, 2, -1, 0, -1, 2), *val = NULL, *vec = NULL;
    OK(kn_eigen(a, &val, &vec, &E));
    double s2 = sqrt(2.0);
    CHECK(val && val->rows == 3 && val->cols == 1);
    if (val) {
        CHECK_NEAR(val->dense[0], 2 - s2, 1e-14);
        CHECK_NEAR(val->dense[1], 2, 1e-14);
        CHECK_NEAR(val->dense[2], 2 + s2, 1e-14);
        check_eigen(a, val, vec, 1e-13);
        /* first vector (1, sqrt2, 1)/2: positive largest entry */
        CHECK_NEAR(vec->dense[3 * 1 + 0], s2 / 2, 1e-14);
    }
    FREE(val, vec);
    /* non-symmetric with real spectrum (upper triangular): values 1, 2, 3 */
    MatBlock *t = MK(3, 3, 3, 1, 2, 0, 1, 4, 0, 0, 2);
    OK(kn_eigen(t, &val, &vec, &E));
    CHECK_M(val, 3, 1, 1, 2, 3);
    if (vec) {   /* A v = lambda v for every column */
        MatBlock *av = mul(t, 0, vec, 0);
        double r = 0;
        for (int64_t i = 0; i < 3; i++)
            for (int64_t j = 0; j < 3; j++)
                r = fmax(r, fabs(av->dense[i * 3 + j] - val->dense[j] * vec->dense[i * 3 + j]));
        CHECK(r < 1e-13);
        mb_free(av);
    }
    FREE(val, vec);
    MatBlock *rot = MK(2, 2, 0, -1, 1, 0), *rect = MK(2, 3, 1, 2, 3, 4, 5, 6);
    MatBlock *nan = MK(2, 2, 1, NAN, NAN, 1), *e = mb_new(0, 0, &E), *one = MK(1, 1, -3);
    CHECK_ERR(kn_eigen(rot, &val, &vec, &E), "eigen(): complex eigenvalues are not supported");
    CHECK(val == NULL && vec == NULL);
    CHECK_ERR(kn_eigen(rect, &val, &vec, &E),
              "Eigen Decomposition can only be done on a square matrix. Input matrix is "
              "rectangular (rows=2, cols=3)");
    OK(kn_eigen(nan, &val, &vec, &E));
    CHECK_M(val, 2, 1, NAN, NAN);
    FREE(val, vec);
    OK(kn_eigen(e, &val, &vec, &E));
    CHECK_SHAPE(val, 0, 1);
    CHECK_SHAPE(vec, 0, 0);
    FREE(val, vec);
    OK(kn_eigen(one, &val, &vec, &E));
    CHECK_M(val, 1, 1, -3);
    CHECK_M(vec, 1, 1, 1);
    FREE(val, vec, a, t, rot, rect, nan, e, one);
}

/* U S V^T == a and orthonormal columns. */
static void check_svd(const MatBlock *a, const MatBlock *u, const MatBlock *s, const MatBlock *v)
{
    MatBlock *us = mul(u, 0, s, 0), *rec = mul(us, 0, v, 1);
    CHECK(max_abs_diff(rec, a) < 1e-12);
    int64_t k = s->rows;
    for (int64_t j = 0; j + 1 < k; j++) CHECK(s->dense[j * k + j] >= s->dense[(j + 1) * k + j + 1]);
    MatBlock *utu = mul(u, 1, u, 0), *vtv = mul(v, 1, v, 0);
    for (int64_t i = 0; i < k; i++) {
        utu->dense[i * k + i] -= 1;
        vtv->dense[i * k + i] -= 1;
    }
    double off = 0;
    for (int64_t i = 0; i < k * k; i++) off = fmax(off, fmax(fabs(utu->dense[i]), fabs(vtv->dense[i])));
    CHECK(off < 1e-13);
    FREE(us, rec, utu, vtv);
}

static void test_svd(void)
{
    MatBlock *tall = MK(4, 3, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13), *u, *s, *v;
    OK(kn_svd(tall, &u, &s, &v, &E));
    CHECK_SHAPE(u, 4, 3);
    CHECK_SHAPE(s, 3, 3);
    CHECK_SHAPE(v, 3, 3);
    if (u && s && v) check_svd(tall, u, s, v);
    FREE(u, s, v);
    MatBlock *wide = MK(2, 3, 3, 0, 0, 0, 0, -4);   /* singular values 4, 3 */
    OK(kn_svd(wide, &u, &s, &v, &E));
    CHECK_SHAPE(s, 2, 2);
    CHECK(s && fabs(s->dense[0] - 4) < 1e-14 && fabs(s->dense[3] - 3) < 1e-14 && s->dense[1] == 0);
    CHECK_SHAPE(u, 2, 2);
    CHECK_SHAPE(v, 3, 2);
    if (u && s && v) check_svd(wide, u, s, v);
    /* sign rule: largest entry of each u column positive */
    CHECK(u && fabs(u->dense[2] - 1) < 1e-14 && fabs(u->dense[1] - 1) < 1e-14);
    FREE(u, s, v);
    MatBlock *e = mb_new(3, 0, &E), *nan = MK(2, 1, 1, NAN);
    OK(kn_svd(e, &u, &s, &v, &E));
    CHECK_SHAPE(u, 3, 0);
    CHECK_SHAPE(s, 0, 0);
    CHECK_SHAPE(v, 0, 0);
    FREE(u, s, v);
    OK(kn_svd(nan, &u, &s, &v, &E));
    CHECK_M(s, 1, 1, NAN);
    FREE(u, s, v, tall, wide, e, nan);
}

/* Q = H_1 ... H_k applied to R reproduces a. */
static void check_qr(const MatBlock *a, const MatBlock *h, const MatBlock *r)
{
    int64_t m = a->rows, n = a->cols, k = m < n ? m : n;
    MatBlock *x = mb_copy(r, &E);
    for (int64_t j = k - 1; j >= 0; j--) {   /* x = H_j x, last reflector first */
        double vv = 0;
        for (int64_t i = 0; i < m; i++) vv += h->dense[i * n + j] * h->dense[i * n + j];
        if (vv == 0) continue;
        for (int64_t c = 0; c < n; c++) {
            double dot = 0;
            for (int64_t i = 0; i < m; i++) dot += h->dense[i * n + j] * x->dense[i * n + c];
            for (int64_t i = 0; i < m; i++) x->dense[i * n + c] -= 2 * dot / vv * h->dense[i * n + j];
        }
    }
    CHECK(max_abs_diff(x, a) < 1e-12);
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            if (j < i) CHECK(r->dense[i * n + j] == 0);
            if (j > i) CHECK(h->dense[i * n + j] == 0);
        }
    mb_free(x);
}

static void test_qr(void)
{
    MatBlock *a = MK(4, 3, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13), *h, *r;
    OK(kn_qr(a, &h, &r, &E));
    CHECK_SHAPE(h, 4, 3);
    CHECK_SHAPE(r, 4, 3);
    if (h && r) {
        check_qr(a, h, r);
        double nx = sqrt(1 + 16 + 49 + 121.0);   /* Commons Math form of v_1 */
        CHECK_NEAR(r->dense[0], -nx, 1e-13);
        CHECK_NEAR(h->dense[0], 1 + nx, 1e-13);
        CHECK_NEAR(h->dense[3], 4, 1e-13);
    }
    FREE(h, r);
    MatBlock *wide = MK(2, 3, 0, 1, 2, 3, 4, 5), *id = MK(2, 2, 1, 0, 0, 1);
    OK(kn_qr(wide, &h, &r, &E));
    if (h && r) check_qr(wide, h, r);
    FREE(h, r);
    OK(kn_qr(id, &h, &r, &E));   /* Commons Math reflects e_j too: R = -I, H = 2I */
    CHECK_M(h, 2, 2, 2, 0, 0, 2);
    CHECK_M(r, 2, 2, -1, 0, 0, -1);
    if (h && r) check_qr(id, h, r);
    FREE(h, r);
    MatBlock *swap = MK(3, 3, 0, 1, 0, 1, 0, 0, 0, 0, 3);   /* x_1 = 0 exactly */
    OK(kn_qr(swap, &h, &r, &E));
    if (h && r) {
        check_qr(swap, h, r);
        CHECK_NEAR(fabs(r->dense[0]), 1, 1e-15);
        CHECK_NEAR(fabs(r->dense[8]), 3, 1e-15);
    }
    FREE(h, r, swap);
    MatBlock *e = mb_new(0, 2, &E);
    OK(kn_qr(e, &h, &r, &E));
    CHECK_SHAPE(h, 0, 2);
    CHECK_SHAPE(r, 0, 2);
    FREE(h, r, a, wide, id, e);
}

static void test_lu(void)
{
    MatBlock *a = MK(3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 10), *p, *l, *u;
    OK(kn_lu(a, &p, &l, &u, &E));
    CHECK_M(p, 3, 3, 0, 0, 1, 1, 0, 0, 0, 1, 0);
    if (p && l && u) {
        MatBlock *pa = mul(p, 0, a, 0), *lu = mul(l, 0, u, 0);
        CHECK(max_abs_diff(pa, lu) < 1e-14);
        CHECK_NEAR(l->dense[3], 1.0 / 7, 1e-15);
        CHECK_D(l->dense[4], 1);
        CHECK_D(u->dense[3], 0);
        CHECK_NEAR(u->dense[8], -0.5, 1e-14);
        FREE(pa, lu);
    }
    FREE(p, l, u);
    MatBlock *sing = MK(2, 2, 1, 2, 2, 4), *rect = MK(2, 3, 1, 2, 3, 4, 5, 6), *e = mb_new(0, 0, &E);
    CHECK_ERR(kn_lu(sing, &p, &l, &u, &E),
              "LU Decomposition can only be done on a non-singular matrix.");
    CHECK(p == NULL && l == NULL && u == NULL);
    CHECK_ERR(kn_lu(rect, &p, &l, &u, &E),
              "LU Decomposition can only be done on a square matrix. Input matrix is rectangular "
              "(rows=2, cols=3)");
    OK(kn_lu(e, &p, &l, &u, &E));
    CHECK_SHAPE(p, 0, 0);
    FREE(p, l, u, a, sing, rect, e);
}

int main(void)
{
    kn_blas_setup();
    test_sort_primitives();
    test_order();
    test_unique();
    test_table();
    test_structure();
    test_quantiles();
    test_moments();
    test_cumsumprod();
    test_grouped();
    test_cholesky_det();
    test_eigen();
    test_svd();
    test_qr();
    test_lu();
    return check_summary();
}
