/*
 * reorg.c - reorganisation and indexing kernels: transpose (cache-blocked),
 * rev, diag, n-ary cbind/rbind, reshape (matrix(A, r, c, byrow)), right
 * indexing (slice) and in-place left indexing (assign_slice/assign_cell).
 * Error texts follow DML.md 4.1, 4.3 and 7.8.
 *
 * Everything here moves cells without arithmetic, so nnz is derived from the
 * inputs where possible instead of recounting.
 */
#include "matrix/matrix_int.h"

#include <string.h>

/* ---- transpose ----------------------------------------------------------------------- */

#define TR_TILE 32

/* Transposes the input rows [r0, r1) (output columns) tile by tile so that
 * both the reads and the writes stay inside a few cache lines. */
static void transpose_rows(const double *a, double *z, int64_t m, int64_t n, int64_t r0,
                           int64_t r1)
{
    for (int64_t i0 = r0; i0 < r1; i0 += TR_TILE) {
        int64_t i1 = i0 + TR_TILE < r1 ? i0 + TR_TILE : r1;
        for (int64_t j0 = 0; j0 < n; j0 += TR_TILE) {
            int64_t j1 = j0 + TR_TILE < n ? j0 + TR_TILE : n;
            for (int64_t i = i0; i < i1; i++)
                for (int64_t j = j0; j < j1; j++) z[j * m + i] = a[i * n + j];
        }
    }
}

tsr_status kn_transpose(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    MatBlock *z = mb_new(a->cols, a->rows, err);
    if (!z) return err->code;
    int64_t cells = MB_CELLS(a);
    if (cells > 0) {
        if (a->rows == 1 || a->cols == 1)
            memcpy(z->dense, a->dense, (size_t)cells * sizeof(double));
        else
            transpose_rows(a->dense, z->dense, a->rows, a->cols, 0, a->rows);
    }
    z->nnz = a->nnz;
    *out = z;
    return TSR_OK;
}

/* ---- rev ---------------------------------------------------------------------------------- */

tsr_status kn_rev(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    int64_t m = a->rows, n = a->cols;
    if (n > 0)
        for (int64_t i = 0; i < m; i++)
            memcpy(z->dense + (m - 1 - i) * n, a->dense + i * n, (size_t)n * sizeof(double));
    z->nnz = a->nnz;
    *out = z;
    return TSR_OK;
}

/* ---- diag ----------------------------------------------------------------------------------- */

tsr_status kn_diag(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    MatBlock *z;
    if (a->cols == 1) {                 /* n x 1 -> n x n (also 1x1 -> 1x1) */
        int64_t n = a->rows;
        if (!(z = mb_new(n, n, err))) return err->code;
        for (int64_t i = 0; i < n; i++) z->dense[i * n + i] = a->dense[i];
    } else if (a->rows == a->cols) {    /* n x n -> n x 1 */
        int64_t n = a->rows;
        if (!(z = mb_new(n, 1, err))) return err->code;
        for (int64_t i = 0; i < n; i++) z->dense[i] = a->dense[i * n + i];
        mb_recount_nnz(z);
    } else {
        return err_set(err, TSR_RUNTIME,
                       "diag can either: (1) create diagonal matrix from (n x 1) matrix, or (2) "
                       "take diagonal from a square matrix. Error invoking diag on matrix with "
                       "dimensions (%lld,%lld)",
                       (long long)a->rows, (long long)a->cols);
    }
    if (a->cols == 1) z->nnz = a->nnz;
    *out = z;
    return TSR_OK;
}

/* ---- cbind / rbind ---------------------------------------------------------------------------- */

tsr_status kn_cbind(const MatBlock *const *in, int n, MatBlock **out, Err *err)
{
    *out = NULL;
    if (n <= 0) return (*out = mb_new(0, 0, err)) ? TSR_OK : err->code;
    int64_t rows = in[0]->rows, cols = 0, nnz = 0;
    for (int k = 0; k < n; k++) {
        if (in[k]->rows != rows)
            return err_set(err, TSR_RUNTIME,
                           "inputs to cbind must have same number of rows: input 1 rows: %lld, "
                           "input %d rows: %lld",
                           (long long)rows, k + 1, (long long)in[k]->rows);
        if (__builtin_add_overflow(cols, in[k]->cols, &cols))
            return err_set(err, TSR_LIMIT, "cbind result exceeds the size limit");
        nnz += in[k]->nnz;
    }
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return err->code;
    for (int64_t i = 0; i < rows; i++) {
        double *o = z->dense + i * cols;
        for (int k = 0; k < n; k++) {
            int64_t c = in[k]->cols;
            if (c == 0) continue;
            memcpy(o, in[k]->dense + i * c, (size_t)c * sizeof(double));
            o += c;
        }
    }
    z->nnz = nnz;
    *out = z;
    return TSR_OK;
}

tsr_status kn_rbind(const MatBlock *const *in, int n, MatBlock **out, Err *err)
{
    *out = NULL;
    if (n <= 0) return (*out = mb_new(0, 0, err)) ? TSR_OK : err->code;
    int64_t cols = in[0]->cols, rows = 0, nnz = 0;
    for (int k = 0; k < n; k++) {
        if (in[k]->cols != cols)
            return err_set(err, TSR_RUNTIME,
                           "inputs to rbind must have same number of columns: input 1 columns: "
                           "%lld, input %d columns: %lld",
                           (long long)cols, k + 1, (long long)in[k]->cols);
        if (__builtin_add_overflow(rows, in[k]->rows, &rows))
            return err_set(err, TSR_LIMIT, "rbind result exceeds the size limit");
        nnz += in[k]->nnz;
    }
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return err->code;
    double *o = z->dense;
    for (int k = 0; k < n; k++) {
        int64_t cells = MB_CELLS(in[k]);
        if (cells == 0) continue;
        memcpy(o, in[k]->dense, (size_t)cells * sizeof(double));
        o += cells;
    }
    z->nnz = nnz;
    *out = z;
    return TSR_OK;
}

/* ---- reshape ----------------------------------------------------------------------------------- */

/* Column-major read and write: cell k (in column-major order) of the input
 * becomes cell k of the output. */
static void reshape_colmajor(const MatBlock *a, MatBlock *z)
{
    int64_t ri = 0, ci = 0, am = a->rows, an = a->cols, zm = z->rows, zn = z->cols;
    for (int64_t co = 0; co < zn; co++)
        for (int64_t ro = 0; ro < zm; ro++) {
            z->dense[ro * zn + co] = a->dense[ri * an + ci];
            if (++ri == am) {
                ri = 0;
                ci++;
            }
        }
}

tsr_status kn_reshape(const MatBlock *a, int64_t rows, int64_t cols, int byrow,
                      MatBlock **out, Err *err)
{
    int64_t cells;
    *out = NULL;
    if (rows < 0 || cols < 0 || mul_overflows_i64(rows, cols, &cells) || cells != MB_CELLS(a))
        return err_set(err, TSR_RUNTIME,
                       "Reshape matrix requires consistent numbers of input/output cells "
                       "(%lld:%lld, %lld:%lld).",
                       (long long)a->rows, (long long)a->cols, (long long)rows, (long long)cols);
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return err->code;
    if (cells > 0) {
        if (byrow || (a->cols == 1 && cols == 1) || rows == a->rows)
            memcpy(z->dense, a->dense, (size_t)cells * sizeof(double));
        else
            reshape_colmajor(a, z);
    }
    z->nnz = a->nnz;
    *out = z;
    return TSR_OK;
}

/* ---- indexing --------------------------------------------------------------------------------------- */

static tsr_status check_range(const MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                              Err *err)
{
    if (rl < 1 || rl > ru || ru > a->rows || cl < 1 || cl > cu || cu > a->cols)
        return err_set(err, TSR_RUNTIME,
                       "Invalid values for matrix indexing: [%lld:%lld,%lld:%lld] must be within "
                       "matrix dimensions [%lld,%lld]",
                       (long long)rl, (long long)ru, (long long)cl, (long long)cu,
                       (long long)a->rows, (long long)a->cols);
    return TSR_OK;
}

static int64_t count_nz(const double *x, int64_t n)
{
    int64_t nz = 0;
    for (int64_t i = 0; i < n; i++) nz += (x[i] != 0.0);
    return nz;
}

tsr_status kn_slice(const MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                    MatBlock **out, Err *err)
{
    *out = NULL;
    if (check_range(a, rl, ru, cl, cu, err) != TSR_OK) return err->code;
    int64_t m = ru - rl + 1, n = cu - cl + 1, nz = 0;
    MatBlock *z = mb_new(m, n, err);
    if (!z) return err->code;
    if (m == a->rows && n == a->cols) {
        memcpy(z->dense, a->dense, (size_t)(m * n) * sizeof(double));
        nz = a->nnz;
    } else {
        for (int64_t i = 0; i < m; i++) {
            double *o = z->dense + i * n;
            memcpy(o, a->dense + (rl - 1 + i) * a->cols + (cl - 1), (size_t)n * sizeof(double));
            nz += count_nz(o, n);
        }
    }
    z->nnz = nz;
    *out = z;
    return TSR_OK;
}

tsr_status kn_assign_slice(MatBlock *a, int64_t rl, int64_t ru, int64_t cl, int64_t cu,
                           const MatBlock *src, Err *err)
{
    if (check_range(a, rl, ru, cl, cu, err) != TSR_OK) return err->code;
    int64_t m = ru - rl + 1, n = cu - cl + 1;
    if (src->rows != m || src->cols != n)
        return err_set(err, TSR_RUNTIME,
                       "Invalid values for matrix indexing: dimensions of the source matrix "
                       "[%lldx%lld] do not match the shape of the matrix specified by indices "
                       "[%lld:%lld, %lld:%lld].",
                       (long long)src->rows, (long long)src->cols, (long long)rl, (long long)ru,
                       (long long)cl, (long long)cu);
    if (src == a) return TSR_OK;   /* whole-matrix self assignment */
    int64_t nnz = a->nnz;
    for (int64_t i = 0; i < m; i++) {
        double *o = a->dense + (rl - 1 + i) * a->cols + (cl - 1);
        const double *x = src->dense + i * n;
        nnz -= count_nz(o, n);
        memcpy(o, x, (size_t)n * sizeof(double));
    }
    a->nnz = nnz + src->nnz;
    return TSR_OK;
}

tsr_status kn_assign_cell(MatBlock *a, int64_t r, int64_t c, double v, Err *err)
{
    if (check_range(a, r, r, c, c, err) != TSR_OK) return err->code;
    mb_set(a, r - 1, c - 1, v);
    return TSR_OK;
}
