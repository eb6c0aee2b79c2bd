/*
 * builtins_math.c - elementwise builtins: unary math (abs ... tanh, round,
 * sign), the NaN/Inf indicators, log with a base, min/max/pmin/pmax (one
 * matrix: aggregate; two: cellwise; more: n-ary), xor, ifelse and
 * outer(u, v, op) (DML.md 7.3, 7.4).
 *
 * Scalars are computed here with the scalar semantics the kernels export
 * (kn_unary_double); every matrix case goes through kn_unary,
 * kn_binary_fn(_scalar), kn_agg_full or kn_ifelse.
 */
#include "runtime/builtins_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const Value *only_arg(const RtArgs *a)
{
    return a->npos ? &a->pos[0] : &a->named[0];
}

/* ---- unary math ------------------------------------------------------------------------ */

static tsr_status unary_math(RtCtx *ctx, const RtArgs *a, Value *out, KnUnary fn,
                             const char *name)
{
    MatBlock *res = NULL;
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "%s() expects exactly 1 argument, found %d", name, bi_nargs(a));
    const Value *v = only_arg(a);
    if (v->dt == DT_MATRIX)
        return bi_ret_block(kn_unary(&ctx->par, fn, rt_mat_block(v), &res, &ctx->err), &res, out);
    if (!bi_is_num(v))
        return bi_err(ctx, "%s() expects a numeric scalar or a matrix, found a %s", name,
                      v->dt == DT_SCALAR ? "string" : rt_dt_name(v->dt));
    if (fn == KU_ABS && v->vt == VT_INT64) {   /* abs keeps INT64 (DML.md 2.3) */
        int64_t i = v->u.i;
        *out = rt_int(i >= 0 ? i : i == INT64_MIN ? INT64_MAX : -i);
        return TSR_OK;
    }
    *out = rt_dbl(kn_unary_double(fn, rt_as_double(v)));
    return TSR_OK;
}

#define UNARY_BUILTIN(cfn, ku, dml)                                        \
    tsr_status cfn(RtCtx *ctx, RtArgs *a, Value *out, int nout)            \
    {                                                                      \
        return unary_math(ctx, a, out, ku, dml);                           \
    }

UNARY_BUILTIN(bi_abs, KU_ABS, "abs")
UNARY_BUILTIN(bi_exp, KU_EXP, "exp")
UNARY_BUILTIN(bi_sqrt, KU_SQRT, "sqrt")
UNARY_BUILTIN(bi_floor, KU_FLOOR, "floor")
UNARY_BUILTIN(bi_ceil, KU_CEIL, "ceil")
UNARY_BUILTIN(bi_round, KU_ROUND, "round")
UNARY_BUILTIN(bi_sign, KU_SIGN, "sign")
UNARY_BUILTIN(bi_sin, KU_SIN, "sin")
UNARY_BUILTIN(bi_cos, KU_COS, "cos")
UNARY_BUILTIN(bi_tan, KU_TAN, "tan")
UNARY_BUILTIN(bi_asin, KU_ASIN, "asin")
UNARY_BUILTIN(bi_acos, KU_ACOS, "acos")
UNARY_BUILTIN(bi_atan, KU_ATAN, "atan")
UNARY_BUILTIN(bi_sinh, KU_SINH, "sinh")
UNARY_BUILTIN(bi_cosh, KU_COSH, "cosh")
UNARY_BUILTIN(bi_tanh, KU_TANH, "tanh")
UNARY_BUILTIN(bi_isnan, KU_ISNAN, "is.nan")
UNARY_BUILTIN(bi_isinf, KU_ISINF, "is.infinite")

/* ---- binary cellwise functions (min, max, xor, log) ------------------------------------- */

static tsr_status want_operand(RtCtx *ctx, const char *fn, const Value *v)
{
    if (v->dt == DT_MATRIX || bi_is_num(v))
        return TSR_OK;
    return bi_err(ctx, "%s() expects numeric scalars or matrices, found a %s", fn,
                  v->dt == DT_SCALAR ? "string" : rt_dt_name(v->dt));
}

/* fn(x, y) with at least one matrix operand (broadcasting as for
 * operators; a 1x1 right matrix acts as a scalar). */
static tsr_status bin_fn_matrix(RtCtx *ctx, KnBinFn fn, const Value *x, const Value *y,
                                Value *out)
{
    MatBlock *res = NULL;
    tsr_status st;
    if (x->dt != DT_MATRIX)
        st = kn_binary_fn_scalar(&ctx->par, fn, rt_mat_block(y), rt_as_double(x), 1, &res,
                                 &ctx->err);
    else if (y->dt != DT_MATRIX)
        st = kn_binary_fn_scalar(&ctx->par, fn, rt_mat_block(x), rt_as_double(y), 0, &res,
                                 &ctx->err);
    else if (rt_mat_block(y)->rows == 1 && rt_mat_block(y)->cols == 1)
        st = kn_binary_fn_scalar(&ctx->par, fn, rt_mat_block(x), mb_get(rt_mat_block(y), 0, 0), 0,
                                 &res,
                                 &ctx->err);
    else
        st = kn_binary_fn(&ctx->par, fn, rt_mat_block(x), rt_mat_block(y), &res, &ctx->err);
    return bi_ret_block(st, &res, out);
}

/* Java Math.min/max: NaN wins, -0.0 < 0.0. */
static double java_minmax(double x, double y, int is_max)
{
    if (isnan(x) || isnan(y))
        return NAN;
    if (x == y)
        return (signbit(x) != 0) == !is_max ? x : y;
    return (x > y) == (is_max != 0) ? x : y;
}

static void scalar_minmax(const Value *x, const Value *y, int is_max, Value *out)
{
    if (x->vt == VT_INT64 && y->vt == VT_INT64)
        *out = rt_int(is_max ? (x->u.i > y->u.i ? x->u.i : y->u.i)
                             : (x->u.i < y->u.i ? x->u.i : y->u.i));
    else
        *out = rt_dbl(java_minmax(rt_as_double(x), rt_as_double(y), is_max));
}

static tsr_status minmax2(RtCtx *ctx, int is_max, const Value *x, const Value *y, Value *out)
{
    const char *fn = is_max ? "max" : "min";
    if (want_operand(ctx, fn, x) || want_operand(ctx, fn, y))
        return TSR_RUNTIME;
    if (x->dt == DT_SCALAR && y->dt == DT_SCALAR) {
        scalar_minmax(x, y, is_max, out);
        return TSR_OK;
    }
    return bin_fn_matrix(ctx, is_max ? KB_MAX : KB_MIN, x, y, out);
}

static tsr_status minmax_aggregate(RtCtx *ctx, int is_max, const Value *x, Value *out)
{
    double d;
    if (x->dt != DT_MATRIX) {
        if (want_operand(ctx, is_max ? "max" : "min", x))
            return TSR_RUNTIME;
        *out = rt_copy(x);
        return TSR_OK;
    }
    if (kn_agg_full(&ctx->par, is_max ? KA_MAX : KA_MIN, rt_mat_block(x), &d, &ctx->err) != TSR_OK)
        return ctx->err.code;
    *out = rt_dbl(d);
    return TSR_OK;
}

/* n-ary min/max: all matrix arguments must have equal dimensions. */
static tsr_status minmax_check_dims(RtCtx *ctx, const RtArgs *a, const char *fn)
{
    const MatBlock *first = NULL;
    for (int i = 0; i < a->npos; i++) {
        const MatBlock *m = rt_mat_block(&a->pos[i]);
        if (!m)
            continue;
        if (first && (m->rows != first->rows || m->cols != first->cols))
            return bi_err(ctx, "%s(): all matrix inputs must have the same dimensions, found "
                          "%lldx%lld and %lldx%lld", fn, (long long)first->rows,
                          (long long)first->cols, (long long)m->rows, (long long)m->cols);
        first = first ? first : m;
    }
    return TSR_OK;
}

static tsr_status minmax_nary(RtCtx *ctx, const RtArgs *a, int is_max, Value *out)
{
    if (minmax_check_dims(ctx, a, is_max ? "max" : "min"))
        return TSR_RUNTIME;
    Value acc;
    if (minmax2(ctx, is_max, &a->pos[0], &a->pos[1], &acc))
        return TSR_RUNTIME;
    for (int i = 2; i < a->npos; i++) {
        Value next;
        tsr_status st = minmax2(ctx, is_max, &acc, &a->pos[i], &next);
        rt_release(&acc);
        if (st)
            return st;
        acc = next;
    }
    *out = acc;
    return TSR_OK;
}

static tsr_status minmax(RtCtx *ctx, const RtArgs *a, int is_max, Value *out)
{
    const char *fn = is_max ? "max" : "min";
    if (a->nnamed > 0)
        return bi_err(ctx, "%s() does not accept named parameters (%s)", fn, a->names[0]);
    if (a->npos == 0)
        return bi_err(ctx, "%s() requires at least one argument", fn);
    if (a->npos == 1)
        return minmax_aggregate(ctx, is_max, &a->pos[0], out);
    if (a->npos == 2)
        return minmax2(ctx, is_max, &a->pos[0], &a->pos[1], out);
    return minmax_nary(ctx, a, is_max, out);
}

tsr_status bi_min(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return minmax(ctx, a, 0, out);
}

tsr_status bi_max(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return minmax(ctx, a, 1, out);
}

static tsr_status two_args(RtCtx *ctx, const RtArgs *a, const char *fn)
{
    if (a->nnamed > 0 || a->npos != 2)
        return bi_err(ctx, "%s() expects 2 positional arguments", fn);
    if (want_operand(ctx, fn, &a->pos[0]) || want_operand(ctx, fn, &a->pos[1]))
        return TSR_RUNTIME;
    return TSR_OK;
}

tsr_status bi_xor(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (two_args(ctx, a, "xor"))
        return TSR_RUNTIME;
    const Value *x = &a->pos[0], *y = &a->pos[1];
    if (x->dt == DT_SCALAR && y->dt == DT_SCALAR) {
        *out = rt_bool(rt_as_bool(x) != rt_as_bool(y));
        return TSR_OK;
    }
    return bin_fn_matrix(ctx, KB_XOR, x, y, out);
}

/* log(x) or log(x, base) = ln(x)/ln(base), FP64. */
tsr_status bi_log(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (bi_nargs(a) == 1)
        return unary_math(ctx, a, out, KU_LOG, "log");
    if (two_args(ctx, a, "log"))
        return TSR_RUNTIME;
    const Value *x = &a->pos[0], *b = &a->pos[1];
    if (x->dt == DT_SCALAR && b->dt == DT_SCALAR) {
        *out = rt_dbl(log(rt_as_double(x)) / log(rt_as_double(b)));
        return TSR_OK;
    }
    return bin_fn_matrix(ctx, KB_LOG, x, b, out);
}

/* ---- ifelse -------------------------------------------------------------------------------- */

/* Value-type promotion of two scalars (DML.md 2.3). */
static ValueType promote(ValueType x, ValueType y)
{
    if (x == y)
        return x;
    if (x == VT_STRING || y == VT_STRING)
        return VT_STRING;
    if (x == VT_FP64 || y == VT_FP64)
        return VT_FP64;
    return VT_INT64;
}

static Value convert_scalar(const Value *v, ValueType vt)
{
    StrBuf s;
    switch (vt) {
    case VT_FP64: return rt_dbl(rt_as_double(v));
    case VT_INT64: return rt_int(rt_as_int(v));
    case VT_BOOL: return rt_bool(rt_as_bool(v));
    default:
        sb_init(&s);
        rt_scalar_to_string(v, &s);
        return s.s ? rt_str_take(sb_take(&s)) : rt_str("");
    }
}

tsr_status bi_ifelse(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    MatBlock *res = NULL;
    if (a->nnamed > 0 || a->npos != 3)
        return bi_err(ctx, "ifelse() expects 3 positional arguments");
    const Value *c = &a->pos[0], *x = &a->pos[1], *y = &a->pos[2];
    if (c->dt == DT_SCALAR && x->dt == DT_SCALAR && y->dt == DT_SCALAR) {
        *out = convert_scalar(rt_as_bool(c) ? x : y, promote(x->vt, y->vt));
        return TSR_OK;
    }
    for (int i = 0; i < 3; i++)
        if (want_operand(ctx, "ifelse", &a->pos[i]))
            return TSR_RUNTIME;
    return bi_ret_block(kn_ifelse(&ctx->par, rt_mat_block(c),
                                  c->dt == DT_SCALAR ? rt_as_double(c) : 0,
                                  rt_mat_block(x), x->dt == DT_SCALAR ? rt_as_double(x) : 0,
                                  rt_mat_block(y), y->dt == DT_SCALAR ? rt_as_double(y) : 0,
                                  &res, &ctx->err), &res, out);
}

/* ---- outer ------------------------------------------------------------------------------------ */

typedef struct OuterOp {
    const char *name;
    int is_fn;       /* KnBinFn instead of BinOp */
    int op;
} OuterOp;

static const OuterOp OUTER_OPS[] = {
    {"+", 0, BOP_ADD}, {"-", 0, BOP_SUB}, {"*", 0, BOP_MUL}, {"/", 0, BOP_DIV},
    {"%%", 0, BOP_MOD}, {"%/%", 0, BOP_INTDIV}, {"^", 0, BOP_POW}, {"<", 0, BOP_LT},
    {"<=", 0, BOP_LE}, {">", 0, BOP_GT}, {">=", 0, BOP_GE}, {"==", 0, BOP_EQ},
    {"!=", 0, BOP_NE}, {"min", 1, KB_MIN}, {"max", 1, KB_MAX}, {"log", 1, KB_LOG}};

static const OuterOp *outer_op(const char *s)
{
    for (size_t i = 0; i < sizeof OUTER_OPS / sizeof OUTER_OPS[0]; i++)
        if (strcmp(OUTER_OPS[i].name, s) == 0)
            return &OUTER_OPS[i];
    return NULL;
}

/* out[i,j] = u[i] op v[j]: u is replicated across n columns by copying its
 * cells (so -0.0, NaN and Inf survive) into a block from the buffer cache,
 * then combined with the row vector v by the broadcasting kernels. */
static tsr_status outer_run(RtCtx *ctx, const OuterOp *op, const MatBlock *u, const MatBlock *v,
                            Value *out)
{
    const int64_t m = u->rows, n = v->cols;
    MatBlock *rep = mb_new_uninit(&ctx->par, m, n, &ctx->err), *res = NULL;
    if (!rep)
        return ctx->err.code;
    if (m > 0 && n > 0) {
        double *uc = malloc((size_t)m * sizeof *uc);
        if (!uc) {
            mb_free(rep);
            return bi_err(ctx, "outer(): out of memory for a %lldx%lld result", (long long)m,
                          (long long)n);
        }
        mb_read_cells(u, uc);
        int64_t nnz = 0;
        for (int64_t i = 0; i < m; i++) {
            double *row = rep->dense + i * n;
            for (int64_t j = 0; j < n; j++) row[j] = uc[i];
            nnz += uc[i] != 0.0 ? n : 0;
        }
        rep->nnz = nnz;
        free(uc);
    }
    tsr_status st = op->is_fn ? kn_binary_fn(&ctx->par, (KnBinFn)op->op, rep, v, &res, &ctx->err)
                              : kn_binary(&ctx->par, (BinOp)op->op, rep, v, &res, &ctx->err);
    mb_free(rep);
    return bi_ret_block(st, &res, out);
}

tsr_status bi_outer(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    const char *s;
    BiMat u, v;
    if (a->npos != 3 || a->nnamed)
        return bi_err(ctx, "outer() expects 3 positional arguments: u, v, op");
    if (bi_str(ctx, "outer", "op", &a->pos[2], NULL, &s))
        return TSR_RUNTIME;
    const OuterOp *op = outer_op(s);
    if (!op)
        return bi_err(ctx, "Unsupported outer vector binary operation: %s", s);
    if (bi_mat2(ctx, "outer", "u", &a->pos[0], &u, "v", &a->pos[1], &v))
        return TSR_RUNTIME;
    tsr_status st;
    if (u.b->cols != 1 || v.b->rows != 1)
        st = bi_err(ctx, "Outer vector operations require a common dimension of one: "
                    "%lldx%lld o %lldx%lld.", (long long)u.b->rows, (long long)u.b->cols,
                    (long long)v.b->rows, (long long)v.b->cols);
    else
        st = outer_run(ctx, op, u.b, v.b, out);
    bi_mat_done(&u);
    bi_mat_done(&v);
    return st;
}
