/*
 * elementwise.c - cellwise kernels: binary operators with DML broadcasting
 * (DML.md 3.2-3.5), binary builtins (min/max/xor/log), unary math (7.3) and
 * ifelse (7.4), plus the scalar semantics the interpreter shares.
 *
 * Structure: each operation is a tiny inline scalar function; a macro turns
 * it into three contiguous loops (vector-vector, vector-scalar, scalar-
 * vector) that also count non-zeros, and a table maps the operator to its
 * loops.  The cheap operators (+ - * / and the 0/1 relational/logical ones)
 * get explicit SIMD loops (GCC vector extensions) so they vectorise at -O2.
 * x ^ 2 is computed as x * x (correctly rounded, as SystemDS's Power2;
 * pow() may differ in the last bit and is ~10x slower).
 *
 * Dense inputs give dense outputs through those loops.  When an operand is
 * sparse (CSR), a row framework takes over (see "sparse framework"): an
 * operation is sparse-safe for its inputs when its value where the sparse
 * operands are zero - op(0, 0), op(0, s), f(0), op(0, b_j) - is exactly 0
 * (NaN is not), decided at run time; then only the stored cells (the union
 * of the patterns for two sparse operands) are visited and the output is
 * built as CSR.  Otherwise the output is dense, filled directly from the
 * CSR arrays (never from a dense copy of the input).  Inputs are never
 * modified; every output is a fresh block with an exact nnz.
 *
 * Parallelism (see "parallel drivers"): dense outputs are split into
 * contiguous cell ranges, row-framework outputs into row ranges, by
 * par_for with par_grain chunks.  Every cell is computed independently, so
 * the result never depends on the chunking or the thread count; a CSR
 * output is built as one CSR piece per chunk and the pieces are
 * concatenated in chunk order (nnz = the sum of the pieces' counts).
 *
 * Not here: matrix multiply (matmul.c), aggregates (aggregate.c).
 */
#include "matrix/matrix_int.h"

#ifdef KN_AVX512
#include <immintrin.h>
#endif

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- scalar semantics --------------------------------------------------------- */

static inline double op_add(double a, double b) { return a + b; }
static inline double op_sub(double a, double b) { return a - b; }
static inline double op_mul(double a, double b) { return a * b; }
static inline double op_div(double a, double b) { return a / b; }
/* x ^ 2 as x * x: correctly rounded (pow() is not always), the same for
 * NaN, +-Inf and -0.0, and what SystemDS computes for X^2 (Power2). */
static inline double op_pow(double a, double b) { return b == 2.0 ? a * a : pow(a, b); }
static inline double op_lt(double a, double b) { return (double)(a < b); }
static inline double op_le(double a, double b) { return (double)(a <= b); }
static inline double op_gt(double a, double b) { return (double)(a > b); }
static inline double op_ge(double a, double b) { return (double)(a >= b); }
static inline double op_eq(double a, double b) { return (double)(a == b); }
static inline double op_ne(double a, double b) { return (double)(a != b); }
/* Numbers as booleans: non-zero, including NaN, is TRUE (DML.md 3.6). */
static inline double op_and(double a, double b) { return (a != 0.0 && b != 0.0) ? 1.0 : 0.0; }
static inline double op_or(double a, double b) { return (a != 0.0 || b != 0.0) ? 1.0 : 0.0; }
static inline double op_xor(double a, double b) { return ((a != 0.0) != (b != 0.0)) ? 1.0 : 0.0; }
static inline double op_log(double a, double b) { return log(a) / log(b); }

/* %/%: q = a/b; NaN/Inf pass through, otherwise sign(q) * floor(|q| + 2^-53),
 * i.e. truncation toward zero (DML.md 3.2; the 2^-53 only lifts quotients
 * within rounding error below 1 or 2, e.g. 1 - 2^-53).  A zero quotient
 * keeps its sign (Java Math.signum semantics). */
static inline double op_intdiv(double a, double b)
{
    double q = a / b;
    if (isnan(q) || isinf(q) || q == 0.0) return q;
    double t = floor(fabs(q) + 0x1p-53);
    return q < 0 ? -t : t;
}

/* %%: a - (a %/% b) * b, so the sign follows the dividend; x %% 0 = NaN. */
static inline double op_mod(double a, double b)
{
    return a - op_intdiv(a, b) * b;
}

static inline double op_min(double a, double b) { return kn_min2(a, b); }
static inline double op_maxg(double a, double b) { return kn_max2(a, b); }

double kn_binop_double(BinOp op, double a, double b)
{
    switch (op) {
    case BOP_POW: return op_pow(a, b);
    case BOP_INTDIV: return op_intdiv(a, b);
    case BOP_MOD: return op_mod(a, b);
    case BOP_MUL: return op_mul(a, b);
    case BOP_DIV: return op_div(a, b);
    case BOP_ADD: return op_add(a, b);
    case BOP_SUB: return op_sub(a, b);
    case BOP_LT: return op_lt(a, b);
    case BOP_LE: return op_le(a, b);
    case BOP_GT: return op_gt(a, b);
    case BOP_GE: return op_ge(a, b);
    case BOP_EQ: return op_eq(a, b);
    case BOP_NE: return op_ne(a, b);
    case BOP_AND: return op_and(a, b);
    case BOP_OR: return op_or(a, b);
    case BOP_MATMUL: /* for 1x1 operands the product is the cell product */
        return op_mul(a, b);
    default: return NAN;
    }
}

/* ---- generated loops ---------------------------------------------------------- */

typedef int64_t (*LoopVV)(const double *restrict x, const double *restrict y,
                          double *restrict z, int64_t n);
typedef int64_t (*LoopVS)(const double *restrict x, double s, double *restrict z, int64_t n);

typedef struct BinKernels {
    LoopVV vv;   /* z[i] = x[i] op y[i] */
    LoopVS vs;   /* z[i] = x[i] op s    */
    LoopVS sv;   /* z[i] = s op x[i]    */
    double (*f)(double, double);   /* one cell (the sparse paths) */
    double cost;                   /* work units per cell, for par_grain */
    int cmp;                       /* comparisons: KC_LT..KC_NE (cmp_col512), else 0 */
} BinKernels;

enum { KC_NONE, KC_LT, KC_LE, KC_GT, KC_GE, KC_EQ, KC_NE };

/* Each loop returns the number of non-zero results it wrote. */
#define DEF_BIN_LOOPS(OP)                                                              \
    static int64_t OP##_vv(const double *restrict x, const double *restrict y,         \
                           double *restrict z, int64_t n)                             \
    {                                                                                  \
        int64_t nz = 0;                                                                \
        for (int64_t i = 0; i < n; i++) {                                              \
            double v = OP(x[i], y[i]);                                                 \
            z[i] = v;                                                                  \
            nz += (v != 0.0);                                                          \
        }                                                                              \
        return nz;                                                                     \
    }                                                                                  \
    static int64_t OP##_vs(const double *restrict x, double s, double *restrict z,     \
                           int64_t n)                                                  \
    {                                                                                  \
        int64_t nz = 0;                                                                \
        for (int64_t i = 0; i < n; i++) {                                              \
            double v = OP(x[i], s);                                                    \
            z[i] = v;                                                                  \
            nz += (v != 0.0);                                                          \
        }                                                                              \
        return nz;                                                                     \
    }                                                                                  \
    static int64_t OP##_sv(const double *restrict x, double s, double *restrict z,     \
                           int64_t n)                                                  \
    {                                                                                  \
        int64_t nz = 0;                                                                \
        for (int64_t i = 0; i < n; i++) {                                              \
            double v = OP(s, x[i]);                                                    \
            z[i] = v;                                                                  \
            nz += (v != 0.0);                                                          \
        }                                                                              \
        return nz;                                                                     \
    }
#define DEF_BIN_KERNELS(OP, COST) \
    DEF_BIN_LOOPS(OP)             \
    static const BinKernels OP##_k = { OP##_vv, OP##_vs, OP##_sv, OP, COST, KC_NONE };

DEF_BIN_KERNELS(op_intdiv, 4.0)
DEF_BIN_KERNELS(op_mod, 4.0)

/* SIMD loops for the cheap operators, written with GCC vector extensions
 * so that they vectorise at -O2 too: arithmetic (+ - * /) and the 0/1
 * relational/logical ops.  For the latter, scalar code becomes data-
 * dependent branches (slow on random data); here a lane mask (-1 = true)
 * selects the bits of 1.0.  VEXPR computes the result vector from `va`, `vb`
 * (`vz` = zeros, `one` = bits of 1.0); non-zeros are counted by subtracting
 * the (r != 0) mask; the scalar OP handles an odd last cell. */
typedef double v2d __attribute__((vector_size(16)));
typedef long long v2i __attribute__((vector_size(16)));

static inline v2d v2_load(const double *p)
{
    v2d v;
    memcpy(&v, p, sizeof v);
    return v;
}

#define VEC_LOOP(OP, VEXPR, VA, VB, SA, SB)                                             \
    {                                                                                  \
        const v2i one = (v2i)(v2d){ 1.0, 1.0 };                                        \
        const v2d vz = { 0.0, 0.0 };                                                   \
        v2i cnt = { 0, 0 };                                                            \
        int64_t i = 0;                                                                 \
        (void)one;                                                                     \
        for (; i + 2 <= n; i += 2) {                                                   \
            v2d va = VA, vb = VB;                                                      \
            v2d r = VEXPR;                                                             \
            memcpy(z + i, &r, sizeof r);                                               \
            cnt -= (r != vz);                                                          \
        }                                                                              \
        int64_t nz = cnt[0] + cnt[1];                                                  \
        for (; i < n; i++) {                                                           \
            z[i] = OP(SA, SB);                                                         \
            nz += (z[i] != 0.0);                                                       \
        }                                                                              \
        return nz;                                                                     \
    }

#define DEF_VEC_FUNCS(OP, VEXPR)                                                        \
    static int64_t OP##_vv(const double *restrict x, const double *restrict y,         \
                           double *restrict z, int64_t n)                             \
    VEC_LOOP(OP, VEXPR, v2_load(x + i), v2_load(y + i), x[i], y[i])                    \
    static int64_t OP##_vs(const double *restrict x, double s, double *restrict z,     \
                           int64_t n)                                                  \
    VEC_LOOP(OP, VEXPR, v2_load(x + i), ((v2d){ s, s }), x[i], s)                      \
    static int64_t OP##_sv(const double *restrict x, double s, double *restrict z,     \
                           int64_t n)                                                  \
    VEC_LOOP(OP, VEXPR, ((v2d){ s, s }), v2_load(x + i), s, x[i])
#define DEF_VEC_LOOPS(OP, VEXPR) \
    DEF_VEC_FUNCS(OP, VEXPR)     \
    static const BinKernels OP##_k = { OP##_vv, OP##_vs, OP##_sv, OP, 1.0, KC_NONE };
#define DEF_CMP_LOOPS(OP, VEXPR, CMP) \
    DEF_VEC_FUNCS(OP, VEXPR)          \
    static const BinKernels OP##_k = { OP##_vv, OP##_vs, OP##_sv, OP, 1.0, CMP };

#define MASK01(m) ((v2d)((m) & one))

DEF_VEC_LOOPS(op_add, va + vb)
DEF_VEC_LOOPS(op_sub, va - vb)
DEF_VEC_LOOPS(op_mul, va * vb)
DEF_VEC_LOOPS(op_div, va / vb)
DEF_CMP_LOOPS(op_lt, MASK01(va < vb), KC_LT)
DEF_CMP_LOOPS(op_le, MASK01(va <= vb), KC_LE)
DEF_CMP_LOOPS(op_gt, MASK01(va > vb), KC_GT)
DEF_CMP_LOOPS(op_ge, MASK01(va >= vb), KC_GE)
DEF_CMP_LOOPS(op_eq, MASK01(va == vb), KC_EQ)
DEF_CMP_LOOPS(op_ne, MASK01(va != vb), KC_NE)
DEF_VEC_LOOPS(op_and, MASK01((va != vz) & (vb != vz)))
DEF_VEC_LOOPS(op_or, MASK01((va != vz) | (vb != vz)))
DEF_VEC_LOOPS(op_xor, MASK01((va != vz) ^ (vb != vz)))
DEF_BIN_KERNELS(op_log, 40.0)

/* min/max lane-wise with kn_min2/kn_max2's Java semantics, without the
 * data-dependent branches (relu's max(X, 0) on random signs was ~15x slower
 * than X + 1): NaN wins (a + b), and of two equal values the one with the
 * sign bit is the smaller (-0.0 < +0.0): for equal values max is a AND b
 * (the sign bit only if both have it), min is a OR b.  Only double compares
 * and bitwise operations (a 64-bit shift or integer compare has no SSE2
 * instruction: GCC made the baseline build scalar, 1.6 ns a cell). */
#ifdef __SSE2__
/* With SSE2 intrinsics: from the vector-extension form GCC made a scalar
 * select per lane out of the final NaN blend. */
static inline v2d vminmax2(v2d a, v2d b, int is_max)
{
    __m128d x = (__m128d)a, y = (__m128d)b;
    __m128d wins = is_max ? _mm_cmpgt_pd(x, y) : _mm_cmplt_pd(x, y), eq = _mm_cmpeq_pd(x, y);
    __m128d tie = is_max ? _mm_and_pd(x, y) : _mm_or_pd(x, y);
    __m128d r = _mm_or_pd(_mm_or_pd(_mm_and_pd(x, wins), _mm_and_pd(tie, eq)),
                          _mm_andnot_pd(_mm_or_pd(wins, eq), y));
    __m128d nan = _mm_cmpunord_pd(x, y);
    return (v2d)_mm_or_pd(_mm_andnot_pd(nan, r), _mm_and_pd(nan, _mm_add_pd(x, y)));
}
#else
static inline v2d vminmax2(v2d a, v2d b, int is_max)
{
    v2i ia = (v2i)a, ib = (v2i)b;
    v2i wins = is_max ? (a > b) : (a < b), eq = a == b;
    v2i tie = is_max ? (ia & ib) : (ia | ib);
    v2i r = (ia & wins) | (tie & eq) | (ib & ~(wins | eq));
    v2i nan = (a != a) | (b != b);
    return (v2d)((r & ~nan) | ((v2i)(a + b) & nan));
}
#endif
DEF_VEC_LOOPS(op_min, vminmax2(va, vb, 0))
DEF_VEC_FUNCS(op_maxg, vminmax2(va, vb, 1))

/* max(x, +0) (relu): x where x > 0 or NaN (not x <= 0), else +0 - the same
 * as vminmax2 (max(-0, +0) = +0, NaN + 0 = NaN) in two instructions. */
static inline v2d vrelu(v2d a, v2d zero)
{
#ifdef __SSE2__
    return (v2d)_mm_and_pd((__m128d)a, _mm_cmpnle_pd((__m128d)a, (__m128d)zero));
#else
    return vminmax2(a, zero, 1);
#endif
}

static int64_t relu_loop(const double *restrict x, double *restrict z, int64_t n)
VEC_LOOP(op_maxg, vrelu(va, vb), v2_load(x + i), vz, x[i], 0.0)

static int64_t op_max_vs(const double *restrict x, double s, double *restrict z, int64_t n)
{
    return s == 0.0 && !signbit(s) ? relu_loop(x, z, n) : op_maxg_vs(x, s, z, n);
}

static int64_t op_max_sv(const double *restrict x, double s, double *restrict z, int64_t n)
{
    return s == 0.0 && !signbit(s) ? relu_loop(x, z, n) : op_maxg_sv(x, s, z, n);
}

static inline double op_max(double a, double b) { return kn_max2(a, b); }
static const BinKernels op_max_k = { op_maxg_vv, op_max_vs, op_max_sv, op_max, 1.0, KC_NONE };

/* pow: the generic loops, with x ^ 2 through the SIMD product (the common
 * case; the scalar op_pow gives the same x * x). */
DEF_BIN_LOOPS(op_pow)
static int64_t op_pow_vs2(const double *restrict x, double s, double *restrict z, int64_t n)
{
    return s == 2.0 ? op_mul_vv(x, x, z, n) : op_pow_vs(x, s, z, n);
}
static const BinKernels op_pow_k = { op_pow_vv, op_pow_vs2, op_pow_sv, op_pow, 20.0, KC_NONE };

/* NULL for operators that are not cellwise (%*%). */
static const BinKernels *binop_kernels(BinOp op)
{
    switch (op) {
    case BOP_POW: return &op_pow_k;
    case BOP_INTDIV: return &op_intdiv_k;
    case BOP_MOD: return &op_mod_k;
    case BOP_MUL: return &op_mul_k;
    case BOP_DIV: return &op_div_k;
    case BOP_ADD: return &op_add_k;
    case BOP_SUB: return &op_sub_k;
    case BOP_LT: return &op_lt_k;
    case BOP_LE: return &op_le_k;
    case BOP_GT: return &op_gt_k;
    case BOP_GE: return &op_ge_k;
    case BOP_EQ: return &op_eq_k;
    case BOP_NE: return &op_ne_k;
    case BOP_AND: return &op_and_k;
    case BOP_OR: return &op_or_k;
    default: return NULL;
    }
}

static const BinKernels *binfn_kernels(KnBinFn fn)
{
    switch (fn) {
    case KB_MIN: return &op_min_k;
    case KB_MAX: return &op_max_k;
    case KB_XOR: return &op_xor_k;
    case KB_LOG: return &op_log_k;
    default: return NULL;
    }
}

/* ---- broadcasting framework ---------------------------------------------------- */

typedef enum { BC_SAME, BC_SCALAR, BC_COL, BC_ROW } BcMode;

/* DML.md 3.5: the right operand may be same-shaped, 1x1, an m x 1 column
 * or a 1 x n row vector; a vector or 1x1 on the left of a bigger matrix is
 * an error. */
static tsr_status bc_mode(const MatBlock *a, const MatBlock *b, BcMode *mode, Err *err)
{
    if (a->rows == b->rows && a->cols == b->cols) *mode = BC_SAME;
    else if (b->rows == 1 && b->cols == 1) *mode = BC_SCALAR;
    else if (b->cols == 1 && b->rows == a->rows) *mode = BC_COL;
    else if (b->rows == 1 && b->cols == a->cols) *mode = BC_ROW;
    else
        return err_set(err, TSR_RUNTIME,
                       "Block sizes are not matched for binary cell operations: %lldx%lld vs %lldx%lld",
                       (long long)a->rows, (long long)a->cols, (long long)b->rows,
                       (long long)b->cols);
    return TSR_OK;
}

static int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

static void fill(double *x, int64_t n, double v)
{
    for (int64_t j = 0; j < n; j++) x[j] = v;
}

/* ---- parallel drivers ------------------------------------------------------------
 * Dense output: a CellFn fills the cells [p0, p1) (row-major positions) of
 * the output and returns their nnz; run_cells splits the cells into
 * par_grain chunks and sums the counts.
 *
 * Row framework: a RowFn produces output row i into an Out (below);
 * run_rows splits the rows into chunks.  A dense output is written in
 * place; a CSR output is built as one CSR piece per chunk (rows [lo, hi),
 * all columns), and the pieces are then copied into the final block in
 * chunk order (one piece: it is the final block).  Each thread gets its
 * own scratch rows (indexed by the pool's worker id), and a failing chunk
 * (out of memory) records the first error in a ParStatus. */

typedef int64_t (*CellFn)(const void *job, int64_t p0, int64_t p1);

typedef struct CellRun {
    CellFn fn;
    const void *job;
    atomic_llong nnz;
} CellRun;

static void cell_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    CellRun *r = arg;
    (void)wid;
    atomic_fetch_add_explicit(&r->nnz, (long long)r->fn(r->job, lo, hi), memory_order_relaxed);
}

/* Runs fn over the `cells` cells of z (cost: work units per cell) and sets
 * z->nnz. */
static void run_cells(const ParCtx *par, MatBlock *z, double cost, CellFn fn, const void *job)
{
    int64_t cells = MB_CELLS(z);
    CellRun r = { fn, job, 0 };
    atomic_init(&r.nnz, 0);
    if (cells > 0) par_for(par, cells, par_grain(cells, cost), cell_task, &r);
    z->nnz = (int64_t)atomic_load(&r.nnz);
}

/* Where a row producer writes.  Dense output: `row` is row i of the block
 * (zero-filled).  CSR output: `z` is the chunk's piece and `row` a scratch
 * row of n cells for producers that compute the full row.  `xs` holds the
 * extra scratch rows a job asked for. */
typedef struct Out {
    MatBlock *z;
    double *row;
    double *xs;
    Err *err;
} Out;

typedef tsr_status (*RowFn)(const void *job, int64_t i, Out *o);

static inline tsr_status out_put(Out *o, int64_t j, double v)
{
    if (o->z->sparse) return mb_csr_push(o->z, (int32_t)j, v, o->err);
    o->row[j] = v;
    return TSR_OK;
}

/* After a full-row producer: CSR output takes the non-zeros of the scratch. */
static tsr_status out_flush(Out *o)
{
    if (!o->z->sparse) return TSR_OK;
    int64_t n = o->z->cols;
    for (int64_t j = 0; j < n; j++)
        if (o->row[j] != 0.0 && mb_csr_push(o->z, (int32_t)j, o->row[j], o->err)) return TSR_NOMEM;
    return TSR_OK;
}

typedef struct RowRun {
    RowFn fn;
    const void *job;
    int64_t m, n;
    int sparse;           /* CSR output (pieces) or dense (z) */
    int64_t est;          /* output nnz bound or hint: room reserved in the pieces */
    int64_t grain;
    MatBlock *z;          /* dense output */
    MatBlock **pieces;    /* CSR output: one per chunk */
    double *scratch;      /* per worker: nscr rows of n */
    int nscr;
    atomic_llong nnz;     /* dense output */
    ParStatus st;
} RowRun;

static void row_task(void *arg, int64_t lo, int64_t hi, int wid)
{
    RowRun *r = arg;
    if (par_status_failed(&r->st)) return;
    int64_t n = r->n, nz = 0;
    Err err;
    err_clear(&err);
    double *scr = r->scratch ? r->scratch + (size_t)wid * (size_t)r->nscr * (size_t)n : NULL;
    Out o = { r->z, scr, scr && r->sparse ? scr + n : scr, &err };
    MatBlock *piece = NULL;
    if (r->sparse) {
        /* room: the chunk's share of the estimate (the whole of it for one chunk) */
        int64_t cap = hi - lo == r->m ? r->est
                                      : (int64_t)((double)r->est * (double)(hi - lo) / (double)r->m) + 16;
        piece = mb_new_sparse(hi - lo, n, cap, &err);
        r->pieces[lo / r->grain] = piece;
        o.z = piece;
    }
    tsr_status st = piece || !r->sparse ? TSR_OK : err.code;
    for (int64_t i = lo; i < hi && st == TSR_OK; i++) {
        if (!r->sparse) o.row = r->z->dense + i * n;
        st = r->fn(r->job, i, &o);
        if (r->sparse) mb_csr_end_row(piece, i - lo);
        else nz += kn_count_nz(o.row, n);
    }
    if (st != TSR_OK) par_status_fail(&r->st, st, &err);
    atomic_fetch_add_explicit(&r->nnz, (long long)nz, memory_order_relaxed);
}

/* Copies piece c into its rows of the final CSR block (offsets in off[]). */
typedef struct Concat {
    MatBlock *z;
    MatBlock *const *pieces;
    const int64_t *off;
    int64_t grain;
} Concat;

static void concat_task(void *arg, int64_t c, int wid)
{
    const Concat *cc = arg;
    const MatBlock *p = cc->pieces[c];
    MatBlock *z = cc->z;
    int64_t r0 = c * cc->grain, off = cc->off[c];
    (void)wid;
    for (int64_t i = 0; i < p->rows; i++) z->ptr[r0 + i] = off + p->ptr[i];
    if (p->nnz) {
        memcpy(z->idx + off, p->idx, (size_t)p->nnz * sizeof *z->idx);
        memcpy(z->val + off, p->val, (size_t)p->nnz * sizeof *z->val);
    }
}

/* The final CSR block from the pieces (taking the single piece as is). */
static MatBlock *concat_pieces(const ParCtx *par, MatBlock **pieces, int64_t np, int64_t m,
                               int64_t n, int64_t grain, Err *err)
{
    if (np == 1) {
        MatBlock *z = pieces[0];
        pieces[0] = NULL;
        return z;
    }
    int64_t *off = malloc((size_t)np * sizeof *off), total = 0;
    if (!off) {
        err_set(err, TSR_NOMEM, "out of memory in a cellwise operation");
        return NULL;
    }
    for (int64_t c = 0; c < np; c++) {
        off[c] = total;
        total += pieces[c]->nnz;
    }
    MatBlock *z = mb_new_sparse(m, n, total, err);
    if (z) {
        Concat cc = { z, pieces, off, grain };
        par_run(par, np, concat_task, &cc);
        z->ptr[m] = total;
        z->nnz = total;
    }
    free(off);
    return z;
}

/* Runs fn over every row into a new m x n block, CSR (sparse) or dense
 * (zero-filled, from par's buffer cache); `cost` is the work per row,
 * `nscr` the extra scratch rows fn needs. */
static tsr_status run_rows(const ParCtx *par, RowFn fn, const void *job, int64_t m, int64_t n,
                           int sparse, int64_t est, double cost, int nscr, MatBlock **out,
                           Err *err)
{
    *out = NULL;
    if (n == 0 || m == 0) {   /* no cells: nothing to compute */
        *out = sparse ? mb_new_sparse(m, n, 0, err) : mb_new_ctx(par, m, n, err);
        return *out ? TSR_OK : err->code;
    }
    RowRun r;
    r.fn = fn;
    r.job = job;
    r.m = m;
    r.n = n;
    r.sparse = sparse;
    r.est = est;
    r.z = NULL;
    r.pieces = NULL;
    r.scratch = NULL;
    atomic_init(&r.nnz, 0);
    par_status_init(&r.st);
    if (!sparse && !(r.z = mb_new_ctx(par, m, n, err))) return err->code;
    r.grain = par_grain(m, cost);
    int64_t np = par_nchunks(m, r.grain);
    r.nscr = nscr + (sparse ? 1 : 0);
    int width = par_width(par, np);
    int ok = 1;
    if (r.nscr > 0)
        ok &= (r.scratch = malloc((size_t)width * (size_t)r.nscr * (size_t)n * sizeof(double))) != NULL;
    if (sparse) ok &= (r.pieces = calloc((size_t)np, sizeof *r.pieces)) != NULL;
    if (ok) par_for(par, m, r.grain, row_task, &r);
    tsr_status st = !ok ? err_set(err, TSR_NOMEM, "out of memory in a cellwise operation")
                        : par_status_failed(&r.st) ? (*err = r.st.err, err->code) : TSR_OK;
    if (st == TSR_OK && sparse) {
        r.z = concat_pieces(par, r.pieces, np, m, n, r.grain, err);
        if (!r.z) st = err->code;
        else kn_csr_trim(r.z);
    } else if (st == TSR_OK) {
        r.z->nnz = (int64_t)atomic_load(&r.nnz);
    }
    for (int64_t c = 0; r.pieces && c < np; c++) mb_free(r.pieces[c]);
    free(r.pieces);
    free(r.scratch);
    if (st != TSR_OK) {
        mb_free(r.z);
        return st;
    }
    *out = r.z;
    return TSR_OK;
}

/* ---- dense binary ----------------------------------------------------------------- */

/* Dense x dense (or dense op scalar): cells [p0, p1) of z = x op y. */
typedef struct DenseBin {
    const BinKernels *k;
    BcMode mode;
    const double *x, *y;   /* y: same shape, m x 1, 1 x n, or NULL with `s` */
    double s;
    int left;              /* scalar on the left: s op x */
    int64_t n;             /* columns */
    double *z;
} DenseBin;

#ifdef KN_AVX512
/* x op y[i] for a comparison op, rows of fewer than 16 cells:
 * each (part of a) row in two masked vectors with one compare per vector
 * (the portable path calls the row loop once per short row).  The ordered
 * predicates are false on NaN and != is true, as the scalar operators. */
#define CMP_COL_CASE(KC, PRED)                                                  \
    case KC:                                                                    \
        k0 = _mm512_mask_cmp_pd_mask(m0, a0, b0, PRED);                         \
        k1 = _mm512_mask_cmp_pd_mask(m1, a1, b1, PRED);                         \
        break;
KN_AVX512_FN static int64_t cmp_col512(const DenseBin *j, int64_t p0, int64_t p1)
{
    const int64_t n = j->n;
    const __m512d one = _mm512_set1_pd(1.0);
    int64_t nz = 0;
    for (int64_t p = p0; p < p1;) {
        int64_t i = p / n, e = min64(p1, (i + 1) * n), len = e - p;
        __mmask8 m0 = (__mmask8)kn_lanes8(len);
        __mmask8 m1 = (__mmask8)kn_lanes8(len - 8);
        __m512d xv0 = _mm512_maskz_loadu_pd(m0, j->x + p), xv1 = _mm512_maskz_loadu_pd(m1, j->x + p + 8);
        __m512d yv = _mm512_set1_pd(j->y[i]), a0 = xv0, a1 = xv1, b0 = yv, b1 = yv;
        __mmask8 k0 = 0, k1 = 0;
        switch (j->k->cmp) {
        CMP_COL_CASE(KC_LT, _CMP_LT_OQ)
        CMP_COL_CASE(KC_LE, _CMP_LE_OQ)
        CMP_COL_CASE(KC_GT, _CMP_GT_OQ)
        CMP_COL_CASE(KC_GE, _CMP_GE_OQ)
        CMP_COL_CASE(KC_EQ, _CMP_EQ_OQ)
        CMP_COL_CASE(KC_NE, _CMP_NEQ_UQ)
        }
        _mm512_mask_storeu_pd(j->z + p, m0, _mm512_maskz_mov_pd(k0, one));
        _mm512_mask_storeu_pd(j->z + p + 8, m1, _mm512_maskz_mov_pd(k1, one));
        nz += __builtin_popcount(k0) + __builtin_popcount(k1);
        p = e;
    }
    return nz;
}
#endif

static int64_t dense_bin_cells(const void *jv, int64_t p0, int64_t p1)
{
    const DenseBin *j = jv;
    const double *x = j->x;
    double *z = j->z;
    int64_t nz = 0, n = j->n;
#ifdef KN_AVX512
    if (j->mode == BC_COL && j->k->cmp != KC_NONE && n < 16 && kn_avx512())
        return cmp_col512(j, p0, p1);
#endif
    switch (j->mode) {
    case BC_SAME:
        return j->k->vv(x + p0, j->y + p0, z + p0, p1 - p0);
    case BC_SCALAR:
        return j->left ? j->k->sv(x + p0, j->s, z + p0, p1 - p0)
                       : j->k->vs(x + p0, j->s, z + p0, p1 - p0);
    case BC_COL:
    case BC_ROW:
        for (int64_t p = p0; p < p1;) {   /* row by row, the first and last ones partial */
            int64_t i = p / n, c = p - i * n, e = min64(p1, (i + 1) * n);
            nz += j->mode == BC_COL ? j->k->vs(x + p, j->y[i], z + p, e - p)
                                    : j->k->vv(x + p, j->y + c, z + p, e - p);
            p = e;
        }
        return nz;
    }
    return nz;
}

static tsr_status dense_bin(const ParCtx *par, const DenseBin *proto, int64_t m, int64_t n,
                            MatBlock **out, Err *err)
{
    MatBlock *z = mb_new_uninit(par, m, n, err);
    if (!z) return err->code;
    DenseBin j = *proto;
    j.z = z->dense;
    j.n = n;
    run_cells(par, z, j.k->cost, dense_bin_cells, &j);
    *out = z;
    return TSR_OK;
}

/* ---- sparse framework ------------------------------------------------------------
 * Used whenever an operand is sparse.  The output format is chosen before
 * the loop from an upper bound (or, where the data cannot tell cheaply, a
 * hint) of the output nnz: CSR when mb_prefers_sparse agrees, else dense.
 * Sparse safety is decided at run time from the op's value at zero: cells
 * where every sparse operand is zero give op(0, 0) (or op(0, s) for a
 * scalar, op(0, b_j) for a row vector), so when that is exactly 0 (NaN is
 * not) only the stored cells are visited.  A row producer either emits
 * cells in column order (out_put: CSR push, or a write into the zeroed
 * dense row) or computes the full row (into the dense row, or into scratch
 * that out_flush pushes into the CSR output). */

typedef struct BinJob {
    const BinKernels *k;
    const MatBlock *a, *b;   /* a: left matrix; b: same shape, or dense m x 1 / 1 x n */
    double s;                /* scalar operand (b == NULL) */
    int left;                /* scalar on the left: s op a */
    double c;                /* op(0, 0) (sparse x sparse) */
    const double *base;      /* row vector: op(0, b_j) */
    const int64_t *ex;       /* row vector: the columns where base != 0, increasing */
    int64_t nex;
} BinJob;

static inline double apply_s(const BinJob *job, double x, double s)
{
    return job->left ? job->k->f(s, x) : job->k->f(x, s);
}

/* Format hints where the data would have to be scanned: whether op(0, y)
 * (side 0) or op(x, 0) (side 1) is 0 for finite non-zero values (* and &
 * on both sides; / %/% %% on the left).  Only the output format depends on
 * this; the cells are always computed exactly. */
static int zero_side(const BinKernels *k, int side)
{
    static const double probe[] = { 1.0, -1.0, 0.5, -0.5, 3.0, -3.0 };
    for (size_t t = 0; t < sizeof probe / sizeof probe[0]; t++)
        if ((side ? k->f(probe[t], 0.0) : k->f(0.0, probe[t])) != 0.0) return 0;
    return 1;
}

/* Sparse a with one value per row (the scalar, or b[i] of a column
 * vector): stored cells only when op(0, s) == 0, else the full row. */
static tsr_status row_sp_const(const void *jv, int64_t i, Out *o)
{
    const BinJob *job = jv;
    const MatBlock *a = job->a;
    double s = job->b ? job->b->dense[i] : job->s, c = apply_s(job, 0.0, s);
    if (c == 0.0) {
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++)
            if (out_put(o, a->idx[k], apply_s(job, a->val[k], s))) return TSR_NOMEM;
        return TSR_OK;
    }
    fill(o->row, a->cols, c);
    for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++)
        o->row[a->idx[k]] = apply_s(job, a->val[k], s);
    return out_flush(o);
}

/* Sparse a, dense row vector b: the row's stored cells merged with the
 * columns where op(0, b_j) != 0. */
static tsr_status row_sp_rowvec(const void *jv, int64_t i, Out *o)
{
    const BinJob *job = jv;
    const MatBlock *a = job->a;
    const double *y = job->b->dense;
    int64_t k = a->ptr[i], ke = a->ptr[i + 1], e = 0;
    while (k < ke || e < job->nex) {
        int64_t ja = k < ke ? a->idx[k] : INT64_MAX, je = e < job->nex ? job->ex[e] : INT64_MAX;
        tsr_status st;
        if (ja <= je) {
            st = out_put(o, ja, job->k->f(a->val[k++], y[ja]));
            e += (ja == je);
        } else {
            st = out_put(o, je, job->base[je]);
            e++;
        }
        if (st) return st;
    }
    return TSR_OK;
}

/* Sparse a, dense b of the same shape: op(0, b) over the row (SIMD), then
 * the stored cells. */
static tsr_status row_sp_dense(const void *jv, int64_t i, Out *o)
{
    const BinJob *job = jv;
    const MatBlock *a = job->a;
    const double *y = job->b->dense + i * a->cols;
    job->k->sv(y, 0.0, o->row, a->cols);
    for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++)
        o->row[a->idx[k]] = job->k->f(a->val[k], y[a->idx[k]]);
    return out_flush(o);
}

/* Dense a, sparse b of the same shape: op(a, 0) over the row, then b's
 * stored cells. */
static tsr_status row_dense_sp(const void *jv, int64_t i, Out *o)
{
    const BinJob *job = jv;
    const MatBlock *b = job->b;
    const double *x = job->a->dense + i * b->cols;
    job->k->vs(x, 0.0, o->row, b->cols);
    for (int64_t k = b->ptr[i]; k < b->ptr[i + 1]; k++)
        o->row[b->idx[k]] = job->k->f(x[b->idx[k]], b->val[k]);
    return out_flush(o);
}

/* Sparse a and b of the same shape: the union of the two patterns; the
 * other cells are op(0, 0) (a full row when that is not 0). */
static tsr_status row_sp_sp(const void *jv, int64_t i, Out *o)
{
    const BinJob *job = jv;
    const MatBlock *a = job->a, *b = job->b;
    int64_t p = a->ptr[i], pe = a->ptr[i + 1], q = b->ptr[i], qe = b->ptr[i + 1];
    int full = job->c != 0.0;
    if (full) fill(o->row, a->cols, job->c);
    while (p < pe || q < qe) {
        int64_t ja = p < pe ? a->idx[p] : INT64_MAX, jb = q < qe ? b->idx[q] : INT64_MAX;
        int64_t j = ja < jb ? ja : jb;
        double x = ja == j ? a->val[p++] : 0.0, y = jb == j ? b->val[q++] : 0.0;
        double v = job->k->f(x, y);
        if (full) o->row[j] = v;
        else if (out_put(o, j, v)) return TSR_NOMEM;
    }
    return full ? out_flush(o) : TSR_OK;
}

/* The row framework for a binary job: CSR output if the nnz bound `est`
 * is sparse by mb_prefers_sparse, else dense.  Per-row cost: the cells
 * visited (about est / m for CSR output, n for dense). */
static tsr_status bin_rows(const ParCtx *par, const BinJob *job, RowFn fn, int64_t m, int64_t n,
                           int64_t est, MatBlock **out, Err *err)
{
    int sparse = mb_prefers_sparse(m, n, est);
    double per_row = sparse ? (double)est / (double)(m ? m : 1) : (double)n;
    return run_rows(par, fn, job, m, n, sparse, est, (per_row + 1.0) * job->k->cost, 0, out,
                    err);
}

/* Sparse a, scalar s (scalar path, 1x1 b) or a dense column vector b. */
static tsr_status bin_sp_const(const ParCtx *par, BinJob *job, MatBlock **out, Err *err)
{
    const MatBlock *a = job->a;
    int64_t est = 0, n = a->cols;
    if (!job->b) {
        est = apply_s(job, 0.0, job->s) == 0.0 ? a->nnz : MB_CELLS(a);
    } else {
        for (int64_t i = 0; i < a->rows; i++) {
            double s = job->b->dense[i];
            est += apply_s(job, 0.0, s) == 0.0 ? a->ptr[i + 1] - a->ptr[i] : n;
        }
    }
    return bin_rows(par, job, row_sp_const, a->rows, n, est, out, err);
}

/* Sparse a, dense row vector b: base row op(0, b_j) and its non-zeros. */
static tsr_status bin_sp_rowvec(const ParCtx *par, BinJob *job, MatBlock **out, Err *err)
{
    const MatBlock *a = job->a;
    int64_t n = a->cols;
    double *base = malloc((size_t)(n ? n : 1) * sizeof *base);
    int64_t *ex = malloc((size_t)(n ? n : 1) * sizeof *ex);
    if (!base || !ex) {
        free(base);
        free(ex);
        return err_set(err, TSR_NOMEM, "out of memory in a cellwise operation");
    }
    job->nex = 0;
    for (int64_t j = 0; j < n; j++) {
        base[j] = job->k->f(0.0, job->b->dense[j]);
        if (base[j] != 0.0) ex[job->nex++] = j;
    }
    job->base = base;
    job->ex = ex;
    int64_t est = a->nnz + a->rows * job->nex;   /* <= 2 * rows * cols: no overflow */
    tsr_status st = bin_rows(par, job, row_sp_rowvec, a->rows, n, est, out, err);
    free(base);
    free(ex);
    return st;
}

/* Same-shaped operands, at least one sparse. */
static tsr_status bin_same(const ParCtx *par, BinJob *job, MatBlock **out, Err *err)
{
    const MatBlock *a = job->a, *b = job->b;
    int64_t cells = MB_CELLS(a), est;
    RowFn fn;
    if (a->sparse && b->sparse) {
        job->c = job->k->f(0.0, 0.0);
        fn = row_sp_sp;
        int inter = zero_side(job->k, 0) && zero_side(job->k, 1);
        est = job->c != 0.0 ? cells : inter ? min64(a->nnz, b->nnz) : a->nnz + b->nnz;
    } else if (a->sparse) {
        fn = row_sp_dense;
        est = zero_side(job->k, 0) ? a->nnz : cells;
    } else {
        fn = row_dense_sp;
        est = zero_side(job->k, 1) ? b->nnz : cells;
    }
    return bin_rows(par, job, fn, a->rows, a->cols, est, out, err);
}

/* a op s (left = 0) or s op a (left = 1) for any format of a. */
static tsr_status bin_scalar_run(const ParCtx *par, const BinKernels *k, const MatBlock *a,
                                 double s, int left, MatBlock **out, Err *err)
{
    *out = NULL;
    if (a->sparse) {
        BinJob job = { k, a, NULL, s, left, 0, NULL, NULL, 0 };
        return bin_sp_const(par, &job, out, err);
    }
    DenseBin j = { k, BC_SCALAR, a->dense, NULL, s, left, 0, NULL };
    return dense_bin(par, &j, a->rows, a->cols, out, err);
}

/* A sparse vector operand as a dense copy (small: one row or column). */
static const MatBlock *dense_vector(const MatBlock *b, MatBlock **tmp, Err *err)
{
    *tmp = NULL;
    if (!b->sparse) return b;
    if (!(*tmp = mb_copy(b, err))) return NULL;
    if (mb_to_dense_inplace(*tmp, err)) {
        mb_free(*tmp);
        *tmp = NULL;
    }
    return *tmp;
}

static tsr_status bin_run(const ParCtx *par, const BinKernels *k, const MatBlock *a,
                          const MatBlock *b, MatBlock **out, Err *err)
{
    BcMode mode;
    *out = NULL;
    if (bc_mode(a, b, &mode, err) != TSR_OK) return err->code;
    if (mode == BC_SCALAR) return bin_scalar_run(par, k, a, mb_get(b, 0, 0), 0, out, err);
    MatBlock *tmp = NULL;
    if (mode != BC_SAME && !(b = dense_vector(b, &tmp, err))) return err->code;
    BinJob job = { k, a, b, 0.0, 0, 0.0, NULL, NULL, 0 };
    tsr_status st;
    if (mode == BC_SAME && (a->sparse || b->sparse)) st = bin_same(par, &job, out, err);
    else if (a->sparse && mode == BC_COL) st = bin_sp_const(par, &job, out, err);
    else if (a->sparse) st = bin_sp_rowvec(par, &job, out, err);
    else {
        DenseBin j = { k, mode, a->dense, b->dense, 0.0, 0, 0, NULL };
        st = dense_bin(par, &j, a->rows, a->cols, out, err);
    }
    mb_free(tmp);
    return st;
}

static tsr_status not_cellwise(BinOp op, Err *err)
{
    static const char *const names[BOP__COUNT] = {
#define X(e, s) [e] = s,
        AST_BINOPS(X)
#undef X
    };
    const char *name = (unsigned)op < BOP__COUNT ? names[op] : "?";
    return err_set(err, TSR_RUNTIME, "operator %s is not a cellwise operation", name);
}

tsr_status kn_binary(const ParCtx *par, BinOp op, const MatBlock *a, const MatBlock *b,
                     MatBlock **out, Err *err)
{
    const BinKernels *k = binop_kernels(op);
    if (!k) return not_cellwise(op, err);
    return bin_run(par, k, a, b, out, err);
}

tsr_status kn_binary_scalar(const ParCtx *par, BinOp op, const MatBlock *a, double s,
                            int scalar_left,
                            MatBlock **out, Err *err)
{
    const BinKernels *k = binop_kernels(op);
    if (!k) return not_cellwise(op, err);
    return bin_scalar_run(par, k, a, s, scalar_left, out, err);
}

tsr_status kn_binary_fn(const ParCtx *par, KnBinFn fn, const MatBlock *a, const MatBlock *b,
                        MatBlock **out, Err *err)
{
    const BinKernels *k = binfn_kernels(fn);
    if (!k) return err_set(err, TSR_RUNTIME, "unknown cellwise function %d", (int)fn);
    return bin_run(par, k, a, b, out, err);
}

tsr_status kn_binary_fn_scalar(const ParCtx *par, KnBinFn fn, const MatBlock *a, double s,
                               int scalar_left,
                               MatBlock **out, Err *err)
{
    const BinKernels *k = binfn_kernels(fn);
    if (!k) return err_set(err, TSR_RUNTIME, "unknown cellwise function %d", (int)fn);
    return bin_scalar_run(par, k, a, s, scalar_left, out, err);
}

/* ---- unary ------------------------------------------------------------------------ */

/* round(x) = floor(x + 0.5) evaluated exactly (like Java Math.round, so
 * 0.49999999999999994 rounds to 0); NaN -> 0 as in SystemDS; +-Inf stay
 * infinite (Java would clamp to +-2^63; we keep IEEE here). */
static inline double un_round(double x)
{
    if (x != x) return 0.0;
    if (isinf(x)) return x;
    double f = floor(x);
    return (x - f >= 0.5 ? f + 1.0 : f) + 0.0;   /* + 0.0 turns -0.0 into 0.0 */
}

static inline double un_sign(double x)
{
    if (x > 0) return 1.0;
    if (x < 0) return -1.0;
    return x;   /* +-0 and NaN unchanged */
}

static inline double un_abs(double x) { return fabs(x); }
static inline double un_exp(double x) { return exp(x); }
static inline double un_log(double x) { return log(x); }
static inline double un_sqrt(double x) { return sqrt(x); }
static inline double un_floor(double x) { return floor(x); }
static inline double un_ceil(double x) { return ceil(x); }
static inline double un_sin(double x) { return sin(x); }
static inline double un_cos(double x) { return cos(x); }
static inline double un_tan(double x) { return tan(x); }
static inline double un_asin(double x) { return asin(x); }
static inline double un_acos(double x) { return acos(x); }
static inline double un_atan(double x) { return atan(x); }
static inline double un_sinh(double x) { return sinh(x); }
static inline double un_cosh(double x) { return cosh(x); }
static inline double un_tanh(double x) { return tanh(x); }
static inline double un_not(double x) { return x == 0.0 ? 1.0 : 0.0; }
static inline double un_neg(double x) { return -x; }
static inline double un_isnan(double x) { return x != x ? 1.0 : 0.0; }
static inline double un_isinf(double x) { return isinf(x) ? 1.0 : 0.0; }

typedef int64_t (*LoopU)(const double *restrict x, double *restrict z, int64_t n);

#define DEF_UN_LOOP(FN)                                                                \
    static int64_t FN##_loop(const double *restrict x, double *restrict z, int64_t n)  \
    {                                                                                  \
        int64_t nz = 0;                                                                \
        for (int64_t i = 0; i < n; i++) {                                              \
            double v = FN(x[i]);                                                       \
            z[i] = v;                                                                  \
            nz += (v != 0.0);                                                          \
        }                                                                              \
        return nz;                                                                     \
    }

DEF_UN_LOOP(un_abs)
DEF_UN_LOOP(un_exp)
DEF_UN_LOOP(un_log)
DEF_UN_LOOP(un_sqrt)
DEF_UN_LOOP(un_floor)
DEF_UN_LOOP(un_ceil)
DEF_UN_LOOP(un_round)
DEF_UN_LOOP(un_sign)
DEF_UN_LOOP(un_sin)
DEF_UN_LOOP(un_cos)
DEF_UN_LOOP(un_tan)
DEF_UN_LOOP(un_asin)
DEF_UN_LOOP(un_acos)
DEF_UN_LOOP(un_atan)
DEF_UN_LOOP(un_sinh)
DEF_UN_LOOP(un_cosh)
DEF_UN_LOOP(un_tanh)
DEF_UN_LOOP(un_not)
DEF_UN_LOOP(un_neg)
DEF_UN_LOOP(un_isnan)
DEF_UN_LOOP(un_isinf)

/* Indexed by KnUnary, in the order of KN_UNARY_FNS. */
static const struct {
    double (*fn)(double);
    LoopU loop;
} un_table[KU__COUNT] = {
    [KU_ABS] = { un_abs, un_abs_loop },       [KU_EXP] = { un_exp, un_exp_loop },
    [KU_LOG] = { un_log, un_log_loop },       [KU_SQRT] = { un_sqrt, un_sqrt_loop },
    [KU_FLOOR] = { un_floor, un_floor_loop }, [KU_CEIL] = { un_ceil, un_ceil_loop },
    [KU_ROUND] = { un_round, un_round_loop }, [KU_SIGN] = { un_sign, un_sign_loop },
    [KU_SIN] = { un_sin, un_sin_loop },       [KU_COS] = { un_cos, un_cos_loop },
    [KU_TAN] = { un_tan, un_tan_loop },       [KU_ASIN] = { un_asin, un_asin_loop },
    [KU_ACOS] = { un_acos, un_acos_loop },    [KU_ATAN] = { un_atan, un_atan_loop },
    [KU_SINH] = { un_sinh, un_sinh_loop },    [KU_COSH] = { un_cosh, un_cosh_loop },
    [KU_TANH] = { un_tanh, un_tanh_loop },    [KU_NOT] = { un_not, un_not_loop },
    [KU_NEG] = { un_neg, un_neg_loop },       [KU_ISNA] = { un_isnan, un_isnan_loop },
    [KU_ISNAN] = { un_isnan, un_isnan_loop }, [KU_ISINF] = { un_isinf, un_isinf_loop },
};

double kn_unary_double(KnUnary fn, double x)
{
    if ((unsigned)fn >= KU__COUNT) return NAN;
    return un_table[fn].fn(x);
}

/* Sparse input: f(0) == 0 (abs, sqrt, sin, round, -, is.nan, ...) maps the
 * stored cells into a CSR output; otherwise (exp, cos, !, log, ...) the
 * dense output has f(0) everywhere but at the stored cells. */
typedef struct UnJob {
    const MatBlock *a;
    double (*f)(double);
    double c;   /* f(0) */
    LoopU loop;
    double *z;  /* dense input: the output cells */
} UnJob;

static tsr_status row_unary(const void *jv, int64_t i, Out *o)
{
    const UnJob *j = jv;
    const MatBlock *a = j->a;
    if (j->c == 0.0) {
        for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++)
            if (out_put(o, a->idx[k], j->f(a->val[k]))) return TSR_NOMEM;
        return TSR_OK;
    }
    fill(o->row, a->cols, j->c);
    for (int64_t k = a->ptr[i]; k < a->ptr[i + 1]; k++) o->row[a->idx[k]] = j->f(a->val[k]);
    return out_flush(o);
}

static int64_t unary_cells(const void *jv, int64_t p0, int64_t p1)
{
    const UnJob *j = jv;
    return j->loop(j->a->dense + p0, j->z + p0, p1 - p0);
}

/* Work units per cell: the transcendental functions cost tens of flops. */
static double unary_cost(KnUnary fn)
{
    switch (fn) {
    case KU_ABS: case KU_FLOOR: case KU_CEIL: case KU_ROUND: case KU_SIGN: case KU_NOT:
    case KU_NEG: case KU_ISNA: case KU_ISNAN: case KU_ISINF: case KU_SQRT:
        return 1.0;
    default:
        return 20.0;
    }
}

tsr_status kn_unary(const ParCtx *par, KnUnary fn, const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if ((unsigned)fn >= KU__COUNT)
        return err_set(err, TSR_RUNTIME, "unknown unary function %d", (int)fn);
    UnJob j = { a, un_table[fn].fn, un_table[fn].fn(0.0), un_table[fn].loop, NULL };
    double cost = unary_cost(fn);
    if (a->sparse) {
        int sparse = j.c == 0.0;
        double per_row = sparse ? (double)a->nnz / (double)(a->rows ? a->rows : 1) : (double)a->cols;
        return run_rows(par, row_unary, &j, a->rows, a->cols, sparse, a->nnz,
                        (per_row + 1.0) * cost, 0, out, err);
    }
    MatBlock *z = mb_new_uninit(par, a->rows, a->cols, err);
    if (!z) return err->code;
    j.z = z->dense;
    run_cells(par, z, cost, unary_cells, &j);
    *out = z;
    return TSR_OK;
}

/* ---- ifelse -------------------------------------------------------------------------- */

/* Shape of the first matrix argument; every other matrix must match. */
static tsr_status ifelse_shape(const MatBlock *const m[3], int64_t *rows, int64_t *cols, Err *err)
{
    const MatBlock *first = NULL;
    *rows = *cols = 1;
    for (int i = 0; i < 3; i++) {
        if (!m[i]) continue;
        if (!first) {
            first = m[i];
            *rows = first->rows;
            *cols = first->cols;
        } else if (m[i]->rows != first->rows || m[i]->cols != first->cols) {
            return err_set(err, TSR_RUNTIME,
                           "ifelse requires matrix arguments of equal dimensions: %lldx%lld vs %lldx%lld",
                           (long long)first->rows, (long long)first->cols,
                           (long long)m[i]->rows, (long long)m[i]->cols);
        }
    }
    return TSR_OK;
}

static inline double pick(double c, double a, double b)
{
    return c != 0.0 ? a : b;
}

/* Every argument dense or scalar (a scalar is read through a stride of 0). */
typedef struct IfDense {
    const double *p[3];
    int64_t st[3];
    double *z;
} IfDense;

static int64_t ifelse_cells(const void *jv, int64_t p0, int64_t p1)
{
    const IfDense *j = jv;
    const double *p0c = j->p[0], *p1c = j->p[1], *p2c = j->p[2];
    int64_t s0 = j->st[0], s1 = j->st[1], s2 = j->st[2], nz = 0;
    for (int64_t i = p0; i < p1; i++) {
        double v = pick(p0c[i * s0], p1c[i * s1], p2c[i * s2]);
        j->z[i] = v;
        nz += (v != 0.0);
    }
    return nz;
}

static tsr_status ifelse_dense(const ParCtx *par, const MatBlock *const m[3], const double sc[3],
                               int64_t rows, int64_t cols, MatBlock **out, Err *err)
{
    MatBlock *z = mb_new_uninit(par, rows, cols, err);
    if (!z) return err->code;
    IfDense j;
    for (int t = 0; t < 3; t++) {
        j.p[t] = m[t] ? m[t]->dense : &sc[t];
        j.st[t] = m[t] ? 1 : 0;
    }
    j.z = z->dense;
    run_cells(par, z, 1.0, ifelse_cells, &j);
    *out = z;
    return TSR_OK;
}

/* Some argument sparse.  With a dense argument, each row is computed in
 * full (sparse rows expanded into scratch rows, o->xs).  Otherwise the
 * cells outside the union of the sparse patterns all get d = ifelse of the
 * defaults (0 for a sparse argument), so only the union is visited when
 * d == 0 and the output is CSR when the union bound is sparse. */
typedef struct IfJob {
    const MatBlock *m[3];
    double sc[3];
    double d;          /* the value outside the union */
    int any_dense;
} IfJob;

static tsr_status if_row_full(const void *jv, int64_t i, Out *o)
{
    const IfJob *j = jv;
    int64_t n = o->z->cols;
    const double *p[3];
    int64_t st[3];
    for (int t = 0; t < 3; t++) {
        const MatBlock *m = j->m[t];
        st[t] = m ? 1 : 0;
        if (!m) p[t] = &j->sc[t];
        else if (!m->sparse) p[t] = m->dense + i * n;
        else {
            double *xs = o->xs + (size_t)t * (size_t)n;
            mb_read_row(m, i, xs);
            p[t] = xs;
        }
    }
    for (int64_t c = 0; c < n; c++)
        o->row[c] = pick(p[0][c * st[0]], p[1][c * st[1]], p[2][c * st[2]]);
    return out_flush(o);
}

/* Union merge of the sparse arguments' row i (no dense argument). */
static tsr_status if_row_union(const void *jv, int64_t i, Out *o)
{
    const IfJob *j = jv;
    int64_t n = o->z->cols;
    int64_t pos[3], end[3];
    for (int t = 0; t < 3; t++) {
        pos[t] = j->m[t] ? j->m[t]->ptr[i] : 0;
        end[t] = j->m[t] ? j->m[t]->ptr[i + 1] : 0;
    }
    int full = j->d != 0.0;
    if (full) fill(o->row, n, j->d);
    for (;;) {
        int64_t col = INT64_MAX;
        for (int t = 0; t < 3; t++)
            if (pos[t] < end[t] && j->m[t]->idx[pos[t]] < col) col = j->m[t]->idx[pos[t]];
        if (col == INT64_MAX) break;
        double v[3];
        for (int t = 0; t < 3; t++) {
            v[t] = j->m[t] ? 0.0 : j->sc[t];
            if (pos[t] < end[t] && j->m[t]->idx[pos[t]] == col) v[t] = j->m[t]->val[pos[t]++];
        }
        double r = pick(v[0], v[1], v[2]);
        if (full) o->row[col] = r;
        else if (out_put(o, col, r)) return TSR_NOMEM;
    }
    return full ? out_flush(o) : TSR_OK;
}

/* Output nnz bound without a dense argument: a cell is c's pick of a or b,
 * so a sparse a contributes its non-zeros (at most c's), a non-zero scalar
 * a the cells of c's pattern, and b its non-zeros or every cell. */
static int64_t if_bound(const IfJob *j, int64_t cells)
{
    const MatBlock *c = j->m[0], *a = j->m[1], *b = j->m[2];
    if (!c) {
        const MatBlock *m = j->sc[0] != 0.0 ? a : b;
        double s = j->sc[0] != 0.0 ? j->sc[1] : j->sc[2];
        return m ? m->nnz : s != 0.0 ? cells : 0;
    }
    int64_t ta = a ? min64(a->nnz, c->nnz) : j->sc[1] != 0.0 ? c->nnz : 0;
    int64_t tb = b ? b->nnz : j->sc[2] != 0.0 ? cells : 0;
    return min64(ta + tb, cells);
}

/* Decides the row form and returns the output nnz bound. */
static int64_t if_plan(IfJob *j, int64_t rows, int64_t cols)
{
    double dv[3];
    for (int t = 0; t < 3; t++) {
        j->any_dense |= j->m[t] && !j->m[t]->sparse;
        dv[t] = j->m[t] ? 0.0 : j->sc[t];
    }
    j->d = pick(dv[0], dv[1], dv[2]);
    return j->any_dense || j->d != 0.0 ? rows * cols : if_bound(j, rows * cols);
}

static tsr_status ifelse_sparse(const ParCtx *par, IfJob *j, int64_t rows, int64_t cols,
                                MatBlock **out, Err *err)
{
    int64_t est = if_plan(j, rows, cols);
    int sparse = mb_prefers_sparse(rows, cols, est);
    double per_row = sparse ? (double)est / (double)(rows ? rows : 1) : (double)cols;
    int nscr = 0;
    if (j->any_dense) {   /* scratch rows for the sparse arguments, at their index */
        for (int t = 0; t < 3; t++)
            if (j->m[t] && j->m[t]->sparse) nscr = t + 1;
    }
    return run_rows(par, j->any_dense ? if_row_full : if_row_union, j, rows, cols, sparse, est,
                    per_row + 1.0, nscr, out, err);
}

tsr_status kn_ifelse(const ParCtx *par, const MatBlock *c, double cs, const MatBlock *a, double as,
                     const MatBlock *b, double bs, MatBlock **out, Err *err)
{
    const MatBlock *const m[3] = { c, a, b };
    int64_t rows, cols;
    *out = NULL;
    if (ifelse_shape(m, &rows, &cols, err) != TSR_OK) return err->code;
    if (!(c && c->sparse) && !(a && a->sparse) && !(b && b->sparse))
        return ifelse_dense(par, m, (const double[3]){ cs, as, bs }, rows, cols, out, err);
    IfJob j = { { c, a, b }, { cs, as, bs }, 0.0, 0 };
    return ifelse_sparse(par, &j, rows, cols, out, err);
}
