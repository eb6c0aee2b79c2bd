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

#endif
