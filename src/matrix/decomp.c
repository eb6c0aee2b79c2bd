/*
 * decomp.c - matrix decompositions of DML.md 7.9 through LAPACKE: cholesky
 * (dpotrf), det (dgetrf), eigen (dsyevd, dgeev for non-symmetric input),
 * svd (dgesdd, economy), qr (dgeqrf) and lu (dgetrf).  solve and inv are in
 * linalg.c.
 *
 * Layout: a row-major n x m block is the column-major storage of its
 * transpose.  Kernels either use that directly (cholesky, det, svd work on
 * A^T) or build an explicit column-major copy (qr, lu, dgeev).  The _work
 * LAPACKE variants are used where NaN input must propagate instead of being
 * rejected by LAPACKE's NaN check; eigen and svd, whose iterations need
 * finite input, return NaN results for non-finite input instead.
 *
 * Eigen and singular vectors have an arbitrary sign; to make results
 * reproducible each vector (pair) is flipped so that its leading entry (the
 * first one of largest magnitude, up to a relative 1e-10) is positive.  Inputs are never modified; all scratch is checked.
 */
#include "matrix/matrix_int.h"

#include <lapacke.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------------------------- */

static tsr_status not_square(const char *fn, const MatBlock *a, Err *err)
{
    return err_set(err, TSR_RUNTIME, "Input to %s() must be square matrix -- given: a %lldx%lld "
                   "matrix.", fn, (long long)a->rows, (long long)a->cols);
}

static tsr_status nomem(const char *fn, Err *err)
{
    return err_set(err, TSR_NOMEM, "out of memory in %s()", fn);
}

static tsr_status no_convergence(const char *fn, Err *err)
{
    return err_set(err, TSR_RUNTIME, "%s(): the LAPACK algorithm did not converge", fn);
}

static double *dbl_alloc(int64_t n)
{
    return malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
}

/* Column-major copy of a (m x n, leading dimension m); a CSR input is
 * scattered from its non-zeros. */
static double *colmajor_copy(const MatBlock *a)
{
    int64_t m = a->rows;
    double *c = dbl_alloc(MB_CELLS(a));
    if (!c) return NULL;
    if (a->sparse) {
        memset(c, 0, (size_t)MB_CELLS(a) * sizeof *c);
        for (int64_t i = 0; i < m; i++)
            for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) c[i + a->idx[k] * m] = a->val[k];
        return c;
    }
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < a->cols; j++) c[i + j * m] = a->dense[i * a->cols + j];
    return c;
}

/* Whether every cell is finite (a CSR block: its stored values). */
static int all_finite(const MatBlock *a)
{
    const double *v = a->sparse ? a->val : a->dense;
    int64_t n = a->sparse ? a->ptr[a->rows] : MB_CELLS(a);
    for (int64_t k = 0; k < n; k++)
        if (!isfinite(v[k])) return 0;
    return 1;
}

/* Flips column j of the row-major r x c array v unless its leading entry
 * (the first whose magnitude is within a relative 1e-10 of the largest, so
 * that rounding cannot break ties like (1, 0, -1)/sqrt(2)) is positive;
 * returns whether it flipped. */
static int fix_sign(double *v, int64_t r, int64_t c, int64_t j)
{
    double mx = 0;
    for (int64_t i = 0; i < r; i++) mx = fmax(mx, fabs(v[i * c + j]));
    int64_t lead = 0;
    while (lead < r && !(fabs(v[lead * c + j]) >= mx * (1 - 1e-10))) lead++;
    if (lead == r || !(v[lead * c + j] < 0)) return 0;
    for (int64_t i = 0; i < r; i++) v[i * c + j] = -v[i * c + j];
    return 1;
}

static void fill(MatBlock *m, double v)
{
    for (int64_t k = 0; k < MB_CELLS(m); k++) m->dense[k] = v;
}

/* Frees n blocks and clears their pointers. */
static void free_all(MatBlock **m, int n)
{
    for (int k = 0; k < n; k++) {
        mb_free(m[k]);
        m[k] = NULL;
    }
}

/* ---- cholesky ------------------------------------------------------------------------------------- */

static tsr_status not_pd(Err *err)
{
    return err_set(err, TSR_RUNTIME, "Input to cholesky() must be a positive definite matrix");
}

static tsr_status check_symmetric(const double *c, int64_t n, Err *err)
{
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < i; j++) {
            double x = c[i * n + j], y = c[j * n + i];
            if (fabs(x - y) > 1e-6 * fmax(fabs(x), fabs(y)))
                return err_set(err, TSR_RUNTIME, "Input to cholesky() must be a symmetric matrix "
                               "(cells [%lld,%lld] and [%lld,%lld] differ)", (long long)i + 1,
                               (long long)j + 1, (long long)j + 1, (long long)i + 1);
        }
    return TSR_OK;
}

/* z holds A (row-major); read column-major it is A^T, whose 'U' factor
 * A^T = U^T U is stored exactly where row-major L = U^T belongs. */
static tsr_status chol_factor(MatBlock *z, const MatBlock *a, Err *err)
{
    lapack_int n = (lapack_int)z->rows;
    if (!all_finite(a)) return not_pd(err);
    if (check_symmetric(z->dense, n, err)) return err->code;
    lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', n, z->dense, n);
    if (info > 0) return not_pd(err);
    if (info < 0) return kn_lapack_fail(info, "cholesky()", err);
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = i + 1; j < n; j++) z->dense[i * n + j] = 0.0;
    return TSR_OK;
}

tsr_status kn_cholesky(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->rows != a->cols) return not_square("cholesky", a, err);
    if (kn_lapack_limit(a, err)) return err->code;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    mb_read_cells(a, z->dense);
    if (a->rows > 0 && chol_factor(z, a, err) != TSR_OK) {
        mb_free(z);
        return err->code;
    }
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}

/* ---- det ------------------------------------------------------------------------------------------- */

tsr_status kn_det(const MatBlock *a, double *out, Err *err)
{
    if (a->rows != a->cols) return not_square("det", a, err);
    if (kn_lapack_limit(a, err)) return err->code;
    lapack_int n = (lapack_int)a->rows;
    *out = 1.0;
    if (n == 0) return TSR_OK;
    double *lu = dbl_alloc(MB_CELLS(a));
    lapack_int *piv = malloc((size_t)n * sizeof *piv);
    tsr_status st = TSR_OK;
    if (!lu || !piv) {
        st = nomem("det", err);
    } else {
        mb_read_cells(a, lu);   /* det(A^T) = det(A) */
        lapack_int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, lu, n, piv);
        if (info < 0) st = kn_lapack_fail(info, "det()", err);
        for (lapack_int i = 0; st == TSR_OK && i < n; i++)
            *out *= piv[i] != i + 1 ? -lu[(int64_t)i * n + i] : lu[(int64_t)i * n + i];
    }
    free(lu);
    free(piv);
    return st;
}

/* ---- eigen ----------------------------------------------------------------------------------------- */

/* Symmetric within 1e-10 of the largest magnitude: use dsyevd. */
static int nearly_symmetric(const MatBlock *a)
{
    int64_t n = a->rows;
    double mx = 0;
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < n; j++) mx = fmax(mx, fabs(mb_get(a, i, j)));
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < i; j++)
            if (fabs(mb_get(a, i, j) - mb_get(a, j, i)) > 1e-10 * mx) return 0;
    return 1;
}

/* dsyevd: values ascending into val, vectors column-major into vec. */
static tsr_status eig_symmetric(const MatBlock *a, double *val, double *vec, Err *err)
{
    lapack_int n = (lapack_int)a->rows;
    mb_read_cells(a, vec);   /* A^T, equal to A up to the tolerance */
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', n, vec, n, val);
    if (info > 0) return no_convergence("eigen", err);
    return info < 0 ? kn_lapack_fail(info, "eigen()", err) : TSR_OK;
}

/* Sorts the real eigenpairs (val[k], column k of vec) ascending. */
static tsr_status eig_sort(double *val, double *vec, int64_t n, Err *err)
{
    int64_t *idx = kn_argsort(val, n, 0);
    double *v2 = dbl_alloc(n), *e2 = dbl_alloc(n * n);
    tsr_status st = TSR_OK;
    if (!idx || !v2 || !e2) {
        st = nomem("eigen", err);
    } else {
        for (int64_t k = 0; k < n; k++) {
            v2[k] = val[idx[k]];
            memcpy(e2 + k * n, vec + idx[k] * n, (size_t)n * sizeof *e2);
        }
        memcpy(val, v2, (size_t)n * sizeof *val);
        memcpy(vec, e2, (size_t)(n * n) * sizeof *vec);
    }
    free(idx);
    free(v2);
    free(e2);
    return st;
}

/* dgeev on a column-major copy; complex eigenvalues are an error. */
static tsr_status eig_general(const MatBlock *a, double *val, double *vec, Err *err)
{
    lapack_int n = (lapack_int)a->rows, info = 0;
    double *c = colmajor_copy(a), *wi = dbl_alloc(n);
    tsr_status st = TSR_OK;
    if (!c || !wi) st = nomem("eigen", err);
    else info = LAPACKE_dgeev(LAPACK_COL_MAJOR, 'N', 'V', n, c, n, val, wi, NULL, 1, vec, n);
    if (st == TSR_OK && info > 0) st = no_convergence("eigen", err);
    else if (st == TSR_OK && info < 0) st = kn_lapack_fail(info, "eigen()", err);
    for (lapack_int k = 0; st == TSR_OK && k < n; k++)
        if (wi[k] != 0)
            st = err_set(err, TSR_RUNTIME, "eigen(): complex eigenvalues are not supported");
    if (st == TSR_OK) st = eig_sort(val, vec, n, err);
    free(c);
    free(wi);
    return st;
}

static tsr_status eig_compute(const MatBlock *a, MatBlock *val, MatBlock *vec, Err *err)
{
    int64_t n = a->rows;
    double *cm = dbl_alloc(n * n);
    if (!cm) return nomem("eigen", err);
    tsr_status st = nearly_symmetric(a) ? eig_symmetric(a, val->dense, cm, err)
                                        : eig_general(a, val->dense, cm, err);
    if (st == TSR_OK) {
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < n; j++) vec->dense[i * n + j] = cm[i + j * n];
        for (int64_t j = 0; j < n; j++) fix_sign(vec->dense, n, n, j);
    }
    free(cm);
    return st;
}

tsr_status kn_eigen(const MatBlock *a, MatBlock **values, MatBlock **vectors, Err *err)
{
    MatBlock *r[2];
    *values = *vectors = NULL;
    if (a->rows != a->cols)
        return err_set(err, TSR_RUNTIME, "Eigen Decomposition can only be done on a square "
                       "matrix. Input matrix is rectangular (rows=%lld, cols=%lld)",
                       (long long)a->rows, (long long)a->cols);
    if (kn_lapack_limit(a, err)) return err->code;
    r[0] = mb_new(a->rows, 1, err);
    r[1] = r[0] ? mb_new(a->rows, a->rows, err) : NULL;
    if (!r[1]) {
        free_all(r, 2);
        return err->code;
    }
    if (!all_finite(a)) {
        fill(r[0], NAN);
        fill(r[1], NAN);
    } else if (a->rows > 0 && eig_compute(a, r[0], r[1], err) != TSR_OK) {
        free_all(r, 2);
        return err->code;
    }
    mb_recount_nnz(r[0]);
    mb_recount_nnz(r[1]);
    *values = r[0];
    *vectors = r[1];
    return TSR_OK;
}

/* ---- svd --------------------------------------------------------------------------------------------- */

/* SVD of A^T (the row-major cells read column-major, n x m): A^T = V S U^T,
 * so dgesdd's VT (k x m, column-major) is U in row-major and its U (n x k)
 * is V column-major. */
static tsr_status svd_compute(const MatBlock *a, MatBlock *u, MatBlock *s, MatBlock *v,
                              Err *err)
{
    lapack_int m = (lapack_int)a->rows, n = (lapack_int)a->cols, k = m < n ? m : n, info = 0;
    double *c = dbl_alloc(MB_CELLS(a)), *sv = dbl_alloc(k), *vc = dbl_alloc((int64_t)n * k);
    tsr_status st = TSR_OK;
    if (!c || !sv || !vc) {
        st = nomem("svd", err);
    } else {
        mb_read_cells(a, c);
        info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', n, m, c, n, sv, vc, n, u->dense, k);
        if (info > 0) st = no_convergence("svd", err);
        else if (info < 0) st = kn_lapack_fail(info, "svd()", err);
    }
    for (int64_t j = 0; st == TSR_OK && j < k; j++) {
        s->dense[j * k + j] = sv[j];
        for (int64_t i = 0; i < n; i++) v->dense[i * k + j] = vc[i + j * n];
        if (fix_sign(u->dense, m, k, j))
            for (int64_t i = 0; i < n; i++) v->dense[i * k + j] = -v->dense[i * k + j];
    }
    free(c);
    free(sv);
    free(vc);
    return st;
}

tsr_status kn_svd(const MatBlock *a, MatBlock **u, MatBlock **s, MatBlock **v, Err *err)
{
    int64_t m = a->rows, n = a->cols, k = m < n ? m : n;
    MatBlock *r[3] = { NULL, NULL, NULL };
    *u = *s = *v = NULL;
    if (kn_lapack_limit(a, err)) return err->code;
    if (!(r[0] = mb_new(m, k, err)) || !(r[1] = mb_new(k, k, err)) || !(r[2] = mb_new(n, k, err))) {
        free_all(r, 3);
        return err->code;
    }
    if (!all_finite(a)) {
        fill(r[0], NAN);
        fill(r[2], NAN);
        for (int64_t j = 0; j < k; j++) r[1]->dense[j * k + j] = NAN;
    } else if (k > 0 && svd_compute(a, r[0], r[1], r[2], err) != TSR_OK) {
        free_all(r, 3);
        return err->code;
    }
    for (int q = 0; q < 3; q++) mb_recount_nnz(r[q]);
    *u = r[0], *s = r[1], *v = r[2];
    return TSR_OK;
}

/* ---- qr ----------------------------------------------------------------------------------------------- */

/* dgeqrf_work (NaN propagates) with a workspace query. */
static tsr_status qr_factor(double *c, lapack_int m, lapack_int n, double *tau, Err *err)
{
    double q = 0;
    lapack_int info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, c, m, tau, &q, -1);
    double *work = info == 0 ? dbl_alloc(q >= 1 ? (int64_t)q : 1) : NULL;
    if (info == 0 && !work) return nomem("qr", err);
    if (info == 0) info = LAPACKE_dgeqrf_work(LAPACK_COL_MAJOR, m, n, c, m, tau, work,
                                              q >= 1 ? (lapack_int)q : 1);
    free(work);
    return info ? kn_lapack_fail(info, "qr()", err) : TSR_OK;
}

/* R from the upper triangle; H column j = LAPACK's v_j (v_j[j] = 1) scaled
 * by -tau_j R[j,j] = alpha - beta, i.e. x - R[j,j] e_j (Commons Math).
 * Where LAPACK skipped the reflection (tau_j = 0: nothing below the
 * diagonal) Commons Math still reflects x_j e_j to -x_j e_j, i.e. v_j =
 * 2 x_j e_j and row j of R negated; later steps only see rows > j, so
 * applying that here gives Commons Math's factors. */
static void qr_unpack(const double *c, const double *tau, int64_t m, int64_t n, MatBlock *h,
                      MatBlock *r)
{
    int64_t k = m < n ? m : n;
    for (int64_t i = 0; i < k; i++)
        for (int64_t j = i; j < n; j++) r->dense[i * n + j] = c[i + j * m];
    for (int64_t j = 0; j < k; j++) {
        double rjj = c[j + j * m], scale = -tau[j] * rjj;
        if (tau[j] == 0) {
            if (rjj == 0) continue;   /* x = 0: H_j = I, zero column */
            h->dense[j * n + j] = 2 * rjj;
            for (int64_t q = j; q < n; q++)   /* 0.0 - x: zeros stay +0.0 */
                r->dense[j * n + q] = 0.0 - r->dense[j * n + q];
            continue;
        }
        h->dense[j * n + j] = scale;
        for (int64_t i = j + 1; i < m; i++) h->dense[i * n + j] = c[i + j * m] * scale;
    }
}

tsr_status kn_qr(const MatBlock *a, MatBlock **h, MatBlock **r, Err *err)
{
    int64_t m = a->rows, n = a->cols, k = m < n ? m : n;
    MatBlock *z[2] = { NULL, NULL };
    *h = *r = NULL;
    if (kn_lapack_limit(a, err)) return err->code;
    if (!(z[0] = mb_new(m, n, err)) || !(z[1] = mb_new(m, n, err))) {
        free_all(z, 2);
        return err->code;
    }
    if (k > 0) {
        double *c = colmajor_copy(a), *tau = dbl_alloc(k);
        tsr_status st = !c || !tau ? nomem("qr", err) : qr_factor(c, (lapack_int)m,
                                                                   (lapack_int)n, tau, err);
        if (st == TSR_OK) qr_unpack(c, tau, m, n, z[0], z[1]);
        free(c);
        free(tau);
        if (st != TSR_OK) {
            free_all(z, 2);
            return st;
        }
    }
    mb_recount_nnz(z[0]);
    mb_recount_nnz(z[1]);
    *h = z[0], *r = z[1];
    return TSR_OK;
}

/* ---- lu ------------------------------------------------------------------------------------------------- */

/* P from the row interchanges, L (unit lower) and U from the factors. */
static void lu_unpack(const double *c, const lapack_int *piv, int64_t n, MatBlock *p,
                      MatBlock *l, MatBlock *u, int64_t *perm)
{
    for (int64_t i = 0; i < n; i++) perm[i] = i;
    for (int64_t i = 0; i < n; i++) {
        int64_t t = perm[i];
        perm[i] = perm[piv[i] - 1];
        perm[piv[i] - 1] = t;
    }
    for (int64_t i = 0; i < n; i++) {
        p->dense[i * n + perm[i]] = 1.0;
        l->dense[i * n + i] = 1.0;
        for (int64_t j = 0; j < i; j++) l->dense[i * n + j] = c[i + j * n];
        for (int64_t j = i; j < n; j++) u->dense[i * n + j] = c[i + j * n];
    }
}

static tsr_status lu_compute(const MatBlock *a, MatBlock **z, Err *err)
{
    lapack_int n = (lapack_int)a->rows;
    double *c = colmajor_copy(a);
    lapack_int *piv = malloc((size_t)n * sizeof *piv);
    int64_t *perm = malloc((size_t)n * sizeof *perm);
    tsr_status st = TSR_OK;
    if (!c || !piv || !perm) {
        st = nomem("lu", err);
    } else {
        lapack_int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, c, n, piv);
        if (info > 0)
            st = err_set(err, TSR_RUNTIME, "LU Decomposition can only be done on a non-singular "
                         "matrix.");
        else if (info < 0) st = kn_lapack_fail(info, "lu()", err);
        else lu_unpack(c, piv, n, z[0], z[1], z[2], perm);
    }
    free(c);
    free(piv);
    free(perm);
    return st;
}

tsr_status kn_lu(const MatBlock *a, MatBlock **p, MatBlock **l, MatBlock **u, Err *err)
{
    int64_t n = a->rows;
    MatBlock *z[3] = { NULL, NULL, NULL };
    *p = *l = *u = NULL;
    if (a->rows != a->cols)
        return err_set(err, TSR_RUNTIME, "LU Decomposition can only be done on a square matrix. "
                       "Input matrix is rectangular (rows=%lld, cols=%lld)", (long long)a->rows,
                       (long long)a->cols);
    if (kn_lapack_limit(a, err)) return err->code;
    if (!(z[0] = mb_new(n, n, err)) || !(z[1] = mb_new(n, n, err)) || !(z[2] = mb_new(n, n, err))
        || (n > 0 && lu_compute(a, z, err) != TSR_OK)) {
        free_all(z, 3);
        return err->code;
    }
    for (int q = 0; q < 3; q++) mb_recount_nnz(z[q]);
    *p = z[0], *l = z[1], *u = z[2];
    return TSR_OK;
}
