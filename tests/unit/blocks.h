/*
 * blocks.h - block helpers shared by the C unit tests of the kernels:
 * format conversion of test inputs and bit-for-bit comparison of results.
 * Like check.h, everything is static inline: each test program includes it
 * once and gets its own copy.
 *
 *   tb_as_fmt(m, sparse)   a copy of m, dense (0) or CSR (1); exits on failure
 *   tb_same_bits(a, b)     same shape, format, nnz, CSR structure and cell bits
 *                          (two NULLs are equal)
 */
#ifndef TSR_TESTS_UNIT_BLOCKS_H
#define TSR_TESTS_UNIT_BLOCKS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matrix/matrix.h"

static inline MatBlock *tb_as_fmt(const MatBlock *m, int sparse)
{
    Err e;
    err_clear(&e);
    MatBlock *c = mb_copy(m, &e);
    if (!c || (sparse ? mb_to_sparse_inplace(c, &e) : mb_to_dense_inplace(c, &e))) {
        fprintf(stderr, "format conversion failed: %s\n", e.msg);
        exit(2);
    }
    return c;
}

static inline int tb_same_bits(const MatBlock *a, const MatBlock *b)
{
    if (!a || !b) return a == b;
    if (a->rows != b->rows || a->cols != b->cols || a->nnz != b->nnz || a->sparse != b->sparse)
        return 0;
    if (a->sparse) {
        if (memcmp(a->ptr, b->ptr, (size_t)(a->rows + 1) * sizeof *a->ptr) != 0) return 0;
        int64_t nz = a->ptr[a->rows];
        return nz == 0 || (memcmp(a->idx, b->idx, (size_t)nz * sizeof *a->idx) == 0 &&
                           memcmp(a->val, b->val, (size_t)nz * sizeof *a->val) == 0);
    }
    int64_t n = a->rows * a->cols;
    return n == 0 || memcmp(a->dense, b->dense, (size_t)n * sizeof(double)) == 0;
}

/* Same shape and cells, NaN equal to NaN and a zero of either sign equal
 * to a zero (CSR stores no -0.0, and NaN's sign depends on the operand
 * order): how dense and CSR results compare. */
static inline int tb_same_cells(const MatBlock *x, const MatBlock *y)
{
    if (!x || !y || x->rows != y->rows || x->cols != y->cols) return 0;
    for (int64_t i = 0; i < x->rows; i++)
        for (int64_t j = 0; j < x->cols; j++) {
            double a = mb_get(x, i, j), b = mb_get(y, i, j);
            if (!(a == b || (a != a && b != b))) return 0;
        }
    return 1;
}

/* nnz equals the number of non-zero cells, CSR rows ascend, no zero stored. */
static inline int tb_valid(const MatBlock *m)
{
    int64_t nz = 0;
    if (!m->sparse) {
        for (int64_t i = 0; i < m->rows * m->cols; i++) nz += m->dense[i] != 0.0;
        return nz == m->nnz;
    }
    if (m->ptr[0] != 0 || m->ptr[m->rows] != m->nnz) return 0;
    for (int64_t i = 0; i < m->rows; i++)
        for (int64_t k = m->ptr[i]; k < m->ptr[i + 1]; k++) {
            if (m->val[k] == 0.0 || m->idx[k] < 0 || m->idx[k] >= m->cols) return 0;
            if (k > m->ptr[i] && m->idx[k] <= m->idx[k - 1]) return 0;
        }
    return 1;
}

#endif
