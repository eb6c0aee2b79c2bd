/*
 * structure.c - structural kernels of DML.md 7.8: table/ctable (contingency
 * tables), removeEmpty, replace and lower.tri/upper.tri.
 *
 * Inputs are never modified and may be dense or sparse (CSR).  CSR inputs
 * are walked through their arrays (sequential cursors, never a per-cell
 * binary search): removeEmpty, replace with a non-zero (or NaN) pattern and
 * lower.tri/upper.tri with values keep a sparse input sparse; table builds
 * a CSR result when its cell count says the table is sparse (table(seq(1,n),
 * y) must not allocate n x max(y) dense cells).  Other results are dense.
 * nnz is exact.  Sorting kernels (order, unique) are in sort.c, grouped
 * aggregates in stats.c.
 *
 * table() on the pool: the validating pass runs over fixed chunks of the
 * entries (the first bad entry in input order is reported); a dense result
 * small enough that one table per chunk costs no more than the input is
 * filled per chunk and the chunk tables are summed in chunk order (weights
 * are then summed in that order, the same for any thread count); larger
 * dense results and CSR results are filled sequentially.
 */
#include "matrix/matrix_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- table ---------------------------------------------------------------------------------- */

/* One input of table(): a block, or a scalar when m == NULL.  Cells are read
 * in increasing linear order per pass; on a CSR block (row, pos) is the
 * cursor of that walk. */
typedef struct TabIn {
    const MatBlock *m;
    double s;
    int64_t row, pos;
} TabIn;

/* Restarts the cursors for a new pass over the cells. */
static void tab_rewind(TabIn in[3])
{
    for (int k = 0; k < 3; k++) in[k].row = -1;
}

/* Cell k (row-major) of the input; k must ascend within a pass. */
static double tab_at(TabIn *t, int64_t k)
{
    const MatBlock *m = t->m;
    if (!m) return t->s;
    if (!m->sparse) return m->dense[k];
    int64_t i = k / m->cols, j = k % m->cols;
    if (i != t->row) {
        t->row = i;
        t->pos = m->ptr[i];
    }
    while (t->pos < m->ptr[i + 1] && m->idx[t->pos] < j) t->pos++;
    return t->pos < m->ptr[i + 1] && m->idx[t->pos] == j ? m->val[t->pos] : 0.0;
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
static int table_entry(TabIn in[3], int64_t k, int64_t *i, int64_t *j, double *w, Err *err)
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

/* The parallel passes over the entries: fixed chunks of `grain` entries
 * (par_grain: they depend only on n), each with its own cursors. */
typedef struct TabJob {
    const TabIn *in;        /* the inputs (cursors unused) */
    int64_t grain, nchunks;
    int64_t *mi, *mj;       /* extent: per chunk, the largest indexes */
    int64_t *bad;           /* extent: per chunk, first entry <= 0 or -1 */
    double *part;           /* dense fill: per chunk, a rows x cols table */
    double *out;            /* dense fill: the result's cells */
    int64_t rows, cols;
} TabJob;

/* Cost of one entry in par_grain units (three reads, conversions, checks). */
#define TAB_ENTRY_COST 8.0

static void extent_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    TabJob *j = arg;
    int64_t c = lo / j->grain, i, jj, mi = 0, mj = 0;
    double w;
    TabIn in[3] = { j->in[0], j->in[1], j->in[2] };
    tab_rewind(in);
    j->bad[c] = -1;
    for (int64_t k = lo; k < hi; k++) {
        int r = table_entry(in, k, &i, &jj, &w, NULL);
        if (r < 0) {
            j->bad[c] = k;
            break;
        }
        if (r == 0) continue;
        mi = i > mi ? i : mi;
        mj = jj > mj ? jj : mj;
    }
    j->mi[c] = mi;
    j->mj[c] = mj;
}

/* First pass: validates every entry and finds the largest indexes; the
 * error is that of the first bad entry in input order. */
static tsr_status table_extent(const ParCtx *par, TabIn in[3], int64_t n, int64_t *mi,
                               int64_t *mj, Err *err)
{
    int64_t grain = par_grain(n, TAB_ENTRY_COST), nc = par_nchunks(n, grain), i, j;
    double w;
    *mi = *mj = 0;
    if (nc == 0) return TSR_OK;
    int64_t *buf = malloc((size_t)nc * 3 * sizeof *buf);
    if (!buf) return err_set(err, TSR_NOMEM, "out of memory in table()");
    TabJob job = { in, grain, nc, buf, buf + nc, buf + 2 * nc, NULL, NULL, 0, 0 };
    par_for(par, n, grain, extent_chunk, &job);
    tsr_status st = TSR_OK;
    for (int64_t c = 0; c < nc && st == TSR_OK; c++) {
        if (job.bad[c] >= 0) {      /* rebuild the message of that entry */
            tab_rewind(in);
            table_entry(in, job.bad[c], &i, &j, &w, err);
            st = err->code;
            break;
        }
        *mi = job.mi[c] > *mi ? job.mi[c] : *mi;
        *mj = job.mj[c] > *mj ? job.mj[c] : *mj;
    }
    free(buf);
    return st;
}

static tsr_status table_dims(int64_t d1, int64_t d2, Err *err)
{
    if (d1 == -1 || d2 == -1 || (d1 >= 0 && d2 >= 0)) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "table(): invalid output dimensions %lldx%lld",
                   (long long)d1, (long long)d2);
}

/* Adds the weights of entries [lo, hi) into the rows x cols table t. */
static void fill_range(TabIn in[3], int64_t lo, int64_t hi, double *t, int64_t rows, int64_t cols)
{
    int64_t i, j;
    double wt;
    tab_rewind(in);
    for (int64_t k = lo; k < hi; k++)
        if (table_entry(in, k, &i, &j, &wt, NULL) > 0 && i <= rows && j <= cols)
            t[(i - 1) * cols + (j - 1)] += wt;
}

static void fill_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    TabJob *j = arg;
    TabIn in[3] = { j->in[0], j->in[1], j->in[2] };
    double *t = j->part + (lo / j->grain) * j->rows * j->cols;
    memset(t, 0, (size_t)(j->rows * j->cols) * sizeof *t);
    fill_range(in, lo, hi, t, j->rows, j->cols);
}

/* Output cells [lo, hi): the chunk tables summed in chunk order. */
static void reduce_cells(void *arg, int64_t lo, int64_t hi, int wid)
{
    TabJob *j = arg;
    int64_t cells = j->rows * j->cols;
    for (int64_t c = 0; c < j->nchunks; c++) {
        const double *t = j->part + c * cells;
        for (int64_t q = lo; q < hi; q++) j->out[q] += t[q];
    }
}

/* Dense result.  Small tables (all chunk tables together no larger than
 * the input) are filled per chunk in parallel and summed in chunk order;
 * otherwise the weights are added in input order.  Either way the result
 * does not depend on the thread count. */
static void table_fill_dense(const ParCtx *par, TabIn in[3], int64_t n, MatBlock *z)
{
    int64_t grain = par_grain(n, TAB_ENTRY_COST), nc = par_nchunks(n, grain);
    int64_t cells = MB_CELLS(z);
    double *part = NULL;
    if (nc > 1 && cells > 0 && cells <= n / nc)
        part = malloc((size_t)(nc * cells) * sizeof *part);
    if (part) {
        TabJob job = { in, grain, nc, NULL, NULL, NULL, part, z->dense, z->rows, z->cols };
        par_for(par, n, grain, fill_chunk, &job);
        par_for(par, cells, par_grain(cells, (double)nc), reduce_cells, &job);
        free(part);
    } else if (cells > 0) {
        fill_range(in, 0, n, z->dense, z->rows, z->cols);
    }
    mb_recount_nnz(z);
}

/* The counted entries bucketed by output row (a counting sort): their
 * columns and weights in input order within each row. */
typedef struct TabBuckets {
    int64_t *start;   /* rows + 1 */
    int64_t *col, *pos, *tmp;
    double *w;
} TabBuckets;

static void tb_free(TabBuckets *b)
{
    free(b->start);
    free(b->col);
    free(b->pos);
    free(b->tmp);
    free(b->w);
}

static int cmp_tab_col(const void *ctx, int64_t a, int64_t b)
{
    const int64_t *col = ctx;
    return (col[a] > col[b]) - (col[a] < col[b]);
}

static tsr_status nomem_table(Err *err)
{
    return err_set(err, TSR_NOMEM, "out of memory in table()");
}

/* Counting sort of the entries inside z's dimensions by output row. */
static tsr_status table_bucket(TabIn in[3], int64_t n, const MatBlock *z, TabBuckets *b,
                               Err *err)
{
    int64_t i, j, total;
    double wt;
    if (!(b->start = calloc((size_t)z->rows + 2, sizeof *b->start))) return nomem_table(err);
    tab_rewind(in);
    for (int64_t k = 0; k < n; k++)
        if (table_entry(in, k, &i, &j, &wt, err) > 0 && i <= z->rows && j <= z->cols)
            b->start[i + 1]++;
    for (int64_t r = 0; r <= z->rows; r++) b->start[r + 1] += b->start[r];
    total = b->start[z->rows + 1];
    size_t cells = (size_t)(total > 0 ? total : 1);
    b->col = malloc(cells * sizeof *b->col);
    b->pos = malloc(cells * sizeof *b->pos);
    b->tmp = malloc(cells * sizeof *b->tmp);
    b->w = malloc(cells * sizeof *b->w);
    if (!b->col || !b->pos || !b->tmp || !b->w) return nomem_table(err);
    tab_rewind(in);
    for (int64_t k = 0; k < n; k++)
        if (table_entry(in, k, &i, &j, &wt, err) > 0 && i <= z->rows && j <= z->cols) {
            int64_t at = b->start[i]++;   /* start[i] is the cursor of row i-1 */
            b->col[at] = j - 1;
            b->w[at] = wt;
        }
    return TSR_OK;
}

/* CSR result: per row, a stable sort of the bucket by column, then the
 * weights of each cell summed in input order (as the dense fill does). */
static tsr_status table_fill_csr(TabIn in[3], int64_t n, MatBlock *z, Err *err)
{
    TabBuckets b = { 0 };
    tsr_status st = table_bucket(in, n, z, &b, err);
    for (int64_t r = 0; st == TSR_OK && r < z->rows; r++) {
        int64_t s = r == 0 ? 0 : b.start[r], e = b.start[r + 1];
        for (int64_t q = s; q < e; q++) b.pos[q] = q;
        kn_sort_idx(b.pos + s, b.tmp + s, e - s, cmp_tab_col, b.col);
        for (int64_t q = s; q < e && st == TSR_OK;) {
            int64_t c = b.col[b.pos[q]];
            double sum = 0.0;
            for (; q < e && b.col[b.pos[q]] == c; q++) sum += b.w[b.pos[q]];
            st = mb_csr_push(z, (int32_t)c, sum, err);
        }
        mb_csr_end_row(z, r);
    }
    tb_free(&b);
    return st;
}

tsr_status kn_table(const ParCtx *par, const MatBlock *a, double as, const MatBlock *b, double bs,
                    const MatBlock *w, double ws, int64_t d1, int64_t d2, MatBlock **out,
                    Err *err)
{
    TabIn in[3] = { { a, as, -1, 0 }, { b, bs, -1, 0 }, { w, ws, -1, 0 } };
    int64_t n = 0, mi = 0, mj = 0;
    *out = NULL;
    if (table_shape(in, &n, err) || table_dims(d1, d2, err) ||
        table_extent(par, in, n, &mi, &mj, err))
        return err->code;
    int fixed = d1 >= 0 && d2 >= 0;
    int64_t rows = fixed ? d1 : mi, cols = fixed ? d2 : mj;
    if (mb_prefers_sparse(rows, cols, n)) {
        MatBlock *z = mb_new_sparse(rows, cols, n, err);
        if (!z) return err->code;
        if (table_fill_csr(in, n, z, err) != TSR_OK) {
            mb_free(z);
            return err->code;
        }
        *out = z;
        return TSR_OK;
    }
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return err->code;
    table_fill_dense(par, in, n, z);
    *out = z;
    return TSR_OK;
}

/* ---- removeEmpty ------------------------------------------------------------------------------ */

/* keep[l] = whether row (column) l of a has a non-zero cell (NaN too). */
static void nonzero_lines(const MatBlock *a, int by_rows, unsigned char *keep)
{
    int64_t len = by_rows ? a->rows : a->cols;
    if (a->sparse) {
        if (by_rows)
            for (int64_t i = 0; i < len; i++) keep[i] = a->ptr[i + 1] > a->ptr[i];
        else {
            memset(keep, 0, (size_t)len);
            for (int64_t k = 0; k < a->ptr[a->rows]; k++) keep[a->idx[k]] = 1;
        }
        return;
    }
    memset(keep, 0, (size_t)len);
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++)
            if (a->dense[i * a->cols + j] != 0.0) keep[by_rows ? i : j] = 1;
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
    if (!sel) nonzero_lines(a, by_rows, keep);
    for (int64_t l = 0; l < len; l++) {
        if (sel) keep[l] = mb_get(sel, sel->cols == 1 ? l : 0, sel->cols == 1 ? 0 : l) != 0.0;
        nkeep += keep[l];
    }
    return nkeep;
}

/* Copies the kept rows (columns) of the dense a into z. */
static void copy_kept(const MatBlock *a, int by_rows, const unsigned char *keep, MatBlock *z)
{
    int64_t o = 0;
    if (by_rows) {
        for (int64_t i = 0; i < a->rows; i++) {
            if (!keep[i]) continue;
            if (a->cols > 0)
                memcpy(z->dense + o * z->cols, a->dense + i * a->cols,
                       (size_t)a->cols * sizeof(double));
            o++;
        }
    } else {
        for (int64_t j = 0; j < a->cols; j++) {
            if (!keep[j]) continue;
            for (int64_t i = 0; i < a->rows; i++) z->dense[i * z->cols + o] = a->dense[i * a->cols + j];
            o++;
        }
    }
}

/* CSR a -> CSR z: the kept rows, or every row restricted to the kept
 * columns renumbered through newcol (kept order = input order, so the
 * columns of every row still ascend). */
static tsr_status copy_kept_csr(const MatBlock *a, int by_rows, const unsigned char *keep,
                                MatBlock *z, Err *err)
{
    int64_t o = 0, *newcol = NULL;
    if (!by_rows && !(newcol = malloc((size_t)(a->cols > 0 ? a->cols : 1) * sizeof *newcol)))
        return err_set(err, TSR_NOMEM, "out of memory in removeEmpty()");
    for (int64_t j = 0; !by_rows && j < a->cols; j++) newcol[j] = keep[j] ? o++ : -1;
    tsr_status st = TSR_OK;
    int64_t r = 0;
    for (int64_t i = 0; i < a->rows && st == TSR_OK; i++) {
        if (by_rows && !keep[i]) continue;
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1] && st == TSR_OK; k++)
            if (by_rows || newcol[a->idx[k]] >= 0)
                st = mb_csr_push(z, by_rows ? a->idx[k] : (int32_t)newcol[a->idx[k]], a->val[k],
                                 err);
        mb_csr_end_row(z, r++);
    }
    for (; st == TSR_OK && r < z->rows; r++) mb_csr_end_row(z, r);   /* empty.return row */
    free(newcol);
    return st;
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
        int64_t zr = by_rows ? kept : a->rows, zc = by_rows ? a->cols : kept;
        MatBlock *z = a->sparse ? mb_new_sparse(zr, zc, a->nnz, err) : mb_new(zr, zc, err);
        if (z && a->sparse && copy_kept_csr(a, by_rows, keep, z, err) != TSR_OK) {
            mb_free(z);
            z = NULL;
        } else if (z && !a->sparse) {
            if (nk > 0) copy_kept(a, by_rows, keep, z);
            mb_recount_nnz(z);
        }
        *out = z;
    }
    free(keep);
    return *out ? TSR_OK : err->code;
}

/* ---- replace, lower.tri / upper.tri --------------------------------------------------------------- */

static int matches(double v, double pattern)
{
    return pattern != pattern ? v != v : v == pattern;
}

/* CSR input whose zeros stay (pattern non-zero or NaN, or zero replaced by
 * zero): only the stored values can match; a match replaced by 0 drops. */
static MatBlock *replace_csr(const MatBlock *a, double pattern, double repl, Err *err)
{
    MatBlock *z = mb_new_sparse(a->rows, a->cols, a->nnz, err);
    for (int64_t i = 0; z && i < a->rows; i++) {
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            double v = a->val[k];
            if (mb_csr_push(z, a->idx[k], matches(v, pattern) ? repl : v, err) != TSR_OK) {
                mb_free(z);
                return NULL;
            }
        }
        mb_csr_end_row(z, i);
    }
    return z;
}

tsr_status kn_replace(const MatBlock *a, double pattern, double repl, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->sparse && (pattern != 0.0 || repl == 0.0))
        return (*out = replace_csr(a, pattern, repl, err)) ? TSR_OK : err->code;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    for (int64_t i = 0; i < a->rows && a->cols > 0; i++) {
        double *row = z->dense + i * a->cols;
        mb_read_row(a, i, row);
        for (int64_t j = 0; j < a->cols; j++)
            if (matches(row[j], pattern)) row[j] = repl;
    }
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}

static int tri_keeps(int upper, int diag, int64_t i, int64_t j)
{
    return upper ? (j > i || (diag && j == i)) : (j < i || (diag && j == i));
}

/* CSR input with values: the kept non-zeros, CSR output. */
static MatBlock *tri_csr(const MatBlock *a, int upper, int diag, Err *err)
{
    MatBlock *z = mb_new_sparse(a->rows, a->cols, a->nnz, err);
    for (int64_t i = 0; z && i < a->rows; i++) {
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++)
            if (tri_keeps(upper, diag, i, a->idx[k]) &&
                mb_csr_push(z, a->idx[k], a->val[k], err) != TSR_OK) {
                mb_free(z);
                return NULL;
            }
        mb_csr_end_row(z, i);
    }
    return z;
}

tsr_status kn_tri(const MatBlock *a, int upper, int diag, int values, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->sparse && values) return (*out = tri_csr(a, upper, diag, err)) ? TSR_OK : err->code;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++)
            if (tri_keeps(upper, diag, i, j))
                z->dense[i * a->cols + j] = values ? a->dense[i * a->cols + j] : 1.0;
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}
