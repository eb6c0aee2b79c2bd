/*
 * test_matrix_misc.c - unit tests of the distribution kernels (distrib.c)
 * and the small kernels of misc.c: edge values (NaN, infinities, p = 0/1,
 * shift counts >= 64), parameter errors, sparse inputs and outputs, empty
 * matrices.  Value grids against R live in tests/dml/dist_*.dml.
 * Standalone: prints "N passed, M failed" and exits non-zero on failure.
 */
#include "matrix/matrix_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define OK(call) CHECK((call) == TSR_OK)

static Err E;

static MatBlock *mk(int64_t r, int64_t c, const double *v)
{
    MatBlock *m = mb_new(r, c, &E);
    if (!m) exit(2);
    if (r * c > 0) memcpy(m->dense, v, (size_t)(r * c) * sizeof(double));
    mb_recount_nnz(m);
    return m;
}
#define MK(r, c, ...) mk((r), (c), (const double[]){ __VA_ARGS__ })

static MatBlock *sparse(MatBlock *m)
{
    if (mb_to_sparse_inplace(m, &E)) exit(2);
    return m;
}

static int cells_are(const MatBlock *m, int64_t r, int64_t c, const double *v)
{
    if (m->rows != r || m->cols != c) return 0;
    for (int64_t k = 0; k < r * c; k++)
        if (fabs(mb_get(m, k / c, k % c) - v[k]) > 1e-12) return 0;
    return 1;
}
#define IS(m, r, c, ...) cells_are((m), (r), (c), (const double[]){ __VA_ARGS__ })

static void test_distributions(void)
{
    const double std[2] = { 0, 1 }, df3[2] = { 3, 0 }, f[2] = { 2, 5 };
    double d;
    OK(kn_cdf(KDIST_NORMAL, std, 0, 1, &d, &E));
    CHECK(d == 0.5);
    OK(kn_cdf(KDIST_NORMAL, std, NAN, 1, &d, &E));
    CHECK(isnan(d));
    OK(kn_cdf(KDIST_CHISQ, df3, INFINITY, 1, &d, &E));
    CHECK(d == 1);
    OK(kn_cdf(KDIST_T, df3, -INFINITY, 0, &d, &E));
    CHECK(d == 1);
    OK(kn_cdf(KDIST_EXP, df3, -1, 1, &d, &E));
    CHECK(d == 0);
    OK(kn_icdf(KDIST_NORMAL, std, 0, &d, &E));
    CHECK(d == -INFINITY);
    OK(kn_icdf(KDIST_F, f, 0, &d, &E));
    CHECK(d == 0);
    OK(kn_icdf(KDIST_CHISQ, df3, 1, &d, &E));
    CHECK(d == INFINITY);
    const double cauchy[2] = { 1, 0 };
    OK(kn_icdf(KDIST_T, cauchy, 0.5, &d, &E));
    CHECK(d == 0);
    OK(kn_icdf(KDIST_T, cauchy, 1e-12, &d, &E));
    CHECK(fabs(d * 1e-12 * M_PI + 1) < 1e-14);
    OK(kn_icdf(KDIST_T, df3, 0.975, &d, &E));
    OK(kn_cdf(KDIST_T, df3, d, 1, &d, &E));
    CHECK(fabs(d - 0.975) < 1e-14);
    CHECK(kn_icdf(KDIST_T, df3, -0.1, &d, &E) == TSR_RUNTIME);
    CHECK(strcmp(E.msg, "Invalid probability for the inverse t distribution function: -0.10000000000000001 "
                 "out of [0, 1] range") == 0);
    const double bad[2] = { 0, -2 };
    CHECK(kn_cdf(KDIST_NORMAL, bad, 0, 1, &d, &E) == TSR_RUNTIME);
    CHECK(strstr(E.msg, "sd must be positive and finite, found -2") != NULL);
    const double inf[2] = { INFINITY, 0 };
    CHECK(kn_cdf(KDIST_CHISQ, inf, 1, 1, &d, &E) == TSR_RUNTIME);
    CHECK(strcmp(kn_dist_name(KDIST_CHISQ), "chisq") == 0);
}

static void test_bitw(void)
{
    CHECK(kn_bitw_int(KW_SHL, 1, 64) == 1 && kn_bitw_int(KW_SHL, 1, 63) == INT64_MIN);
    CHECK(kn_bitw_int(KW_SHR, INT64_MIN, 63) == -1 && kn_bitw_int(KW_SHR, 5, -63) == 2);
    CHECK(kn_bitw_int(KW_XOR, -1, 0) == -1 && kn_bitw_int(KW_AND, -8, 12) == 8);
    CHECK(kn_bitw_double(KW_OR, -2.7, NAN) == -2.0);   /* NaN -> 0, truncation */
    MatBlock *a = sparse(MK(2, 3, 0, 5, 0, 7, 0, 1)), *b = MK(1, 3, 1, 3, 2), *o = NULL;
    OK(kn_bitw(KW_OR, a, b, &o, &E));
    CHECK(IS(o, 2, 3, 1, 7, 2, 7, 3, 3) && o->nnz == 6);
    mb_free(o);
    OK(kn_bitw_scalar(KW_SHL, a, 1, 1, &o, &E));   /* 1 << cell */
    CHECK(IS(o, 2, 3, 1, 32, 1, 128, 1, 2));
    mb_free(o);
    MatBlock *c = MK(3, 1, 1, 2, 3);
    CHECK(kn_bitw(KW_AND, a, c, &o, &E) == TSR_RUNTIME && o == NULL);
    MatBlock *all[] = { a, b, c };
    for (int k = 0; k < 3; k++) mb_free(all[k]);
}

static void test_roll_cumsum_contains(void)
{
    MatBlock *a = MK(3, 2, 1, 0, 0, 0, 0, 6), *s = sparse(MK(3, 2, 1, 0, 0, 0, 0, 6)), *o = NULL;
    OK(kn_roll(a, 1, &o, &E));
    CHECK(IS(o, 3, 2, 0, 6, 1, 0, 0, 0) && o->nnz == 2);
    mb_free(o);
    OK(kn_roll(s, -4, &o, &E));   /* -4 mod 3 = 2 */
    CHECK(o->sparse && IS(o, 3, 2, 0, 0, 0, 6, 1, 0) && o->nnz == 2);
    mb_free(o);
    MatBlock *e = mb_new(0, 3, &E);
    OK(kn_roll(e, 5, &o, &E));
    CHECK(o->rows == 0 && o->cols == 3);
    mb_free(o);
    OK(kn_rowcumsum(s, &o, &E));
    CHECK(IS(o, 3, 2, 1, 1, 0, 0, 0, 6) && o->nnz == 3);
    mb_free(o);
    CHECK(kn_contains(s, 0) && kn_contains(s, 6) && !kn_contains(s, 2));
    MatBlock *n = sparse(MK(1, 2, NAN, 1));
    CHECK(kn_contains(n, NAN) && !kn_contains(n, 0) && !kn_contains(e, 0));
    MatBlock *all[] = { a, s, e, n };
    for (int k = 0; k < 4; k++) mb_free(all[k]);
}

static void test_inter_quantile(void)
{
    MatBlock *x = MK(5, 1, 5, 1, 4, 2, 3), *w = MK(5, 1, 0, 2, 1, 1, 0), *o = NULL;
    OK(kn_inter_quantile(x, NULL, 0.2, &o, &E));   /* ranks 2..4 of 1 2 3 4 5 */
    CHECK(IS(o, 3, 1, 2, 3, 4));
    mb_free(o);
    OK(kn_inter_quantile(x, w, 0.25, &o, &E));   /* sample 1 1 2 4: ranks 2..3 */
    CHECK(IS(o, 2, 1, 1, 2));
    mb_free(o);
    OK(kn_inter_quantile(x, NULL, 0.5, &o, &E));
    CHECK(o->rows == 0 && o->cols == 1);
    mb_free(o);
    CHECK(kn_inter_quantile(x, NULL, 1.5, &o, &E) == TSR_RUNTIME);
    MatBlock *wb = MK(5, 1, 0, 0.5, 1, 1, 0);
    CHECK(kn_inter_quantile(x, wb, 0.1, &o, &E) == TSR_RUNTIME);
    CHECK(strstr(E.msg, "weights must be non-negative integers, found 0.5") != NULL);
    mb_free(x);
    mb_free(w);
    mb_free(wb);
}

static void test_sqrtm(void)
{
    MatBlock *a = sparse(MK(2, 2, 1, 1, 1, 1)), *o = NULL;   /* PSD, singular */
    OK(kn_sqrtm(a, &o, &E));
    double h = sqrt(0.5);
    CHECK(IS(o, 2, 2, h, h, h, h));
    mb_free(o);
    MatBlock *z = mb_new(0, 0, &E), *r = MK(1, 2, 1, 2);
    OK(kn_sqrtm(z, &o, &E));
    CHECK(o->rows == 0 && o->cols == 0);
    mb_free(o);
    CHECK(kn_sqrtm(r, &o, &E) == TSR_RUNTIME && o == NULL);
    mb_free(a);
    mb_free(z);
    mb_free(r);
}

int main(void)
{
    kn_blas_setup();
    kn_dist_setup();
    test_distributions();
    test_bitw();
    test_roll_cumsum_contains();
    test_inter_quantile();
    test_sqrtm();
    return check_summary();
}
