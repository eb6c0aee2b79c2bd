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
 * Parallelism and determinism.  Full aggregates split the cells (row-major
 * positions, the same chunks for dense and CSR) into par_grain chunks; each
 * chunk yields a partial - a compensated sum (s, c), (n, mean, M2) for
 * var/sd, an extreme, a product - and the partials are combined in chunk
 * order (sums with ks_merge, M2 with Chan et al.'s pairwise formula,
 * products by multiplication).  Column aggregates split the rows into bands
 * with per-column partials combined the same way, or - when bands times
 * columns would need too much partial state - the columns into ranges that
 * need no combining.  The chunks depend only on the matrix size, never on
 * the thread count, so 1 and k threads give bit-identical results; an
 * operation below the parallel threshold is a single chunk and gives the
 * sequential algorithm's result.  Row aggregates are per row (any split).
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

#ifdef KN_AVX512
#include <immintrin.h>
#endif

/* ---- contiguous ranges ------------------------------------------------------------ */

/* Compensated sum of fewer than 8 values: ks_add in order. */
static inline KSum sum_short_ks(const double *x, int64_t n)
{
    KSum k = { 0, 0 };
    for (int64_t i = 0; i < n; i++) ks_add(&k, x[i]);
    return k;
}

/* Compensated sum of n contiguous doubles as a (s, c) pair: eight TwoSum
 * lanes (KsLanes, matrix_int.h, shared with the fused kernel), then the
 * last n & 7 values in order. */
KN_CLONES static KSum sum_range_ks(const double *x, int64_t n)
{
    if (n < 8) return sum_short_ks(x, n);   /* merging eight (0, 0) lanes leaves (0, 0) */
    KsLanes L;
    int64_t n8 = n & ~(int64_t)7;
    ksl_init(&L);
    ksl_add8(&L, x, n8);
    KSum k = ksl_merge(&L);
    for (int64_t i = n8; i < n; i++) ks_add(&k, x[i]);
    return k;
}

double kn_sum_range(const double *x, int64_t n)
{
    KSum k = sum_range_ks(x, n);
    return ks_value(&k);
}

/* First stored entry of a CSR block at a row-major position >= p. */
static int64_t csr_at(const MatBlock *a, int64_t p)
{
    int64_t i = p / a->cols, j = p - i * a->cols;
    if (i >= a->rows) return a->ptr[a->rows];
    return mb_csr_lower(a, a->ptr[i], a->ptr[i + 1], j);
}

/* A run of cells of a CSR block: row-major positions [p0, p1), whose stored
 * entries are [k0, k1), the first in row r0. */
typedef struct CsrRun {
    const MatBlock *a;
    int64_t p0, p1, k0, k1, r0;
} CsrRun;

static CsrRun csr_run(const MatBlock *a, int64_t p0, int64_t p1)
{
    CsrRun r = { a, p0, p1, csr_at(a, p0), csr_at(a, p1), a->cols ? p0 / a->cols : 0 };
    return r;
}

/* Compensated sum of a CSR run, bit-identical to sum_range_ks over the same
 * cells in dense form: adding 0 leaves a TwoSum lane unchanged, so each
 * stored value goes to the lane its dense position would use (position mod
 * 8 below the last multiple of 8, then the sequential tail after the lanes
 * are merged, as there). */
static KSum sum_csr_ks(const CsrRun *r)
{
    const MatBlock *a = r->a;
    double s[8] = { 0 }, c[8] = { 0 };
    int64_t n8 = (r->p1 - r->p0) & ~(int64_t)7, k = r->k0, i = r->r0;
    for (; k < r->k1; k++) {
        while (k >= a->ptr[i + 1]) i++;
        int64_t p = i * a->cols + a->idx[k] - r->p0;
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
    for (; k < r->k1; k++) ks_add(&ks, a->val[k]);
    return ks;
}

typedef double agg_v4d __attribute__((vector_size(32)));

/* Non-zeros of src[0..n), copied to dst unless dst is NULL (inlined into
 * both callers, so the NULL test disappears). */
static inline __attribute__((always_inline)) int64_t nz_pass(double *dst, const double *src,
                                                             int64_t n)
{
    typedef long long v4i __attribute__((vector_size(32)));
    const agg_v4d zero = { 0, 0, 0, 0 };
    v4i acc = { 0, 0, 0, 0 };
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        agg_v4d v;
        memcpy(&v, src + i, sizeof v);
        if (dst) memcpy(dst + i, &v, sizeof v);
        acc -= (v4i)(v != zero);   /* true is -1 in every lane */
    }
    int64_t nz = acc[0] + acc[1] + acc[2] + acc[3];
    for (; i < n; i++) {
        if (dst) dst[i] = src[i];
        nz += src[i] != 0.0;
    }
    return nz;
}

KN_CLONES int64_t kn_count_nz(const double *x, int64_t n)
{
    return nz_pass(NULL, x, n);
}

KN_CLONES int64_t kn_copy_nz(double *dst, const double *src, int64_t n)
{
    return nz_pass(dst, src, n);
}

/* One 4-wide step of the deviation sums: p += (x - mx) * (y - my) and
 * d += x - mx (y NULL: y = x). */
static inline __attribute__((always_inline)) void dev_step(const double *x, const double *y,
                                                           agg_v4d vmx, agg_v4d vmy, agg_v4d *p,
                                                           agg_v4d *d)
{
    agg_v4d u, v;
    memcpy(&u, x, sizeof u);
    u -= vmx;
    if (y) {
        memcpy(&v, y, sizeof v);
        v -= vmy;
    } else {
        v = u;
    }
    *p += u * v;
    *d += u;
}

/* Plain sums of (x - mx) * (y - my) and (x - mx) over x[0..n), n a multiple
 * of 8: four independent 4-lane accumulators each (16 values per step). */
static inline __attribute__((always_inline)) void dev_block(const double *x, const double *y,
                                                            int64_t n, double mx, double my,
                                                            double *pt, double *dt)
{
    const agg_v4d vmx = { mx, mx, mx, mx }, vmy = { my, my, my, my };
    agg_v4d p[4], d[4];
    for (int l = 0; l < 4; l++) p[l] = d[l] = (agg_v4d){ 0, 0, 0, 0 };
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 4; l++)
            dev_step(x + i + 4 * l, y ? y + i + 4 * l : NULL, vmx, vmy, &p[l], &d[l]);
    for (int l = 0; i < n; i += 4, l++)   /* n is a multiple of 8: at most 3 steps */
        dev_step(x + i, y ? y + i : NULL, vmx, vmy, &p[l], &d[l]);
    agg_v4d ps = (p[0] + p[1]) + (p[2] + p[3]), ds = (d[0] + d[1]) + (d[2] + d[3]);
    *pt = (ps[0] + ps[1]) + (ps[2] + ps[3]);
    *dt = (ds[0] + ds[1]) + (ds[2] + ds[3]);
}

/* Plain sum of x[0..n), n a multiple of 8, accumulated like dev_block's
 * deviations with mean 0 (so kn_sum_blocked equals kn_dev_sums' sd). */
static inline __attribute__((always_inline)) double sum_block(const double *x, int64_t n)
{
    agg_v4d d[4];
    for (int l = 0; l < 4; l++) d[l] = (agg_v4d){ 0, 0, 0, 0 };
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int l = 0; l < 4; l++) {
            agg_v4d u;
            memcpy(&u, x + i + 4 * l, sizeof u);
            d[l] += u;
        }
    for (int l = 0; i < n; i += 4, l++) {
        agg_v4d u;
        memcpy(&u, x + i, sizeof u);
        d[l] += u;
    }
    agg_v4d ds = (d[0] + d[1]) + (d[2] + d[3]);
    return (ds[0] + ds[1]) + (ds[2] + ds[3]);
}

/* Blocks of 128 values summed plainly in 16 lanes, the block sums added
 * with compensation: the error is that of an 8-term plain sum per lane,
 * at the speed of plain SIMD. */
#define DEV_BLOCK 128

KN_CLONES void kn_dev_sums(const double *x, const double *y, int64_t n, double mx, double my,
                            KSum *sp, KSum *sd)
{
    KSum p = { 0, 0 }, d = { 0, 0 };
    int64_t n8 = n & ~(int64_t)7;
    for (int64_t b = 0; b < n8; b += DEV_BLOCK) {
        int64_t len = b + DEV_BLOCK < n8 ? DEV_BLOCK : n8 - b;
        double pt, dt;
        if (y) dev_block(x + b, y + b, len, mx, my, &pt, &dt);
        else dev_block(x + b, NULL, len, mx, my, &pt, &dt);
        ks_add(&p, pt);
        ks_add(&d, dt);
    }
    for (int64_t i = n8; i < n; i++) {
        double u = x[i] - mx, v = y ? y[i] - my : u;
        ks_add(&p, u * v);
        ks_add(&d, u);
    }
    *sp = p;
    *sd = d;
}

KN_CLONES static KSum sum_blocked_ks(const double *x, int64_t n)
{
    KSum d = { 0, 0 };
    int64_t n8 = n & ~(int64_t)7;
    for (int64_t b = 0; b < n8; b += DEV_BLOCK)
        ks_add(&d, sum_block(x + b, b + DEV_BLOCK < n8 ? DEV_BLOCK : n8 - b));
    for (int64_t i = n8; i < n; i++) ks_add(&d, x[i]);
    return d;
}

double kn_sum_blocked(const double *x, int64_t n)
{
    KSum d = sum_blocked_ks(x, n);
    return ks_value(&d);
}

/* Sum of squared deviations from mu (corrected two-pass: minus the squared
 * sum of deviations / n) of n cells: the nz values x plus n - nz implicit
 * zeros (nz == n for a dense run). */
static double m2_vals(const double *x, int64_t nz, int64_t n, double mu)
{
    KSum ss, sd;
    kn_dev_sums(x, NULL, nz, mu, mu, &ss, &sd);
    if (nz < n) {   /* the zeros: (n - nz) deviations of -mu */
        double z = (double)(n - nz);
        ks_add(&ss, z * (mu * mu));
        ks_add(&sd, -z * mu);
    }
    double dsum = ks_value(&sd);
    return ks_value(&ss) - dsum * dsum / (double)n;
}

/* Variance of n cells given their compensated sum. */
static double var_vals(const double *x, int64_t nz, int64_t n, double sum)
{
    if (n == 0) return NAN;
    if (n == 1) return 0.0;   /* DML.md 7.5 (SystemDS: w == 1 -> 0), NaN/Inf cell too */
    return m2_vals(x, nz, n, sum / (double)n) / (double)(n - 1);
}

typedef double v2d __attribute__((vector_size(16)));
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
/* Extends the extreme m over x[0, n) by a select per cell (no branch on
 * the data); *nan records a NaN. */
static inline double minmax_scan(const double *x, int64_t n, double m, int *nan, int is_min)
{
    if (is_min)
        for (int64_t k = 0; k < n; k++) {
            m = x[k] < m ? x[k] : m;
            *nan |= x[k] != x[k];
        }
    else
        for (int64_t k = 0; k < n; k++) {
            m = x[k] > m ? x[k] : m;
            *nan |= x[k] != x[k];
        }
    return m;
}

/* The result from the extreme m of all n cells: NaN wins, and a zero
 * result takes the sign min (-0.0) or max (+0.0) prefers if some cell has it. */
static inline double minmax_settle(const double *x, int64_t n, double m, int nan, int is_min)
{
    if (nan) return NAN;
    if (m == 0.0)
        for (int64_t j = 0; j < n; j++)
            if (x[j] == 0.0 && (signbit(x[j]) != 0) == (is_min != 0)) return x[j];
    return m;
}

/* min or max of a short dense row (fewer than 16 cells) without
 * minmax_range's vector setup. */
static inline double minmax_short(const double *x, int64_t n, int is_min)
{
    int nan = 0;
    double m = minmax_scan(x, n, is_min ? INFINITY : -INFINITY, &nan, is_min);
    return minmax_settle(x, n, m, nan, is_min);
}

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
    m = minmax_scan(x + i, n - i, m, &nan, is_min);
    return minmax_settle(x, n, m, nan, is_min);
}

static double prod_range(const double *x, int64_t n)
{
    double p = 1.0;
    for (int64_t i = 0; i < n; i++) p *= x[i];
    return p;
}

/* Product of a CSR run in row-major order, multiplying by 0 once per run
 * of implicit zeros (further zeros would not change the product: p * 0 * 0
 * == p * 0, including NaN and the sign of zero). */
static double prod_csr(const CsrRun *r)
{
    const MatBlock *a = r->a;
    double p = 1.0;
    int64_t next = 0, i = r->r0;   /* next: the next dense position (relative to p0) */
    for (int64_t k = r->k0; k < r->k1; k++) {
        while (k >= a->ptr[i + 1]) i++;
        int64_t pos = i * a->cols + a->idx[k] - r->p0;
        if (pos > next) p *= 0.0;
        p *= a->val[k];
        next = pos + 1;
    }
    if (next < r->p1 - r->p0) p *= 0.0;
    return p;
}

static double agg_range(KnAgg fn, const double *x, int64_t n)
{
    switch (fn) {
    case KA_SUM: return kn_sum_range(x, n);
    case KA_MEAN: return kn_sum_range(x, n) / (double)n;
    case KA_VAR: return var_vals(x, n, n, kn_sum_blocked(x, n));
    case KA_SD: return sqrt(var_vals(x, n, n, kn_sum_blocked(x, n)));
    case KA_MIN: return minmax_range(x, n, 1);
    case KA_MAX: return minmax_range(x, n, 0);
    case KA_PROD: return prod_range(x, n);
    }
    return NAN;
}

/* The same aggregate over row i of a CSR block. */
static double agg_csr_row(KnAgg fn, const MatBlock *a, int64_t i)
{
    CsrRun r = { a, i * a->cols, (i + 1) * a->cols, a->ptr[i], a->ptr[i + 1], i };
    const double *x = a->val + r.k0;
    int64_t nz = r.k1 - r.k0, n = a->cols;
    KSum ks;
    double m;
    if (nz <= 1 && (fn == KA_SUM || fn == KA_MEAN)) {   /* sum_csr_ks of one value: v + 0 */
        double v = nz ? x[0] + 0.0 : 0.0;
        return fn == KA_SUM ? v : v / (double)n;
    }
    switch (fn) {
    case KA_SUM: ks = sum_csr_ks(&r); return ks_value(&ks);
    case KA_MEAN: ks = sum_csr_ks(&r); return ks_value(&ks) / (double)n;
    case KA_VAR: ks = sum_csr_ks(&r); return var_vals(x, nz, n, ks_value(&ks));
    case KA_SD: ks = sum_csr_ks(&r); return sqrt(var_vals(x, nz, n, ks_value(&ks)));
    case KA_MIN:
        m = minmax_range(x, nz, 1);
        return nz < n ? kn_min2(m, 0.0) : m;
    case KA_MAX:
        m = minmax_range(x, nz, 0);
        return nz < n ? kn_max2(m, 0.0) : m;
    case KA_PROD: return prod_csr(&r);
    }
    return NAN;
}

static int agg_valid(KnAgg fn)
{
    return fn == KA_SUM || fn == KA_MEAN || fn == KA_VAR || fn == KA_SD || fn == KA_MIN ||
           fn == KA_MAX || fn == KA_PROD;
}

/* ---- full aggregates ------------------------------------------------------------------
 * One partial per chunk of cells; combined in chunk order. */
typedef struct AggPart {
    KSum sum;        /* sum, mean, var, sd */
    double n, m2;    /* var, sd: cells and the sum of squared deviations */
    double v;        /* min, max, prod */
} AggPart;

typedef struct FullJob {
    KnAgg fn;
    const MatBlock *a;
    int64_t grain;
    AggPart *part;
} FullJob;

static void full_task(void *arg, int64_t p0, int64_t p1, int wid)
{
    const FullJob *j = arg;
    const MatBlock *a = j->a;
    AggPart *pt = &j->part[p0 / j->grain];
    int64_t n = p1 - p0;
    (void)wid;
    pt->n = (double)n;
    if (!a->sparse) {
        const double *x = a->dense + p0;
        switch (j->fn) {
        case KA_SUM: case KA_MEAN: pt->sum = sum_range_ks(x, n); break;
        case KA_VAR: case KA_SD:
            pt->sum = sum_blocked_ks(x, n);
            pt->m2 = m2_vals(x, n, n, ks_value(&pt->sum) / (double)n);
            break;
        case KA_MIN: case KA_MAX: pt->v = minmax_range(x, n, j->fn == KA_MIN); break;
        case KA_PROD: pt->v = prod_range(x, n); break;
        }
        return;
    }
    CsrRun r = csr_run(a, p0, p1);
    const double *x = a->val + r.k0;
    int64_t nz = r.k1 - r.k0;
    switch (j->fn) {
    case KA_SUM: case KA_MEAN: pt->sum = sum_csr_ks(&r); break;
    case KA_VAR: case KA_SD:
        pt->sum = sum_csr_ks(&r);
        pt->m2 = m2_vals(x, nz, n, ks_value(&pt->sum) / (double)n);
        break;
    case KA_MIN:
        pt->v = minmax_range(x, nz, 1);
        if (nz < n) pt->v = kn_min2(pt->v, 0.0);
        break;
    case KA_MAX:
        pt->v = minmax_range(x, nz, 0);
        if (nz < n) pt->v = kn_max2(pt->v, 0.0);
        break;
    case KA_PROD: pt->v = prod_csr(&r); break;
    }
}

/* Chan, Golub and LeVeque's pairwise update: (na, mean a, M2 a) absorbs
 * (nb, mean b, M2 b). */
static void chan_merge(double *na, double *mua, double *m2a, double nb, double mub, double m2b)
{
    double n = *na + nb, delta = mub - *mua;
    *m2a += m2b + delta * delta * (*na * nb / n);
    *mua += delta * (nb / n);
    *na = n;
}

/* The partials of np chunks, in chunk order, into the result over `cells`. */
static double full_combine(KnAgg fn, const AggPart *pt, int64_t np, int64_t cells)
{
    if (fn == KA_SUM || fn == KA_MEAN) {
        KSum s = pt[0].sum;
        for (int64_t c = 1; c < np; c++) ks_merge(&s, &pt[c].sum);
        return fn == KA_MEAN ? ks_value(&s) / (double)cells : ks_value(&s);
    }
    if (fn == KA_VAR || fn == KA_SD) {
        if (cells == 1) return 0.0;   /* one cell: 0, also for NaN/Inf (as var_vals) */
        double n = pt[0].n, mu = ks_value(&pt[0].sum) / pt[0].n, m2 = pt[0].m2;
        for (int64_t c = 1; c < np; c++)
            chan_merge(&n, &mu, &m2, pt[c].n, ks_value(&pt[c].sum) / pt[c].n, pt[c].m2);
        double v = m2 / (double)(cells - 1);
        return fn == KA_SD ? sqrt(v) : v;
    }
    double v = pt[0].v;
    for (int64_t c = 1; c < np; c++)
        v = fn == KA_MIN ? kn_min2(v, pt[c].v) : fn == KA_MAX ? kn_max2(v, pt[c].v) : v * pt[c].v;
    return v;
}

/* Initial values of an empty input. */
static double agg_empty(KnAgg fn)
{
    switch (fn) {
    case KA_SUM: return 0.0;
    case KA_PROD: return 1.0;
    case KA_MIN: return INFINITY;
    case KA_MAX: return -INFINITY;
    default: return NAN;
    }
}

/* Cost per cell (work units) of the full and column aggregates (the
 * chunking, shared with fused.c through matrix_int.h). */
#define AGG_CELL_COST KN_AGG_CELL_COST

static tsr_status agg_all(const ParCtx *par, KnAgg fn, const MatBlock *a, double *out, Err *err)
{
    int64_t cells = MB_CELLS(a);
    if (cells == 0) {
        *out = agg_empty(fn);
        return TSR_OK;
    }
    AggPart one;
    FullJob j = { fn, a, par_grain(cells, AGG_CELL_COST), &one };
    int64_t np = par_nchunks(cells, j.grain);
    if (np > 1 && !(j.part = malloc((size_t)np * sizeof *j.part)))
        return err_set(err, TSR_NOMEM, "out of memory in aggregate");
    par_for(par, cells, j.grain, full_task, &j);
    *out = full_combine(fn, j.part, np, cells);
    if (j.part != &one) free(j.part);
    return TSR_OK;
}

tsr_status kn_agg_full(const ParCtx *par, KnAgg fn, const MatBlock *a, double *out, Err *err)
{
    if (!agg_valid(fn)) return err_set(err, TSR_RUNTIME, "unknown aggregate %d", (int)fn);
    return agg_all(par, fn, a, out, err);
}

/* ---- row aggregates ------------------------------------------------------------------- */

#ifdef KN_AVX512
/* rowMins / rowMaxs of rows [lo, hi) with 2 <= n <= 16 cells: the row in
 * two masked vectors (missing lanes +-Inf), one vminpd/vmaxpd and a
 * three-step reduction, no dependency from cell to cell.  NaN and signed
 * zeros are settled as in minmax_short (the extreme of the other values
 * does not depend on the order), so the results are the same. */
KN_AVX512_FN static void rows_minmax512(const double *a, int64_t n, int64_t lo, int64_t hi,
                                        double *z, int is_min)
{
    __mmask8 ml = (__mmask8)kn_lanes8(n);
    __mmask8 mh = (__mmask8)kn_lanes8(n - 8);
    __m512d fill = _mm512_set1_pd(is_min ? INFINITY : -INFINITY);
    for (int64_t i = lo; i < hi; i++) {
        const double *x = a + i * n;
        __m512d u = _mm512_mask_loadu_pd(fill, ml, x), v = _mm512_mask_loadu_pd(fill, mh, x + 8);
        __mmask8 nan = _mm512_cmp_pd_mask(u, u, _CMP_UNORD_Q) | _mm512_cmp_pd_mask(v, v, _CMP_UNORD_Q);
        __m512d w = is_min ? _mm512_min_pd(u, v) : _mm512_max_pd(u, v);
        __m256d h = _mm512_extractf64x4_pd(w, 1), l = _mm512_castpd512_pd256(w);
        __m256d q = is_min ? _mm256_min_pd(l, h) : _mm256_max_pd(l, h);
        __m128d r = _mm256_extractf128_pd(q, 1), t = _mm256_castpd256_pd128(q);
        __m128d e = is_min ? _mm_min_pd(t, r) : _mm_max_pd(t, r);
        __m128d f = _mm_unpackhi_pd(e, e);
        double m = _mm_cvtsd_f64(is_min ? _mm_min_sd(e, f) : _mm_max_sd(e, f));
        z[i] = minmax_settle(x, n, m, nan != 0, is_min);
    }
}
#endif

typedef struct RowAgg {
    KnAgg fn;
    const MatBlock *a;
    double *z;
} RowAgg;

static void row_agg_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    const RowAgg *j = arg;
    const MatBlock *a = j->a;
    (void)wid;
    if (!a->sparse && a->cols > 0 && a->cols < 16 && (j->fn == KA_MIN || j->fn == KA_MAX)) {
#ifdef KN_AVX512
        if (a->cols >= 2 && kn_avx512()) {
            rows_minmax512(a->dense, a->cols, lo, hi, j->z, j->fn == KA_MIN);
            return;
        }
#endif
        for (int64_t i = lo; i < hi; i++)
            j->z[i] = minmax_short(a->dense + i * a->cols, a->cols, j->fn == KA_MIN);
        return;
    }
    if (!a->sparse && a->cols > 0 && a->cols < 8 && (j->fn == KA_SUM || j->fn == KA_MEAN)) {
        for (int64_t i = lo; i < hi; i++) {   /* sum_range_ks of < 8 values, inline */
            KSum k = sum_short_ks(a->dense + i * a->cols, a->cols);
            j->z[i] = j->fn == KA_SUM ? ks_value(&k) : ks_value(&k) / (double)a->cols;
        }
        return;
    }
    for (int64_t i = lo; i < hi; i++)
        j->z[i] = a->sparse ? agg_csr_row(j->fn, a, i)
                            : agg_range(j->fn, a->cols ? a->dense + i * a->cols : NULL, a->cols);
}

/* ---- column aggregates -----------------------------------------------------------------
 * A "band" is rows [r0, r1) x columns [j0, j1).  Its state is `ST` arrays
 * of n doubles (indexed by column): (s, c) compensated sums for sum/mean,
 * (mean, M2) for var/sd, the extreme for min/max, the product for prod.
 * Per-worker scratch holds the var temporaries and the sparse counters. */
typedef struct ColJob {
    KnAgg fn;
    const MatBlock *a;
    int by_rows;       /* bands of rows (partial states) or ranges of columns */
    int64_t grain;     /* rows per band or columns per range */
    int nst;           /* state arrays per band */
    double *state;     /* by_rows: one state per band; else a single state */
    int64_t len;       /* scratch length per array (n or the range width) */
    double *dscr;      /* per worker: 6 x len doubles (var) */
    int64_t *iscr;     /* per worker: len counters (sparse) */
} ColJob;

/* Entries of CSR row i within columns [j0, j1). */
static void csr_cols(const MatBlock *a, int64_t i, int64_t j0, int64_t j1, int64_t *k0,
                     int64_t *k1)
{
    int64_t lo = a->ptr[i], hi = a->ptr[i + 1];
    if (j0 > 0) lo = mb_csr_lower(a, lo, hi, j0);
    if (j1 < a->cols) hi = mb_csr_lower(a, lo, hi, j1);
    *k0 = lo;
    *k1 = hi;
}

static inline double col_value(const double *s, const double *c, int64_t j)
{
    KSum k = { s[j], c[j] };
    return ks_value(&k);
}

/* Compensated column sums of the band into (s, c) (zeroed by the caller). */
static void band_sum(const MatBlock *a, int64_t r0, int64_t r1, int64_t j0, int64_t j1,
                     double *restrict s, double *restrict c)
{
    int64_t n = a->cols;
    for (int64_t i = r0; i < r1; i++) {
        if (!a->sparse) {
            const double *x = a->dense + i * n;
            for (int64_t j = j0; j < j1; j++) kn_col_add(s, c, j, x[j]);
            continue;
        }
        int64_t k0, k1;
        csr_cols(a, i, j0, j1, &k0, &k1);
        for (int64_t k = k0; k < k1; k++) kn_col_add(s, c, a->idx[k], a->val[k]);
    }
}

/* Squared and plain deviations of one dense row segment from mu, added to
 * (ss, ssc) and (ds, dsc).  restrict and noinline: gcc 12 vectorises the
 * loop only as a function of its own. */
static __attribute__((noinline)) void dev_row(const double *restrict x, const double *restrict mu, double *restrict ss,
                    double *restrict ssc, double *restrict ds, double *restrict dsc, int64_t w)
{
    for (int64_t j = 0; j < w; j++) {
        double dv = x[j] - mu[j];
        kn_col_add(ss, ssc, j, dv * dv);
        kn_col_add(ds, dsc, j, dv);
    }
}

/* Band means and M2 (corrected two pass) into mu, m2 (columns j0..j1; the
 * scratch arrays are indexed by j - j0). */
static void band_var(const ColJob *cj, int64_t r0, int64_t r1, int64_t j0, int64_t j1,
                     double *mu, double *m2, int wid)
{
    const MatBlock *a = cj->a;
    int64_t n = a->cols, w = j1 - j0, rows = r1 - r0, L = cj->len;
    double *d = cj->dscr + (size_t)wid * 6 * (size_t)L;
    double *s = d, *c = d + L, *ss = d + 2 * L, *ssc = d + 3 * L, *ds = d + 4 * L,
           *dsc = d + 5 * L;
    memset(d, 0, (size_t)L * 6 * sizeof *d);
    if (!a->sparse) {
        for (int64_t i = r0; i < r1; i++) {
            const double *x = a->dense + i * n + j0;
            for (int64_t j = 0; j < w; j++) kn_col_add(s, c, j, x[j]);
        }
        for (int64_t j = 0; j < w; j++) mu[j0 + j] = col_value(s, c, j) / (double)rows;
        for (int64_t i = r0; i < r1; i++) dev_row(a->dense + i * n + j0, mu + j0, ss, ssc, ds, dsc, w);
    } else {
        int64_t *cnt = cj->iscr + (size_t)wid * (size_t)L;
        memset(cnt, 0, (size_t)w * sizeof *cnt);
        for (int64_t i = r0; i < r1; i++) {
            int64_t k0, k1;
            csr_cols(a, i, j0, j1, &k0, &k1);
            for (int64_t k = k0; k < k1; k++) kn_col_add(s, c, a->idx[k] - j0, a->val[k]);
        }
        for (int64_t j = 0; j < w; j++) mu[j0 + j] = col_value(s, c, j) / (double)rows;
        for (int64_t i = r0; i < r1; i++) {
            int64_t k0, k1;
            csr_cols(a, i, j0, j1, &k0, &k1);
            for (int64_t k = k0; k < k1; k++) {
                int64_t j = a->idx[k] - j0;
                double dv = a->val[k] - mu[j0 + j];
                kn_col_add(ss, ssc, j, dv * dv);
                kn_col_add(ds, dsc, j, dv);
                cnt[j]++;
            }
        }
        for (int64_t j = 0; j < w; j++)
            if (cnt[j] < rows) {   /* the zeros: (rows - cnt) deviations of -mu */
                double zc = (double)(rows - cnt[j]), mv = mu[j0 + j];
                kn_col_add(ss, ssc, j, zc * (mv * mv));
                kn_col_add(ds, dsc, j, -zc * mv);
            }
    }
    for (int64_t j = 0; j < w; j++) {
        double dsum = col_value(ds, dsc, j);
        m2[j0 + j] = col_value(ss, ssc, j) - dsum * dsum / (double)rows;
    }
}

/* Band minima/maxima; a sparse column with fewer stored values than rows
 * meets one implicit 0. */
static void band_minmax(const ColJob *cj, int64_t r0, int64_t r1, int64_t j0, int64_t j1,
                        double *r, int wid)
{
    const MatBlock *a = cj->a;
    int64_t n = a->cols, is_min = cj->fn == KA_MIN;
    for (int64_t j = j0; j < j1; j++) r[j] = is_min ? INFINITY : -INFINITY;
    if (!a->sparse) {
        for (int64_t i = r0; i < r1; i++) {
            const double *x = a->dense + i * n;
            if (is_min)
                for (int64_t j = j0; j < j1; j++) r[j] = kn_min2(r[j], x[j]);
            else
                for (int64_t j = j0; j < j1; j++) r[j] = kn_max2(r[j], x[j]);
        }
        return;
    }
    int64_t *cnt = cj->iscr + (size_t)wid * (size_t)cj->len;   /* indexed by j - j0 */
    memset(cnt, 0, (size_t)(j1 - j0) * sizeof *cnt);
    for (int64_t i = r0; i < r1; i++) {
        int64_t k0, k1;
        csr_cols(a, i, j0, j1, &k0, &k1);
        for (int64_t k = k0; k < k1; k++) {
            int64_t j = a->idx[k];
            r[j] = is_min ? kn_min2(r[j], a->val[k]) : kn_max2(r[j], a->val[k]);
            cnt[j - j0]++;
        }
    }
    for (int64_t j = j0; j < j1; j++)
        if (cnt[j - j0] < r1 - r0) r[j] = is_min ? kn_min2(r[j], 0.0) : kn_max2(r[j], 0.0);
}

/* Band products in row order.  Sparse: a column multiplies by 0 once per
 * run of implicit zeros, at the run's place (see prod_csr); last[j] is the
 * last row seen in column j. */
static void band_prod(const ColJob *cj, int64_t r0, int64_t r1, int64_t j0, int64_t j1,
                      double *r, int wid)
{
    const MatBlock *a = cj->a;
    int64_t n = a->cols;
    for (int64_t j = j0; j < j1; j++) r[j] = 1.0;
    if (!a->sparse) {
        for (int64_t i = r0; i < r1; i++) {
            const double *x = a->dense + i * n;
            for (int64_t j = j0; j < j1; j++) r[j] *= x[j];
        }
        return;
    }
    int64_t *last = cj->iscr + (size_t)wid * (size_t)cj->len;   /* indexed by j - j0 */
    for (int64_t j = 0; j < j1 - j0; j++) last[j] = r0 - 1;
    for (int64_t i = r0; i < r1; i++) {
        int64_t k0, k1;
        csr_cols(a, i, j0, j1, &k0, &k1);
        for (int64_t k = k0; k < k1; k++) {
            int64_t j = a->idx[k];
            if (i > last[j - j0] + 1) r[j] *= 0.0;
            r[j] *= a->val[k];
            last[j - j0] = i;
        }
    }
    for (int64_t j = j0; j < j1; j++)
        if (last[j - j0] < r1 - 1) r[j] *= 0.0;
}

/* One band into its state (st: nst arrays of n, indexed by column). */
static void col_band(const ColJob *cj, int64_t r0, int64_t r1, int64_t j0, int64_t j1, double *st,
                     int wid)
{
    int64_t n = cj->a->cols;
    switch (cj->fn) {
    case KA_SUM: case KA_MEAN:
        memset(st + j0, 0, (size_t)(j1 - j0) * sizeof *st);
        memset(st + n + j0, 0, (size_t)(j1 - j0) * sizeof *st);
        band_sum(cj->a, r0, r1, j0, j1, st, st + n);
        break;
    case KA_VAR: case KA_SD: band_var(cj, r0, r1, j0, j1, st, st + n, wid); break;
    case KA_MIN: case KA_MAX: band_minmax(cj, r0, r1, j0, j1, st, wid); break;
    case KA_PROD: band_prod(cj, r0, r1, j0, j1, st, wid); break;
    }
}

static void col_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    const ColJob *cj = arg;
    int64_t m = cj->a->rows, n = cj->a->cols;
    if (cj->by_rows)
        col_band(cj, lo, hi, 0, n, cj->state + (size_t)(lo / cj->grain) * cj->nst * n, wid);
    else
        col_band(cj, 0, m, lo, hi, cj->state, wid);
}

/* Column j of the result from the band states in band order (band b has
 * rows [b * grain, ...) of m). */
static double col_combine(const ColJob *cj, int64_t nb, int64_t j)
{
    int64_t m = cj->a->rows, n = cj->a->cols, stride = cj->nst * n;
    const double *st = cj->state;
    KnAgg fn = cj->fn;
    if (fn == KA_SUM || fn == KA_MEAN) {
        KSum s = { st[j], st[n + j] };
        for (int64_t b = 1; b < nb; b++) {
            KSum t = { st[b * stride + j], st[b * stride + n + j] };
            ks_merge(&s, &t);
        }
        return fn == KA_MEAN ? ks_value(&s) / (double)m : ks_value(&s);
    }
    if (fn == KA_VAR || fn == KA_SD) {
        if (m == 1) return 0.0;   /* one cell: 0, also for NaN/Inf (as var_vals) */
        double cnt = (double)(nb > 1 ? cj->grain : m), mu = st[j], m2 = st[n + j];
        for (int64_t b = 1; b < nb; b++) {
            int64_t r0 = b * cj->grain, r1 = r0 + cj->grain < m ? r0 + cj->grain : m;
            chan_merge(&cnt, &mu, &m2, (double)(r1 - r0), st[b * stride + j],
                       st[b * stride + n + j]);
        }
        double v = m2 / (double)(m - 1);
        return fn == KA_SD ? sqrt(v) : v;
    }
    double v = st[j];
    for (int64_t b = 1; b < nb; b++) {
        double x = st[b * stride + j];
        v = fn == KA_MIN ? kn_min2(v, x) : fn == KA_MAX ? kn_max2(v, x) : v * x;
    }
    return v;
}

/* Bands times columns of partial state allowed before the columns are
 * split instead (8 MiB per state array). */
#define COL_PART_MAX KN_COL_PART_MAX

static tsr_status col_agg(const ParCtx *par, KnAgg fn, const MatBlock *a, MatBlock *z, Err *err)
{
    int64_t m = a->rows, n = a->cols;
    if (n == 0) return TSR_OK;
    if (m == 0) {
        double v = agg_empty(fn);
        for (int64_t j = 0; j < n; j++) z->dense[j] = v;
        return TSR_OK;
    }
    ColJob cj = { fn, a, 1, par_grain(m, (double)n * AGG_CELL_COST), 0, NULL, n, NULL, NULL };
    int64_t nb = par_nchunks(m, cj.grain), nt = nb;
    if (nb > 1 && nb * n > COL_PART_MAX) {   /* too wide for bands: ranges of columns */
        cj.by_rows = 0;
        cj.grain = par_grain(n, (double)m * AGG_CELL_COST);
        cj.len = cj.grain;
        nb = 1;
        nt = par_nchunks(n, cj.grain);
    }
    cj.nst = fn == KA_MIN || fn == KA_MAX || fn == KA_PROD ? 1 : 2;
    int width = par_width(par, nt);
    int var = fn == KA_VAR || fn == KA_SD;
    cj.state = malloc((size_t)nb * (size_t)cj.nst * (size_t)n * sizeof *cj.state);
    cj.dscr = var ? malloc((size_t)width * 6 * (size_t)cj.len * sizeof *cj.dscr) : NULL;
    cj.iscr = a->sparse && fn != KA_SUM && fn != KA_MEAN
                  ? malloc((size_t)width * (size_t)cj.len * sizeof *cj.iscr) : NULL;
    tsr_status st = TSR_OK;
    if (!cj.state || (var && !cj.dscr) || (a->sparse && fn != KA_SUM && fn != KA_MEAN && !cj.iscr)) {
        st = err_set(err, TSR_NOMEM, "out of memory in column aggregate");
    } else {
        par_for(par, cj.by_rows ? m : n, cj.grain, col_task, &cj);
        for (int64_t j = 0; j < n; j++) z->dense[j] = col_combine(&cj, nb, j);
    }
    free(cj.state);
    free(cj.dscr);
    free(cj.iscr);
    return st;
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
    tsr_status st = TSR_OK;
    if (dir == KD_ALL || (dir == KD_ROW && a->rows == 1)) {   /* one row: split its cells */
        st = agg_all(par, fn, a, &z->dense[0], err);
    } else if (dir == KD_ROW) {
        RowAgg j = { fn, a, z->dense };
        double per_row = a->sparse ? (double)a->nnz / (double)(a->rows ? a->rows : 1)
                                   : (double)a->cols;
        par_for(par, a->rows, par_grain(a->rows, per_row + 1.0), row_agg_task, &j);
    } else {
        st = col_agg(par, fn, a, z, err);
    }
    if (st != TSR_OK) {
        mb_free(z);
        return st;
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

typedef struct RowIndexJob {
    const MatBlock *a;
    double *z;
    int is_max;
} RowIndexJob;

static void row_index_rows(void *arg, int64_t lo, int64_t hi, int wid)
{
    const RowIndexJob *j = arg;
    const MatBlock *a = j->a;
    for (int64_t i = lo; i < hi; i++)
        j->z[i] = a->sparse ? row_index_csr(a, i, j->is_max)
                            : row_index(a->dense + i * a->cols, a->cols, j->is_max);
    (void)wid;
}

tsr_status kn_row_index(const ParCtx *par, int is_max, const MatBlock *a, MatBlock **out,
                        Err *err)
{
    *out = NULL;
    if (a->cols == 0)
        return err_set(err, TSR_RUNTIME, "%s undefined for ncol=0",
                       is_max ? "rowIndexMax" : "rowIndexMin");
    MatBlock *z = mb_new(a->rows, 1, err);
    if (!z) return err->code;
    /* rows are independent: the result never depends on the thread count */
    RowIndexJob j = { a, z->dense, is_max };
    double per_row = a->sparse ? (double)a->nnz / (double)(a->rows ? a->rows : 1) + 1.0
                               : (double)a->cols;
    par_for(par, a->rows, par_grain(a->rows, per_row), row_index_rows, &j);
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
