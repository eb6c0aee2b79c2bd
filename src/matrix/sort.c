/*
 * sort.c - sorting kernels: the stable index merge sort shared by the
 * matrix module (kn_sort_idx, kn_argsort), order(), unique() and
 * countDistinct() (DML.md 7.5, 7.8).
 *
 * Values are ordered by kn_cmp_nan_last: NaN above +Inf, -0.0 tied with
 * 0.0.  The sort is a top-down merge sort over indexes, so ties keep their
 * input order in both directions (descending negates the value comparison,
 * never the index order); plain values (unique, unweighted quantiles) use
 * the same stable order without the index indirection (kn_sort_dbl).  Scratch memory is allocated once per call before
 * sorting; failure is a TSR_NOMEM error.  Inputs are read through the block
 * API (mb_get / mb_read_row / mb_read_cells) and never modified; order() of
 * a sparse block permutes its CSR rows into a sparse result.  order()
 * extracts its keys, sorts (psort_idx: chunks sorted in parallel, then
 * parallel pairwise merges) and gathers its rows on the pool; a stable sort
 * has one result, so it is the same for any thread count.
 */
#include "matrix/matrix_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- stable index sort ------------------------------------------------------------------ */

#define INSERTION_MAX 16

static void insertion_sort(int64_t *a, int64_t n, KnIdxCmp cmp, const void *ctx)
{
    for (int64_t i = 1; i < n; i++) {
        int64_t v = a[i], j = i;
        while (j > 0 && cmp(ctx, a[j - 1], v) > 0) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

void kn_sort_idx(int64_t *idx, int64_t *scratch, int64_t n, KnIdxCmp cmp, const void *ctx)
{
    if (n <= INSERTION_MAX) {
        insertion_sort(idx, n, cmp, ctx);
        return;
    }
    int64_t h = n / 2, i = 0, j = h, k = 0;
    kn_sort_idx(idx, scratch, h, cmp, ctx);
    kn_sort_idx(idx + h, scratch + h, n - h, cmp, ctx);
    if (cmp(ctx, idx[h - 1], idx[h]) <= 0) return;   /* already in order */
    memcpy(scratch, idx, (size_t)h * sizeof *idx);
    /* take from the right run only when strictly smaller: stability */
    while (i < h && j < n) idx[k++] = cmp(ctx, idx[j], scratch[i]) < 0 ? idx[j++] : scratch[i++];
    while (i < h) idx[k++] = scratch[i++];
}

/* Stable merge sort of plain numbers (no NaN) with `<`. */
static void msort_dbl(double *v, double *tmp, int64_t n)
{
    if (n <= INSERTION_MAX) {
        for (int64_t i = 1; i < n; i++) {
            double x = v[i];
            int64_t j = i;
            for (; j > 0 && x < v[j - 1]; j--) v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    int64_t h = n / 2, i = 0, j = h, k = 0;
    msort_dbl(v, tmp, h);
    msort_dbl(v + h, tmp + h, n - h);
    if (!(v[h] < v[h - 1])) return;
    memcpy(tmp, v, (size_t)h * sizeof *v);
    while (i < h && j < n) v[k++] = v[j] < tmp[i] ? v[j++] : tmp[i++];
    while (i < h) v[k++] = tmp[i++];
}

void kn_sort_dbl(double *v, double *tmp, int64_t n)
{
    int64_t k = 0, nan = 0;
    for (int64_t i = 0; i < n; i++) {   /* NaNs to the end (all NaNs tie) */
        if (v[i] != v[i]) tmp[nan++] = v[i];
        else v[k++] = v[i];
    }
    for (int64_t i = 0; i < nan; i++) v[k + i] = tmp[i];
    msort_dbl(v, tmp, k);
}

typedef struct KeyCtx {
    const double *key;
    int desc;
} KeyCtx;

static int cmp_key(const void *c, int64_t a, int64_t b)
{
    const KeyCtx *k = c;
    int r = kn_cmp_nan_last(k->key[a], k->key[b]);
    return k->desc ? -r : r;
}

static int64_t *idx_alloc(int64_t n)
{
    return malloc((size_t)(n > 0 ? n : 1) * sizeof(int64_t));
}

int64_t *kn_argsort(const double *key, int64_t n, int desc)
{
    int64_t *idx = idx_alloc(n), *tmp = idx_alloc(n);
    if (!idx || !tmp) {
        free(idx);
        free(tmp);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++) idx[i] = i;
    KeyCtx c = { key, desc };
    kn_sort_idx(idx, tmp, n, cmp_key, &c);
    free(tmp);
    return idx;
}

/* ---- parallel stable sort -------------------------------------------------------------------
 * Fixed chunks (par_grain) are sorted with kn_sort_idx in parallel, then
 * merged pairwise in rounds; each round splits its output into pieces of
 * one chunk length, and a piece finds its inputs by co-ranking (a binary
 * search for how many of its first outputs come from the left run).  Ties
 * take the left run first, so the merge is stable, and a stable sort has a
 * single result: the same permutation as kn_sort_idx for any chunking or
 * thread count. */

typedef struct PSort {
    KnIdxCmp cmp;
    const void *ctx;
    int64_t *src, *dst;   /* sort: idx and scratch; merge: from src into dst */
    int64_t n, run;       /* merge: length of the sorted runs in src */
} PSort;

static void psort_chunk(void *arg, int64_t lo, int64_t hi, int wid)
{
    PSort *p = arg;
    kn_sort_idx(p->src + lo, p->dst + lo, hi - lo, p->cmp, p->ctx);
}

/* How many of the first k outputs of the stable merge of a[0..la) and
 * b[0..lb) come from a. */
static int64_t corank(const PSort *p, int64_t k, const int64_t *a, int64_t la, const int64_t *b,
                      int64_t lb)
{
    int64_t lo = k > lb ? k - lb : 0, hi = k < la ? k : la;
    while (lo < hi) {
        int64_t i = lo + (hi - lo) / 2, j = k - i;
        /* a[i] precedes b[j-1] (ties: a first): more of a belongs in */
        if (j > 0 && p->cmp(p->ctx, b[j - 1], a[i]) >= 0) lo = i + 1;
        else hi = i;
    }
    return lo;
}

/* Output positions [lo, hi) of one merge round (inside one pair of runs). */
static void psort_merge(void *arg, int64_t lo, int64_t hi, int wid)
{
    PSort *p = arg;
    int64_t base = lo / (2 * p->run) * (2 * p->run);
    int64_t mid = base + p->run < p->n ? base + p->run : p->n;
    int64_t end = base + 2 * p->run < p->n ? base + 2 * p->run : p->n;
    const int64_t *a = p->src + base, *b = p->src + mid;
    int64_t la = mid - base, lb = end - mid;
    int64_t i = corank(p, lo - base, a, la, b, lb), j = lo - base - i;
    int64_t i1 = corank(p, hi - base, a, la, b, lb), j1 = hi - base - i1;
    int64_t *d = p->dst + lo;
    while (i < i1 && j < j1) *d++ = p->cmp(p->ctx, b[j], a[i]) < 0 ? b[j++] : a[i++];
    while (i < i1) *d++ = a[i++];
    while (j < j1) *d++ = b[j++];
}

/* Stable sort of idx[0..n) with n cells of scratch, on the pool.  `cost`:
 * the cost of one comparison in par_grain units. */
static void psort_idx(const ParCtx *par, int64_t *idx, int64_t *scratch, int64_t n, KnIdxCmp cmp,
                      const void *ctx, double cost)
{
    double lg = 1.0;
    for (int64_t m = n; m > 1; m >>= 1) lg += 1.0;
    int64_t grain = par_grain(n, cost * lg);
    if (par_nchunks(n, grain) <= 1) {
        kn_sort_idx(idx, scratch, n, cmp, ctx);
        return;
    }
    PSort p = { cmp, ctx, idx, scratch, n, grain };
    par_for(par, n, grain, psort_chunk, &p);
    for (; p.run < n; p.run *= 2) {
        par_for(par, n, grain, psort_merge, &p);
        int64_t *t = p.src;
        p.src = p.dst;
        p.dst = t;
    }
    if (p.src != idx) memcpy(idx, p.src, (size_t)n * sizeof *idx);
}

/* ---- order ------------------------------------------------------------------------------- */

/* Sort keys: nkeys columns of m values each, key k at keys[k*m .. k*m+m). */
typedef struct OrderCtx {
    const double *keys;
    int64_t nkeys, m;
    int desc;
} OrderCtx;

static int cmp_rows(const void *c, int64_t a, int64_t b)
{
    const OrderCtx *o = c;
    for (int64_t k = 0; k < o->nkeys; k++) {
        const double *key = o->keys + k * o->m;
        int r = kn_cmp_nan_last(key[a], key[b]);
        if (r) return o->desc ? -r : r;
    }
    return 0;
}

static tsr_status bad_by(const MatBlock *a, const int64_t *cols, int64_t n, Err *err)
{
    StrBuf s;
    sb_init(&s);
    for (int64_t k = 0; k < n; k++) sb_printf(&s, "%s%lld", k ? ", " : "", (long long)cols[k]);
    err_set(err, TSR_RUNTIME, "Sort configuration issue: invalid orderby columns: [%s] (%lldx%lld "
            "input).", s.s ? s.s : "", (long long)a->rows, (long long)a->cols);
    sb_free(&s);
    return TSR_RUNTIME;
}

/* The 1-based sort columns listed in `by`, validated against a. */
static tsr_status order_columns(const MatBlock *a, const MatBlock *by, int64_t **cols,
                                int64_t *ncols, Err *err)
{
    int64_t n = MB_CELLS(by), bad = (n == 0);
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    int64_t *c = idx_alloc(n);
    if (!v || !c) {
        free(v);
        free(c);
        return err_set(err, TSR_NOMEM, "out of memory in order()");
    }
    mb_read_cells(by, v);
    for (int64_t k = 0; k < n; k++) {
        c[k] = kn_dbl_to_int(v[k]);
        bad |= c[k] < 1 || c[k] > a->cols;
    }
    free(v);
    if (bad) {
        bad_by(a, c, n, err);
        free(c);
        return TSR_RUNTIME;
    }
    *cols = c;
    *ncols = n;
    return TSR_OK;
}

/* CSR a: its rows in the order idx, as a CSR block. */
static MatBlock *order_rows_csr(const MatBlock *a, const int64_t *idx, Err *err)
{
    MatBlock *z = mb_new_sparse(a->rows, a->cols, a->ptr[a->rows], err);
    for (int64_t i = 0; z && i < a->rows; i++) {
        int64_t s = a->ptr[idx[i]], len = a->ptr[idx[i] + 1] - s;
        if (mb_csr_reserve(z, len, err) != TSR_OK) {
            mb_free(z);
            return NULL;
        }
        memcpy(z->idx + z->nnz, a->idx + s, (size_t)len * sizeof *z->idx);
        memcpy(z->val + z->nnz, a->val + s, (size_t)len * sizeof *z->val);
        z->nnz += len;
        mb_csr_end_row(z, i);
    }
    return z;
}

/* The row loops of order(), split over the pool. */
typedef struct OrderJob {
    const MatBlock *a;
    const int64_t *cols;   /* key columns (1-based) */
    int64_t nc;
    double *keys;
    const int64_t *idx;
    MatBlock *z;
    int index_return;
} OrderJob;

static void order_keys(void *arg, int64_t lo, int64_t hi, int wid)
{
    OrderJob *o = arg;
    int64_t m = o->a->rows;
    for (int64_t k = 0; k < o->nc; k++)
        for (int64_t i = lo; i < hi; i++) o->keys[k * m + i] = mb_get(o->a, i, o->cols[k] - 1);
}

static void order_rows(void *arg, int64_t lo, int64_t hi, int wid)
{
    OrderJob *o = arg;
    int64_t n = o->z->cols;
    for (int64_t i = lo; i < hi; i++) {
        if (o->index_return) o->z->dense[i] = (double)(o->idx[i] + 1);
        else if (n > 0) mb_read_row(o->a, o->idx[i], o->z->dense + i * n);
    }
}

/* Writes the result rows (or 1-based indexes) in the sorted order idx. */
static MatBlock *order_output(const ParCtx *par, const MatBlock *a, const int64_t *idx,
                              int index_return, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    if (a->sparse && !index_return) return order_rows_csr(a, idx, err);
    MatBlock *z = mb_new(m, index_return ? 1 : n, err);
    if (!z) return NULL;
    OrderJob o = { a, NULL, 0, NULL, idx, z, index_return };
    par_for(par, m, par_grain(m, index_return ? 1.0 : 2.0 * (double)n), order_rows, &o);
    z->nnz = index_return ? m : a->nnz;   /* a permutation of the rows */
    return z;
}

tsr_status kn_order(const ParCtx *par, const MatBlock *a, const MatBlock *by, int decreasing,
                    int index_return,
                    MatBlock **out, Err *err)
{
    int64_t *cols = NULL, nc = 0, m = a->rows;
    *out = NULL;
    if (order_columns(a, by, &cols, &nc, err) != TSR_OK) return err->code;
    double *keys = malloc((size_t)(m > 0 ? m * nc : 1) * sizeof *keys);
    int64_t *idx = idx_alloc(m), *tmp = idx_alloc(m);
    if (keys && idx && tmp) {
        OrderJob o = { a, cols, nc, keys, NULL, NULL, 0 };
        par_for(par, m, par_grain(m, (double)nc * (a->sparse ? 8.0 : 1.0)), order_keys, &o);
        for (int64_t i = 0; i < m; i++) idx[i] = i;
        OrderCtx c = { keys, nc, m, decreasing };
        psort_idx(par, idx, tmp, m, cmp_rows, &c, 2.0 * (double)nc);
        *out = order_output(par, a, idx, index_return, err);
    } else {
        err_set(err, TSR_NOMEM, "out of memory in order()");
    }
    free(cols);
    free(keys);
    free(idx);
    free(tmp);
    return *out ? TSR_OK : err->code;
}

/* ---- unique / countDistinct ---------------------------------------------------------------- */

/* A direction splits a into lines: KD_ALL one line of all cells (row-major),
 * KD_ROW the rows, KD_COL the columns. */
static void line_shape(const MatBlock *a, KnDir dir, int64_t *nlines, int64_t *len)
{
    *nlines = dir == KD_ALL ? 1 : dir == KD_ROW ? a->rows : a->cols;
    *len = dir == KD_ALL ? MB_CELLS(a) : dir == KD_ROW ? a->cols : a->rows;
}

static void load_line(const MatBlock *a, KnDir dir, int64_t l, double *buf)
{
    if (dir == KD_ALL) mb_read_cells(a, buf);
    else if (dir == KD_ROW)
        mb_read_row(a, l, buf);
    else
        for (int64_t i = 0; i < a->rows; i++) buf[i] = mb_get(a, i, l);
}

/* Scratch of one line: its values and the sort buffer. */
typedef struct Distinct {
    double *line, *tmp;
} Distinct;

static void distinct_free(Distinct *d)
{
    free(d->line);
    free(d->tmp);
}

static tsr_status distinct_alloc(Distinct *d, int64_t len, const char *fn, Err *err)
{
    d->line = malloc((size_t)(len > 0 ? len : 1) * sizeof(double));
    d->tmp = malloc((size_t)(len > 0 ? len : 1) * sizeof(double));
    if (d->line && d->tmp) return TSR_OK;
    distinct_free(d);
    return err_set(err, TSR_NOMEM, "out of memory in %s()", fn);
}

/* Distinct values of d->line[0..len) in ascending order into dst (NULL:
 * count only); returns their number.  Equal values (and all NaNs) form one
 * run of the stable sort, represented by its first cell. */
static int64_t distinct_line(Distinct *d, int64_t len, double *dst)
{
    kn_sort_dbl(d->line, d->tmp, len);
    int64_t k = 0;
    for (int64_t i = 0; i < len; i++) {
        double v = d->line[i];
        if (i > 0 && kn_cmp_nan_last(d->line[i - 1], v) == 0) continue;
        if (dst) dst[k] = v;
        k++;
    }
    return k;
}

/* Builds the unique() result from the per-line distinct values res (line l
 * at res[l*len]) and counts. */
static MatBlock *unique_output(KnDir dir, const double *res, const int64_t *cnt, int64_t nlines,
                               int64_t len, Err *err)
{
    int64_t k = 0;
    for (int64_t l = 0; l < nlines; l++) k = cnt[l] > k ? cnt[l] : k;
    MatBlock *z = dir == KD_ALL ? mb_new(k, 1, err)
                  : dir == KD_ROW ? mb_new(nlines, k, err) : mb_new(k, nlines, err);
    if (!z) return NULL;
    for (int64_t l = 0; l < nlines; l++)
        for (int64_t c = 0; c < cnt[l]; c++) {
            int64_t at = dir == KD_COL ? c * nlines + l : l * k + c;
            z->dense[at] = res[l * len + c];
        }
    mb_recount_nnz(z);
    return z;
}

tsr_status kn_unique(const MatBlock *a, KnDir dir, MatBlock **out, Err *err)
{
    int64_t nlines, len;
    Distinct d;
    *out = NULL;
    line_shape(a, dir, &nlines, &len);
    if (distinct_alloc(&d, len, "unique", err) != TSR_OK) return err->code;
    int64_t cells = nlines * len;
    double *res = malloc((size_t)(cells > 0 ? cells : 1) * sizeof *res);
    int64_t *cnt = idx_alloc(nlines);
    if (res && cnt) {
        for (int64_t l = 0; l < nlines; l++) {
            load_line(a, dir, l, d.line);
            cnt[l] = distinct_line(&d, len, res + l * len);
        }
        *out = unique_output(dir, res, cnt, nlines, len, err);
    } else {
        err_set(err, TSR_NOMEM, "out of memory in unique()");
    }
    distinct_free(&d);
    free(res);
    free(cnt);
    return *out ? TSR_OK : err->code;
}

tsr_status kn_count_distinct(const MatBlock *a, KnDir dir, MatBlock **out, Err *err)
{
    int64_t nlines, len;
    Distinct d;
    *out = NULL;
    line_shape(a, dir, &nlines, &len);
    MatBlock *z = dir == KD_COL ? mb_new(1, nlines, err) : mb_new(nlines, 1, err);
    if (!z) return err->code;
    if (distinct_alloc(&d, len, "countDistinct", err) != TSR_OK) {
        mb_free(z);
        return err->code;
    }
    for (int64_t l = 0; l < nlines; l++) {
        load_line(a, dir, l, d.line);
        z->dense[l] = (double)distinct_line(&d, len, NULL);
    }
    distinct_free(&d);
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}
