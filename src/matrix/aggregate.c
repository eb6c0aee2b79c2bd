/*
 * aggregate.c - full, row and column aggregates (sum, mean, var, sd, min,
 * max, prod; DML.md 7.5/7.6), rowIndexMax/Min, column-wise cumulative
 * aggregates (7.7) and trace.
 *
 * Numerics: sums and means use Kahan-Babuska-Neumaier compensation (like
 * SystemDS's KahanPlus); variances use the corrected two-pass algorithm
 * (sum of squared deviations from the compensated mean, minus the squared
 * sum of deviations / n).  min/max propagate NaN (Java Math.min).
 *
 * Empty inputs: sum 0, prod 1, mean/var/sd NaN, min +Inf, max -Inf (the
 * initial values SystemDS uses), var/sd of one cell 0.
 *
 * Row aggregates work on contiguous rows; column aggregates sweep the rows
 * once and keep per-column state, so both read memory sequentially.
 */
#include "matrix/matrix_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- contiguous ranges ------------------------------------------------------------ */

/* Eight lanes of Knuth's TwoSum (s + x = t + e exactly) in GCC vector
 * extensions: branch-free, so it runs at SIMD speed even at -O2, and gives
 * the same accuracy as Neumaier's update. */
typedef double v2d __attribute__((vector_size(16)));

static inline void twosum_v(v2d *s, v2d *c, v2d x)
{
    v2d t = *s + x, z = t - *s;
    *c += (*s - (t - z)) + (x - z);
    *s = t;
}

double kn_sum_range(const double *x, int64_t n)
{
    v2d s[4] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } }, c[4] = { { 0, 0 }, { 0, 0 }, { 0, 0 }, { 0, 0 } };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v2d x0, x1, x2, x3;
        memcpy(&x0, x + i, sizeof x0);
        memcpy(&x1, x + i + 2, sizeof x1);
        memcpy(&x2, x + i + 4, sizeof x2);
        memcpy(&x3, x + i + 6, sizeof x3);
        twosum_v(&s[0], &c[0], x0);
        twosum_v(&s[1], &c[1], x1);
        twosum_v(&s[2], &c[2], x2);
        twosum_v(&s[3], &c[3], x3);
    }
    KSum k = { 0, 0 };
    for (int l = 0; l < 4; l++)
        for (int h = 0; h < 2; h++) {
            ks_add(&k, s[l][h]);
            k.c += c[l][h];
        }
    for (; i < n; i++) ks_add(&k, x[i]);
    return ks_value(&k);
}

static double var_range(const double *x, int64_t n)
{
    if (n == 0) return NAN;
    if (n == 1) return isfinite(x[0]) ? 0.0 : NAN;
    double mu = kn_sum_range(x, n) / (double)n;
    KSum ss = { 0, 0 }, sd = { 0, 0 };
    for (int64_t i = 0; i < n; i++) {
        double d = x[i] - mu;
        ks_add(&ss, d * d);
        ks_add(&sd, d);
    }
    double dsum = ks_value(&sd);
    return (ks_value(&ss) - dsum * dsum / (double)n) / (double)(n - 1);
}

typedef long long v2i __attribute__((vector_size(16)));

/* Lane-wise a < b ? a : b (or >), and a NaN flag per lane. */
static inline v2d vsel_min(v2d a, v2d b, int is_min)
{
    v2i take = is_min ? (a < b) : (a > b);
    return (v2d)(((v2i)a & take) | ((v2i)b & ~take));
}

/* is_min: minimum, else maximum.  The main loop is branch-free SIMD (GCC
 * vector extensions); NaN and the sign of a zero result are settled
 * afterwards (Java Math.min semantics: NaN wins, -0.0 < +0.0). */
static double minmax_range(const double *x, int64_t n, int is_min)
{
    double init = is_min ? INFINITY : -INFINITY, m = init;
    v2d acc[4] = { { init, init }, { init, init }, { init, init }, { init, init } };
    v2i nanv = { 0, 0 };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 4; l++) {
            v2d v;
            memcpy(&v, x + i + 2 * l, sizeof v);
            acc[l] = vsel_min(v, acc[l], is_min);
            nanv |= (v != v);
        }
    int nan = nanv[0] || nanv[1];
    for (int l = 0; l < 4; l++)
        for (int h = 0; h < 2; h++) m = (is_min ? acc[l][h] < m : acc[l][h] > m) ? acc[l][h] : m;
    for (; i < n; i++) {
        m = (is_min ? x[i] < m : x[i] > m) ? x[i] : m;
        nan |= (x[i] != x[i]);
    }
    if (nan) return NAN;
    if (m == 0.0) {  /* min prefers -0.0, max prefers +0.0 */
        for (int64_t j = 0; j < n; j++)
            if (x[j] == 0.0 && (signbit(x[j]) != 0) == (is_min != 0)) return x[j];
    }
    return m;
}

static double prod_range(const double *x, int64_t n)
{
    double p = 1.0;
    for (int64_t i = 0; i < n; i++) p *= x[i];
    return p;
}

static double agg_range(KnAgg fn, const double *x, int64_t n)
{
    switch (fn) {
    case KA_SUM: return kn_sum_range(x, n);
    case KA_MEAN: return kn_sum_range(x, n) / (double)n;
    case KA_VAR: return var_range(x, n);
    case KA_SD: return sqrt(var_range(x, n));
    case KA_MIN: return minmax_range(x, n, 1);
    case KA_MAX: return minmax_range(x, n, 0);
    case KA_PROD: return prod_range(x, n);
    }
    return NAN;
}

static int agg_valid(KnAgg fn)
{
    return fn == KA_SUM || fn == KA_MEAN || fn == KA_VAR || fn == KA_SD || fn == KA_MIN ||
           fn == KA_MAX || fn == KA_PROD;
}

tsr_status kn_agg_full(KnAgg fn, const MatBlock *a, double *out, Err *err)
{
    if (!agg_valid(fn)) return err_set(err, TSR_RUNTIME, "unknown aggregate %d", (int)fn);
    *out = agg_range(fn, a->dense, MB_CELLS(a));
    return TSR_OK;
}

/* ---- column aggregates ---------------------------------------------------------------- */

/* Column sums (mean: divided by rows) into z (1 x n), with a scratch array
 * for the compensation terms. */
static tsr_status col_sum(const MatBlock *a, MatBlock *z, int mean, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    double *s = z->dense, *c = calloc((size_t)n, sizeof *c);
    if (!c) return err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    for (int64_t i = 0; i < m; i++) {
        const double *x = a->dense + i * n;
        for (int64_t j = 0; j < n; j++) {
            KSum k = { s[j], c[j] };
            ks_add(&k, x[j]);
            s[j] = k.s;
            c[j] = k.c;
        }
    }
    for (int64_t j = 0; j < n; j++) {
        KSum k = { s[j], c[j] };
        s[j] = ks_value(&k);
        if (mean) s[j] /= (double)m;
    }
    free(c);
    return TSR_OK;
}

/* Corrected two-pass column variances into z (1 x n). */
static tsr_status col_var(const MatBlock *a, MatBlock *z, int sd, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    if (col_sum(a, z, 1, err) != TSR_OK) return err->code;
    double *mu = z->dense, *w = calloc((size_t)n * 4, sizeof *w);
    if (!w) return err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    double *ss = w, *ssc = w + n, *ds = w + 2 * n, *dsc = w + 3 * n;
    for (int64_t i = 0; i < m; i++) {
        const double *x = a->dense + i * n;
        for (int64_t j = 0; j < n; j++) {
            double d = x[j] - mu[j];
            KSum k1 = { ss[j], ssc[j] }, k2 = { ds[j], dsc[j] };
            ks_add(&k1, d * d);
            ks_add(&k2, d);
            ss[j] = k1.s, ssc[j] = k1.c, ds[j] = k2.s, dsc[j] = k2.c;
        }
    }
    for (int64_t j = 0; j < n; j++) {
        double v;
        if (m == 0) v = NAN;
        else if (m == 1) v = isfinite(a->dense[j]) ? 0.0 : NAN;
        else {
            KSum k1 = { ss[j], ssc[j] }, k2 = { ds[j], dsc[j] };
            double dsum = ks_value(&k2);
            v = (ks_value(&k1) - dsum * dsum / (double)m) / (double)(m - 1);
        }
        mu[j] = sd ? sqrt(v) : v;
    }
    free(w);
    return TSR_OK;
}

static void col_minmax(const MatBlock *a, MatBlock *z, int is_min)
{
    int64_t m = a->rows, n = a->cols;
    double *r = z->dense;
    for (int64_t j = 0; j < n; j++) r[j] = is_min ? INFINITY : -INFINITY;
    for (int64_t i = 0; i < m; i++) {
        const double *x = a->dense + i * n;
        if (is_min)
            for (int64_t j = 0; j < n; j++) r[j] = kn_min2(r[j], x[j]);
        else
            for (int64_t j = 0; j < n; j++) r[j] = kn_max2(r[j], x[j]);
    }
}

static void col_prod(const MatBlock *a, MatBlock *z)
{
    int64_t m = a->rows, n = a->cols;
    double *r = z->dense;
    for (int64_t j = 0; j < n; j++) r[j] = 1.0;
    for (int64_t i = 0; i < m; i++) {
        const double *x = a->dense + i * n;
        for (int64_t j = 0; j < n; j++) r[j] *= x[j];
    }
}

static tsr_status col_agg(KnAgg fn, const MatBlock *a, MatBlock *z, Err *err)
{
    if (a->cols == 0) return TSR_OK;
    switch (fn) {
    case KA_SUM: return col_sum(a, z, 0, err);
    case KA_MEAN: return col_sum(a, z, 1, err);
    case KA_VAR: return col_var(a, z, 0, err);
    case KA_SD: return col_var(a, z, 1, err);
    case KA_MIN: col_minmax(a, z, 1); break;
    case KA_MAX: col_minmax(a, z, 0); break;
    case KA_PROD: col_prod(a, z); break;
    }
    return TSR_OK;
}

/* ---- directional entry point ------------------------------------------------------------ */

tsr_status kn_agg_dir(KnAgg fn, KnDir dir, const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (!agg_valid(fn)) return err_set(err, TSR_RUNTIME, "unknown aggregate %d", (int)fn);
    int64_t rows = dir == KD_ROW ? a->rows : 1, cols = dir == KD_COL ? a->cols : 1;
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return err->code;
    if (dir == KD_ALL) {
        z->dense[0] = agg_range(fn, a->dense, MB_CELLS(a));
    } else if (dir == KD_ROW) {
        for (int64_t i = 0; i < a->rows; i++)
            z->dense[i] = agg_range(fn, a->cols ? a->dense + i * a->cols : NULL, a->cols);
    } else if (col_agg(fn, a, z, err) != TSR_OK) {
        mb_free(z);
        return err->code;
    }
    mb_recount_nnz(z);
    *out = z;
    return TSR_OK;
}

/* ---- rowIndexMax / rowIndexMin ----------------------------------------------------------- */

/* 1-based position of the last extreme non-NaN value; 1 if all are NaN. */
static double row_index(const double *x, int64_t n, int is_max)
{
    int64_t best = -1;
    double bv = 0;
    for (int64_t j = 0; j < n; j++) {
        double v = x[j];
        if (v != v) continue;
        if (best < 0 || (is_max ? v >= bv : v <= bv)) {
            best = j;
            bv = v;
        }
    }
    return best < 0 ? 1.0 : (double)(best + 1);
}

tsr_status kn_row_index(int is_max, const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->cols == 0)
        return err_set(err, TSR_RUNTIME, "%s undefined for ncol=0",
                       is_max ? "rowIndexMax" : "rowIndexMin");
    MatBlock *z = mb_new(a->rows, 1, err);
    if (!z) return err->code;
    for (int64_t i = 0; i < a->rows; i++)
        z->dense[i] = row_index(a->dense + i * a->cols, a->cols, is_max);
    z->nnz = a->rows;
    *out = z;
    return TSR_OK;
}

/* ---- cumulative aggregates ------------------------------------------------------------------ */

/* cumsum: compensated running sums per column (scratch for the terms). */
static tsr_status cum_sum(const MatBlock *a, MatBlock *z, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    double *w = calloc((size_t)n * 2, sizeof *w);
    if (!w) return err_set(err, TSR_NOMEM, "out of memory in cumsum");
    double *s = w, *c = w + n;
    for (int64_t i = 0; i < m; i++) {
        const double *x = a->dense + i * n;
        double *o = z->dense + i * n;
        for (int64_t j = 0; j < n; j++) {
            KSum k = { s[j], c[j] };
            ks_add(&k, x[j]);
            s[j] = k.s;
            c[j] = k.c;
            o[j] = ks_value(&k);
        }
    }
    free(w);
    return TSR_OK;
}

tsr_status kn_cumagg(KnCum fn, const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (fn != KC_SUM && fn != KC_PROD && fn != KC_MIN && fn != KC_MAX)
        return err_set(err, TSR_RUNTIME, "unknown cumulative aggregate %d", (int)fn);
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    int64_t m = a->rows, n = a->cols;
    if (MB_CELLS(a) > 0) {
        if (fn == KC_SUM) {
            if (cum_sum(a, z, err) != TSR_OK) {
                mb_free(z);
                return err->code;
            }
        } else {
            memcpy(z->dense, a->dense, (size_t)n * sizeof(double));
            for (int64_t i = 1; i < m; i++) {
                const double *x = a->dense + i * n, *p = z->dense + (i - 1) * n;
                double *o = z->dense + i * n;
                if (fn == KC_PROD)
                    for (int64_t j = 0; j < n; j++) o[j] = p[j] * x[j];
                else if (fn == KC_MIN)
                    for (int64_t j = 0; j < n; j++) o[j] = kn_min2(p[j], x[j]);
                else
                    for (int64_t j = 0; j < n; j++) o[j] = kn_max2(p[j], x[j]);
            }
        }
        mb_recount_nnz(z);
    }
    *out = z;
    return TSR_OK;
}

tsr_status kn_trace(const MatBlock *a, double *out, Err *err)
{
    if (a->rows != a->cols)
        return err_set(err, TSR_RUNTIME,
                       "Trace is only defined on squared matrices but found [%lldx%lld].",
                       (long long)a->rows, (long long)a->cols);
    KSum k = { 0, 0 };
    for (int64_t i = 0; i < a->rows; i++) ks_add(&k, a->dense[i * a->cols + i]);
    *out = ks_value(&k);
    return TSR_OK;
}
