/*
 * stats.c - order statistics and moments of DML.md 7.5 (quantile, median,
 * interQuartileMean, centralMoment, cov), cumsumprod (7.7) and the grouped
 * aggregates of aggregate()/groupedAggregate() (7.8).
 *
 * Quantiles work on a "weighted sample": the cells with positive weight
 * sorted ascending (NaN last, stable) with their cumulative weights, so the
 * value at 1-based rank r of the expansion (each x_i repeated w_i times) is
 * found by binary search without expanding.  Moments use compensated sums
 * (KSum) and two passes (mean first).  Inputs are read through the block
 * API and never modified; scratch memory failure is a TSR_NOMEM error.
 */
#include "matrix/matrix_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- argument checks ------------------------------------------------------------------------- */

static tsr_status want_column(const char *fn, const MatBlock *x, Err *err)
{
    if (x->cols == 1) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "%s(): input must be a column vector, found a %lldx%lld "
                   "matrix", fn, (long long)x->rows, (long long)x->cols);
}

static tsr_status want_same(const char *fn, const char *what, const MatBlock *x,
                            const MatBlock *y, Err *err)
{
    if (!y || (y->rows == x->rows && y->cols == x->cols)) return TSR_OK;
    return err_set(err, TSR_RUNTIME, "%s(): %s must have the same dimensions%s: %lldx%lld vs "
                   "%lldx%lld", fn, what, strcmp(what, "weights") ? "" : " as the input",
                   (long long)x->rows, (long long)x->cols, (long long)y->rows,
                   (long long)y->cols);
}

static tsr_status nomem(const char *fn, Err *err)
{
    return err_set(err, TSR_NOMEM, "out of memory in %s()", fn);
}

static double *cells_alloc(int64_t n)
{
    return malloc((size_t)(n > 0 ? n : 1) * sizeof(double));
}

/* ---- weighted sample ------------------------------------------------------------------------- */

typedef struct WSample {
    double *v;       /* values with positive weight, ascending (NaN last) */
    double *cw;      /* cumulative weights: v[k] covers ranks (cw[k-1], cw[k]] */
    int64_t n;
    double total;    /* cw[n-1], 0 for an empty sample */
} WSample;

static void ws_free(WSample *s)
{
    free(s->v);
    free(s->cw);
}

static tsr_status check_weights(const char *fn, const double *w, int64_t n, Err *err)
{
    for (int64_t i = 0; i < n; i++) {
        if (w[i] >= 0 && w[i] == floor(w[i]) && isfinite(w[i])) continue;
        char b[32];
        nf_double(b, sizeof b, w[i]);
        return err_set(err, TSR_RUNTIME, "%s(): weights must be non-negative integers, found %s",
                       fn, b);
    }
    return TSR_OK;
}

/* Fills s from the sorted order idx of x with weights w. */
static void ws_fill(WSample *s, const double *x, const double *w, const int64_t *idx, int64_t n)
{
    double acc = 0;
    s->n = 0;
    for (int64_t i = 0; i < n; i++) {
        if (w[idx[i]] == 0) continue;
        acc += w[idx[i]];
        s->v[s->n] = x[idx[i]];
        s->cw[s->n++] = acc;
    }
    s->total = acc;
}

/* Unweighted: s->v = x sorted (s->cw is the sort scratch, then 1..n). */
static void ws_fill_plain(WSample *s, int64_t n)
{
    kn_sort_dbl(s->v, s->cw, n);
    for (int64_t i = 0; i < n; i++) s->cw[i] = (double)(i + 1);
    s->n = n;
    s->total = (double)n;
}

/* Weighted: sort indexes of the cells in s->v by value. */
static tsr_status ws_fill_weighted(const char *fn, const MatBlock *w, WSample *s, int64_t n,
                                   Err *err)
{
    double *xv = cells_alloc(n), *wv = cells_alloc(n);
    int64_t *idx = NULL;
    tsr_status st = xv && wv ? TSR_OK : nomem(fn, err);
    if (st == TSR_OK) {
        memcpy(xv, s->v, (size_t)n * sizeof *xv);
        mb_read_cells(w, wv);
        st = check_weights(fn, wv, n, err);
    }
    if (st == TSR_OK && !(idx = kn_argsort(xv, n, 0))) st = nomem(fn, err);
    if (st == TSR_OK) ws_fill(s, xv, wv, idx, n);
    free(xv);
    free(wv);
    free(idx);
    return st;
}

static tsr_status ws_build(const char *fn, const MatBlock *x, const MatBlock *w, WSample *s,
                           Err *err)
{
    memset(s, 0, sizeof *s);
    if (want_column(fn, x, err) || want_same(fn, "weights", x, w, err)) return err->code;
    int64_t n = x->rows;
    s->v = cells_alloc(n);
    s->cw = cells_alloc(n);
    tsr_status st = s->v && s->cw ? TSR_OK : nomem(fn, err);
    if (st == TSR_OK) mb_read_cells(x, s->v);
    if (st == TSR_OK && w) st = ws_fill_weighted(fn, w, s, n, err);
    else if (st == TSR_OK) ws_fill_plain(s, n);
    if (st != TSR_OK) ws_free(s);
    return st;
}

/* The value at 1-based rank r, 1 <= r <= total. */
static double ws_at(const WSample *s, double r)
{
    int64_t lo = 0, hi = s->n - 1;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (s->cw[mid] >= r) hi = mid;
        else lo = mid + 1;
    }
    return s->v[lo];
}

static double ws_quantile(const WSample *s, double p)
{
    if (s->total == 0) return NAN;
    double r = ceil(p * s->total);
    if (!(r >= 1)) r = 1;   /* also NaN p */
    if (r > s->total) r = s->total;
    return ws_at(s, r);
}

static double ws_median(const WSample *s)
{
    double n = s->total;
    if (n == 0) return NAN;
    if (fmod(n, 2.0) != 0) return ws_at(s, ceil(n / 2));
    return (ws_at(s, n / 2) + ws_at(s, n / 2 + 1)) / 2;
}

/* (sum_{r=a+1..b} x_r + (a - q25) x_a - (b - q75) x_b) / (n/2). */
static double ws_iqm(const WSample *s)
{
    double n = s->total, q25 = 0.25 * n, q75 = 0.75 * n, a = ceil(q25), b = ceil(q75), prev = 0;
    if (n == 0) return NAN;
    KSum sum = { 0, 0 };
    for (int64_t k = 0; k < s->n; k++) {
        double lo = prev > a ? prev : a, hi = s->cw[k] < b ? s->cw[k] : b;
        if (hi > lo) ks_add(&sum, (hi - lo) * s->v[k]);
        prev = s->cw[k];
    }
    double r = ks_value(&sum) + (a - q25) * ws_at(s, a) - (b - q75) * ws_at(s, b);
    return r / (0.5 * n);
}

tsr_status kn_quantile(const MatBlock *x, const MatBlock *w, double p, double *out, Err *err)
{
    WSample s;
    if (ws_build("quantile", x, w, &s, err) != TSR_OK) return err->code;
    *out = ws_quantile(&s, p);
    ws_free(&s);
    return TSR_OK;
}

tsr_status kn_quantiles(const MatBlock *x, const MatBlock *w, const MatBlock *p, MatBlock **out,
                        Err *err)
{
    WSample s;
    *out = NULL;
    if (ws_build("quantile", x, w, &s, err) != TSR_OK) return err->code;
    MatBlock *z = mb_new(p->rows, p->cols, err);
    if (z) {
        for (int64_t i = 0; i < p->rows; i++)
            for (int64_t j = 0; j < p->cols; j++)
                z->dense[i * p->cols + j] = ws_quantile(&s, mb_get(p, i, j));
        mb_recount_nnz(z);
    }
    ws_free(&s);
    *out = z;
    return z ? TSR_OK : err->code;
}

tsr_status kn_median(const MatBlock *x, const MatBlock *w, double *out, Err *err)
{
    WSample s;
    if (ws_build("median", x, w, &s, err) != TSR_OK) return err->code;
    *out = ws_median(&s);
    ws_free(&s);
    return TSR_OK;
}

tsr_status kn_iqm(const MatBlock *x, const MatBlock *w, double *out, Err *err)
{
    WSample s;
    if (ws_build("interQuartileMean", x, w, &s, err) != TSR_OK) return err->code;
    *out = ws_iqm(&s);
    ws_free(&s);
    return TSR_OK;
}

/* ---- moments ----------------------------------------------------------------------------------- */

static double wt_at(const MatBlock *w, int64_t i)
{
    return w ? mb_get(w, i, 0) : 1.0;
}

static double pow_k(double d, int64_t k)
{
    double d2 = d * d;
    return k == 2 ? d2 : k == 3 ? d2 * d : d2 * d2;
}

/* Weighted mean of column vector x; *sw = sum of weights. */
static double wmean(const MatBlock *x, const MatBlock *w, double *sw)
{
    KSum s = { 0, 0 }, t = { 0, 0 };
    for (int64_t i = 0; i < x->rows; i++) {
        double wi = wt_at(w, i);
        ks_add(&s, wi);
        ks_add(&t, wi * mb_get(x, i, 0));
    }
    *sw = ks_value(&s);
    return ks_value(&t) / *sw;
}

tsr_status kn_moment(const MatBlock *x, const MatBlock *w, int64_t k, double *out, Err *err)
{
    if (k < 2 || k > 4)
        return err_set(err, TSR_RUNTIME, "Central moment order must be 2, 3 or 4, found %lld",
                       (long long)k);
    if (want_column("centralMoment", x, err) || want_same("centralMoment", "weights", x, w, err))
        return err->code;
    double sw, mu = wmean(x, w, &sw);
    KSum acc = { 0, 0 };
    for (int64_t i = 0; i < x->rows; i++) ks_add(&acc, wt_at(w, i) * pow_k(mb_get(x, i, 0) - mu, k));
    *out = ks_value(&acc) / sw;
    return TSR_OK;
}

/* A dense column vector with its cells in memory. */
static int dense_vec(const MatBlock *x)
{
    return !x->sparse && x->cols == 1 && x->rows > 0 && x->dense;
}

tsr_status kn_cov(const MatBlock *x, const MatBlock *y, const MatBlock *w, double *out, Err *err)
{
    if (want_column("cov", x, err) || want_same("cov", "inputs", x, y, err) ||
        want_same("cov", "weights", x, w, err))
        return err->code;
    if (!w && dense_vec(x) && dense_vec(y)) {   /* SIMD lanes: the common case */
        int64_t n = x->rows;
        double mx = kn_sum_blocked(x->dense, n) / (double)n;
        double my = kn_sum_blocked(y->dense, n) / (double)n;
        KSum sp, sd;
        kn_dev_sums(x->dense, y->dense, n, mx, my, &sp, &sd);
        *out = n == 1 ? 0.0 : ks_value(&sp) / (double)(n - 1);
        return TSR_OK;
    }
    double sw, mx = wmean(x, w, &sw), my = wmean(y, w, &sw);
    KSum acc = { 0, 0 };
    for (int64_t i = 0; i < x->rows; i++)
        ks_add(&acc, wt_at(w, i) * (mb_get(x, i, 0) - mx) * (mb_get(y, i, 0) - my));
    *out = sw == 0 ? NAN : sw == 1 ? 0.0 : ks_value(&acc) / (sw - 1);
    return TSR_OK;
}

/* ---- cumsumprod ---------------------------------------------------------------------------------- */

tsr_status kn_cumsumprod(const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->cols != 2)
        return err_set(err, TSR_RUNTIME, "Cumsumprod expects two-column input (n=%lld).",
                       (long long)a->cols);
    MatBlock *z = mb_new(a->rows, 1, err);
    if (!z) return err->code;
    double y = 0;
    for (int64_t i = 0; i < a->rows; i++) {
        y = i == 0 ? mb_get(a, 0, 0) : mb_get(a, i, 0) + mb_get(a, i, 1) * y;
        z->dense[i] = y;
    }
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}

/* ---- grouped aggregates -------------------------------------------------------------------------- */

/* Per-group state of one target column. */
typedef struct GroupAcc {
    int64_t *cnt;    /* rows in the group */
    KSum *sw, *sx;   /* sum w, sum w*x */
    KSum *dev;       /* sum w*(x-mu)^k (variance, central moment) */
    double *ext;     /* min or max */
} GroupAcc;

static void gacc_free(GroupAcc *g)
{
    free(g->cnt);
    free(g->sw);
    free(g->sx);
    free(g->dev);
    free(g->ext);
}

static int gacc_alloc(GroupAcc *g, int64_t k)
{
    size_t n = (size_t)(k > 0 ? k : 1);
    g->cnt = malloc(n * sizeof *g->cnt);
    g->sw = malloc(n * sizeof *g->sw);
    g->sx = malloc(n * sizeof *g->sx);
    g->dev = malloc(n * sizeof *g->dev);
    g->ext = malloc(n * sizeof *g->ext);
    if (g->cnt && g->sw && g->sx && g->dev && g->ext) return 0;
    gacc_free(g);
    return -1;
}

/* Group ids of g (1-based, validated) into ids[0..n). */
static tsr_status group_ids(const MatBlock *g, int64_t *ids, int64_t *maxid, Err *err)
{
    int64_t n = MB_CELLS(g);
    *maxid = 0;
    for (int64_t k = 0; k < n; k++) {
        double v = mb_get(g, k / g->cols, k % g->cols);
        ids[k] = kn_dbl_to_int(v);
        if (ids[k] < 1) {
            char b[32];
            nf_double(b, sizeof b, v);
            return err_set(err, TSR_RUNTIME, "aggregate(): group ids must be positive integers, "
                           "found %s", b);
        }
        *maxid = ids[k] > *maxid ? ids[k] : *maxid;
    }
    return TSR_OK;
}

/* Pass 1 over column j: counts, weight sums, weighted sums, extremes. */
static void group_pass1(const MatBlock *x, int64_t j, const int64_t *ids, const double *w,
                        KnGAgg fn, int64_t k, GroupAcc *g)
{
    for (int64_t q = 0; q < k; q++) {
        g->cnt[q] = 0;
        g->sw[q] = g->sx[q] = g->dev[q] = (KSum){ 0, 0 };
        g->ext[q] = fn == KG_MIN ? INFINITY : -INFINITY;
    }
    for (int64_t i = 0; i < x->rows; i++) {
        int64_t q = ids[i] - 1;
        if (q >= k) continue;
        double v = mb_get(x, i, j), wi = w ? w[i] : 1.0;
        g->cnt[q]++;
        ks_add(&g->sw[q], wi);
        ks_add(&g->sx[q], wi * v);
        g->ext[q] = fn == KG_MIN ? kn_min2(g->ext[q], v) : kn_max2(g->ext[q], v);
    }
}

/* Pass 2 (variance, central moment): sum w (x - mu_group)^p. */
static void group_pass2(const MatBlock *x, int64_t j, const int64_t *ids, const double *w,
                        int p, int64_t k, GroupAcc *g)
{
    for (int64_t i = 0; i < x->rows; i++) {
        int64_t q = ids[i] - 1;
        if (q >= k) continue;
        double wi = w ? w[i] : 1.0, mu = ks_value(&g->sx[q]) / ks_value(&g->sw[q]);
        ks_add(&g->dev[q], wi * pow_k(mb_get(x, i, j) - mu, p));
    }
}

static double group_value(const GroupAcc *g, int64_t q, KnGAgg fn)
{
    double sw = ks_value(&g->sw[q]), sx = ks_value(&g->sx[q]);
    if (g->cnt[q] == 0) return 0.0;
    switch (fn) {
    case KG_SUM: return sx;
    case KG_COUNT: return sw;
    case KG_MEAN: return sx / sw;
    case KG_VAR: return sw == 1 ? 0.0 : ks_value(&g->dev[q]) / (sw - 1);
    case KG_CM: return ks_value(&g->dev[q]) / sw;
    default: return g->ext[q];
    }
}

static void group_column(const MatBlock *x, int64_t j, const int64_t *ids, const double *w,
                         KnGAgg fn, int order, GroupAcc *g, MatBlock *z)
{
    int64_t k = z->rows;
    group_pass1(x, j, ids, w, fn, k, g);
    if (fn == KG_VAR || fn == KG_CM) group_pass2(x, j, ids, w, fn == KG_VAR ? 2 : order, k, g);
    for (int64_t q = 0; q < k; q++) z->dense[q * z->cols + j] = group_value(g, q, fn);
}

static tsr_status group_check(const MatBlock *x, const MatBlock *g, const MatBlock *w,
                              KnGAgg fn, int order, Err *err)
{
    const char *what = NULL;
    const MatBlock *v = NULL;
    if (MB_CELLS(g) != x->rows) what = "groups", v = g;
    else if (w && MB_CELLS(w) != x->rows) what = "weights", v = w;
    if (what)
        return err_set(err, TSR_RUNTIME, "aggregate(): %s must have one entry per row of the "
                       "target: %lldx%lld vs %lldx%lld", what, (long long)v->rows,
                       (long long)v->cols, (long long)x->rows, (long long)x->cols);
    if (w && x->cols > 1)
        return err_set(err, TSR_RUNTIME, "aggregate(): weights are not supported for a target "
                       "with more than one column");
    if (fn == KG_CM && (order < 2 || order > 4))
        return err_set(err, TSR_RUNTIME, "for centralmoment, must define order.  Order must be "
                       "equal to 2,3, or 4");
    return TSR_OK;
}

/* The weights as n doubles (NULL w: *wv = NULL). */
static tsr_status group_inputs(const MatBlock *g, const MatBlock *w, int64_t **ids, double **wv,
                               int64_t *maxid, Err *err)
{
    int64_t n = MB_CELLS(g);
    *ids = malloc((size_t)(n > 0 ? n : 1) * sizeof **ids);
    *wv = w ? cells_alloc(n) : NULL;
    if (!*ids || (w && !*wv)) return nomem("aggregate", err);
    if (w) mb_read_cells(w, *wv);
    return group_ids(g, *ids, maxid, err);
}

tsr_status kn_grouped_agg(const MatBlock *x, const MatBlock *g, const MatBlock *w, KnGAgg fn,
                          int order, int64_t ngroups, MatBlock **out, Err *err)
{
    int64_t *ids = NULL, maxid = 0;
    double *wv = NULL;
    GroupAcc acc = { 0 };
    MatBlock *z = NULL;
    *out = NULL;
    if (group_check(x, g, w, fn, order, err)) return err->code;
    if (group_inputs(g, w, &ids, &wv, &maxid, err) == TSR_OK &&
        (z = mb_new(ngroups >= 0 ? ngroups : maxid, x->cols, err))) {
        if (gacc_alloc(&acc, z->rows) == 0) {
            for (int64_t j = 0; j < x->cols; j++) group_column(x, j, ids, wv, fn, order, &acc, z);
            gacc_free(&acc);
            mb_recount_nnz(z);
            *out = z;
        } else {
            mb_free(z);
            nomem("aggregate", err);
        }
    }
    free(ids);
    free(wv);
    return *out ? TSR_OK : err->code;
}
