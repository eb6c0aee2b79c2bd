/*
 * build.c - how the readers build blocks without a dense copy of sparse
 * data, and how the writers walk the non-zeros of either block format.
 *
 * Row builder (csv, libsvm: rows arrive in order).  Non-zeros go into a CSR
 * block while the data looks sparse.  The builder switches to a dense block
 * (copying the rows built so far, then dropping the CSR) as soon as
 *   - the non-zeros seen so far already make the whole matrix dense under
 *     mb_prefers_sparse (certain: the final count can only be larger), or
 *   - at least RB_SAMPLE_ROWS rows are in and those rows alone are dense
 *     (a guess that saves the CSR detour for ordinary dense files; if the
 *     rest turns out sparse, the final mb_examine converts back).
 * Matrices that can never be sparse (one column, more columns than a CSR
 * index holds, no cells), and those whose known non-zero count (hint: the
 * .mtd nnz, a binary header) is dense, are dense from the start.  So the peak is the dense
 * block plus a partial CSR at the switch, never a full copy of each.
 *
 * Cell builder (text/ijv, Matrix Market: cells in any order).  Cells arriving
 * in row-major order (the common case: what every writer produces) go
 * straight into a CSR block; the first cell out of order moves what was
 * built into an MbCoo and the rest is collected there (sorted on finish).
 * The last cell is held back so that a repeated cell simply replaces it
 * (last wins) without leaving the CSR path.  A block is dense from the start
 * only when even the known non-zero count (hint) or the shape rules out the
 * sparse format.  Memory is proportional to nnz + rows otherwise.
 *
 * Both builders finish with mb_examine(MB_FMT_AUTO): the block gets the
 * format the exact non-zero count calls for.
 */
#include "io/io_int.h"

#include <string.h>

#define RB_SAMPLE_ROWS 256

/* ---- row builder ----------------------------------------------------------------- */

tsr_status io_rb_init(IoRowBuild *b, int64_t rows, int64_t cols, int64_t hint, Err *err)
{
    memset(b, 0, sizeof *b);
    b->rows = rows;
    b->cols = cols;
    if (hint < 0) hint = 0;
    if (mb_prefers_sparse(rows, cols, hint)) b->m = mb_new_sparse(rows, cols, hint, err);
    else b->m = mb_new(rows, cols, err);
    return b->m ? TSR_OK : err->code;
}

tsr_status io_rb_put(IoRowBuild *b, int64_t col, double v, Err *err)
{
    if (!b->m->sparse) return mb_set(b->m, b->row, col, v);   /* keeps -0.0 */
    return mb_csr_push(b->m, (int32_t)col, v, err);           /* ignores zeros */
}

/* Replaces the CSR block by a dense one holding the same closed rows. */
static tsr_status rb_densify(IoRowBuild *b, Err *err)
{
    MatBlock *s = b->m, *d = mb_new(b->rows, b->cols, err);
    if (!d) return err->code;
    for (int64_t i = 0; i < b->row; i++)
        for (int64_t k = s->ptr[i]; k < s->ptr[i + 1]; k++) mb_set(d, i, s->idx[k], s->val[k]);
    mb_free(s);
    b->m = d;
    return TSR_OK;
}

/* Whether the rows closed so far say the matrix is dense (see the header). */
static int rb_dense_now(const IoRowBuild *b)
{
    int64_t nz = b->m->nnz;
    if (!mb_prefers_sparse(b->rows, b->cols, nz)) return 1;
    return b->row >= RB_SAMPLE_ROWS && !mb_prefers_sparse(b->row, b->cols, nz);
}

tsr_status io_rb_end_row(IoRowBuild *b, Err *err)
{
    if (!b->m->sparse) {
        b->row++;
        return TSR_OK;
    }
    mb_csr_end_row(b->m, b->row++);
    return rb_dense_now(b) ? rb_densify(b, err) : TSR_OK;
}

MatBlock *io_rb_finish(IoRowBuild *b, Err *err)
{
    MatBlock *m = b->m;
    b->m = NULL;
    if (m->sparse)
        for (; b->row < b->rows; b->row++) mb_csr_end_row(m, b->row);
    if (mb_examine(m, MB_FMT_AUTO, err) != TSR_OK) {
        mb_free(m);
        return NULL;
    }
    return m;
}

void io_rb_free(IoRowBuild *b)
{
    mb_free(b->m);
    b->m = NULL;
}

/* ---- cell builder ------------------------------------------------------------------ */

enum { CB_DENSE, CB_CSR, CB_COO };

tsr_status io_cb_init(IoCellBuild *b, int64_t rows, int64_t cols, int64_t hint, Err *err)
{
    memset(b, 0, sizeof *b);
    b->rows = rows;
    b->cols = cols;
    if (hint < 0) hint = 0;
    if (!mb_prefers_sparse(rows, cols, hint)) {
        b->mode = CB_DENSE;
        b->m = mb_new(rows, cols, err);
    } else {
        b->mode = CB_CSR;
        b->m = mb_new_sparse(rows, cols, hint, err);
    }
    return b->m ? TSR_OK : err->code;
}

/* Pushes the held-back cell into the CSR block, closing the rows before it. */
static tsr_status cb_flush(IoCellBuild *b, Err *err)
{
    if (!b->pending) return TSR_OK;
    for (; b->row < b->pi; b->row++) mb_csr_end_row(b->m, b->row);
    b->pending = 0;
    return mb_csr_push(b->m, (int32_t)b->pj, b->pv, err);
}

/* Moves the CSR cells built so far (and the held-back one) into the COO.
 * Rows before b->row are closed, so ptr[b->row] is where the open row's
 * cells begin (mb_new_sparse zero-fills ptr). */
static tsr_status cb_to_coo(IoCellBuild *b, Err *err)
{
    MatBlock *s = b->m;
    if (mb_coo_init(&b->coo, b->rows, b->cols, err) != TSR_OK) return err->code;
    b->mode = CB_COO;
    b->m = NULL;
    tsr_status st = TSR_OK;
    for (int64_t i = 0; i < b->row && st == TSR_OK; i++)
        for (int64_t k = s->ptr[i]; k < s->ptr[i + 1] && st == TSR_OK; k++)
            st = mb_coo_add(&b->coo, i, s->idx[k], s->val[k], err);
    /* cells of the open row b->row: pushed but not yet closed */
    for (int64_t k = s->ptr[b->row]; k < s->nnz && st == TSR_OK; k++)
        st = mb_coo_add(&b->coo, b->row, s->idx[k], s->val[k], err);
    if (st == TSR_OK && b->pending) st = mb_coo_add(&b->coo, b->pi, b->pj, b->pv, err);
    b->pending = 0;
    mb_free(s);
    return st;
}

tsr_status io_cb_add(IoCellBuild *b, int64_t i, int64_t j, double v, Err *err)
{
    if (b->mode == CB_DENSE) return mb_set(b->m, i, j, v);
    if (b->mode == CB_COO) return mb_coo_add(&b->coo, i, j, v, err);
    if (b->pending && i == b->pi && j == b->pj) {
        b->pv = v;                                   /* repeated cell: last wins */
        return TSR_OK;
    }
    if (b->pending && (i < b->pi || (i == b->pi && j < b->pj))) {
        if (cb_to_coo(b, err) != TSR_OK) return err->code;
        return mb_coo_add(&b->coo, i, j, v, err);
    }
    if (cb_flush(b, err) != TSR_OK) return err->code;
    b->pi = i;
    b->pj = j;
    b->pv = v;
    b->pending = 1;
    return TSR_OK;
}

MatBlock *io_cb_finish(IoCellBuild *b, Err *err)
{
    if (b->mode == CB_COO) return mb_coo_finish(&b->coo, err);
    MatBlock *m = b->m;
    tsr_status st = TSR_OK;
    if (b->mode == CB_CSR) {
        st = cb_flush(b, err);
        for (; b->row < b->rows; b->row++) mb_csr_end_row(m, b->row);
    }
    b->m = NULL;
    if (st == TSR_OK) st = mb_examine(m, MB_FMT_AUTO, err);
    if (st != TSR_OK) {
        mb_free(m);
        return NULL;
    }
    return m;
}

void io_cb_free(IoCellBuild *b)
{
    if (b->mode == CB_COO) mb_coo_free(&b->coo);
    mb_free(b->m);
    b->m = NULL;
}

/* ---- non-zeros of a row, any format ------------------------------------------------ */

void io_nz_row(IoNz *it, const MatBlock *a, int64_t i)
{
    it->a = a;
    if (a->sparse) {
        it->k = a->ptr[i];
        it->end = a->ptr[i + 1];
        it->row = NULL;
    } else {
        it->k = 0;
        it->end = a->cols;
        it->row = a->cols ? a->dense + i * a->cols : NULL;
    }
}

int io_nz_next(IoNz *it, int64_t *j, double *v)
{
    if (it->a->sparse) {
        if (it->k >= it->end) return 0;
        *j = it->a->idx[it->k];
        *v = it->a->val[it->k++];
        return 1;
    }
    while (it->k < it->end && it->row[it->k] == 0.0) it->k++;
    if (it->k >= it->end) return 0;
    *j = it->k;
    *v = it->row[it->k++];
    return 1;
}

int64_t io_count_nnz(const MatBlock *a)
{
    if (a->sparse) return a->ptr[a->rows];
    int64_t n = a->rows * a->cols, nz = 0;
    for (int64_t k = 0; k < n; k++) nz += a->dense[k] != 0.0;
    return nz;
}
