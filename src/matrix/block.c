/*
 * block.c - allocation and cell access of matrix blocks (mb_*).  Kernels are
 * in the other files of this module.
 */
#include "matrix/matrix.h"

#include <stdlib.h>
#include <math.h>
#include <string.h>

MatBlock *mb_new(int64_t rows, int64_t cols, Err *err)
{
    int64_t cells;
    if (rows < 0 || cols < 0) {
        err_set(err, TSR_RUNTIME, "invalid matrix dimensions %lldx%lld", (long long)rows,
                (long long)cols);
        return NULL;
    }
    if (mul_overflows_i64(rows, cols, &cells) || cells > MB_MAX_CELLS) {
        err_set(err, TSR_LIMIT, "matrix of %lldx%lld cells exceeds the size limit",
                (long long)rows, (long long)cols);
        return NULL;
    }
    MatBlock *m = calloc(1, sizeof *m);
    if (!m) {
        err_set(err, TSR_NOMEM, "out of memory");
        return NULL;
    }
    m->rows = rows;
    m->cols = cols;
    if (cells > 0) {
        m->dense = calloc((size_t)cells, sizeof(double));
        if (!m->dense) {
            free(m);
            err_set(err, TSR_NOMEM, "out of memory allocating a %lldx%lld matrix",
                    (long long)rows, (long long)cols);
            return NULL;
        }
    }
    return m;
}

MatBlock *mb_new_fill(int64_t rows, int64_t cols, double v, Err *err)
{
    MatBlock *m = mb_new(rows, cols, err);
    if (!m || (v == 0.0 && !signbit(v))) return m;   /* calloc gives +0.0 */
    int64_t n = rows * cols;
    for (int64_t i = 0; i < n; i++) m->dense[i] = v;
    m->nnz = v == 0.0 ? 0 : n;   /* -0.0 is a zero */
    return m;
}

MatBlock *mb_copy(const MatBlock *a, Err *err)
{
    MatBlock *m = mb_new(a->rows, a->cols, err);
    if (!m) return NULL;
    if (a->dense) memcpy(m->dense, a->dense, (size_t)(a->rows * a->cols) * sizeof(double));
    m->nnz = a->nnz;
    return m;
}

void mb_free(MatBlock *m)
{
    if (!m) return;
    free(m->dense);
    free(m);
}

double mb_get(const MatBlock *m, int64_t i, int64_t j)
{
    return m->dense[i * m->cols + j];
}

void mb_set(MatBlock *m, int64_t i, int64_t j, double v)
{
    double *c = &m->dense[i * m->cols + j];
    m->nnz += (v != 0.0) - (*c != 0.0);
    *c = v;
}

void mb_recount_nnz(MatBlock *m)
{
    int64_t n = m->rows * m->cols, nz = 0;
    for (int64_t i = 0; i < n; i++) nz += (m->dense[i] != 0.0);
    m->nnz = nz;
}

MatBlock *mb_scalar(double v, Err *err)
{
    return mb_new_fill(1, 1, v, err);
}
