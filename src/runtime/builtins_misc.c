/*
 * builtins_misc.c - the remaining small builtins of DML.md 7.4 - 7.13:
 * bitwAnd/bitwOr/bitwXor/bitwShiftL/bitwShiftR, ppred (deprecated
 * relational form), roll, rowcumsum, contains, interQuantile, the
 * directional and approximate countDistinct variants (computed exactly),
 * sqrtMatrixJava, and the SystemDS-internal compress/decompress/local,
 * which are the identity here.
 *
 * Handlers bind and convert arguments and call one kn_* kernel (misc.c,
 * sort.c) or the operator layer (ppred -> rt_binop).
 */
#include "runtime/builtins_int.h"

#include <string.h>

static const Value *arg0(const RtArgs *a)
{
    return a->npos ? &a->pos[0] : &a->named[0];
}


/* ---- bitw* --------------------------------------------------------------------------------------- */

static tsr_status operand(RtCtx *ctx, const char *fn, const Value *v)
{
    if (v->dt == DT_MATRIX || bi_is_num(v)) return TSR_OK;
    return bi_err(ctx, "%s() expects numeric scalars or matrices, found a %s", fn,
                  v->dt == DT_SCALAR ? "string" : rt_dt_name(v->dt));
}

static tsr_status bitw(RtCtx *ctx, const RtArgs *a, KnBitw op, const char *fn, Value *out)
{
    MatBlock *res = NULL;
    tsr_status st;
    if (bi_positional(ctx, a, fn, 2, 2) || operand(ctx, fn, &a->pos[0]) ||
        operand(ctx, fn, &a->pos[1]))
        return TSR_RUNTIME;
    const Value *x = &a->pos[0], *y = &a->pos[1];
    if (x->dt != DT_MATRIX && y->dt != DT_MATRIX) {   /* INT64 result */
        *out = rt_int(kn_bitw_int(op, rt_as_int(x), rt_as_int(y)));
        return TSR_OK;
    }
    if (x->dt != DT_MATRIX)
        st = kn_bitw_scalar(op, rt_mat_block(y), rt_as_double(x), 1, &res, &ctx->err);
    else if (y->dt != DT_MATRIX)
        st = kn_bitw_scalar(op, rt_mat_block(x), rt_as_double(y), 0, &res, &ctx->err);
    else
        st = kn_bitw(op, rt_mat_block(x), rt_mat_block(y), &res, &ctx->err);
    return bi_ret_block(st, &res, out);
}

#define BITW_BUILTIN(cfn, op, dml)                                         \
    tsr_status cfn(RtCtx *ctx, RtArgs *a, Value *out, int nout)            \
    {                                                                      \
        return bitw(ctx, a, op, dml, out);                                 \
    }

BITW_BUILTIN(bi_bitwand, KW_AND, "bitwAnd")
BITW_BUILTIN(bi_bitwor, KW_OR, "bitwOr")
BITW_BUILTIN(bi_bitwxor, KW_XOR, "bitwXor")
BITW_BUILTIN(bi_bitwshiftl, KW_SHL, "bitwShiftL")
BITW_BUILTIN(bi_bitwshiftr, KW_SHR, "bitwShiftR")

/* ---- ppred ------------------------------------------------------------------------------------- */

tsr_status bi_ppred(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BinOp ops[] = { BOP_LT, BOP_LE, BOP_GT, BOP_GE, BOP_EQ, BOP_NE };
    static const char *const names[] = { "<", "<=", ">", ">=", "==", "!=" };
    const char *s;
    if (bi_positional(ctx, a, "ppred", 3, 3) || bi_str(ctx, "ppred", "op", &a->pos[2], NULL, &s))
        return TSR_RUNTIME;
    for (int k = 0; k < 6; k++)
        if (strcmp(s, names[k]) == 0) {
            rt_warn(ctx, a->span, "ppred() is deprecated: use the relational operator %s", s);
            return rt_binop(ctx, ops[k], &a->pos[0], &a->pos[1], out);
        }
    return bi_err(ctx, "ppred(): unsupported relational operator '%s' (use <, <=, >, >=, ==, !=)",
                  s);
}

/* ---- roll, rowcumsum ---------------------------------------------------------------------------- */

tsr_status bi_roll(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat m;
    int64_t k;
    MatBlock *res = NULL;
    if (bi_positional(ctx, a, "roll", 2, 2) || bi_int(ctx, "roll", "shift", &a->pos[1], 0, &k) ||
        bi_mat(ctx, "roll", "target", &a->pos[0], &m))
        return TSR_RUNTIME;
    tsr_status st = kn_roll(m.b, k, &res, &ctx->err);
    bi_mat_done(&m);
    return bi_ret_block(st, &res, out);
}

/* One matrix argument, one kernel. */
typedef enum { OM_ROWCUMSUM, OM_SQRTM } OneMat;

static tsr_status one_mat(RtCtx *ctx, const RtArgs *a, OneMat k, const char *fn, Value *out)
{
    BiMat m;
    MatBlock *res = NULL;
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "%s() expects exactly 1 argument, found %d", fn, bi_nargs(a));
    if (bi_mat(ctx, fn, "target", arg0(a), &m)) return TSR_RUNTIME;
    tsr_status st = k == OM_ROWCUMSUM ? kn_rowcumsum(m.b, &res, &ctx->err)
                                      : kn_sqrtm(m.b, &res, &ctx->err);
    bi_mat_done(&m);
    return bi_ret_block(st, &res, out);
}

tsr_status bi_rowcumsum(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return one_mat(ctx, a, OM_ROWCUMSUM, "rowcumsum", out);
}

tsr_status bi_sqrtm(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return one_mat(ctx, a, OM_SQRTM, "sqrtMatrixJava", out);
}

/* ---- contains, interQuantile ------------------------------------------------------------------- */

tsr_status bi_contains(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const char *const names[] = { "target", "pattern", NULL };
    static const BiSig sig = { "contains", names, 2, 0 };
    const Value *v[BI_MAXP];
    double pat;
    BiMat m;
    if (bi_bind(ctx, a, &sig, v)) return TSR_RUNTIME;
    if (v[0]->dt == DT_FRAME) return bi_frame_contains(ctx, v[0], v[1], out);
    if (bi_dbl(ctx, "contains", "pattern", v[1], 0, &pat) ||
        bi_mat(ctx, "contains", "target", v[0], &m))
        return TSR_RUNTIME;
    *out = rt_bool(kn_contains(m.b, pat));
    bi_mat_done(&m);
    return TSR_OK;
}

tsr_status bi_inter_quantile(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiMat x, w = { NULL, NULL };
    double p;
    MatBlock *res = NULL;
    const char *fn = "interQuantile";
    if (bi_positional(ctx, a, fn, 2, 3) || bi_dbl(ctx, fn, "p", &a->pos[a->npos - 1], 0, &p) ||
        bi_mat(ctx, fn, "x", &a->pos[0], &x))
        return TSR_RUNTIME;
    if (a->npos == 3 && bi_mat(ctx, fn, "w", &a->pos[1], &w)) {
        bi_mat_done(&x);
        return TSR_RUNTIME;
    }
    tsr_status st = kn_inter_quantile(x.b, w.b, p, &res, &ctx->err);
    bi_mat_done(&x);
    bi_mat_done(&w);
    return bi_ret_block(st, &res, out);
}

/* ---- countDistinct variants ---------------------------------------------------------------------- */

/* dir: KD_ALL with a `dir` parameter (countDistinctApprox), else fixed.
 * The approximate forms accept `type` (the sketch) and count exactly. */
static tsr_status count_distinct(RtCtx *ctx, const RtArgs *a, const char *fn, int approx,
                                 int fixed_dir, KnDir dir, Value *out)
{
    static const char *const p_dir[] = { "target", "dir", "type", NULL };
    static const char *const p_fixed[] = { "target", "type", NULL };
    static const char *const p_plain[] = { "target", NULL };
    const BiSig sig = { fn, !fixed_dir ? p_dir : approx ? p_fixed : p_plain, 1, 0 };
    const Value *v[BI_MAXP];
    const char *d = "rc", *type;
    BiMat m;
    MatBlock *res = NULL;
    if (bi_bind(ctx, a, &sig, v)) return TSR_RUNTIME;
    const Value *tv = !fixed_dir ? v[2] : approx ? v[1] : NULL;
    if (bi_str(ctx, fn, "type", tv, "KMV", &type) ||
        (!fixed_dir && bi_str(ctx, fn, "dir", v[1], "rc", &d)))
        return TSR_RUNTIME;
    if (!fixed_dir) {
        if (strcmp(d, "rc") && strcmp(d, "r") && strcmp(d, "c"))
            return bi_err(ctx, "%s(): invalid direction '%s', must be \"rc\", \"r\" or \"c\"", fn,
                          d);
        dir = !strcmp(d, "rc") ? KD_ALL : !strcmp(d, "r") ? KD_ROW : KD_COL;
    }
    if (bi_mat(ctx, fn, "target", v[0], &m)) return TSR_RUNTIME;
    tsr_status st = kn_count_distinct(m.b, dir, &res, &ctx->err);
    bi_mat_done(&m);
    if (st != TSR_OK || dir != KD_ALL) return bi_ret_block(st, &res, out);
    *out = rt_int((int64_t)mb_get(res, 0, 0));
    mb_free(res);
    return TSR_OK;
}

tsr_status bi_count_distinct_approx(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return count_distinct(ctx, a, "countDistinctApprox", 1, 0, KD_ALL, out);
}

tsr_status bi_row_count_distinct(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return count_distinct(ctx, a, "rowCountDistinct", 0, 1, KD_ROW, out);
}

tsr_status bi_col_count_distinct(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return count_distinct(ctx, a, "colCountDistinct", 0, 1, KD_COL, out);
}

tsr_status bi_row_count_distinct_approx(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return count_distinct(ctx, a, "rowCountDistinctApprox", 1, 1, KD_ROW, out);
}

tsr_status bi_col_count_distinct_approx(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    return count_distinct(ctx, a, "colCountDistinctApprox", 1, 1, KD_COL, out);
}

/* ---- compress, decompress, local: identity --------------------------------------------------- */

tsr_status bi_identity(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "expected exactly 1 argument, found %d", bi_nargs(a));
    *out = rt_copy(arg0(a));
    return TSR_OK;
}
