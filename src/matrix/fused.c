/*
 * fused.c - kn_fused: a fused cellwise program (matrix.h, "fused cellwise
 * programs") run in one pass over its inputs with no intermediate matrices:
 * what the compiler makes of sum((X*2+Y)^2/(Z+1)), rowSums((X-mu)^2) or
 * colSums(X*Y).
 *
 * Evaluation.  The cells are visited in tiles of at most FT row-major
 * positions (a tile may span rows).  Every op owns a register: a pointer to
 * the tile's values - a slot of FT doubles in per-thread scratch (L1/L2
 * resident; slots are reused once an op's value is dead), or straight into
 * a dense input of the full shape (no copy) - or one uniform value
 * (constants, scalars, ops over them, a column vector inside one row).  Each
 * op is one tight loop over the tile with the switch outside it, so + - * /,
 * comparisons, &, |, min/max, abs, ! ... vectorise (GCC vector extensions,
 * as in elementwise.c); the other functions call, per cell, the same libm
 * function as the kernels or the kernels' own scalar semantics
 * (kn_binop_double, kn_unary_double).  Broadcast inputs (row and column
 * vectors) and CSR inputs are expanded per tile into the op's slot.
 *
 * Exactness.  Each cell gets the value the unfused kernels give (same
 * formulas; x ^ 2 is x * x there and here).  The aggregates reproduce the
 * aggregate kernels' chunking and arithmetic (aggregate.c): full sums cut
 * the cells into par_grain(cells, KN_AGG_CELL_COST) chunks and sum each
 * with the eight TwoSum lanes of KsLanes (matrix_int.h, shared with
 * aggregate.c) fed tile by tile, partials merged in chunk order; row sums
 * run the same lanes from each row's start; column sums keep per-band
 * TwoSum states (bands of par_grain(rows, cols)) merged in band order, or
 * one state per column when bands x columns exceed KN_COL_PART_MAX; min and
 * max do not depend on the order (NaN wins, -0.0 < +0.0), so any chunking
 * gives the same value.  A row aggregate over one row is a full aggregate
 * (as in kn_agg_dir).
 *
 * Passes.  The outputs of one program are grouped into as few passes as
 * their chunkings allow (a full sum needs cell chunks of the sum's grain,
 * row sums whole rows per task, banded column sums the bands); usually one.
 * Each pass is a par_for over chunks that depend only on the sizes; cells
 * outputs are written by the tasks straight into a block of par's buffer
 * cache (mb_new_uninit); per-chunk partials are combined in chunk order.
 *
 * Sparse driver.  With p->sparse_driver = d and input d CSR of the full
 * shape, only d's stored cells are evaluated (the compiler guarantees 0
 * elsewhere): tiles are batches of d's entries, the other inputs are
 * gathered at those cells, a cells output is CSR (zeros dropped) and the
 * aggregates are exactly those of the aggregate kernels over that CSR
 * result (sum_csr_ks puts a stored value in the lane of its dense
 * position; min/max meet an implicit 0 when a run has fewer stored cells
 * than cells).
 *
 * Not here: deciding what to fuse (src/compiler/fuse.c).  Nothing is
 * allocated inside the tasks: scratch is planned per pass.
 */
#include "matrix/matrix_int.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Cells per tile (a multiple of 8: the sum lanes stay aligned).  Small
 * tiles with the inputs' next-but-PF_DIST tiles prefetched keep the memory
 * streams busy while a tile computes (bench/fused_bench: 512-cell tiles
 * without prefetch were about 1.3x slower on one thread). */
#define FT 128
#define PF_DIST 4
#define MAX_PASSES 4

typedef double v2d __attribute__((vector_size(16)));
typedef long long v2i __attribute__((vector_size(16)));

/* The tile loops are plain loops that gcc vectorises (-O3, see
 * CMakeLists.txt); on x86-64 each also gets an AVX2 clone picked at load
 * time (ifunc).  Every cell is the same IEEE operation in any vector width
 * (no FMA: AVX2 alone does not enable it, and ISO C mode does not contract),
 * so the bits do not depend on the clone. */
#define CLONES KN_CLONES

static inline v2d ld2(const double *p)
{
    v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void st2(double *p, v2d v) { memcpy(p, &v, sizeof v); }
static inline v2d sp2(double s) { return (v2d){ s, s }; }
static inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }

static void fill(double *z, int64_t n, double v)
{
    for (int64_t t = 0; t < n; t++) z[t] = v;
}

/* ---- registers --------------------------------------------------------------------
 * A register holds the tile's values of one op: p[0..len) or, when p is
 * NULL, the uniform value s. */
typedef struct Reg {
    const double *p;
    double s;
} Reg;

static inline Reg uni(double s)
{
    Reg r = { NULL, s };
    return r;
}

/* ---- scalar semantics ---------------------------------------------------------------
 * The kernels' formulas (elementwise.c): IEEE expressions for the cheap
 * operators, kn_binop_double / kn_unary_double for the rest. */
static inline double f_add(double a, double b) { return a + b; }
static inline double f_sub(double a, double b) { return a - b; }
static inline double f_mul(double a, double b) { return a * b; }
static inline double f_div(double a, double b) { return a / b; }
static inline double f_lt(double a, double b) { return (double)(a < b); }
static inline double f_le(double a, double b) { return (double)(a <= b); }
static inline double f_gt(double a, double b) { return (double)(a > b); }
static inline double f_ge(double a, double b) { return (double)(a >= b); }
static inline double f_eq(double a, double b) { return (double)(a == b); }
static inline double f_ne(double a, double b) { return (double)(a != b); }
/* & | xor as elementwise.c's op_and/op_or/op_xor, without short circuits
 * (which would keep the loops from vectorising). */
static inline double f_and(double a, double b) { return (double)((a != 0.0) & (b != 0.0)); }
static inline double f_or(double a, double b) { return (double)((a != 0.0) | (b != 0.0)); }
static inline double f_xor(double a, double b) { return (double)((a != 0.0) ^ (b != 0.0)); }
static inline double f_log(double a, double b) { return log(a) / log(b); }

static double binfn_double(int fn, double a, double b)
{
    switch (fn) {
    case KB_MIN: return kn_min2(a, b);
    case KB_MAX: return kn_max2(a, b);
    case KB_XOR: return f_xor(a, b);
    case KB_LOG: return f_log(a, b);
    default: return NAN;
    }
}

/* kn_min2 / kn_max2 lane-wise (NaN: a + b; equal values: -0.0 for min,
 * +0.0 for max), branch-free. */
static inline v2d vmin2(v2d a, v2d b)
{
    v2i nan = (a != a) | (b != b), lt = a < b, gt = b < a;
    v2i sa = (v2i)a < (v2i){ 0, 0 };
    v2i ta = lt | (~gt & sa);
    v2i r = ((v2i)a & ta) | ((v2i)b & ~ta);
    return (v2d)(((v2i)(a + b) & nan) | (r & ~nan));
}

static inline v2d vmax2(v2d a, v2d b)
{
    v2i nan = (a != a) | (b != b), gt = a > b, lt = a < b;
    v2i sa = (v2i)a < (v2i){ 0, 0 };
    v2i ta = gt | (~lt & ~sa);
    v2i r = ((v2i)a & ta) | ((v2i)b & ~ta);
    return (v2d)(((v2i)(a + b) & nan) | (r & ~nan));
}

/* ---- op loops ---------------------------------------------------------------------------
 * z = x op y over n cells; x (or y) NULL means the uniform xs (ys).  BIN
 * loops are plain loops over SEXPR (one cell from a, b); min/max, whose
 * scalar form branches, are written with vector masks (VEXPR over va, vb). */
#define BIN(NAME, SEXPR)                                                                  \
    CLONES static void NAME(const double *restrict x, double xs, const double *restrict y, \
                            double ys, double *restrict z, int n)                        \
    {                                                                                    \
        if (x && y) {                                                                    \
            for (int t = 0; t < n; t++) {                                                \
                double a = x[t], b = y[t];                                               \
                z[t] = SEXPR;                                                            \
            }                                                                            \
        } else if (x) {                                                                  \
            const double b = ys;                                                         \
            for (int t = 0; t < n; t++) {                                                \
                double a = x[t];                                                         \
                z[t] = SEXPR;                                                            \
            }                                                                            \
        } else {                                                                         \
            const double a = xs;                                                         \
            for (int t = 0; t < n; t++) {                                                \
                double b = y[t];                                                         \
                z[t] = SEXPR;                                                            \
            }                                                                            \
        }                                                                                \
    }
#define VBIN(NAME, VEXPR, SEXPR)                                                          \
    static void NAME(const double *restrict x, double xs, const double *restrict y,      \
                     double ys, double *restrict z, int n)                               \
    {                                                                                    \
        const v2d vx = sp2(xs), vy = sp2(ys);                                            \
        int64_t sx = x != NULL, sy = y != NULL;                                          \
        if (!x) x = &xs;                                                                 \
        if (!y) y = &ys;                                                                 \
        int t = 0;                                                                       \
        for (; t + 2 <= n; t += 2) {                                                     \
            v2d va = sx ? ld2(x + t) : vx, vb = sy ? ld2(y + t) : vy;                    \
            st2(z + t, VEXPR);                                                           \
        }                                                                                \
        for (; t < n; t++) {                                                             \
            double a = x[t * sx], b = y[t * sy];                                         \
            z[t] = SEXPR;                                                                \
        }                                                                                \
    }

BIN(v_add, f_add(a, b))
BIN(v_sub, f_sub(a, b))
BIN(v_mul, f_mul(a, b))
BIN(v_div, f_div(a, b))
BIN(v_lt, f_lt(a, b))
BIN(v_le, f_le(a, b))
BIN(v_gt, f_gt(a, b))
BIN(v_ge, f_ge(a, b))
BIN(v_eq, f_eq(a, b))
BIN(v_ne, f_ne(a, b))
BIN(v_and, f_and(a, b))
BIN(v_or, f_or(a, b))
BIN(v_xor, f_xor(a, b))
VBIN(v_min, vmin2(va, vb), kn_min2(a, b))
VBIN(v_max, vmax2(va, vb), kn_max2(a, b))

/* The remaining binary ops, one call per cell (x/y NULL: uniform). */
static void bin_cells(int is_fn, int op, const double *x, double xs, const double *y, double ys,
                      double *z, int n)
{
    int64_t sx = x != NULL, sy = y != NULL;
    if (!x) x = &xs;
    if (!y) y = &ys;
    if (is_fn)
        for (int t = 0; t < n; t++) z[t] = binfn_double(op, x[t * sx], y[t * sy]);
    else
        for (int t = 0; t < n; t++) z[t] = kn_binop_double((BinOp)op, x[t * sx], y[t * sy]);
}

typedef void (*VBinFn)(const double *restrict, double, const double *restrict, double,
                       double *restrict, int);

static VBinFn binop_loop(int op)
{
    switch (op) {
    case BOP_ADD: return v_add;
    case BOP_SUB: return v_sub;
    case BOP_MUL: return v_mul;
    case BOP_DIV: return v_div;
    case BOP_LT: return v_lt;
    case BOP_LE: return v_le;
    case BOP_GT: return v_gt;
    case BOP_GE: return v_ge;
    case BOP_EQ: return v_eq;
    case BOP_NE: return v_ne;
    case BOP_AND: return v_and;
    case BOP_OR: return v_or;
    default: return NULL;   /* ^ %/% %%: per cell */
    }
}

static VBinFn binfn_loop(int fn)
{
    switch (fn) {
    case KB_MIN: return v_min;
    case KB_MAX: return v_max;
    case KB_XOR: return v_xor;
    default: return NULL;   /* log: per cell */
    }
}

static void run_bin(int is_fn, int op, const Reg *A, const Reg *B, double *z, int n, Reg *R)
{
    if (!A->p && !B->p) {
        *R = uni(is_fn ? binfn_double(op, A->s, B->s) : kn_binop_double((BinOp)op, A->s, B->s));
        return;
    }
    VBinFn f = is_fn ? binfn_loop(op) : binop_loop(op);
    if (f) f(A->p, A->s, B->p, B->s, z, n);
    else if (!is_fn && op == BOP_POW && A->p && !B->p && B->s == 2.0)
        v_mul(A->p, 0.0, A->p, 0.0, z, n);   /* x ^ 2 = x * x, as the kernels */
    else bin_cells(is_fn, op, A->p, A->s, B->p, B->s, z, n);
    R->p = z;
}

/* Unary loops, one expression per cell: libm (the same function the
 * kernels call), the kernels' scalar function, or an IEEE expression equal
 * to it (vectorised). */
#define ULOOP(NAME, EXPR)                                                           \
    CLONES static void NAME(const double *restrict x, double *restrict z, int n)    \
    {                                                                               \
        for (int t = 0; t < n; t++) {                                               \
            double v = x[t];                                                        \
            z[t] = EXPR;                                                            \
        }                                                                           \
    }

ULOOP(u_abs, fabs(v))
ULOOP(u_neg, -v)
ULOOP(u_exp, exp(v))
ULOOP(u_log, log(v))
ULOOP(u_sqrt, sqrt(v))
ULOOP(u_floor, floor(v))
ULOOP(u_ceil, ceil(v))
ULOOP(u_round, kn_unary_double(KU_ROUND, v))
ULOOP(u_sin, sin(v))
ULOOP(u_cos, cos(v))
ULOOP(u_tan, tan(v))
ULOOP(u_asin, asin(v))
ULOOP(u_acos, acos(v))
ULOOP(u_atan, atan(v))
ULOOP(u_sinh, sinh(v))
ULOOP(u_cosh, cosh(v))
ULOOP(u_tanh, tanh(v))
ULOOP(u_not, (double)(v == 0.0))
ULOOP(u_isnan, (double)(v != v))
ULOOP(u_isinf, (double)(fabs(v) == INFINITY))
ULOOP(u_sign, v > 0.0 ? 1.0 : v < 0.0 ? -1.0 : v)

typedef void (*UnFn)(const double *restrict, double *restrict, int);

static const UnFn un_loops[KU__COUNT] = {
    [KU_ABS] = u_abs,     [KU_EXP] = u_exp,   [KU_LOG] = u_log,     [KU_SQRT] = u_sqrt,
    [KU_FLOOR] = u_floor, [KU_CEIL] = u_ceil, [KU_ROUND] = u_round, [KU_SIGN] = u_sign,
    [KU_SIN] = u_sin,     [KU_COS] = u_cos,   [KU_TAN] = u_tan,     [KU_ASIN] = u_asin,
    [KU_ACOS] = u_acos,   [KU_ATAN] = u_atan, [KU_SINH] = u_sinh,   [KU_COSH] = u_cosh,
    [KU_TANH] = u_tanh,   [KU_NOT] = u_not,   [KU_NEG] = u_neg,     [KU_ISNA] = u_isnan,
    [KU_ISNAN] = u_isnan, [KU_ISINF] = u_isinf,
};

static void run_un(int op, const Reg *A, double *z, int n, Reg *R)
{
    if (!A->p) {
        *R = uni(kn_unary_double((KnUnary)op, A->s));
        return;
    }
    un_loops[op](A->p, z, n);
    R->p = z;
}

CLONES static void ifelse_loop(const double *restrict c, const double *restrict a, double as,
                               const double *restrict b, double bs, double *restrict z, int n)
{
    if (a && b)
        for (int t = 0; t < n; t++) z[t] = c[t] != 0.0 ? a[t] : b[t];
    else if (a)
        for (int t = 0; t < n; t++) z[t] = c[t] != 0.0 ? a[t] : bs;
    else if (b)
        for (int t = 0; t < n; t++) z[t] = c[t] != 0.0 ? as : b[t];
    else
        for (int t = 0; t < n; t++) z[t] = c[t] != 0.0 ? as : bs;
}

/* ifelse: c != 0 ? a : b (NaN is true), as kn_ifelse. */
static void run_ifelse(const Reg *C, const Reg *A, const Reg *B, double *z, int n, Reg *R)
{
    if (!C->p) {
        *R = C->s != 0.0 ? *A : *B;
        return;
    }
    ifelse_loop(C->p, A->p, A->s, B->p, B->s, z, n);
    R->p = z;
}

/* Work units per cell of an op (for par_grain; the chunks of the sums do
 * not depend on it). */
static double op_cost(const KnFuseOp *o)
{
    switch (o->kind) {
    case KF_IN: case KF_IFELSE: return 1.0;
    case KF_CONST: return 0.0;
    case KF_BIN:
        return o->op == BOP_POW ? 20.0 : o->op == BOP_INTDIV || o->op == BOP_MOD ? 4.0 : 1.0;
    case KF_BINFN: return o->op == KB_LOG ? 40.0 : 2.0;
    case KF_UN:
        switch (o->op) {
        case KU_ABS: case KU_NEG: case KU_NOT: case KU_ISNA: case KU_ISNAN: case KU_ISINF:
        case KU_SIGN: case KU_FLOOR: case KU_CEIL: case KU_ROUND: case KU_SQRT:
            return 1.0;
        default: return 20.0;
        }
    }
    return 1.0;
}

/* ---- streaming aggregates ---------------------------------------------------------------
 * KsStream: the compensated sum of a run of n values (a chunk of cells or
 * a row) fed in pieces, equal bit for bit to sum_range_ks / sum_csr_ks of
 * aggregate.c over the run: value number p < n & ~7 goes to lane p & 7
 * (KsLanes), the rest is ks_add'ed after the lanes are merged.  A sparse
 * run puts only its stored values, each at its position (adding a zero to
 * a TwoSum lane would change nothing there). */
typedef struct KsStream {
    KsLanes L;
    KSum k;
    int64_t pos, n8;
    int merged;
} KsStream;

static void kss_start(KsStream *s, int64_t n)
{
    ksl_init(&s->L);
    s->k.s = s->k.c = 0.0;
    s->pos = 0;
    s->n8 = n & ~(int64_t)7;
    s->merged = 0;
}

static inline void kss_merge(KsStream *s)
{
    if (!s->merged) {
        s->k = ksl_merge(&s->L);
        s->merged = 1;
    }
}

/* ksl_add8 (matrix_int.h) with 32-byte vectors (lanes 0-3 and 4-7): one
 * AVX2 instruction per step in that clone, two SSE2 ones in the default
 * clone; the same TwoSum per lane. */
typedef double v4d __attribute__((vector_size(32)));

CLONES static void lanes_add8(KsLanes *L, const double *restrict x, int64_t n)
{
    v4d s0, s1, c0, c1;
    memcpy(&s0, &L->s[0], sizeof s0);
    memcpy(&s1, &L->s[2], sizeof s1);
    memcpy(&c0, &L->c[0], sizeof c0);
    memcpy(&c1, &L->c[2], sizeof c1);
    for (int64_t q = 0; q < n; q += 8) {
        v4d x0, x1;
        memcpy(&x0, x + q, sizeof x0);
        memcpy(&x1, x + q + 4, sizeof x1);
        v4d t0 = s0 + x0, z0 = t0 - s0, t1 = s1 + x1, z1 = t1 - s1;
        c0 += (s0 - (t0 - z0)) + (x0 - z0);
        c1 += (s1 - (t1 - z1)) + (x1 - z1);
        s0 = t0;
        s1 = t1;
    }
    memcpy(&L->s[0], &s0, sizeof s0);
    memcpy(&L->s[2], &s1, sizeof s1);
    memcpy(&L->c[0], &c0, sizeof c0);
    memcpy(&L->c[2], &c1, sizeof c1);
}

/* The next len values of the run. */
static void kss_feed(KsStream *s, const double *x, int64_t len)
{
    int64_t p = s->pos, i = 0;
    for (; i < len && p < s->n8 && (p & 7); i++, p++) ksl_add1(&s->L, (int)(p & 7), x[i]);
    if (p < s->n8) {
        int64_t body = imin(len - i, s->n8 - p) & ~(int64_t)7;
        lanes_add8(&s->L, x + i, body);
        i += body;
        p += body;
    }
    for (; i < len && p < s->n8; i++, p++) ksl_add1(&s->L, (int)(p & 7), x[i]);
    if (i < len) {
        kss_merge(s);
        for (; i < len; i++, p++) ks_add(&s->k, x[i]);
    }
    s->pos = p;
}

/* One stored value at position p of the run (increasing positions). */
static inline void kss_put(KsStream *s, int64_t p, double x)
{
    if (p < s->n8) {
        ksl_add1(&s->L, (int)(p & 7), x);
    } else {
        kss_merge(s);
        ks_add(&s->k, x);
    }
}

static KSum kss_finish(KsStream *s)
{
    kss_merge(s);
    return s->k;
}

/* MmAcc: min or max of a set of values, as minmax_range (aggregate.c): NaN
 * anywhere gives NaN; a zero result is -0.0 (min) / +0.0 (max) when such a
 * zero is among the values.  The order of the values does not matter. */
typedef struct MmAcc {
    double m;
    int nan, zp, is_min;
} MmAcc;

static const long long ZBITS_NEG = -0x7fffffffffffffffLL - 1;   /* bits of -0.0 */

static void mm_init(MmAcc *a, int is_min)
{
    a->m = is_min ? INFINITY : -INFINITY;
    a->nan = a->zp = 0;
    a->is_min = is_min;
}

static inline void mm_put(MmAcc *a, double v)
{
    long long b;
    memcpy(&b, &v, sizeof b);
    a->nan |= v != v;
    a->zp |= b == (a->is_min ? ZBITS_NEG : 0);
    if (a->is_min ? v < a->m : v > a->m) a->m = v;
}

/* Two accumulators of four lanes (independent selects, so the loop is not
 * bound by the latency of one). */
typedef long long v4i __attribute__((vector_size(32)));
#define MM_LOOP(CMP)                                                                   \
    for (; t + 8 <= n; t += 8) {                                                       \
        v4d v0, v1;                                                                    \
        memcpy(&v0, x + t, sizeof v0);                                                 \
        memcpy(&v1, x + t + 4, sizeof v1);                                             \
        v4i k0 = v0 CMP a0, k1 = v1 CMP a1;                                            \
        a0 = (v4d)(((v4i)v0 & k0) | ((v4i)a0 & ~k0));                                  \
        a1 = (v4d)(((v4i)v1 & k1) | ((v4i)a1 & ~k1));                                  \
        nanv |= (v0 != v0) | (v1 != v1);                                               \
        zpv |= ((v4i)v0 == zb) | ((v4i)v1 == zb);                                      \
    }

CLONES static void mm_feed(MmAcc *a, const double *restrict x, int64_t n)
{
    const long long zb0 = a->is_min ? ZBITS_NEG : 0;
    const v4i zb = { zb0, zb0, zb0, zb0 };
    v4d a0 = { a->m, a->m, a->m, a->m }, a1 = a0;
    v4i nanv = { 0, 0, 0, 0 }, zpv = { 0, 0, 0, 0 };
    int64_t t = 0;
    if (a->is_min) MM_LOOP(<)
    else MM_LOOP(>)
    for (int h = 0; h < 4; h++) {
        a->nan |= nanv[h] != 0;
        a->zp |= zpv[h] != 0;
        mm_put(a, a0[h]);   /* the lanes hold values of x or the old extreme */
        mm_put(a, a1[h]);
    }
    for (; t < n; t++) mm_put(a, x[t]);
}

static double mm_value(const MmAcc *a)
{
    if (a->nan) return NAN;
    if (a->m == 0.0 && a->zp) return a->is_min ? -0.0 : 0.0;
    return a->m;
}

/* ---- inputs and plan --------------------------------------------------------------------- */

typedef enum { FI_SCALAR, FI_DENSE, FI_CSR, FI_ROWV, FI_COLV } FInKind;

typedef struct FIn {
    FInKind kind;
    const double *v;     /* FI_DENSE: cells; FI_ROWV: cols values; FI_COLV: rows values */
    const MatBlock *m;   /* FI_CSR */
    double s;            /* FI_SCALAR */
} FIn;

typedef enum { PK_POS, PK_ROW, PK_COLR } PassKind;

/* A pass: a par_for over chunks of cells (PK_POS), rows (PK_ROW) or
 * columns (PK_COLR, every row of a column range), and the outputs it
 * computes. */
typedef struct Pass {
    PassKind kind;
    int64_t grain, nch;
    int nouts;
    int outs[KN_FUSE_MAX_OUTS];
} Pass;

typedef struct Plan {
    const KnFuseProg *p;
    int64_t m, n, cells;
    int nin;
    FIn in[KN_FUSE_MAX_INPUTS];
    double *owned[KN_FUSE_MAX_INPUTS];   /* dense copies of CSR vectors */
    const MatBlock *drv;                 /* sparse driver (CSR) or NULL */
    KnFuseAgg agg[KN_FUSE_MAX_OUTS];     /* effective: a row aggregate of one row is full */
    /* per op: res = the op whose register holds the value (ifelse with a
     * uniform condition aliases a branch); uni: uniform over the whole
     * space, value uval; ev: evaluated per tile; slot: scratch slot */
    int res[KN_FUSE_MAX_OPS], uni[KN_FUSE_MAX_OPS], ev[KN_FUSE_MAX_OPS], slot[KN_FUSE_MAX_OPS];
    double uval[KN_FUSE_MAX_OPS];
    int nslots;
    double cost;                         /* work units per cell */
    int64_t gF;                          /* full aggregates: cells per chunk */
    int64_t gC, nbC;                     /* column aggregates: rows per band, bands */
    int banded;                          /* column sums use per-band states */
    Pass pass[MAX_PASSES];
    int npass;
} Plan;

/* ---- validation ------------------------------------------------------------------------- */

static int binop_cellwise(int op)
{
    return op >= 0 && op < BOP__COUNT && op != BOP_MATMUL;
}

static tsr_status check_op(const KnFuseOp *o, int i, int nin, Err *err)
{
    int nargs = 0;
    switch (o->kind) {
    case KF_IN:
        if (o->a < 0 || o->a >= nin)
            return err_set(err, TSR_RUNTIME, "fused: op %d reads input %d of %d", i, o->a, nin);
        return TSR_OK;
    case KF_CONST: return TSR_OK;
    case KF_BIN:
        if (!binop_cellwise(o->op))
            return err_set(err, TSR_RUNTIME, "fused: op %d: operator %d is not cellwise", i, o->op);
        nargs = 2;
        break;
    case KF_BINFN:
        if (o->op < KB_MIN || o->op > KB_LOG)
            return err_set(err, TSR_RUNTIME, "fused: op %d: unknown function %d", i, o->op);
        nargs = 2;
        break;
    case KF_UN:
        if (o->op < 0 || o->op >= KU__COUNT)
            return err_set(err, TSR_RUNTIME, "fused: op %d: unknown unary function %d", i, o->op);
        nargs = 1;
        break;
    case KF_IFELSE: nargs = 3; break;
    default: return err_set(err, TSR_RUNTIME, "fused: op %d: unknown kind %d", i, (int)o->kind);
    }
    const int args[3] = { o->a, o->b, o->c };
    for (int t = 0; t < nargs; t++)
        if (args[t] < 0 || args[t] >= i)
            return err_set(err, TSR_RUNTIME, "fused: op %d uses op %d (only ops 0..%d allowed)", i,
                           args[t], i - 1);
    return TSR_OK;
}

static tsr_status validate(const KnFuseProg *p, const KnFuseIn *in, int nin, int64_t rows,
                           int64_t cols, Err *err)
{
    if (p->nops < 1 || p->nops > KN_FUSE_MAX_OPS)
        return err_set(err, TSR_RUNTIME, "fused: %d ops (1 to %d allowed)", p->nops,
                       KN_FUSE_MAX_OPS);
    if (p->nouts < 1 || p->nouts > KN_FUSE_MAX_OUTS)
        return err_set(err, TSR_RUNTIME, "fused: %d outputs (1 to %d allowed)", p->nouts,
                       KN_FUSE_MAX_OUTS);
    if (nin < 0 || nin > KN_FUSE_MAX_INPUTS || (nin > 0 && !in))
        return err_set(err, TSR_RUNTIME, "fused: %d inputs (0 to %d allowed)", nin,
                       KN_FUSE_MAX_INPUTS);
    if (rows < 0 || cols < 0)
        return err_set(err, TSR_RUNTIME, "fused: negative cell space %lldx%lld", (long long)rows,
                       (long long)cols);
    if (cols > 0 && rows > MB_MAX_CELLS / cols)
        return err_set(err, TSR_LIMIT, "fused: %lldx%lld cells exceed the limit of %lld",
                       (long long)rows, (long long)cols, (long long)MB_MAX_CELLS);
    for (int i = 0; i < p->nops; i++)
        if (check_op(&p->ops[i], i, nin, err) != TSR_OK) return err->code;
    for (int k = 0; k < p->nouts; k++) {
        const KnFuseOut *o = &p->outs[k];
        if (o->op < 0 || o->op >= p->nops)
            return err_set(err, TSR_RUNTIME, "fused: output %d is op %d of %d", k, o->op, p->nops);
        if ((int)o->agg < KF_CELLS || (int)o->agg > KF_COLMAX)
            return err_set(err, TSR_RUNTIME, "fused: output %d: unknown aggregate %d", k,
                           (int)o->agg);
    }
    if (p->sparse_driver < -1 || p->sparse_driver >= nin)
        return err_set(err, TSR_RUNTIME, "fused: sparse driver %d is not an input",
                       p->sparse_driver);
    for (int k = 0; k < nin; k++) {
        const MatBlock *m = in[k].m;
        if (!m) continue;
        int ok = (m->rows == rows || m->rows == 1) && (m->cols == cols || m->cols == 1);
        if (!ok)
            return err_set(err, TSR_RUNTIME,
                           "fused: input %d of shape %lldx%lld does not broadcast to %lldx%lld", k,
                           (long long)m->rows, (long long)m->cols, (long long)rows,
                           (long long)cols);
    }
    return TSR_OK;
}

/* ---- plan -------------------------------------------------------------------------------- */

/* Input k as FIn; CSR vectors are copied dense (small). */
static tsr_status plan_input(Plan *pl, const KnFuseIn *in, int k, Err *err)
{
    const MatBlock *m = in[k].m;
    FIn *f = &pl->in[k];
    memset(f, 0, sizeof *f);
    if (!m) {
        f->kind = FI_SCALAR;
        f->s = in[k].s;
        return TSR_OK;
    }
    if (m->rows == pl->m && m->cols == pl->n) {
        f->kind = m->sparse ? FI_CSR : FI_DENSE;
        f->m = m;
        f->v = m->sparse ? NULL : m->dense;
        return TSR_OK;
    }
    if (m->rows == 1 && m->cols == 1) {
        f->kind = FI_SCALAR;
        f->s = mb_get(m, 0, 0);
        return TSR_OK;
    }
    f->kind = m->rows == 1 ? FI_ROWV : FI_COLV;
    if (!m->sparse) {
        f->v = m->dense;
        return TSR_OK;
    }
    int64_t len = m->rows * m->cols;
    double *v = malloc((size_t)(len ? len : 1) * sizeof *v);
    if (!v) return err_set(err, TSR_NOMEM, "out of memory in a fused operation");
    mb_read_cells(m, v);
    pl->owned[k] = v;
    f->v = v;
    return TSR_OK;
}

static int op_nargs(const KnFuseOp *o)
{
    switch (o->kind) {
    case KF_BIN: case KF_BINFN: return 2;
    case KF_UN: return 1;
    case KF_IFELSE: return 3;
    default: return 0;
    }
}

/* Uniform ops (folded once with the scalar semantics), ifelse aliases,
 * liveness from the outputs, and scratch slots (an op's slot is taken
 * before its operands' slots are released, so no loop writes over its own
 * input; output ops keep theirs to the end of the tile). */
static void plan_ops(Plan *pl)
{
    const KnFuseProg *p = pl->p;
    int n = p->nops, live[KN_FUSE_MAX_OPS] = { 0 }, last[KN_FUSE_MAX_OPS], isout[KN_FUSE_MAX_OPS] = { 0 };
    for (int i = 0; i < n; i++) {
        const KnFuseOp *o = &p->ops[i];
        int a = o->kind == KF_IN || o->kind == KF_CONST ? 0 : pl->res[o->a];
        int b = op_nargs(o) >= 2 ? pl->res[o->b] : 0, c = op_nargs(o) >= 3 ? pl->res[o->c] : 0;
        pl->res[i] = i;
        pl->uni[i] = 0;
        switch (o->kind) {
        case KF_IN:
            pl->uni[i] = pl->in[o->a].kind == FI_SCALAR;
            pl->uval[i] = pl->in[o->a].s;
            break;
        case KF_CONST:
            pl->uni[i] = 1;
            pl->uval[i] = o->k;
            break;
        case KF_BIN: case KF_BINFN:
            if ((pl->uni[i] = pl->uni[a] && pl->uni[b]))
                pl->uval[i] = o->kind == KF_BIN ? kn_binop_double((BinOp)o->op, pl->uval[a], pl->uval[b])
                                                : binfn_double(o->op, pl->uval[a], pl->uval[b]);
            break;
        case KF_UN:
            if ((pl->uni[i] = pl->uni[a])) pl->uval[i] = kn_unary_double((KnUnary)o->op, pl->uval[a]);
            break;
        case KF_IFELSE:
            if (pl->uni[a]) pl->res[i] = pl->uval[a] != 0.0 ? b : c;
            break;
        }
    }
    for (int k = 0; k < p->nouts; k++) {
        int t = pl->res[p->outs[k].op];
        live[t] = isout[t] = 1;
    }
    for (int i = n - 1; i >= 0; i--) {
        const KnFuseOp *o = &p->ops[i];
        pl->ev[i] = live[i] && !pl->uni[i] && pl->res[i] == i;
        if (!pl->ev[i]) continue;
        const int args[3] = { o->a, o->b, o->c };
        for (int t = 0; t < op_nargs(o); t++) live[pl->res[args[t]]] = 1;
    }
    for (int i = 0; i < n; i++) last[i] = isout[i] ? n : -1;
    for (int i = 0; i < n; i++) {
        if (!pl->ev[i]) continue;
        const KnFuseOp *o = &p->ops[i];
        const int args[3] = { o->a, o->b, o->c };
        for (int t = 0; t < op_nargs(o); t++)
            if (last[pl->res[args[t]]] < i) last[pl->res[args[t]]] = i;
    }
    int used[KN_FUSE_MAX_OPS] = { 0 };
    pl->nslots = 0;
    for (int i = 0; i < n; i++) {
        pl->slot[i] = -1;
        if (!pl->ev[i] && !isout[i]) continue;
        int s = 0;
        while (used[s]) s++;
        used[s] = 1;
        pl->slot[i] = s;
        if (s + 1 > pl->nslots) pl->nslots = s + 1;
        if (!pl->ev[i]) continue;
        const KnFuseOp *o = &p->ops[i];
        const int args[3] = { o->a, o->b, o->c };
        for (int t = 0; t < op_nargs(o); t++) {
            int j = pl->res[args[t]];
            if (last[j] == i && pl->slot[j] >= 0) used[pl->slot[j]] = 0;
        }
    }
    pl->cost = 0.0;
    for (int i = 0; i < n; i++)
        if (pl->ev[i]) pl->cost += op_cost(&p->ops[i]);
    if (pl->cost < 1.0) pl->cost = 1.0;
}

static int is_row_agg(KnFuseAgg a) { return a == KF_ROWSUM || a == KF_ROWMIN || a == KF_ROWMAX; }
static int is_col_agg(KnFuseAgg a) { return a == KF_COLSUM || a == KF_COLMIN || a == KF_COLMAX; }
static int is_sum(KnFuseAgg a) { return a == KF_SUM || a == KF_ROWSUM || a == KF_COLSUM; }
static int is_min(KnFuseAgg a) { return a == KF_MIN || a == KF_ROWMIN || a == KF_COLMIN; }

/* Items a pass of this kind splits: cells, rows or columns. */
static int64_t pass_items(const Plan *pl, PassKind k)
{
    return k == PK_POS ? pl->cells : k == PK_ROW ? pl->m : pl->n;
}

/* Chunks of a pass are whole rows (bands of pass_band_rows rows). */
static int pass_rowal(const Plan *pl, const Pass *ps)
{
    return ps->kind == PK_ROW || (ps->kind == PK_POS && ps->grain % pl->n == 0);
}

static int64_t pass_band_rows(const Plan *pl, const Pass *ps)
{
    return ps->kind == PK_ROW ? ps->grain : ps->grain / pl->n;
}

/* Column states: one shared state (chunks cover disjoint columns, or there
 * is one chunk) rather than one per band. */
static int pass_col_shared(const Plan *pl, const Pass *ps)
{
    return ps->nch == 1 || ps->kind == PK_COLR || (ps->kind == PK_POS && pl->m == 1);
}

/* Cells per chunk of a pass whose chunks are runs of cells, else 0. */
static int64_t pass_cell_grain(const Plan *pl, const Pass *ps)
{
    if (ps->kind == PK_POS) return ps->grain;
    if (ps->kind == PK_ROW) return ps->grain * pl->n;
    return pl->m == 1 ? ps->grain : 0;
}

static int can_host(const Plan *pl, const Pass *ps, KnFuseAgg a)
{
    switch (a) {
    case KF_CELLS: case KF_MIN: case KF_MAX: return 1;
    case KF_SUM: return pass_cell_grain(pl, ps) == pl->gF;
    case KF_ROWSUM: case KF_ROWMIN: case KF_ROWMAX:
        return pass_rowal(pl, ps) || (ps->kind == PK_COLR && ps->nch == 1);
    case KF_COLSUM:
        if (pl->banded) return pass_rowal(pl, ps) && !pass_col_shared(pl, ps) &&
                               pass_band_rows(pl, ps) == pl->gC;
        return pass_col_shared(pl, ps);
    case KF_COLMIN: case KF_COLMAX:
        return pass_col_shared(pl, ps) ||
               (pass_rowal(pl, ps) && ps->nch * pl->n <= KN_COL_PART_MAX);
    }
    return 0;
}

static Pass *pass_add(Plan *pl, PassKind kind, int64_t grain)
{
    assert(pl->npass < MAX_PASSES);   /* sum, column sums, rows, column extremes */
    Pass *ps = &pl->pass[pl->npass++];
    int64_t items = pass_items(pl, kind);
    if (grain < 1) grain = 1;
    if (grain > items) grain = items;
    ps->kind = kind;
    ps->grain = grain;
    ps->nch = par_nchunks(items, grain);
    ps->nouts = 0;
    return ps;
}

/* Work per row and per column (for the grains of the passes the sums do
 * not constrain). */
static double row_cost(const Plan *pl)
{
    double per = pl->drv ? (double)pl->drv->nnz / (double)pl->m : (double)pl->n;
    return (per + 1.0) * pl->cost;
}

static double col_cost(const Plan *pl)
{
    double per = pl->drv ? (double)pl->drv->nnz / (double)pl->n : (double)pl->m;
    return (per + 1.0) * pl->cost;
}

/* Columns per chunk of a column-range pass.  Over a sparse driver each
 * chunk also searches every row for its range (two binary searches that
 * mostly miss the caches: about 256 units per row, measured): no more
 * chunks than the entries' work pays for. */
static int64_t colr_grain(const Plan *pl)
{
    int64_t g = par_grain(pl->n, col_cost(pl));
    if (pl->drv) {
        double work = (double)pl->drv->nnz * pl->cost, search = (double)pl->m * 256.0;
        int64_t nch = work > search ? (int64_t)(work / search) : 1;
        int64_t gmin = (pl->n + nch - 1) / nch;
        if (g < gmin) g = gmin;
    }
    return g;
}

/* A new pass for output aggregate a, which no pass so far can compute. */
static Pass *pass_for(Plan *pl, KnFuseAgg a)
{
    switch (a) {
    case KF_SUM: return pass_add(pl, PK_POS, pl->gF);
    case KF_COLSUM:
        if (pl->banded) return pass_add(pl, PK_ROW, pl->gC);
        if (pl->nbC == 1) return pass_add(pl, PK_ROW, pl->m);   /* one band: sequential */
        return pass_add(pl, PK_COLR, colr_grain(pl));
    case KF_ROWSUM: case KF_ROWMIN: case KF_ROWMAX:
        return pass_add(pl, PK_ROW, par_grain(pl->m, row_cost(pl)));
    case KF_COLMIN: case KF_COLMAX: {
        int64_t g = par_grain(pl->m, row_cost(pl));
        if (par_nchunks(pl->m, g) * pl->n <= KN_COL_PART_MAX) return pass_add(pl, PK_ROW, g);
        return pass_add(pl, PK_COLR, colr_grain(pl));
    }
    default:
        if (pl->drv) return pass_add(pl, PK_ROW, par_grain(pl->m, row_cost(pl)));
        return pass_add(pl, PK_POS, par_grain(pl->cells, pl->cost));
    }
}

/* Outputs to passes: the constrained aggregates first, each into the first
 * pass that can compute it, else a new pass of its preferred kind. */
static void plan_passes(Plan *pl)
{
    static const int order[] = { 0, 1, 2, 3, 4 };   /* sum, colsum, rows, colmm, free */
    const KnFuseProg *p = pl->p;
    pl->npass = 0;
    for (size_t r = 0; r < sizeof order / sizeof order[0]; r++) {
        for (int k = 0; k < p->nouts; k++) {
            KnFuseAgg a = pl->agg[k];
            int rank = a == KF_SUM ? 0 : a == KF_COLSUM ? 1 : is_row_agg(a) ? 2
                     : is_col_agg(a) ? 3 : 4;
            if (rank != order[r]) continue;
            Pass *ps = NULL;
            for (int q = 0; q < pl->npass && !ps; q++)
                if (can_host(pl, &pl->pass[q], a)) ps = &pl->pass[q];
            if (!ps) ps = pass_for(pl, a);
            ps->outs[ps->nouts++] = k;
        }
    }
}

static tsr_status plan_init(Plan *pl, const KnFuseProg *p, const KnFuseIn *in, int nin,
                            int64_t rows, int64_t cols, Err *err)
{
    memset(pl, 0, sizeof *pl);
    pl->p = p;
    pl->m = rows;
    pl->n = cols;
    pl->cells = rows * cols;
    pl->nin = nin;
    for (int k = 0; k < nin; k++)
        if (plan_input(pl, in, k, err) != TSR_OK) return err->code;
    int d = p->sparse_driver;
    if (d >= 0 && pl->in[d].kind == FI_CSR) pl->drv = pl->in[d].m;
    for (int k = 0; k < p->nouts; k++) {
        KnFuseAgg a = p->outs[k].agg;
        if (rows == 1 && is_row_agg(a)) a = a == KF_ROWSUM ? KF_SUM : a == KF_ROWMIN ? KF_MIN : KF_MAX;
        pl->agg[k] = a;
    }
    plan_ops(pl);
    if (pl->cells == 0) return TSR_OK;
    pl->gF = par_grain(pl->cells, KN_AGG_CELL_COST);
    pl->gC = par_grain(rows, (double)cols * KN_AGG_CELL_COST);
    pl->nbC = par_nchunks(rows, pl->gC);
    pl->banded = pl->nbC > 1 && pl->nbC * cols <= KN_COL_PART_MAX;
    plan_passes(pl);
    return TSR_OK;
}

static void plan_free(Plan *pl)
{
    for (int k = 0; k < pl->nin; k++) free(pl->owned[k]);
}

/* ---- output state ------------------------------------------------------------------------ */

typedef struct OutSt {
    MatBlock *z;       /* the output block (not for full aggregates) */
    double *tmp;       /* sparse cells: the value at each of the driver's entries */
    int64_t *nnz;      /* cells: non-zeros per chunk */
    KSum *ks;          /* sum: partial per chunk */
    double *mm;        /* min/max: partial per chunk */
    double *st;        /* column aggregates: state(s), nst arrays of n per band */
    int banded;        /* column state per chunk (else one shared state) */
    int pass;          /* the pass that computes it */
} OutSt;

static void outs_free(OutSt *os, int n)
{
    for (int k = 0; k < n; k++) {
        free(os[k].tmp);
        free(os[k].nnz);
        free(os[k].ks);
        free(os[k].mm);
        free(os[k].st);
        mb_free(os[k].z);
    }
}

static void *xalloc(size_t n, size_t size, int zero, int *ok)
{
    void *p = zero ? calloc(n ? n : 1, size) : malloc((n ? n : 1) * size);
    if (!p) *ok = 0;
    return p;
}

/* The output blocks and the partial-result arrays. */
static tsr_status outs_alloc(const ParCtx *par, const Plan *pl, OutSt *os, Err *err)
{
    const KnFuseProg *p = pl->p;
    int64_t m = pl->m, n = pl->n;
    for (int q = 0; q < pl->npass; q++)
        for (int t = 0; t < pl->pass[q].nouts; t++) os[pl->pass[q].outs[t]].pass = q;
    for (int k = 0; k < p->nouts; k++) {
        OutSt *o = &os[k];
        const Pass *ps = &pl->pass[o->pass];
        KnFuseAgg a = pl->agg[k], orig = p->outs[k].agg;
        size_t nch = (size_t)ps->nch;
        int ok = 1;
        if (a == KF_CELLS) {
            if (pl->drv) o->tmp = xalloc((size_t)pl->drv->nnz, sizeof *o->tmp, 0, &ok);
            o->nnz = xalloc(nch, sizeof *o->nnz, 1, &ok);
        } else if (a == KF_SUM) {
            o->ks = xalloc(nch, sizeof *o->ks, 0, &ok);
        } else if (a == KF_MIN || a == KF_MAX) {
            o->mm = xalloc(nch, sizeof *o->mm, 0, &ok);
        } else if (is_col_agg(a)) {
            o->banded = !pass_col_shared(pl, ps);
            size_t nst = a == KF_COLSUM ? 2 : 1, bands = o->banded ? nch : 1;
            o->st = xalloc(bands * nst * (size_t)n, sizeof *o->st, 0, &ok);
        }
        if (!ok) return err_set(err, TSR_NOMEM, "out of memory in a fused operation");
        if (a == KF_CELLS && !pl->drv) o->z = mb_new_uninit(par, m, n, err);
        else if (is_row_agg(orig)) o->z = mb_new(m, 1, err);
        else if (is_col_agg(orig)) o->z = mb_new(1, n, err);
        else continue;
        if (!o->z) return err->code;
    }
    return TSR_OK;
}

/* ---- tiles --------------------------------------------------------------------------------
 * Dense tile: cells [q0, q0 + len), the first in row i0, column j0.  Sparse
 * tile: len entries of the driver: entry t is kk[t] (contiguous from k0 when
 * k0 >= 0) at row ri[t], column ci[t]. */
typedef struct Tile {
    int len;
    int one_row;           /* every cell in row i0 */
    int64_t q0, i0, j0;
    int64_t k0;
    const int64_t *kk, *ri, *ci;
} Tile;

/* Per task: the chunk, the streaming states of the outputs, CSR cursors
 * and the registers. */
typedef struct Local {
    int64_t c;                            /* chunk index */
    int64_t lo, hi;                       /* chunk items */
    int64_t cell0, cells;                 /* first cell (cell chunks) and cells of the chunk */
    int64_t r0, r1;                       /* rows of the chunk */
    int64_t cj0, cj1;                     /* columns whose state the chunk owns */
    KsStream ss[KN_FUSE_MAX_OUTS];
    MmAcc mm[KN_FUSE_MAX_OUTS];
    int64_t cnt[KN_FUSE_MAX_OUTS];        /* sparse: stored non-zero results (chunk or row) */
    int64_t nnz[KN_FUSE_MAX_OUTS];
    int64_t row[KN_FUSE_MAX_OUTS];        /* row aggregates: the open row */
    double *cs[KN_FUSE_MAX_OUTS];         /* column aggregates: this chunk's state */
    int64_t *ccnt[KN_FUSE_MAX_OUTS];      /* sparse column min/max: stored results per column */
    int64_t crow[KN_FUSE_MAX_INPUTS], ck[KN_FUSE_MAX_INPUTS];   /* CSR input cursors */
    double *slots;
    Reg reg[KN_FUSE_MAX_OPS];
} Local;

typedef struct Run {
    const Plan *pl;
    const Pass *ps;
    OutSt *os;
    double *slots;       /* per worker: nslots * FT */
    int64_t *iscr;       /* per worker: iscr_per (sparse entries, column counters) */
    int64_t iscr_per;
    int ncolcnt;         /* column counter arrays per worker */
} Run;

static void fetch_dense(const Plan *pl, const FIn *f, const Tile *t, double *z, Reg *R)
{
    int64_t n = pl->n, len = t->len;
    switch (f->kind) {
    case FI_SCALAR: *R = uni(f->s); return;
    case FI_DENSE: R->p = f->v + t->q0; return;
    case FI_ROWV:
        if (t->one_row) {
            R->p = f->v + t->j0;
            return;
        }
        for (int64_t off = 0, j = t->j0; off < len; j = 0) {
            int64_t w = imin(len - off, n - j);
            memcpy(z + off, f->v + j, (size_t)w * sizeof *z);
            off += w;
        }
        break;
    case FI_COLV:
        if (t->one_row) {
            *R = uni(f->v[t->i0]);
            return;
        }
        for (int64_t off = 0, i = t->i0, j = t->j0; off < len; i++, j = 0) {
            int64_t w = imin(len - off, n - j);
            fill(z + off, w, f->v[i]);
            off += w;
        }
        break;
    case FI_CSR: {
        const MatBlock *a = f->m;
        memset(z, 0, (size_t)len * sizeof *z);
        for (int64_t off = 0, i = t->i0, j = t->j0; off < len; i++, j = 0) {
            int64_t w = imin(len - off, n - j), end = a->ptr[i + 1];
            for (int64_t k = mb_csr_lower(a, a->ptr[i], end, j); k < end && a->idx[k] < j + w; k++)
                z[off + a->idx[k] - j] = a->val[k];
            off += w;
        }
        break;
    }
    }
    R->p = z;
}

/* Value of CSR input `in` at (i, j) through its cursor (rows and, within a
 * row, columns increase while a task runs). */
static inline double csr_at_cell(const MatBlock *a, Local *L, int in, int64_t i, int64_t j)
{
    int64_t end = a->ptr[i + 1];
    if (L->crow[in] != i) {
        L->crow[in] = i;
        L->ck[in] = mb_csr_lower(a, a->ptr[i], end, j);
    }
    int64_t k = L->ck[in];
    while (k < end && a->idx[k] < j) k++;
    L->ck[in] = k;
    return k < end && a->idx[k] == j ? a->val[k] : 0.0;
}

static void fetch_sparse(const Plan *pl, Local *L, int in, const Tile *t, double *z, Reg *R)
{
    const FIn *f = &pl->in[in];
    int64_t n = pl->n, len = t->len;
    const int64_t *ri = t->ri, *ci = t->ci;
    switch (f->kind) {
    case FI_SCALAR: *R = uni(f->s); return;
    case FI_DENSE:
        for (int64_t e = 0; e < len; e++) z[e] = f->v[ri[e] * n + ci[e]];
        break;
    case FI_ROWV:
        for (int64_t e = 0; e < len; e++) z[e] = f->v[ci[e]];
        break;
    case FI_COLV:
        if (t->one_row) {
            *R = uni(f->v[t->i0]);
            return;
        }
        for (int64_t e = 0; e < len; e++) z[e] = f->v[ri[e]];
        break;
    case FI_CSR:
        if (f->m == pl->drv && t->k0 >= 0) {
            R->p = pl->drv->val + t->k0;
            return;
        }
        if (f->m == pl->drv) {
            for (int64_t e = 0; e < len; e++) z[e] = pl->drv->val[t->kk[e]];
        } else {
            for (int64_t e = 0; e < len; e++) z[e] = csr_at_cell(f->m, L, in, ri[e], ci[e]);
        }
        break;
    }
    R->p = z;
}

/* Runs the program over the tile into L->reg. */
static void eval_tile(const Plan *pl, Local *L, const Tile *t, int sparse)
{
    const KnFuseProg *p = pl->p;
    Reg *reg = L->reg;
    for (int i = 0; i < p->nops; i++) {
        if (!pl->ev[i]) continue;
        const KnFuseOp *o = &p->ops[i];
        double *z = L->slots + (size_t)pl->slot[i] * FT;
        Reg *R = &reg[i];
        switch (o->kind) {
        case KF_IN:
            if (sparse) fetch_sparse(pl, L, o->a, t, z, R);
            else fetch_dense(pl, &pl->in[o->a], t, z, R);
            break;
        case KF_BIN: case KF_BINFN:
            run_bin(o->kind == KF_BINFN, o->op, &reg[pl->res[o->a]], &reg[pl->res[o->b]], z, t->len, R);
            break;
        case KF_UN: run_un(o->op, &reg[pl->res[o->a]], z, t->len, R); break;
        case KF_IFELSE:
            run_ifelse(&reg[pl->res[o->a]], &reg[pl->res[o->b]], &reg[pl->res[o->c]], z, t->len, R);
            break;
        case KF_CONST: break;   /* uniform: never evaluated per tile */
        }
    }
}

/* The tile's values of output k (a uniform value is spread into its slot). */
static const double *out_vals(const Plan *pl, Local *L, int k, int len)
{
    int t = pl->res[pl->p->outs[k].op];
    const Reg *R = &L->reg[t];
    if (R->p) return R->p;
    double *z = L->slots + (size_t)pl->slot[t] * FT;
    fill(z, len, R->s);
    return z;
}

/* ---- consuming tiles ---------------------------------------------------------------------- */

static void row_start(const Plan *pl, Local *L, int k)
{
    KnFuseAgg a = pl->agg[k];
    if (a == KF_ROWSUM) kss_start(&L->ss[k], pl->n);
    else mm_init(&L->mm[k], a == KF_ROWMIN);
    L->cnt[k] = 0;
}

/* Row L->row[k] is complete: its value into the output; the next row opens. */
static void row_finish(const Run *r, Local *L, int k, int sparse)
{
    const Plan *pl = r->pl;
    KnFuseAgg a = pl->agg[k];
    double v;
    if (a == KF_ROWSUM) {
        KSum s = kss_finish(&L->ss[k]);
        v = ks_value(&s);
    } else {
        v = mm_value(&L->mm[k]);
        if (sparse && L->cnt[k] < pl->n) v = a == KF_ROWMIN ? kn_min2(v, 0.0) : kn_max2(v, 0.0);
    }
    r->os[k].z->dense[L->row[k]++] = v;
    row_start(pl, L, k);
}

CLONES static void col_sum_seg(double *restrict s, double *restrict c, const double *restrict x,
                        int64_t w)
{
    for (int64_t t = 0; t < w; t++) kn_col_add(s, c, t, x[t]);
}

static void col_mm_seg(double *restrict st, const double *restrict x, int64_t w, int is_mn)
{
    int64_t t = 0;
    if (is_mn)
        for (; t + 2 <= w; t += 2) st2(st + t, vmin2(ld2(st + t), ld2(x + t)));
    else
        for (; t + 2 <= w; t += 2) st2(st + t, vmax2(ld2(st + t), ld2(x + t)));
    for (; t < w; t++) st[t] = is_mn ? kn_min2(st[t], x[t]) : kn_max2(st[t], x[t]);
}

CLONES static int64_t count_nz(const double *restrict x, int64_t n)
{
    int64_t nz = 0;
    for (int64_t t = 0; t < n; t++) nz += x[t] != 0.0;
    return nz;
}

/* A dense row of n < 8 cells: sum_range_ks there is its tail alone (the
 * eight empty lanes merge to (0, 0)); min/max as mm_*. */
static double row_small(KnFuseAgg a, const double *x, int64_t n)
{
    if (a == KF_ROWSUM) {
        KSum s = { 0.0, 0.0 };
        for (int64_t q = 0; q < n; q++) ks_add(&s, x[q]);
        return ks_value(&s);
    }
    MmAcc m;
    mm_init(&m, a == KF_ROWMIN);
    for (int64_t q = 0; q < n; q++) mm_put(&m, x[q]);
    return mm_value(&m);
}

/* Dense tile values v of output k. */
static void take_dense(const Run *r, Local *L, int k, const Tile *t, const double *v)
{
    const Plan *pl = r->pl;
    KnFuseAgg a = pl->agg[k];
    int64_t n = pl->n, len = t->len;
    switch (a) {
    case KF_CELLS:
        memcpy(r->os[k].z->dense + t->q0, v, (size_t)len * sizeof *v);
        L->nnz[k] += count_nz(v, len);
        return;
    case KF_SUM: kss_feed(&L->ss[k], v, len); return;
    case KF_MIN: case KF_MAX: mm_feed(&L->mm[k], v, len); return;
    default: break;
    }
    for (int64_t off = 0, j = t->j0; off < len; j = 0) {   /* row segments */
        int64_t w = imin(len - off, n - j);
        const double *x = v + off;
        off += w;
        if (is_row_agg(a) && w == n && n < 8) {   /* a whole narrow row: no stream */
            r->os[k].z->dense[L->row[k]++] = row_small(a, x, n);
            continue;
        }
        if (a == KF_ROWSUM) kss_feed(&L->ss[k], x, w);
        else if (a == KF_ROWMIN || a == KF_ROWMAX) mm_feed(&L->mm[k], x, w);
        else if (a == KF_COLSUM && w < 8)
            for (int64_t q = 0; q < w; q++) kn_col_add(L->cs[k], L->cs[k] + n, j + q, x[q]);
        else if (a == KF_COLSUM) col_sum_seg(L->cs[k] + j, L->cs[k] + n + j, x, w);
        else col_mm_seg(L->cs[k] + j, x, w, a == KF_COLMIN);
        if (is_row_agg(a) && j + w == n) row_finish(r, L, k, 0);
    }
}

/* Sparse tile values v of output k (entries of the driver; zero results
 * are not stored, so they are skipped like the implicit zeros). */
static void take_sparse(const Run *r, Local *L, int k, const Tile *t, const double *v)
{
    const Plan *pl = r->pl;
    KnFuseAgg a = pl->agg[k];
    int64_t n = pl->n, len = t->len;
    const int64_t *ri = t->ri, *ci = t->ci;
    for (int64_t e = 0; e < len; e++) {
        double x = v[e];
        if (a == KF_CELLS) {
            r->os[k].tmp[t->kk[e]] = x;
            L->nnz[k] += x != 0.0;
            continue;
        }
        if (is_row_agg(a))
            while (L->row[k] < ri[e]) row_finish(r, L, k, 1);
        if (x == 0.0) continue;
        switch (a) {
        case KF_SUM: kss_put(&L->ss[k], ri[e] * n + ci[e] - L->cell0, x); break;
        case KF_ROWSUM: kss_put(&L->ss[k], ci[e], x); break;
        case KF_MIN: case KF_MAX: case KF_ROWMIN: case KF_ROWMAX:
            mm_put(&L->mm[k], x);
            L->cnt[k]++;
            break;
        case KF_COLSUM: kn_col_add(L->cs[k], L->cs[k] + n, ci[e], x); break;
        case KF_COLMIN: case KF_COLMAX: {
            double *st = L->cs[k] + ci[e];
            *st = a == KF_COLMIN ? kn_min2(*st, x) : kn_max2(*st, x);
            L->ccnt[k][ci[e]]++;
            break;
        }
        default: break;
        }
    }
}

/* ---- chunks ------------------------------------------------------------------------------- */

static void chunk_begin(const Run *r, Local *L, int64_t lo, int64_t hi, int wid)
{
    const Plan *pl = r->pl;
    const Pass *ps = r->ps;
    int64_t m = pl->m, n = pl->n;
    L->c = lo / ps->grain;
    L->lo = lo;
    L->hi = hi;
    if (ps->kind == PK_POS) {
        L->cell0 = lo;
        L->cells = hi - lo;
        L->r0 = lo / n;
        L->r1 = (hi + n - 1) / n;
    } else if (ps->kind == PK_ROW) {
        L->cell0 = lo * n;
        L->cells = (hi - lo) * n;
        L->r0 = lo;
        L->r1 = hi;
    } else {
        L->cell0 = lo;   /* one row (m == 1): the cells of the columns */
        L->cells = m * (hi - lo);
        L->r0 = 0;
        L->r1 = m;
    }
    int cols_of_chunk = ps->kind == PK_COLR || (ps->kind == PK_POS && m == 1);
    L->cj0 = cols_of_chunk ? lo : 0;
    L->cj1 = cols_of_chunk ? hi : n;
    L->slots = r->slots + (size_t)wid * (size_t)pl->nslots * FT;
    for (int i = 0; i < pl->p->nops; i++)
        if (pl->uni[i]) L->reg[i] = uni(pl->uval[i]);
    for (int in = 0; in < pl->nin; in++) L->crow[in] = -1;
    int64_t *cc = r->iscr ? r->iscr + (size_t)wid * (size_t)r->iscr_per + 3 * FT : NULL;
    for (int t = 0; t < ps->nouts; t++) {
        int k = ps->outs[t];
        KnFuseAgg a = pl->agg[k];
        const OutSt *o = &r->os[k];
        L->nnz[k] = L->cnt[k] = 0;
        if (a == KF_SUM) kss_start(&L->ss[k], L->cells);
        else if (a == KF_MIN || a == KF_MAX) mm_init(&L->mm[k], a == KF_MIN);
        else if (is_row_agg(a)) {
            L->row[k] = L->r0;
            row_start(pl, L, k);
        } else if (is_col_agg(a)) {
            int64_t nst = a == KF_COLSUM ? 2 : 1;
            double *st = o->banded ? o->st + (size_t)(L->c * nst * n) : o->st;
            double init = a == KF_COLSUM ? 0.0 : a == KF_COLMIN ? INFINITY : -INFINITY;
            L->cs[k] = st;
            fill(st + L->cj0, L->cj1 - L->cj0, init);
            if (nst == 2) fill(st + n + L->cj0, L->cj1 - L->cj0, 0.0);
            if (a != KF_COLSUM && pl->drv) {
                L->ccnt[k] = cc;
                memset(cc + L->cj0, 0, (size_t)(L->cj1 - L->cj0) * sizeof *cc);
                cc += n;
            }
        }
    }
}

static void chunk_end(const Run *r, Local *L)
{
    const Plan *pl = r->pl;
    const Pass *ps = r->ps;
    int sparse = pl->drv != NULL;
    for (int t = 0; t < ps->nouts; t++) {
        int k = ps->outs[t];
        KnFuseAgg a = pl->agg[k];
        OutSt *o = &r->os[k];
        if (a == KF_CELLS) {
            o->nnz[L->c] = L->nnz[k];
        } else if (a == KF_SUM) {
            o->ks[L->c] = kss_finish(&L->ss[k]);
        } else if (a == KF_MIN || a == KF_MAX) {
            double v = mm_value(&L->mm[k]);
            if (sparse && L->cnt[k] < L->cells) v = a == KF_MIN ? kn_min2(v, 0.0) : kn_max2(v, 0.0);
            o->mm[L->c] = v;
        } else if (is_row_agg(a) && sparse) {
            while (L->row[k] < L->r1) row_finish(r, L, k, 1);
        } else if ((a == KF_COLMIN || a == KF_COLMAX) && sparse) {
            int64_t band = L->r1 - L->r0;
            for (int64_t j = L->cj0; j < L->cj1; j++)
                if (L->ccnt[k][j] < band)
                    L->cs[k][j] = a == KF_COLMIN ? kn_min2(L->cs[k][j], 0.0) : kn_max2(L->cs[k][j], 0.0);
        }
    }
}

/* Dense cells [q0, q1) in tiles of FT from q0. */
static void dense_cells(const Run *r, Local *L, int64_t q0, int64_t q1)
{
    const Plan *pl = r->pl;
    const Pass *ps = r->ps;
    for (int64_t q = q0; q < q1; q += FT) {
        Tile t;
        t.len = (int)imin(FT, q1 - q);
        t.q0 = q;
        t.i0 = q / pl->n;
        t.j0 = q - t.i0 * pl->n;
        t.one_row = t.j0 + t.len <= pl->n;
        t.k0 = -1;
        t.kk = t.ri = t.ci = NULL;
        for (int in = 0; in < pl->nin; in++) {   /* the tile PF_DIST ahead, into the caches */
            if (pl->in[in].kind != FI_DENSE) continue;
            for (int64_t a = q + PF_DIST * FT, e = imin(a + FT, q1); a < e; a += 8)
                __builtin_prefetch(pl->in[in].v + a, 0, 3);
        }
        eval_tile(pl, L, &t, 0);
        for (int o = 0; o < ps->nouts; o++) {
            int k = ps->outs[o];
            take_dense(r, L, k, &t, out_vals(pl, L, k, t.len));
        }
    }
}

/* Sparse: one tile of the entries gathered in kk/ri/ci. */
static void sparse_tile(const Run *r, Local *L, Tile *t)
{
    const Plan *pl = r->pl;
    const Pass *ps = r->ps;
    if (t->len == 0) return;
    t->i0 = t->ri[0];
    t->one_row = t->ri[t->len - 1] == t->i0;
    int contiguous = t->kk[t->len - 1] - t->kk[0] == t->len - 1;
    t->k0 = contiguous ? t->kk[0] : -1;
    eval_tile(pl, L, t, 1);
    for (int o = 0; o < ps->nouts; o++) {
        int k = ps->outs[o];
        take_sparse(r, L, k, t, out_vals(pl, L, k, t->len));
    }
    t->len = 0;
}

/* First stored entry of a CSR block at a row-major position >= p. */
static int64_t csr_pos(const MatBlock *a, int64_t p)
{
    int64_t i = p / a->cols, j = p - i * a->cols;
    if (i >= a->rows) return a->ptr[a->rows];
    return mb_csr_lower(a, a->ptr[i], a->ptr[i + 1], j);
}

/* The driver's entries of the chunk, in tiles of up to FT entries. */
static void sparse_chunk(const Run *r, Local *L, int wid)
{
    const Plan *pl = r->pl;
    const MatBlock *d = pl->drv;
    int64_t *kk = r->iscr + (size_t)wid * (size_t)r->iscr_per, *ri = kk + FT, *ci = ri + FT;
    Tile t;
    memset(&t, 0, sizeof t);
    t.kk = kk;
    t.ri = ri;
    t.ci = ci;
    int64_t i0 = L->r0, i1 = L->r1, j0 = 0, j1 = pl->n;
    if (r->ps->kind == PK_COLR) {
        j0 = L->lo;
        j1 = L->hi;
    }
    int64_t kend = r->ps->kind == PK_POS ? csr_pos(d, L->cell0 + L->cells) : 0;
    for (int64_t i = i0; i < i1; i++) {
        int64_t k = d->ptr[i], ke = d->ptr[i + 1];
        if (r->ps->kind == PK_POS) {
            if (i == i0) k = csr_pos(d, L->cell0);
            if (ke > kend) ke = kend;
        } else if (r->ps->kind == PK_COLR) {
            k = mb_csr_lower(d, k, ke, j0);
            ke = mb_csr_lower(d, k, ke, j1);
        }
        for (; k < ke; k++) {
            kk[t.len] = k;
            ri[t.len] = i;
            ci[t.len] = d->idx[k];
            if (++t.len == FT) sparse_tile(r, L, &t);
        }
    }
    sparse_tile(r, L, &t);
}

static void pass_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    const Run *r = arg;
    const Plan *pl = r->pl;
    Local L;
    chunk_begin(r, &L, lo, hi, wid);
    if (pl->drv) {
        sparse_chunk(r, &L, wid);
    } else if (r->ps->kind == PK_COLR) {
        for (int64_t i = 0; i < pl->m; i++) dense_cells(r, &L, i * pl->n + lo, i * pl->n + hi);
    } else {
        dense_cells(r, &L, L.cell0, L.cell0 + L.cells);
    }
    chunk_end(r, &L);
}

static tsr_status run_pass(const ParCtx *par, const Plan *pl, const Pass *ps, OutSt *os, Err *err)
{
    Run r = { pl, ps, os, NULL, NULL, 0, 0 };
    int width = par_width(par, ps->nch);
    for (int t = 0; t < ps->nouts; t++) {
        KnFuseAgg a = pl->agg[ps->outs[t]];
        r.ncolcnt += pl->drv && (a == KF_COLMIN || a == KF_COLMAX);
    }
    r.iscr_per = pl->drv ? 3 * FT + (int64_t)r.ncolcnt * pl->n : 0;
    r.slots = malloc((size_t)width * (size_t)pl->nslots * FT * sizeof *r.slots);
    if (r.iscr_per) r.iscr = malloc((size_t)width * (size_t)r.iscr_per * sizeof *r.iscr);
    if (!r.slots || (r.iscr_per && !r.iscr)) {
        free(r.slots);
        free(r.iscr);
        return err_set(err, TSR_NOMEM, "out of memory in a fused operation");
    }
    par_for(par, pass_items(pl, ps->kind), ps->grain, pass_task, &r);
    free(r.slots);
    free(r.iscr);
    return TSR_OK;
}

/* ---- results --------------------------------------------------------------------------------- */

/* The sparse cells output: the driver's pattern without the zero results. */
typedef struct SpOut {
    const MatBlock *d;
    const double *tmp;
    MatBlock *z;
} SpOut;

static void sp_count(void *arg, int64_t lo, int64_t hi, int wid)
{
    const SpOut *s = arg;
    (void)wid;
    for (int64_t i = lo; i < hi; i++) {
        int64_t nz = 0;
        for (int64_t k = s->d->ptr[i]; k < s->d->ptr[i + 1]; k++) nz += s->tmp[k] != 0.0;
        s->z->ptr[i + 1] = nz;
    }
}

static void sp_fill(void *arg, int64_t lo, int64_t hi, int wid)
{
    const SpOut *s = arg;
    (void)wid;
    for (int64_t i = lo; i < hi; i++) {
        int64_t o = s->z->ptr[i];
        for (int64_t k = s->d->ptr[i]; k < s->d->ptr[i + 1]; k++)
            if (s->tmp[k] != 0.0) {
                s->z->idx[o] = s->d->idx[k];
                s->z->val[o++] = s->tmp[k];
            }
    }
}

static tsr_status sparse_cells_out(const ParCtx *par, const Plan *pl, OutSt *o, int64_t nnz,
                                   Err *err)
{
    const MatBlock *d = pl->drv;
    int64_t m = pl->m;
    MatBlock *z = mb_new_sparse(m, pl->n, nnz, err);
    if (!z) return err->code;
    int64_t grain = par_grain(m, (double)d->nnz / (double)(m ? m : 1) + 1.0);
    if (nnz == d->nnz) {   /* no zero result: the driver's pattern, the values as they are */
        memcpy(z->ptr, d->ptr, (size_t)(m + 1) * sizeof *z->ptr);
        if (nnz) memcpy(z->idx, d->idx, (size_t)nnz * sizeof *z->idx);
        free(z->val);
        z->val = o->tmp;
        o->tmp = NULL;
    } else {
        SpOut s = { d, o->tmp, z };
        par_for(par, m, grain, sp_count, &s);
        z->ptr[0] = 0;
        for (int64_t i = 0; i < m; i++) z->ptr[i + 1] += z->ptr[i];
        par_for(par, m, grain, sp_fill, &s);
    }
    z->nnz = nnz;
    o->z = z;
    return TSR_OK;
}

/* Column j of a column aggregate from its state(s), bands in order. */
static double col_result(const Plan *pl, const OutSt *o, KnFuseAgg a, int64_t nb, int64_t j)
{
    int64_t n = pl->n;
    if (a == KF_COLSUM) {
        KSum s = { o->st[j], o->st[n + j] };
        for (int64_t b = 1; b < nb; b++) {
            KSum t = { o->st[b * 2 * n + j], o->st[b * 2 * n + n + j] };
            ks_merge(&s, &t);
        }
        return ks_value(&s);
    }
    double v = o->st[j];
    for (int64_t b = 1; b < nb; b++)
        v = a == KF_COLMIN ? kn_min2(v, o->st[b * n + j]) : kn_max2(v, o->st[b * n + j]);
    return v;
}

/* Partials in chunk order into the outputs. */
static tsr_status finish_outs(const ParCtx *par, const Plan *pl, OutSt *os, MatBlock **mats,
                              double *scalars, Err *err)
{
    const KnFuseProg *p = pl->p;
    for (int k = 0; k < p->nouts; k++) {
        OutSt *o = &os[k];
        const Pass *ps = &pl->pass[o->pass];
        KnFuseAgg a = pl->agg[k];
        double v = 0.0;
        if (a == KF_CELLS) {
            int64_t nnz = 0;
            for (int64_t c = 0; c < ps->nch; c++) nnz += o->nnz[c];
            if (pl->drv) {
                if (sparse_cells_out(par, pl, o, nnz, err) != TSR_OK) return err->code;
            } else {
                o->z->nnz = nnz;
            }
        } else if (a == KF_SUM) {
            KSum s = o->ks[0];
            for (int64_t c = 1; c < ps->nch; c++) ks_merge(&s, &o->ks[c]);
            v = ks_value(&s);
        } else if (a == KF_MIN || a == KF_MAX) {
            v = o->mm[0];
            for (int64_t c = 1; c < ps->nch; c++)
                v = a == KF_MIN ? kn_min2(v, o->mm[c]) : kn_max2(v, o->mm[c]);
        } else if (is_col_agg(a)) {
            int64_t nb = o->banded ? ps->nch : 1;
            for (int64_t j = 0; j < pl->n; j++) o->z->dense[j] = col_result(pl, o, a, nb, j);
        }
        if (a == KF_SUM || a == KF_MIN || a == KF_MAX) {
            if (o->z) o->z->dense[0] = v;   /* a row aggregate of one row */
            else scalars[k] = v;
        }
        if (o->z && !o->z->sparse && a != KF_CELLS) mb_recount_nnz(o->z);
        mats[k] = o->z;
        o->z = NULL;
    }
    return TSR_OK;
}

/* No cells: the aggregates' initial values, empty blocks. */
static tsr_status empty_outs(const ParCtx *par, const Plan *pl, MatBlock **mats, double *scalars,
                             Err *err)
{
    const KnFuseProg *p = pl->p;
    for (int k = 0; k < p->nouts; k++) {
        KnFuseAgg a = p->outs[k].agg;
        double init = is_sum(a) ? 0.0 : is_min(a) ? INFINITY : -INFINITY;
        if (a == KF_SUM || a == KF_MIN || a == KF_MAX) {
            scalars[k] = init;
            continue;
        }
        MatBlock *z = a == KF_CELLS ? (pl->drv ? mb_new_sparse(pl->m, pl->n, 0, err)
                                               : mb_new_ctx(par, pl->m, pl->n, err))
                    : is_row_agg(a) ? mb_new_fill(pl->m, 1, init, err)
                                    : mb_new_fill(1, pl->n, init, err);
        if (!z) return err->code;
        mats[k] = z;
    }
    return TSR_OK;
}

tsr_status kn_fused(const ParCtx *par, const KnFuseProg *p, const KnFuseIn *in, int nin,
                    int64_t rows, int64_t cols, MatBlock **mats, double *scalars, Err *err)
{
    if (!p) return err_set(err, TSR_RUNTIME, "fused: no program");
    int nouts = p->nouts < 0 ? 0 : p->nouts > KN_FUSE_MAX_OUTS ? KN_FUSE_MAX_OUTS : p->nouts;
    for (int k = 0; k < nouts; k++) {
        mats[k] = NULL;
        scalars[k] = 0.0;
    }
    if (validate(p, in, nin, rows, cols, err) != TSR_OK) return err->code;
    Plan *pl = malloc(sizeof *pl);
    if (!pl) return err_set(err, TSR_NOMEM, "out of memory in a fused operation");
    OutSt os[KN_FUSE_MAX_OUTS];
    memset(os, 0, sizeof os);
    tsr_status st = plan_init(pl, p, in, nin, rows, cols, err);
    if (st == TSR_OK && pl->cells == 0) {
        st = empty_outs(par, pl, mats, scalars, err);
    } else if (st == TSR_OK) {
        st = outs_alloc(par, pl, os, err);
        for (int q = 0; q < pl->npass && st == TSR_OK; q++)
            st = run_pass(par, pl, &pl->pass[q], os, err);
        if (st == TSR_OK) st = finish_outs(par, pl, os, mats, scalars, err);
    }
    outs_free(os, p->nouts);
    if (st != TSR_OK) {
        for (int k = 0; k < p->nouts; k++) {
            mb_free(mats[k]);
            mats[k] = NULL;
            scalars[k] = 0.0;
        }
    }
    plan_free(pl);
    free(pl);
    return st;
}
