/*
 * linalg.c - solve(A, b) and inv(A) (DML.md 7.9) through LAPACKE.
 *
 * A row-major n x n block is the column-major storage of its transpose, so
 * square problems factor A^T in place (dgetrf) and solve with the
 * transposed factors (dgetrs 'T'); inv uses dgetri, whose column-major
 * result is exactly the row-major inverse.  Non-square systems go to dgels
 * (Householder QR least squares for m > n, minimum norm for m < n).
 * Singular input (an exactly zero pivot or R diagonal) is the error
 * "matrix is singular", as SystemDS's Commons-Math solvers report it.
 * The _work LAPACKE entry points are used so that NaN cells propagate into
 * the result instead of being rejected by LAPACKE's NaN check.  These are
 * dense algorithms: a sparse input is read into a dense working copy
 * (mb_read_cells), and results are dense.
 */
#include "matrix/matrix_int.h"

#include <lapacke.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

tsr_status kn_lapack_limit(const MatBlock *a, Err *err)
{
    if (a->rows > INT_MAX || a->cols > INT_MAX)
        return err_set(err, TSR_LIMIT, "a %lldx%lld matrix exceeds the LAPACK size limit",
                       (long long)a->rows, (long long)a->cols);
    return TSR_OK;
}

static tsr_status singular(Err *err)
{
    return err_set(err, TSR_RUNTIME, "matrix is singular");
}

/* info < 0 from LAPACKE: its own workspace allocation failed, or (a bug)
 * an argument was invalid. */
tsr_status kn_lapack_fail(int info, const char *fn, Err *err)
{
    if (info == LAPACK_WORK_MEMORY_ERROR || info == LAPACK_TRANSPOSE_MEMORY_ERROR)
        return err_set(err, TSR_NOMEM, "out of memory in %s", fn);
    return err_set(err, TSR_RUNTIME, "%s: LAPACK error %d", fn, (int)info);
}

/* Square system: LU of A^T (= row-major A read column-major). */
static tsr_status solve_square(const MatBlock *a, MatBlock *x, Err *err)
{
    lapack_int n = (lapack_int)a->rows;
    double *lu = malloc((size_t)a->rows * (size_t)a->cols * sizeof *lu);
    lapack_int *piv = malloc((size_t)n * sizeof *piv);
    tsr_status st = TSR_OK;
    if (!lu || !piv) {
        st = err_set(err, TSR_NOMEM, "out of memory in solve()");
    } else {
        mb_read_cells(a, lu);
        lapack_int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, lu, n, piv);
        if (info > 0) st = singular(err);
        else if (info == 0) info = LAPACKE_dgetrs_work(LAPACK_COL_MAJOR, 'T', n, 1, lu, n, piv,
                                                       x->dense, n);
        if (info < 0) st = kn_lapack_fail(info, "solve()", err);
    }
    free(lu);
    free(piv);
    return st;
}

/* dgels through the _work interface (no LAPACKE NaN check: NaN cells
 * propagate) with a workspace query. */
static lapack_int dgels_nan(lapack_int m, lapack_int n, double *qr, double *rhs)
{
    double q = 0;
    lapack_int info = LAPACKE_dgels_work(LAPACK_ROW_MAJOR, 'N', m, n, 1, qr, n, rhs, 1, &q, -1);
    if (info != 0) return info;
    lapack_int lw = q >= 1 ? (lapack_int)q : 1;
    double *work = malloc((size_t)lw * sizeof *work);
    if (!work) return LAPACK_WORK_MEMORY_ERROR;
    info = LAPACKE_dgels_work(LAPACK_ROW_MAJOR, 'N', m, n, 1, qr, n, rhs, 1, work, lw);
    free(work);
    return info;
}

/* dgetri_work with a workspace query (see dgels_nan). */
static lapack_int dgetri_nan(lapack_int n, double *a, const lapack_int *piv)
{
    double q = 0;
    lapack_int info = LAPACKE_dgetri_work(LAPACK_COL_MAJOR, n, a, n, piv, &q, -1);
    if (info != 0) return info;
    lapack_int lw = q >= 1 ? (lapack_int)q : 1;
    double *work = malloc((size_t)lw * sizeof *work);
    if (!work) return LAPACK_WORK_MEMORY_ERROR;
    info = LAPACKE_dgetri_work(LAPACK_COL_MAJOR, n, a, n, piv, work, lw);
    free(work);
    return info;
}

/* Rectangular system: dgels on a copy; the solution is the first n rows of
 * the max(m,n) right-hand side. */
static tsr_status solve_ls(const MatBlock *a, const MatBlock *b, MatBlock *x, Err *err)
{
    lapack_int m = (lapack_int)a->rows, n = (lapack_int)a->cols, mx = m > n ? m : n;
    double *qr = malloc((size_t)a->rows * (size_t)a->cols * sizeof *qr);
    double *rhs = calloc((size_t)mx, sizeof *rhs);
    tsr_status st = TSR_OK;
    if (!qr || !rhs) {
        st = err_set(err, TSR_NOMEM, "out of memory in solve()");
    } else {
        mb_read_cells(a, qr);
        mb_read_cells(b, rhs);   /* b is m x 1; rhs has max(m, n) cells */
        lapack_int info = dgels_nan(m, n, qr, rhs);
        if (info > 0) st = singular(err);
        else if (info < 0) st = kn_lapack_fail(info, "solve()", err);
        else memcpy(x->dense, rhs, (size_t)n * sizeof *rhs);
    }
    free(qr);
    free(rhs);
    return st;
}

tsr_status kn_solve(const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err)
{
    *out = NULL;
    if (b->cols != 1) return err_set(err, TSR_RUNTIME, "Second input to solve() must be a vector");
    if (b->rows != a->rows)
        return err_set(err, TSR_RUNTIME,
                       "dimension mismatch in solve(): A is %lldx%lld but b is %lldx%lld",
                       (long long)a->rows, (long long)a->cols, (long long)b->rows,
                       (long long)b->cols);
    if (kn_lapack_limit(a, err) != TSR_OK) return err->code;
    MatBlock *x;
    tsr_status st = TSR_OK;
    if (a->rows == a->cols) {
        if (!(x = mb_new(b->rows, 1, err))) return err->code;
        mb_read_cells(b, x->dense);
        if (a->rows > 0) st = solve_square(a, x, err);
    } else {
        if (!(x = mb_new(a->cols, 1, err))) return err->code;
        if (a->rows > 0 && a->cols > 0) st = solve_ls(a, b, x, err);
    }
    if (st != TSR_OK) {
        mb_free(x);
        return st;
    }
    mb_recount_nnz(x);
    *out = x;
    return TSR_OK;
}

tsr_status kn_inv(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->rows != a->cols)
        return err_set(err, TSR_RUNTIME,
                       "Input to inv() must be square matrix -- given: a %lldx%lld matrix.",
                       (long long)a->rows, (long long)a->cols);
    if (kn_lapack_limit(a, err) != TSR_OK) return err->code;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    mb_read_cells(a, z->dense);
    lapack_int n = (lapack_int)a->rows;
    tsr_status st = TSR_OK;
    if (n > 0) {
        lapack_int *piv = malloc((size_t)n * sizeof *piv);
        if (!piv) {
            st = err_set(err, TSR_NOMEM, "out of memory in inv()");
        } else {
            lapack_int info = LAPACKE_dgetrf_work(LAPACK_COL_MAJOR, n, n, z->dense, n, piv);
            if (info == 0) info = dgetri_nan(n, z->dense, piv);
            if (info > 0) st = singular(err);
            else if (info < 0) st = kn_lapack_fail(info, "inv()", err);
            free(piv);
        }
    }
    if (st != TSR_OK) {
        mb_free(z);
        return st;
    }
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}
