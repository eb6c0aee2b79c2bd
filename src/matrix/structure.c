/*
 * structure.c - structural kernels of DML.md 7.8: table/ctable (contingency
 * tables), removeEmpty, replace and lower.tri/upper.tri.
 *
 * Inputs are read through the block API (mb_get) and never modified; the
 * results are new dense blocks with an exact nnz.  Sorting kernels (order,
 * unique) are in sort.c, grouped aggregates in stats.c.
 */
#include "matrix/matrix_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- table ---------------------------------------------------------------------------------- */

/* One input of table(): a block, or a scalar when m == NULL. */
typedef struct TabIn {
    const MatBlock *m;
    double s;
} TabIn;

static double tab_at(const TabIn *t, int64_t k)
{
    return t->m ? mb_get(t->m, k / t->m->cols, k % t->m->cols) : t->s;
}

/* All block inputs must have one shape; *n = its cell count (1 if all
 * inputs are scalars). */
static tsr_status table_shape(const TabIn in[3], int64_t *n, Err *err)
{
    const MatBlock *ref = NULL;
    for (int k = 0; k < 3; k++) {
        const MatBlock *m = in[k].m;
        if (!m) continue;
        if (ref && (m->rows != ref->rows || m->cols != ref->cols))
            return err_set(err, TSR_RUNTIME,
                           "table(): inputs must have the same dimensions: %lldx%lld vs %lldx%lld",
                           (long long)ref->rows, (long long)ref->cols, (long long)m->rows,
                           (long long)m->cols);
        if (!ref) ref = m;
    }
    *n = ref ? MB_CELLS(ref) : 1;
    return TSR_OK;
}

/* Entry k as (i, j, w); 0 when skipped (a NaN), -1 on a value <= 0. */
static int table_entry(const TabIn in[3], int64_t k, int64_t *i, int64_t *j, double *w, Err *err)
{
    double a = tab_at(&in[0], k), b = tab_at(&in[1], k);
    *w = tab_at(&in[2], k);
    if (a != a || b != b || *w != *w) return 0;
    *i = kn_dbl_to_int(a);
    *j = kn_dbl_to_int(b);
    if (*i > 0 && *j > 0) return 1;
    char sa[32], sb[32];
    nf_double(sa, sizeof sa, a);
    nf_double(sb, sizeof sb, b);
    err_set(err, TSR_RUNTIME, "Erroneous input while computing the contingency table (one of the "
            "value <= zero): %s %s", sa, sb);
    return -1;
}

/* First pass: validates every entry and finds the largest indexes. */
static tsr_status table_extent(const TabIn in[3], int64_t n, int64_t *mi, int64_t *mj, Err *err)
{
    int64_t i, j;
    double w;
    *mi = *mj = 0;
    for (int64_t k = 0; k < n; k++) {
        int r = table_entry(in, k, &i, &j, &w, err);
        if (r < 0) return err->code;
        if (r == 0) continue;
        *mi = i > *mi ? i : *mi;
        *mj = j > *mj ? j : *mj;
    }
    return TSR_OK;
}

static tsr_status table_dims(int64_t d1, int64_t d2, Err *err)
{
    if (d1 == -1 || d2 == -1 || (d1 >= 0 && d2 >= 0)) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "table(): invalid output dimensions %lldx%lld",
                   (long long)d1, (long long)d2);
}

tsr_status kn_table(const MatBlock *a, double as, const MatBlock *b, double bs,
                    const MatBlock *w, double ws, int64_t d1, int64_t d2, MatBlock **out,
                    Err *err)
{
    const TabIn in[3] = { { a, as }, { b, bs }, { w, ws } };
    int64_t n = 0, mi = 0, mj = 0, i, j;
    double wt;
    *out = NULL;
    if (table_shape(in, &n, err) || table_dims(d1, d2, err) ||
        table_extent(in, n, &mi, &mj, err))
        return err->code;
    int fixed = d1 >= 0 && d2 >= 0;
    MatBlock *z = mb_new(fixed ? d1 : mi, fixed ? d2 : mj, err);
    if (!z) return err->code;
    for (int64_t k = 0; k < n; k++)
        if (table_entry(in, k, &i, &j, &wt, err) > 0 && i <= z->rows && j <= z->cols)
            z->dense[(i - 1) * z->cols + (j - 1)] += wt;
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}

/* ---- removeEmpty ------------------------------------------------------------------------------ */

static int line_nonzero(const MatBlock *a, int by_rows, int64_t l)
{
    int64_t len = by_rows ? a->cols : a->rows;
    for (int64_t k = 0; k < len; k++)
        if ((by_rows ? mb_get(a, l, k) : mb_get(a, k, l)) != 0.0) return 1;   /* NaN too */
    return 0;
}

/* keep[l] for every row (column) l; returns the number kept or -1. */
static int64_t select_lines(const MatBlock *a, int by_rows, const MatBlock *sel,
                            unsigned char *keep, Err *err)
{
    int64_t len = by_rows ? a->rows : a->cols, nkeep = 0;
    if (sel && (MB_CELLS(sel) != len || (sel->rows != 1 && sel->cols != 1 && len != 0))) {
        err_set(err, TSR_RUNTIME, "Invalid select vector for removeEmpty: expected %lld entries, "
                "found a %lldx%lld matrix", (long long)len, (long long)sel->rows,
                (long long)sel->cols);
        return -1;
    }
    for (int64_t l = 0; l < len; l++) {
        double s = sel ? mb_get(sel, sel->cols == 1 ? l : 0, sel->cols == 1 ? 0 : l) : 0.0;
        keep[l] = sel ? s != 0.0 : line_nonzero(a, by_rows, l);
        nkeep += keep[l];
    }
    return nkeep;
}

/* Copies the kept rows (columns) of a into z. */
static void copy_kept(const MatBlock *a, int by_rows, const unsigned char *keep, MatBlock *z)
{
    int64_t o = 0;
    if (by_rows) {
        for (int64_t i = 0; i < a->rows; i++) {
            if (!keep[i]) continue;
            for (int64_t j = 0; j < a->cols; j++) z->dense[o * z->cols + j] = mb_get(a, i, j);
            o++;
        }
    } else {
        for (int64_t j = 0; j < a->cols; j++) {
            if (!keep[j]) continue;
            for (int64_t i = 0; i < a->rows; i++) z->dense[i * z->cols + o] = mb_get(a, i, j);
            o++;
        }
    }
}

tsr_status kn_remove_empty(const MatBlock *a, int by_rows, const MatBlock *select,
                           int empty_return, MatBlock **out, Err *err)
{
    int64_t len = by_rows ? a->rows : a->cols;
    *out = NULL;
    unsigned char *keep = malloc((size_t)(len > 0 ? len : 1));
    if (!keep) return err_set(err, TSR_NOMEM, "out of memory in removeEmpty()");
    int64_t nk = select_lines(a, by_rows, select, keep, err);
    if (nk >= 0) {
        int64_t kept = nk == 0 && empty_return ? 1 : nk;
        MatBlock *z = by_rows ? mb_new(kept, a->cols, err) : mb_new(a->rows, kept, err);
        if (z && nk > 0) copy_kept(a, by_rows, keep, z);
        if (z) mb_recount_nnz(z);
        *out = z;
    }
    free(keep);
    return *out ? TSR_OK : err->code;
}

/* ---- replace, lower.tri / upper.tri --------------------------------------------------------------- */

tsr_status kn_replace(const MatBlock *a, double pattern, double repl, MatBlock **out, Err *err)
{
    *out = NULL;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    int nan = pattern != pattern;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) {
            double v = mb_get(a, i, j);
            z->dense[i * a->cols + j] = (nan ? v != v : v == pattern) ? repl : v;
        }
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}

tsr_status kn_tri(const MatBlock *a, int upper, int diag, int values, MatBlock **out, Err *err)
{
    *out = NULL;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) {
            int keep = upper ? (j > i || (diag && j == i)) : (j < i || (diag && j == i));
            if (keep) z->dense[i * a->cols + j] = values ? mb_get(a, i, j) : 1.0;
        }
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}
