/*
 * aggregate.c - full, row and column aggregates (sum, mean, var, sd, min,
 * max, prod; DML.md 7.5/7.6), rowIndexMax/Min, column-wise cumulative
 * aggregates (7.7) and trace, over dense and sparse (CSR) blocks.
 *
 * Numerics: sums and means use Kahan-Babuska-Neumaier compensation (like
 * SystemDS's KahanPlus); variances use the corrected two-pass algorithm
 * (sum of squared deviations from the compensated mean, minus the squared
 * sum of deviations / n).  min/max propagate NaN (Java Math.min).
 *
 * Empty inputs: sum 0, prod 1, mean/var/sd NaN, min +Inf, max -Inf (the
 * initial values SystemDS uses), var/sd of one cell 0 (even NaN or Inf).
 *
 * Sparse inputs are read through their CSR arrays only (never densified):
 * the implicit zeros enter in closed form - a compensated add of 0 changes
 * nothing, min/max meet one 0 when a run has fewer non-zeros than cells,
 * var adds (cells - nnz) * mu^2 in one step, prod multiplies by 0 once per
 * gap at the gap's position (so Inf * 0 = NaN happens exactly where the
 * dense product meets it).  Sums, means, column sums and prod are
 * bit-identical to the dense results; var/sd agree to rounding.
 *
 * Row aggregates work on contiguous rows; column aggregates sweep the rows
 * once and keep per-column state, so both read memory sequentially.
 * Outputs are dense (row/column vectors, 1x1) except for cumulative
 * aggregates of sparse input, which stay sparse when they can.
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

/* Compensated sum of rows [r0, r1) of a CSR block, bit-identical to
 * kn_sum_range over the same cells in dense form: adding 0 leaves a TwoSum
 * lane unchanged, so each stored value goes to the lane its dense position
 * would use (position mod 8 below the last multiple of 8, then the
 * sequential tail after the lanes are merged, as there). */
static double sum_csr(const MatBlock *a, int64_t r0, int64_t r1)
{
    double s[8] = { 0 }, c[8] = { 0 };
    int64_t n8 = ((r1 - r0) * a->cols) & ~(int64_t)7, k = a->ptr[r0], end = a->ptr[r1];
    int64_t i = r0;
    for (; k < end; k++) {
        while (k >= a->ptr[i + 1]) i++;
        int64_t p = (i - r0) * a->cols + a->idx[k];
        if (p >= n8) break;
        double x = a->val[k], *sl = &s[p & 7], t = *sl + x, z = t - *sl;
        c[p & 7] += (*sl - (t - z)) + (x - z);
        *sl = t;
    }
    KSum ks = { 0, 0 };
    for (int l = 0; l < 8; l++) {
        ks_add(&ks, s[l]);
        ks.c += c[l];
    }
    for (; k < end; k++) ks_add(&ks, a->val[k]);
    return ks_value(&ks);
}

/* Variance of n cells given their compensated sum: the nz values x plus
 * n - nz implicit zeros (nz == n for a dense run). */
static double var_vals(const double *x, int64_t nz, int64_t n, double sum)
{
    if (n == 0) return NAN;
    if (n == 1) return 0.0;   /* DML.md 7.5 (SystemDS: w == 1 -> 0), NaN/Inf cell too */
    double mu = sum / (double)n;
    KSum ss = { 0, 0 }, sd = { 0, 0 };
    for (int64_t i = 0; i < nz; i++) {
        double d = x[i] - mu;
        ks_add(&ss, d * d);
        ks_add(&sd, d);
    }
    if (nz < n) {   /* the zeros: (n - nz) deviations of -mu */
        double z = (double)(n - nz);
        ks_add(&ss, z * (mu * mu));
        ks_add(&sd, -z * mu);
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

/* Product of rows [r0, r1) of a CSR block in row-major order, multiplying
 * by 0 once per run of implicit zeros (further zeros would not change the
 * product: p * 0 * 0 == p * 0, including NaN and the sign of zero). */
static double prod_csr(const MatBlock *a, int64_t r0, int64_t r1)
{
    double p = 1.0;
    int64_t next = 0, n = a->cols;   /* next dense position (relative to row r0) */
    for (int64_t i = r0; i < r1; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            int64_t pos = (i - r0) * n + a->idx[k];
            if (pos > next) p *= 0.0;
            p *= a->val[k];
            next = pos + 1;
        }
    if (next < (r1 - r0) * n) p *= 0.0;
    return p;
}

static double agg_range(KnAgg fn, const double *x, int64_t n)
{
    switch (fn) {
    case KA_SUM: return kn_sum_range(x, n);
    case KA_MEAN: return kn_sum_range(x, n) / (double)n;
    case KA_VAR: return var_vals(x, n, n, kn_sum_range(x, n));
    case KA_SD: return sqrt(var_vals(x, n, n, kn_sum_range(x, n)));
    case KA_MIN: return minmax_range(x, n, 1);
    case KA_MAX: return minmax_range(x, n, 0);
    case KA_PROD: return prod_range(x, n);
    }
    return NAN;
}

/* The same aggregate over rows [r0, r1) of a CSR block. */
static double agg_csr(KnAgg fn, const MatBlock *a, int64_t r0, int64_t r1)
{
    const double *x = a->val + a->ptr[r0];
    int64_t nz = a->ptr[r1] - a->ptr[r0], n = (r1 - r0) * a->cols;
    double m;
    switch (fn) {
    case KA_SUM: return sum_csr(a, r0, r1);
    case KA_MEAN: return sum_csr(a, r0, r1) / (double)n;
    case KA_VAR: return var_vals(x, nz, n, sum_csr(a, r0, r1));
    case KA_SD: return sqrt(var_vals(x, nz, n, sum_csr(a, r0, r1)));
    case KA_MIN:
        m = minmax_range(x, nz, 1);
        return nz < n ? kn_min2(m, 0.0) : m;
    case KA_MAX:
        m = minmax_range(x, nz, 0);
        return nz < n ? kn_max2(m, 0.0) : m;
    case KA_PROD: return prod_csr(a, r0, r1);
    }
    return NAN;
}

static int agg_valid(KnAgg fn)
{
    return fn == KA_SUM || fn == KA_MEAN || fn == KA_VAR || fn == KA_SD || fn == KA_MIN ||
           fn == KA_MAX || fn == KA_PROD;
}

static double agg_all(KnAgg fn, const MatBlock *a)
{
    return a->sparse ? agg_csr(fn, a, 0, a->rows) : agg_range(fn, a->dense, MB_CELLS(a));
}

tsr_status kn_agg_full(const ParCtx *par, KnAgg fn, const MatBlock *a, double *out, Err *err)
{
    if (!agg_valid(fn)) return err_set(err, TSR_RUNTIME, "unknown aggregate %d", (int)fn);
    *out = agg_all(fn, a);
    return TSR_OK;
}

/* ---- column aggregates ---------------------------------------------------------------- */

/* One compensated add into the split state (s[j], c[j]). */
static inline void col_ks_add(double *s, double *c, int64_t j, double x)
{
    KSum k = { s[j], c[j] };
    ks_add(&k, x);
    s[j] = k.s;
    c[j] = k.c;
}

/* Column sums (mean: divided by rows) into z (1 x n), with a scratch array
 * for the compensation terms.  A sparse input adds its stored values only:
 * adding 0 leaves (s, c) unchanged, so the sums equal the dense ones. */
static tsr_status col_sum(const MatBlock *a, MatBlock *z, int mean, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    double *s = z->dense, *c = calloc((size_t)n, sizeof *c);
    if (!c) return err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    if (a->sparse) {
        for (int64_t k = 0; k < a->nnz; k++) col_ks_add(s, c, a->idx[k], a->val[k]);
    } else {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) col_ks_add(s, c, j, a->dense[i * n + j]);
    }
    for (int64_t j = 0; j < n; j++) {
        KSum k = { s[j], c[j] };
        s[j] = ks_value(&k);
        if (mean) s[j] /= (double)m;
    }
    free(c);
    return TSR_OK;
}

/* Number of stored values per column of a CSR block into cnt (n). */
static void col_counts(const MatBlock *a, int64_t *cnt)
{
    for (int64_t k = 0; k < a->nnz; k++) cnt[a->idx[k]]++;
}

/* Squared and plain deviations from mu[j] of column j's cells: the state
 * w = (ss, ssc, ds, dsc), four arrays of n.  Sparse input: the stored
 * values, then the m - cnt zeros in one step each. */
static tsr_status col_dev(const MatBlock *a, const double *mu, double *w, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    double *ss = w, *ssc = w + n, *ds = w + 2 * n, *dsc = w + 3 * n;
    if (!a->sparse) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double d = a->dense[i * n + j] - mu[j];
                col_ks_add(ss, ssc, j, d * d);
                col_ks_add(ds, dsc, j, d);
            }
        return TSR_OK;
    }
    int64_t *cnt = calloc((size_t)n, sizeof *cnt);
    if (!cnt) return err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    col_counts(a, cnt);
    for (int64_t k = 0; k < a->nnz; k++) {
        int64_t j = a->idx[k];
        double d = a->val[k] - mu[j];
        col_ks_add(ss, ssc, j, d * d);
        col_ks_add(ds, dsc, j, d);
    }
    for (int64_t j = 0; j < n; j++)
        if (cnt[j] < m) {
            double zc = (double)(m - cnt[j]);
            col_ks_add(ss, ssc, j, zc * (mu[j] * mu[j]));
            col_ks_add(ds, dsc, j, -zc * mu[j]);
        }
    free(cnt);
    return TSR_OK;
}

/* Corrected two-pass column variances into z (1 x n). */
static tsr_status col_var(const MatBlock *a, MatBlock *z, int sd, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    if (col_sum(a, z, 1, err) != TSR_OK) return err->code;
    double *mu = z->dense, *w = calloc((size_t)n * 4, sizeof *w);
    if (!w) return err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    if (col_dev(a, mu, w, err) != TSR_OK) {
        free(w);
        return err->code;
    }
    double *ss = w, *ssc = w + n, *ds = w + 2 * n, *dsc = w + 3 * n;
    for (int64_t j = 0; j < n; j++) {
        double v;
        if (m == 0) v = NAN;
        else if (m == 1) v = 0.0;   /* one cell: 0, also for NaN/Inf (as var_vals) */
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

/* Column minima/maxima; a sparse column with fewer stored values than rows
 * meets one implicit 0. */
static tsr_status col_minmax(const MatBlock *a, MatBlock *z, int is_min, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    double *r = z->dense;
    for (int64_t j = 0; j < n; j++) r[j] = is_min ? INFINITY : -INFINITY;
    if (!a->sparse) {
        for (int64_t i = 0; i < m; i++) {
            const double *x = a->dense + i * n;
            if (is_min)
                for (int64_t j = 0; j < n; j++) r[j] = kn_min2(r[j], x[j]);
            else
                for (int64_t j = 0; j < n; j++) r[j] = kn_max2(r[j], x[j]);
        }
        return TSR_OK;
    }
    int64_t *cnt = calloc((size_t)n, sizeof *cnt);
    if (!cnt) return err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    col_counts(a, cnt);
    for (int64_t k = 0; k < a->nnz; k++) {
        int64_t j = a->idx[k];
        r[j] = is_min ? kn_min2(r[j], a->val[k]) : kn_max2(r[j], a->val[k]);
    }
    for (int64_t j = 0; j < n; j++)
        if (cnt[j] < m) r[j] = is_min ? kn_min2(r[j], 0.0) : kn_max2(r[j], 0.0);
    free(cnt);
    return TSR_OK;
}

/* Column products in row order.  Sparse: a column multiplies by 0 once per
 * run of implicit zeros, at the run's place (see prod_csr); last[j] is the
 * last row seen in column j. */
static tsr_status col_prod(const MatBlock *a, MatBlock *z, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    double *r = z->dense;
    for (int64_t j = 0; j < n; j++) r[j] = 1.0;
    if (!a->sparse) {
        for (int64_t i = 0; i < m; i++) {
            const double *x = a->dense + i * n;
            for (int64_t j = 0; j < n; j++) r[j] *= x[j];
        }
        return TSR_OK;
    }
    int64_t *last = malloc((size_t)n * sizeof *last);
    if (!last) return err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    for (int64_t j = 0; j < n; j++) last[j] = -1;
    for (int64_t i = 0; i < m; i++)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) {
            int64_t j = a->idx[k];
            if (i > last[j] + 1) r[j] *= 0.0;
            r[j] *= a->val[k];
            last[j] = i;
        }
    for (int64_t j = 0; j < n; j++)
        if (last[j] < m - 1) r[j] *= 0.0;
    free(last);
    return TSR_OK;
}

static tsr_status col_agg(KnAgg fn, const MatBlock *a, MatBlock *z, Err *err)
{
    if (a->cols == 0) return TSR_OK;
    switch (fn) {
    case KA_SUM: return col_sum(a, z, 0, err);
    case KA_MEAN: return col_sum(a, z, 1, err);
    case KA_VAR: return col_var(a, z, 0, err);
    case KA_SD: return col_var(a, z, 1, err);
    case KA_MIN: return col_minmax(a, z, 1, err);
    case KA_MAX: return col_minmax(a, z, 0, err);
    case KA_PROD: return col_prod(a, z, err);
    }
    return TSR_OK;
}

/* ---- directional entry point ------------------------------------------------------------ */

tsr_status kn_agg_dir(const ParCtx *par, KnAgg fn, KnDir dir, const MatBlock *a, MatBlock **out,
                      Err *err)
{
    *out = NULL;
    if (!agg_valid(fn)) return err_set(err, TSR_RUNTIME, "unknown aggregate %d", (int)fn);
    int64_t rows = dir == KD_ROW ? a->rows : 1, cols = dir == KD_COL ? a->cols : 1;
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return err->code;
    if (dir == KD_ALL) {
        z->dense[0] = agg_all(fn, a);
    } else if (dir == KD_ROW) {
        for (int64_t i = 0; i < a->rows; i++)
            z->dense[i] = a->sparse ? agg_csr(fn, a, i, i + 1)
                                    : agg_range(fn, a->cols ? a->dense + i * a->cols : NULL,
                                                a->cols);
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

/* The same for row i of a CSR block.  The implicit zeros compete as one
 * candidate at the last zero column (ties go last; a stored value is never
 * 0, so a zero and a stored value never tie). */
static double row_index_csr(const MatBlock *a, int64_t i, int is_max)
{
    int64_t lo = a->ptr[i], hi = a->ptr[i + 1], best = -1;
    double bv = 0;
    for (int64_t k = lo; k < hi; k++) {
        double v = a->val[k];
        if (v != v) continue;
        if (best < 0 || (is_max ? v >= bv : v <= bv)) {
            best = a->idx[k];
            bv = v;
        }
    }
    if (hi - lo < a->cols && (best < 0 || (is_max ? 0.0 > bv : 0.0 < bv))) {
        int64_t j = a->cols - 1;   /* last column without a stored value */
        for (int64_t k = hi - 1; k >= lo && a->idx[k] == j; k--) j--;
        best = j;
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
        z->dense[i] = a->sparse ? row_index_csr(a, i, is_max)
                                : row_index(a->dense + i * a->cols, a->cols, is_max);
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

static tsr_status cum_dense(KnCum fn, const MatBlock *a, MatBlock *z, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    if (fn == KC_SUM) return cum_sum(a, z, err);
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
    return TSR_OK;
}

/* Sparse input.  A column's running state is exactly 0 until its first
 * stored value and whenever it returns to 0 (op(0, 0) == 0 for all four
 * aggregates), so only the "active" columns (state not 0) and the columns
 * stored in the current row need a step: both lists are sorted, and their
 * merge is the next active list.  Work O(nnz + output nnz + n); the
 * per-column operations are those of the dense loops, in the same order. */
typedef struct CumSp {
    KnCum fn;
    double *s, *c;        /* state per column (c: compensation of cumsum) */
    int32_t *act, *nxt;   /* active columns, increasing */
    int64_t nact;
    int64_t nz;           /* non-zeros written to a dense output */
} CumSp;

/* One step of column j with cell x; returns the output value and whether
 * the state stays active. */
static inline double cum_step(CumSp *t, int64_t j, double x, int *active)
{
    double v;
    if (t->fn == KC_SUM) {
        KSum k = { t->s[j], t->c[j] };
        ks_add(&k, x);
        t->s[j] = k.s;
        t->c[j] = k.c;
        *active = k.s != 0.0 || k.c != 0.0;
        return ks_value(&k);
    }
    if (t->fn == KC_PROD) v = t->s[j] * x;
    else if (t->fn == KC_MIN) v = kn_min2(t->s[j], x);
    else v = kn_max2(t->s[j], x);
    t->s[j] = v;
    *active = v != 0.0;
    return v;
}

/* Emits (j, v) into row i of z (dense row or CSR builder). */
static inline tsr_status cum_emit(CumSp *t, MatBlock *z, int64_t i, int64_t j, double v, Err *err)
{
    if (z->sparse) return mb_csr_push(z, (int32_t)j, v, err);
    z->dense[i * z->cols + j] = v;
    t->nz += (v != 0.0);
    return TSR_OK;
}

/* Row i: merges the active list with the row's stored columns.  Row 0
 * starts every column's state at its cell (the dense loops copy row 0). */
static tsr_status cum_row(CumSp *t, const MatBlock *a, MatBlock *z, int64_t i, Err *err)
{
    int64_t p = 0, k = a->ptr[i], ke = a->ptr[i + 1], nn = 0;
    while (p < t->nact || k < ke) {
        int64_t ja = p < t->nact ? t->act[p] : INT64_MAX, jb = k < ke ? a->idx[k] : INT64_MAX;
        int64_t j = ja < jb ? ja : jb;
        double x = jb == j ? a->val[k++] : 0.0, v = x;
        int active = 1;
        if (ja == j) p++;
        if (i == 0) t->s[j] = x;
        else v = cum_step(t, j, x, &active);
        if (!active) {
            t->s[j] = t->c[j] = 0.0;
            continue;
        }
        t->nxt[nn++] = (int32_t)j;
        if (cum_emit(t, z, i, j, v, err)) return TSR_NOMEM;
    }
    int32_t *tmp = t->act;
    t->act = t->nxt;
    t->nxt = tmp;
    t->nact = nn;
    if (z->sparse) mb_csr_end_row(z, i);
    return TSR_OK;
}

/* Upper bound of the output nnz: column j can be non-zero only from its
 * first stored row on.  -1 on allocation failure. */
static int64_t cum_bound(const MatBlock *a)
{
    int64_t n = a->cols, bound = 0, *first = malloc((size_t)(n ? n : 1) * sizeof *first);
    if (!first) return -1;
    for (int64_t j = 0; j < n; j++) first[j] = a->rows;
    for (int64_t i = a->rows - 1; i >= 0; i--)
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) first[a->idx[k]] = i;
    for (int64_t j = 0; j < n; j++) bound += a->rows - first[j];
    free(first);
    return bound;
}

static tsr_status cum_sparse(KnCum fn, const MatBlock *a, MatBlock **out, Err *err)
{
    int64_t m = a->rows, n = a->cols, bound = cum_bound(a);
    double *sc = calloc((size_t)n * 2 + 1, sizeof *sc);
    int32_t *lists = malloc((size_t)n * 2 * sizeof *lists + 1);
    if (bound < 0 || !sc || !lists) {
        free(sc);
        free(lists);
        return err_set(err, TSR_NOMEM, "out of memory in cumulative aggregate");
    }
    MatBlock *z = mb_prefers_sparse(m, n, bound) ? mb_new_sparse(m, n, bound, err)
                                                 : mb_new(m, n, err);
    CumSp t = { fn, sc, sc + n, lists, lists + n, 0, 0 };
    tsr_status st = z ? TSR_OK : err->code;
    for (int64_t i = 0; i < m && st == TSR_OK; i++) st = cum_row(&t, a, z, i, err);
    free(sc);
    free(lists);
    if (st != TSR_OK) {
        mb_free(z);
        return st;
    }
    if (!z->sparse) z->nnz = t.nz;
    kn_csr_trim(z);
    *out = z;
    return TSR_OK;
}

tsr_status kn_cumagg(KnCum fn, const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if (fn != KC_SUM && fn != KC_PROD && fn != KC_MIN && fn != KC_MAX)
        return err_set(err, TSR_RUNTIME, "unknown cumulative aggregate %d", (int)fn);
    if (a->sparse) return cum_sparse(fn, a, out, err);
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    if (MB_CELLS(a) > 0) {
        if (cum_dense(fn, a, z, err) != TSR_OK) {
            mb_free(z);
            return err->code;
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
    for (int64_t i = 0; i < a->rows; i++) ks_add(&k, mb_get(a, i, i));
    *out = ks_value(&k);
    return TSR_OK;
}
