/*
 * format.c - toString of a matrix (DML.md 6.2): dense rows of fixed-point
 * cells joined by `sep`, each row ended by `linesep`, or, with sparse=TRUE,
 * one "i sep j sep value linesep" line per non-zero cell (1-based).  Only
 * the first rows x cols cells are rendered (negative = all).
 *
 * Both block formats are rendered without converting them: a CSR block
 * prints its non-zeros straight from the CSR arrays (sparse=TRUE) or walks
 * each row with a cursor over its CSR entries, printing zeros in between.
 *
 * The cell format itself (round-half-even on the exact binary value, -0.0,
 * NaN/Infinity, decimal = -1) is nf_fixed in util; frames and lists are
 * rendered by the runtime.
 */
#include "matrix/matrix_int.h"

static int64_t clamp_limit(int64_t limit, int64_t dim)
{
    return limit < 0 || limit > dim ? dim : limit;
}

/* Cursor over the first n cells of row i, either format. */
typedef struct RowCur {
    const MatBlock *a;
    int64_t i, k, end;
} RowCur;

static RowCur row_cur(const MatBlock *a, int64_t i)
{
    RowCur c = { a, i, 0, 0 };
    if (a->sparse) {
        c.k = a->ptr[i];
        c.end = a->ptr[i + 1];
    }
    return c;
}

/* Cell j of the row; j must ascend from call to call. */
static double row_cell(RowCur *c, int64_t j)
{
    const MatBlock *a = c->a;
    if (!a->sparse) return a->dense[c->i * a->cols + j];
    while (c->k < c->end && a->idx[c->k] < j) c->k++;
    return c->k < c->end && a->idx[c->k] == j ? a->val[c->k] : 0.0;
}

static void put_ijv(int64_t i, int64_t j, double v, int decimal, const char *sep,
                    const char *linesep, StrBuf *out)
{
    sb_printf(out, "%lld%s%lld%s", (long long)(i + 1), sep, (long long)(j + 1), sep);
    nf_fixed(out, v, decimal);
    sb_puts(out, linesep);
}

/* sparse=TRUE: the non-zeros among the first n cells of row i. */
static void row_ijv(const MatBlock *a, int64_t i, int64_t n, int decimal, const char *sep,
                    const char *linesep, StrBuf *out)
{
    if (a->sparse) {
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1] && a->idx[k] < n; k++)
            put_ijv(i, a->idx[k], a->val[k], decimal, sep, linesep, out);
        return;
    }
    for (int64_t j = 0; j < n; j++) {
        double v = a->dense[i * a->cols + j];
        if (v != 0.0) put_ijv(i, j, v, decimal, sep, linesep, out);
    }
}

/* Dense form: the first n cells of row i, zeros included. */
static void row_cells(const MatBlock *a, int64_t i, int64_t n, int decimal, const char *sep,
                      const char *linesep, StrBuf *out)
{
    RowCur c = row_cur(a, i);
    for (int64_t j = 0; j < n; j++) {
        if (j > 0) sb_puts(out, sep);
        nf_fixed(out, row_cell(&c, j), decimal);
    }
    sb_puts(out, linesep);
}

void kn_to_string(const MatBlock *a, int64_t rows, int64_t cols, int decimal, int sparse,
                  const char *sep, const char *linesep, StrBuf *out)
{
    int64_t m = clamp_limit(rows, a->rows), n = clamp_limit(cols, a->cols);
    for (int64_t i = 0; i < m; i++) {
        if (sparse) row_ijv(a, i, n, decimal, sep, linesep, out);
        else row_cells(a, i, n, decimal, sep, linesep, out);
    }
}
