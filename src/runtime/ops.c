/*
 * ops.c - the operators of DML on runtime values (rt_binop, rt_unop).
 *
 * Scalar-scalar operators implement the value-type rules of DML.md 2.3 and
 * the quirks of 3.2/3.3/3.7 (INT64 arithmetic computed in double with an
 * overflow check, string concatenation and string comparison).  Anything
 * with a matrix operand is delegated to the kn_* kernels (broadcasting, a
 * 1x1 right operand acting as a scalar).  Lists/frames are rejected.
 * Nothing here evaluates expressions or knows about spans.
 */
#include "runtime/runtime.h"

#include <math.h>
#include <string.h>

static int is_relational(BinOp op)
{
    return op >= BOP_LT && op <= BOP_NE;
}

static int is_str(const Value *v)
{
    return v->dt == DT_SCALAR && v->vt == VT_STRING;
}

/* Java Long conversion of an INT64 result computed in double: a result
 * that does not fit below 2^63 (the double nearest Long.MAX_VALUE, so
 * MAX + 1 fails too) is an overflow error, NaN becomes 0 (int %% 0),
 * anything else truncates (saturating at Long.MIN_VALUE). */
static tsr_status to_long(RtCtx *ctx, double r, Value *out)
{
    char buf[64];
    if (r >= 0x1p63) {
        nf_double(buf, sizeof buf, r);
        return err_set(&ctx->err, TSR_RUNTIME,
                       "Integer operation created numerical result overflow "
                       "(%s > 9223372036854775807).", buf);
    }
    if (isnan(r))
        *out = rt_int(0);
    else if (r <= -0x1p63)
        *out = rt_int(INT64_MIN);
    else
        *out = rt_int((int64_t)r);
    return TSR_OK;
}

/* Relational result of a three-way comparison. */
static int cmp_holds(BinOp op, int c)
{
    switch (op) {
    case BOP_LT: return c < 0;
    case BOP_LE: return c <= 0;
    case BOP_GT: return c > 0;
    case BOP_GE: return c >= 0;
    case BOP_EQ: return c == 0;
    default: return c != 0;   /* BOP_NE */
    }
}

/* String comparison of the printed forms (Java compareTo: byte order for
 * ASCII and code-point order for UTF-8). */
static void str_compare(BinOp op, const Value *a, const Value *b, Value *out)
{
    StrBuf sa, sb;
    sb_init(&sa);
    sb_init(&sb);
    rt_scalar_to_string(a, &sa);
    rt_scalar_to_string(b, &sb);
    int c = strcmp(sa.s ? sa.s : "", sb.s ? sb.s : "");
    sb_free(&sa);
    sb_free(&sb);
    *out = rt_bool(cmp_holds(op, c));
}

static void str_concat(const Value *a, const Value *b, Value *out)
{
    StrBuf s;
    sb_init(&s);
    rt_scalar_to_string(a, &s);
    rt_scalar_to_string(b, &s);
    if (!s.s)
        sb_puts(&s, "");
    *out = rt_str_take(sb_take(&s));
}

/* Non-string relational: doubles if either is FP64, else integers (booleans
 * as 0/1; FALSE < TRUE). */
static void num_compare(BinOp op, const Value *a, const Value *b, Value *out)
{
    if (a->vt == VT_FP64 || b->vt == VT_FP64) {
        *out = rt_bool(kn_binop_double(op, rt_as_double(a), rt_as_double(b)) != 0.0);
        return;
    }
    int64_t x = rt_as_int(a), y = rt_as_int(b);
    *out = rt_bool(cmp_holds(op, x < y ? -1 : x > y ? 1 : 0));
}

/* Arithmetic (DML.md 2.3): computed in double; / and ^ and anything with an
 * FP64 operand (or two booleans) is FP64; otherwise an INT64 operand (a
 * boolean partner, a compile error in DML, counts as 0/1) keeps INT64. */
static tsr_status scalar_arith(RtCtx *ctx, BinOp op, const Value *a, const Value *b,
                               Value *out)
{
    double r = kn_binop_double(op, rt_as_double(a), rt_as_double(b));
    int ints = (a->vt == VT_INT64 || b->vt == VT_INT64) && a->vt != VT_FP64 &&
               b->vt != VT_FP64;
    if (!ints || op == BOP_DIV || op == BOP_POW) {
        *out = rt_dbl(r);
        return TSR_OK;
    }
    return to_long(ctx, r, out);
}

static tsr_status scalar_binop(RtCtx *ctx, BinOp op, const Value *a, const Value *b,
                               Value *out)
{
    if (op == BOP_AND || op == BOP_OR) {
        int x = rt_as_bool(a), y = rt_as_bool(b);
        *out = rt_bool(op == BOP_AND ? (x && y) : (x || y));
        return TSR_OK;
    }
    if (is_str(a) || is_str(b)) {
        if (op == BOP_ADD) {
            str_concat(a, b, out);
            return TSR_OK;
        }
        if (is_relational(op)) {
            str_compare(op, a, b, out);
            return TSR_OK;
        }
        return err_set(&ctx->err, TSR_RUNTIME,
                       "Arithmetic '%s' not supported over string inputs.", ast_binop_name(op));
    }
    if (is_relational(op)) {
        num_compare(op, a, b, out);
        return TSR_OK;
    }
    return scalar_arith(ctx, op, a, b, out);
}

/* Wraps a kernel result (or forwards the kernel's error). */
static tsr_status wrap_block(tsr_status st, MatBlock **blk, Value *out)
{
    if (st == TSR_OK)
        *out = rt_mat_take(*blk);
    else
        mb_free(*blk);
    return st;
}

static tsr_status matrix_binop(RtCtx *ctx, BinOp op, const Value *a, const Value *b,
                               Value *out)
{
    MatBlock *res = NULL;
    if (is_str(a) || is_str(b))
        return err_set(&ctx->err, TSR_RUNTIME,
                       "Arithmetic '%s' not supported over string inputs.", ast_binop_name(op));
    if (a->dt == DT_SCALAR)
        return wrap_block(kn_binary_scalar(&ctx->par, op, rt_mat_block(b), rt_as_double(a), 1, &res,
                                           &ctx->err), &res, out);
    if (b->dt == DT_SCALAR)
        return wrap_block(kn_binary_scalar(&ctx->par, op, rt_mat_block(a), rt_as_double(b), 0, &res,
                                           &ctx->err), &res, out);
    const MatBlock *mb = rt_mat_block(b);
    if (mb->rows == 1 && mb->cols == 1)   /* DML.md 3.5: 1x1 right operand = scalar */
        return wrap_block(kn_binary_scalar(&ctx->par, op, rt_mat_block(a), mb_get(mb, 0, 0), 0,
                                           &res,
                                           &ctx->err), &res, out);
    return wrap_block(kn_binary(&ctx->par, op, rt_mat_block(a), mb, &res, &ctx->err), &res, out);
}

/* s + X with a string s and a non-scalar X: concatenation needs two
 * scalars (DML.md 2.4, 3.7); say what to use instead. */
static tsr_status concat_non_scalar(RtCtx *ctx, const Value *a, const Value *b)
{
    const Value *o = is_str(a) ? b : a;
    const char *side = is_str(a) ? "right" : "left";
    const MatBlock *m = o->dt == DT_MATRIX ? rt_mat_block(o) : NULL;
    if (m && m->rows == 1 && m->cols == 1)
        return err_set(&ctx->err, TSR_RUNTIME, "String concatenation needs a scalar, but the %s "
                       "operand is a 1x1 matrix (use as.scalar())", side);
    if (m)
        return err_set(&ctx->err, TSR_RUNTIME, "String concatenation needs a scalar, but the %s "
                       "operand is a %lldx%lld matrix (use as.scalar() for one cell or "
                       "toString() for the whole matrix)", side, (long long)m->rows,
                       (long long)m->cols);
    return err_set(&ctx->err, TSR_RUNTIME, "String concatenation needs a scalar, but the %s "
                   "operand is a %s (use toString())", side, rt_dt_name(o->dt));
}

static int is_operand(const Value *v)
{
    return v->dt == DT_SCALAR || v->dt == DT_MATRIX;
}

tsr_status rt_binop(RtCtx *ctx, BinOp op, const Value *a, const Value *b, Value *out)
{
    MatBlock *res = NULL;
    if (op == BOP_ADD && (is_str(a) || is_str(b)) && (a->dt != DT_SCALAR || b->dt != DT_SCALAR))
        return concat_non_scalar(ctx, a, b);
    if (!is_operand(a) || !is_operand(b))
        return err_set(&ctx->err, TSR_RUNTIME,
                       "Invalid operand types for '%s': %s and %s", ast_binop_name(op),
                       rt_dt_name(a->dt), rt_dt_name(b->dt));
    if (op == BOP_MATMUL) {
        if (a->dt != DT_MATRIX || b->dt != DT_MATRIX)
            return err_set(&ctx->err, TSR_RUNTIME,
                           "Matrix multiplication %%*%% requires two matrix operands "
                           "(found %s and %s); use * for scalars",
                           rt_dt_name(a->dt), rt_dt_name(b->dt));
        return wrap_block(kn_matmul(&ctx->par, rt_mat_block(a), rt_mat_block(b), &res, &ctx->err),
                          &res, out);
    }
    if (a->dt == DT_SCALAR && b->dt == DT_SCALAR)
        return scalar_binop(ctx, op, a, b, out);
    return matrix_binop(ctx, op, a, b, out);
}

/* Unary minus/plus mean e * -1 / e * 1 with an integer multiplier (DML.md
 * 1.5), so INT64 stays INT64 and strings fail like '*'. */
static tsr_status scalar_unop(RtCtx *ctx, UnOp op, const Value *a, Value *out)
{
    if (op == UOP_NOT) {
        *out = rt_bool(!rt_as_bool(a));
        return TSR_OK;
    }
    if (a->vt == VT_STRING)
        return err_set(&ctx->err, TSR_RUNTIME, "Arithmetic '*' not supported over string inputs.");
    if (op == UOP_PLUS) {
        *out = a->vt == VT_BOOL ? rt_int(a->u.b) : rt_copy(a);
        return TSR_OK;
    }
    if (a->vt == VT_FP64) {
        *out = rt_dbl(-a->u.d);
        return TSR_OK;
    }
    return to_long(ctx, -(double)rt_as_int(a), out);
}

tsr_status rt_unop(RtCtx *ctx, UnOp op, const Value *a, Value *out)
{
    MatBlock *res = NULL;
    if (a->dt == DT_SCALAR)
        return scalar_unop(ctx, op, a, out);
    if (a->dt != DT_MATRIX)
        return err_set(&ctx->err, TSR_RUNTIME, "Invalid operand type for unary '%s': %s",
                       ast_unop_name(op), rt_dt_name(a->dt));
    if (op == UOP_PLUS) {
        *out = rt_copy(a);
        return TSR_OK;
    }
    return wrap_block(kn_unary(&ctx->par, op == UOP_NEG ? KU_NEG : KU_NOT, rt_mat_block(a), &res,
                               &ctx->err), &res, out);
}
