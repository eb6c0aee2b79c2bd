/*
 * elementwise.c - cellwise kernels: binary operators with DML broadcasting
 * (DML.md 3.2-3.5), binary builtins (min/max/xor/log), unary math (7.3) and
 * ifelse (7.4), plus the scalar semantics the interpreter shares.
 *
 * Structure: each operation is a tiny inline scalar function; a macro turns
 * it into three contiguous loops (vector-vector, vector-scalar, scalar-
 * vector) that also count non-zeros, and a table maps the operator to its
 * loops.  The cheap operators (+ - * / and the 0/1 relational/logical ones)
 * get explicit SIMD loops (GCC vector extensions) so they vectorise at -O2.  The broadcast framework walks row ranges [r0, r1) so a later
 * thread pool can split the work by rows.  Inputs are never modified; every
 * output is a fresh block with an exact nnz.
 *
 * Not here: matrix multiply (matmul.c), aggregates (aggregate.c).
 */
#include "matrix/matrix_int.h"

#include <math.h>
#include <string.h>

/* ---- scalar semantics --------------------------------------------------------- */

static inline double op_add(double a, double b) { return a + b; }
static inline double op_sub(double a, double b) { return a - b; }
static inline double op_mul(double a, double b) { return a * b; }
static inline double op_div(double a, double b) { return a / b; }
static inline double op_pow(double a, double b) { return pow(a, b); }
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
static inline double op_max(double a, double b) { return kn_max2(a, b); }

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
} BinKernels;

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
    }                                                                                  \
    static const BinKernels OP##_k = { OP##_vv, OP##_vs, OP##_sv };

DEF_BIN_LOOPS(op_pow)
DEF_BIN_LOOPS(op_intdiv)
DEF_BIN_LOOPS(op_mod)

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

#define DEF_VEC_LOOPS(OP, VEXPR)                                                        \
    static int64_t OP##_vv(const double *restrict x, const double *restrict y,         \
                           double *restrict z, int64_t n)                             \
    VEC_LOOP(OP, VEXPR, v2_load(x + i), v2_load(y + i), x[i], y[i])                    \
    static int64_t OP##_vs(const double *restrict x, double s, double *restrict z,     \
                           int64_t n)                                                  \
    VEC_LOOP(OP, VEXPR, v2_load(x + i), ((v2d){ s, s }), x[i], s)                      \
    static int64_t OP##_sv(const double *restrict x, double s, double *restrict z,     \
                           int64_t n)                                                  \
    VEC_LOOP(OP, VEXPR, ((v2d){ s, s }), v2_load(x + i), s, x[i])                      \
    static const BinKernels OP##_k = { OP##_vv, OP##_vs, OP##_sv };

#define MASK01(m) ((v2d)((m) & one))

DEF_VEC_LOOPS(op_add, va + vb)
DEF_VEC_LOOPS(op_sub, va - vb)
DEF_VEC_LOOPS(op_mul, va * vb)
DEF_VEC_LOOPS(op_div, va / vb)
DEF_VEC_LOOPS(op_lt, MASK01(va < vb))
DEF_VEC_LOOPS(op_le, MASK01(va <= vb))
DEF_VEC_LOOPS(op_gt, MASK01(va > vb))
DEF_VEC_LOOPS(op_ge, MASK01(va >= vb))
DEF_VEC_LOOPS(op_eq, MASK01(va == vb))
DEF_VEC_LOOPS(op_ne, MASK01(va != vb))
DEF_VEC_LOOPS(op_and, MASK01((va != vz) & (vb != vz)))
DEF_VEC_LOOPS(op_or, MASK01((va != vz) | (vb != vz)))
DEF_VEC_LOOPS(op_xor, MASK01((va != vz) ^ (vb != vz)))
DEF_BIN_LOOPS(op_log)
DEF_BIN_LOOPS(op_min)
DEF_BIN_LOOPS(op_max)

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

/* Computes rows [r0, r1) of z = a op b; returns the nnz of those rows. */
static int64_t bin_rows(const BinKernels *k, BcMode mode, const MatBlock *a, const MatBlock *b,
                        MatBlock *z, int64_t r0, int64_t r1)
{
    int64_t n = a->cols, nz = 0;
    const double *x = a->dense + r0 * n;
    double *o = z->dense + r0 * n;
    switch (mode) {
    case BC_SAME:
        return k->vv(x, b->dense + r0 * n, o, (r1 - r0) * n);
    case BC_SCALAR:
        return k->vs(x, b->dense[0], o, (r1 - r0) * n);
    case BC_COL:
        for (int64_t i = r0; i < r1; i++, x += n, o += n) nz += k->vs(x, b->dense[i], o, n);
        return nz;
    case BC_ROW:
        for (int64_t i = r0; i < r1; i++, x += n, o += n) nz += k->vv(x, b->dense, o, n);
        return nz;
    }
    return nz;
}

static tsr_status bin_run(const BinKernels *k, const MatBlock *a, const MatBlock *b,
                          MatBlock **out, Err *err)
{
    BcMode mode;
    *out = NULL;
    if (bc_mode(a, b, &mode, err) != TSR_OK) return err->code;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    if (MB_CELLS(z) > 0) z->nnz = bin_rows(k, mode, a, b, z, 0, a->rows);
    *out = z;
    return TSR_OK;
}

static tsr_status bin_scalar_run(const BinKernels *k, const MatBlock *a, double s, int left,
                                 MatBlock **out, Err *err)
{
    *out = NULL;
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    int64_t n = MB_CELLS(a);
    if (n > 0) z->nnz = left ? k->sv(a->dense, s, z->dense, n) : k->vs(a->dense, s, z->dense, n);
    *out = z;
    return TSR_OK;
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

tsr_status kn_binary(BinOp op, const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err)
{
    const BinKernels *k = binop_kernels(op);
    if (!k) return not_cellwise(op, err);
    return bin_run(k, a, b, out, err);
}

tsr_status kn_binary_scalar(BinOp op, const MatBlock *a, double s, int scalar_left,
                            MatBlock **out, Err *err)
{
    const BinKernels *k = binop_kernels(op);
    if (!k) return not_cellwise(op, err);
    return bin_scalar_run(k, a, s, scalar_left, out, err);
}

tsr_status kn_binary_fn(KnBinFn fn, const MatBlock *a, const MatBlock *b, MatBlock **out, Err *err)
{
    const BinKernels *k = binfn_kernels(fn);
    if (!k) return err_set(err, TSR_RUNTIME, "unknown cellwise function %d", (int)fn);
    return bin_run(k, a, b, out, err);
}

tsr_status kn_binary_fn_scalar(KnBinFn fn, const MatBlock *a, double s, int scalar_left,
                               MatBlock **out, Err *err)
{
    const BinKernels *k = binfn_kernels(fn);
    if (!k) return err_set(err, TSR_RUNTIME, "unknown cellwise function %d", (int)fn);
    return bin_scalar_run(k, a, s, scalar_left, out, err);
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

tsr_status kn_unary(KnUnary fn, const MatBlock *a, MatBlock **out, Err *err)
{
    *out = NULL;
    if ((unsigned)fn >= KU__COUNT)
        return err_set(err, TSR_RUNTIME, "unknown unary function %d", (int)fn);
    MatBlock *z = mb_new(a->rows, a->cols, err);
    if (!z) return err->code;
    int64_t n = MB_CELLS(a);
    if (n > 0) z->nnz = un_table[fn].loop(a->dense, z->dense, n);
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

tsr_status kn_ifelse(const MatBlock *c, double cs, const MatBlock *a, double as,
                     const MatBlock *b, double bs, MatBlock **out, Err *err)
{
    const MatBlock *const m[3] = { c, a, b };
    int64_t rows, cols;
    *out = NULL;
    if (ifelse_shape(m, &rows, &cols, err) != TSR_OK) return err->code;
    MatBlock *z = mb_new(rows, cols, err);
    if (!z) return err->code;
    /* A scalar argument is read through a stride of 0. */
    const double *cp = c ? c->dense : &cs, *ap = a ? a->dense : &as, *bp = b ? b->dense : &bs;
    int64_t ci = c ? 1 : 0, ai = a ? 1 : 0, bi = b ? 1 : 0, n = rows * cols, nz = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = cp[i * ci] != 0.0 ? ap[i * ai] : bp[i * bi];
        z->dense[i] = v;
        nz += (v != 0.0);
    }
    z->nnz = nz;
    *out = z;
    return TSR_OK;
}
