/*
 * dispatch.c - the instruction-dispatch layer of the interpreter: every
 * operation the interpreter executes goes through one rt_op_* function per
 * operation family, named by its SystemDS opcode ("+", "ba+*",
 * "rightIndex", "leftIndex", builtin names).  Today the layer counts and
 * times operations for -stats; lineage tracing and distributed operators
 * will hook in here.
 *
 * It does not evaluate expressions or attach spans (interp.c does), and it
 * implements no arithmetic itself (ops.c, builtins*.c and the kernels do).
 */
#include "runtime/rt_int.h"

#include <stdint.h>
#include <string.h>

/* ---- statistics ----------------------------------------------------------- */

void rt_stats_init(Interp *in)
{
    hm_init(&in->stat_idx);
    in->ctx.stats.nops = 0;
}

void rt_stats_free(Interp *in)
{
    hm_free(&in->stat_idx);
}

static void stats_add_n(Interp *in, const char *opcode, int64_t count, int64_t ns)
{
    RtStats *st = &in->ctx.stats;
    intptr_t k = (intptr_t)hm_get(&in->stat_idx, opcode);
    if (k == 0) {
        if (st->nops >= (int)(sizeof st->ops / sizeof st->ops[0])) return;
        k = ++st->nops;
        st->ops[k - 1].name = opcode;
        st->ops[k - 1].count = 0;
        st->ops[k - 1].ns = 0;
        hm_put(&in->stat_idx, opcode, (void *)k);
    }
    st->ops[k - 1].count += count;
    st->ops[k - 1].ns += ns;
}

void rt_stats_add(Interp *in, const char *opcode, int64_t ns)
{
    stats_add_n(in, opcode, 1, ns);
}

void rt_stats_merge(Interp *dst, const Interp *src)
{
    const RtStats *s = &src->ctx.stats;
    RtStats *d = &dst->ctx.stats;
    for (int k = 0; k < s->nops; k++)
        stats_add_n(dst, s->ops[k].name, s->ops[k].count, s->ops[k].ns);
    d->plans_compiled += s->plans_compiled;
    d->plan_hits += s->plan_hits;
    d->compile_ns += s->compile_ns;
}

const char *rt_binop_opcode(BinOp op)
{
    switch (op) {
    case BOP_MATMUL: return "ba+*";
    case BOP_AND: return "&&";
    case BOP_OR: return "||";
    default: return ast_binop_name(op);
    }
}

static const char *unop_opcode(UnOp op)
{
    switch (op) {
    case UOP_NEG: return "u-";
    case UOP_PLUS: return "u+";
    default: return "!";
    }
}

/* ---- block formats ---------------------------------------------------------------- */

/* Every matrix an operation produces gets the block format the exact nnz
 * calls for (or the forced one): kernels pick their natural output format,
 * this is the one place that decides what is kept. */
tsr_status rt_normalize(Interp *in, Value *v, int n)
{
    MbFormat f = in->ctx.block_format;
    for (int k = 0; k < n; k++)
        if (v[k].dt == DT_MATRIX && rt_obj_exclusive(&v[k].u.m->refcnt) &&
            mb_examine(v[k].u.m->blk, f, &in->ctx.err))
            return in->ctx.err.code;
    return TSR_OK;
}

/* ---- operators and builtins -------------------------------------------------- */

tsr_status rt_op_binary(Interp *in, BinOp op, const Value *a, const Value *b, Value *out)
{
    int64_t t0 = rt_stats_t0(in);
    tsr_status st = rt_binop(&in->ctx, op, a, b, out);
    if (st == TSR_OK) st = rt_normalize(in, out, 1);
    rt_stats_end(in, rt_binop_opcode(op), t0);
    return st;
}

/* ---- fused matrix products (patterns recognised by interp_mm.c) ---------------- */

/* A kernel's new block as the operation's value, in the normalised format. */
static tsr_status take_block(Interp *in, tsr_status st, MatBlock *res, Value *out)
{
    if (st != TSR_OK) return st;
    *out = rt_mat_take(res);
    return rt_normalize(in, out, 1);
}

tsr_status rt_op_matmul_ex(Interp *in, const Value *a, int ta, const Value *b, int tb,
                           Value *out)
{
    int64_t t0 = rt_stats_t0(in);
    MatBlock *res = NULL;
    tsr_status st = kn_matmul_ex(&in->ctx.par, rt_mat_block(a), ta, rt_mat_block(b), tb, &res,
                                 &in->ctx.err);
    st = take_block(in, st, res, out);
    rt_stats_end(in, "ba+*", t0);
    return st;
}

tsr_status rt_op_tsmm(Interp *in, const Value *x, int left, Value *out)
{
    int64_t t0 = rt_stats_t0(in);
    MatBlock *res = NULL;
    tsr_status st = kn_tsmm(&in->ctx.par, rt_mat_block(x), left, &res, &in->ctx.err);
    st = take_block(in, st, res, out);
    rt_stats_end(in, "tsmm", t0);
    return st;
}

/* t(X) %*% (X * w): one pass for dense X and an n x 1 w, else the unfused
 * operations (same values and errors as written). */
tsr_status rt_op_tsmm_w(Interp *in, const Value *x, const Value *w, Value *out)
{
    const MatBlock *xb = rt_mat_block(x), *wb = w->dt == DT_MATRIX ? rt_mat_block(w) : NULL;
    if (!xb->sparse && wb && !wb->sparse && wb->rows == xb->rows && wb->cols == 1) {
        int64_t t0 = rt_stats_t0(in);
        MatBlock *res = NULL;
        tsr_status st = kn_tsmm_w(&in->ctx.par, xb, wb, &res, &in->ctx.err);
        st = take_block(in, st, res, out);
        rt_stats_end(in, "wtsmm", t0);
        return st;
    }
    Value s;
    tsr_status st = rt_op_binary(in, BOP_MUL, x, w, &s);
    if (st) return st;
    st = rt_op_matmul_ex(in, x, 1, &s, 0, out);
    rt_release(&s);
    return st;
}

/* t(X) %*% cbind(X * w, V): one pass for dense X, w n x 1 and V, else the
 * unfused operations (same values up to rounding, same errors). */
tsr_status rt_op_gram(Interp *in, const Value *x, const Value *w, const Value *v, Value *out)
{
    const MatBlock *xb = rt_mat_block(x), *wb = w->dt == DT_MATRIX ? rt_mat_block(w) : NULL;
    const MatBlock *vb = v->dt == DT_MATRIX ? rt_mat_block(v) : NULL;
    if (!xb->sparse && wb && !wb->sparse && wb->rows == xb->rows && wb->cols == 1 && vb &&
        !vb->sparse && vb->rows == xb->rows) {
        int64_t t0 = rt_stats_t0(in);
        MatBlock *res = NULL;
        tsr_status st = kn_gram(&in->ctx.par, xb, wb, vb, &res, &in->ctx.err);
        st = take_block(in, st, res, out);
        rt_stats_end(in, "gram", t0);
        return st;
    }
    if (!vb) return err_set(&in->ctx.err, TSR_RUNTIME, "cbind: arguments must be matrices");
    Value s, cb;
    tsr_status st = rt_op_binary(in, BOP_MUL, x, w, &s);
    if (st) return st;
    const MatBlock *parts[2] = { rt_mat_block(&s), vb };
    MatBlock *res = NULL;
    st = kn_cbind(&in->ctx.par, parts, 2, &res, &in->ctx.err);
    st = take_block(in, st, res, &cb);
    rt_release(&s);
    if (st) return st;
    st = rt_op_matmul_ex(in, x, 1, &cb, 0, out);
    rt_release(&cb);
    return st;
}

tsr_status rt_op_mmchain(Interp *in, const Value *x, const Value *v, const Value *w, Value *out)
{
    int64_t t0 = rt_stats_t0(in);
    MatBlock *res = NULL;
    tsr_status st = kn_mmchain(&in->ctx.par, rt_mat_block(x), rt_mat_block(v),
                               w ? rt_mat_block(w) : NULL, &res, &in->ctx.err);
    st = take_block(in, st, res, out);
    rt_stats_end(in, "mmchain", t0);
    return st;
}

/* mmchain that also returns X %*% v: out is the list [chain, X v]. */
tsr_status rt_op_mmchain_xv(Interp *in, const Value *x, const Value *v, const Value *w,
                            Value *out)
{
    int64_t t0 = rt_stats_t0(in);
    MatBlock *res = NULL, *xv = NULL;
    Value a, b;
    tsr_status st = kn_mmchain_xv(&in->ctx.par, rt_mat_block(x), rt_mat_block(v),
                                  w ? rt_mat_block(w) : NULL, &res, &xv, &in->ctx.err);
    if (st == TSR_OK) {   /* a and b own the blocks from here, also on errors */
        tsr_status sa = take_block(in, TSR_OK, res, &a);
        tsr_status sb = take_block(in, TSR_OK, xv, &b);
        st = sa ? sa : sb;
        if (st) {
            rt_release(&a);
            rt_release(&b);
        }
    }
    if (st == TSR_OK) {
        *out = rt_list_new(0);
        rt_list_append(out, a, NULL);
        rt_list_append(out, b, NULL);
    }
    rt_stats_end(in, "mmchain", t0);
    return st;
}

tsr_status rt_op_fused(Interp *in, const char *opcode, const KnFuseProg *p, const KnFuseIn *ins,
                       int nin, int64_t rows, int64_t cols, MatBlock **mats, double *scalars)
{
    int64_t t0 = rt_stats_t0(in);
    for (int k = 0; k < p->nouts; k++) mats[k] = NULL;
    tsr_status st = kn_fused(&in->ctx.par, p, ins, nin, rows, cols, mats, scalars, &in->ctx.err);
    for (int k = 0; k < p->nouts && st == TSR_OK; k++)
        if (mats[k] && mb_examine(mats[k], in->ctx.block_format, &in->ctx.err))
            st = in->ctx.err.code;
    if (st)
        for (int k = 0; k < p->nouts; k++) {
            mb_free(mats[k]);
            mats[k] = NULL;
        }
    rt_stats_end(in, opcode, t0);
    return st;
}

tsr_status rt_op_unary(Interp *in, UnOp op, const Value *a, Value *out)
{
    int64_t t0 = rt_stats_t0(in);
    tsr_status st = rt_unop(&in->ctx, op, a, out);
    if (st == TSR_OK) st = rt_normalize(in, out, 1);
    rt_stats_end(in, unop_opcode(op), t0);
    return st;
}

tsr_status rt_op_builtin(Interp *in, const RtBuiltin *b, RtArgs *args, Value *out, int nout)
{
    int64_t t0 = rt_stats_t0(in);
    err_clear(&in->ctx.err);   /* no error is pending when an operation starts */
    for (int k = 0; k < nout; k++) memset(&out[k], 0, sizeof out[k]);   /* DT_UNKNOWN: no value */
    tsr_status st = b->fn(&in->ctx, args, out, nout);
    if (st != TSR_OK && in->ctx.err.code == TSR_OK) in->ctx.err.code = st;
    if (st == TSR_OK) st = rt_normalize(in, out, nout);
    rt_stats_end(in, b->name, t0);
    return st;
}

/* ---- indexing -------------------------------------------------------------------- */

static tsr_status bounds_error(Interp *in, const IdxBounds *ix, const MatBlock *m)
{
    return err_set(&in->ctx.err, TSR_RUNTIME,
                   "Invalid values for matrix indexing: [%lld:%lld,%lld:%lld] must be within "
                   "matrix dimensions [%lld,%lld]",
                   (long long)ix->rl, (long long)ix->ru, (long long)ix->cl, (long long)ix->cu,
                   (long long)m->rows, (long long)m->cols);
}

static int in_bounds(const IdxBounds *ix, const MatBlock *m)
{
    return ix->rl >= 1 && ix->rl <= ix->ru && ix->ru <= m->rows && ix->cl >= 1 &&
           ix->cl <= ix->cu && ix->cu <= m->cols;
}

/* ---- frame indexing: the same bounds rules, frame results ---------------------- */

static int frame_in_bounds(const IdxBounds *ix, const FrameBlock *f)
{
    return ix->rl >= 1 && ix->rl <= ix->ru && ix->ru <= f->rows && ix->cl >= 1 &&
           ix->cl <= ix->cu && ix->cu <= f->cols;
}

static tsr_status frame_bounds_error(Interp *in, const IdxBounds *ix, const FrameBlock *f)
{
    return err_set(&in->ctx.err, TSR_RUNTIME,
                   "Invalid values for frame indexing: [%lld:%lld,%lld:%lld] must be within "
                   "frame dimensions [%lld,%lld]",
                   (long long)ix->rl, (long long)ix->ru, (long long)ix->cl, (long long)ix->cu,
                   (long long)f->rows, (long long)f->cols);
}

static tsr_status frame_rindex(Interp *in, const FrameBlock *f, const IdxBounds *ix, Value *out)
{
    FrameBlock *r = NULL;
    if (!frame_in_bounds(ix, f)) return frame_bounds_error(in, ix, f);
    tsr_status st = fr_slice(f, ix->rl - 1, ix->ru - 1, ix->cl - 1, ix->cu - 1, &r, &in->ctx.err);
    if (st == TSR_OK) *out = rt_frame_take(r);
    return st;
}

/* F[..] = G (same shape) or F[i, j] = scalar; converts to F's column types. */
static tsr_status frame_lindex(Interp *in, Value *target, const IdxBounds *ix, const Value *rhs)
{
    Err *err = &in->ctx.err;
    const FrameBlock *t = rt_frame_block(target);
    if (!frame_in_bounds(ix, t)) return frame_bounds_error(in, ix, t);
    int64_t nr = ix->ru - ix->rl + 1, nc = ix->cu - ix->cl + 1;
    if (rhs->dt == DT_SCALAR) {
        if (nr != 1 || nc != 1)
            return err_set(err, TSR_RUNTIME, "Invalid index range of scalar leftindexing: "
                           "[%lld:%lld,%lld:%lld].", (long long)ix->rl, (long long)ix->ru,
                           (long long)ix->cl, (long long)ix->cu);
        StrBuf sb;
        sb_init(&sb);
        rt_scalar_to_string(rhs, &sb);
        FrameBlock *f = rt_frame_mutable(target, err);
        tsr_status st = f ? fr_set_text(f, ix->rl - 1, ix->cl - 1, sb.s ? sb.s : "", err)
                          : err->code;
        sb_free(&sb);
        return st;
    }
    if (rhs->dt != DT_FRAME)
        return err_set(err, TSR_RUNTIME, "Invalid left indexing: cannot assign a %s into a "
                       "frame (use as.frame)", rt_dt_name(rhs->dt));
    const FrameBlock *src = rt_frame_block(rhs);
    if (src->rows != nr || src->cols != nc)
        return err_set(err, TSR_RUNTIME, "Invalid values for frame indexing: dimensions of the "
                       "source frame [%lldx%lld] do not match the shape of the frame specified "
                       "by indices [%lld:%lld,%lld:%lld]", (long long)src->rows,
                       (long long)src->cols, (long long)ix->rl, (long long)ix->ru,
                       (long long)ix->cl, (long long)ix->cu);
    FrameBlock *f = rt_frame_mutable(target, err);
    return f ? fr_assign(f, ix->rl - 1, ix->cl - 1, src, err) : err->code;
}

tsr_status rt_op_rindex(Interp *in, const Value *x, const IdxBounds *ix, Value *out)
{
    int64_t t0 = rt_stats_t0(in);
    if (x->dt == DT_FRAME) {
        tsr_status fst = frame_rindex(in, rt_frame_block(x), ix, out);
        rt_stats_end(in, "rightIndex", t0);
        return fst;
    }
    const MatBlock *m = rt_mat_block(x), *cp = x->u.m->colpart;
    MatBlock *r = NULL;
    tsr_status st;
    if (!in_bounds(ix, m)) {
        st = bounds_error(in, ix, m);
    } else if (cp && ix->cl == ix->cu) {
        /* one column from the column partition: row cl of the transpose,
         * which has the layout of the column vector */
        st = kn_slice(&in->ctx.par, cp, ix->cl, ix->cl, ix->rl, ix->ru, &r, &in->ctx.err);
        if (st == TSR_OK && !r->sparse) {
            r->rows = r->cols;
            r->cols = 1;
        } else if (st == TSR_OK) {
            mb_free(r);
            r = NULL;
            st = kn_slice(&in->ctx.par, m, ix->rl, ix->ru, ix->cl, ix->cu, &r, &in->ctx.err);
        }
    } else {
        st = kn_slice(&in->ctx.par, m, ix->rl, ix->ru, ix->cl, ix->cu, &r, &in->ctx.err);
    }
    if (st == TSR_OK) {
        *out = rt_mat_take(r);
        st = rt_normalize(in, out, 1);
    }
    rt_stats_end(in, "rightIndex", t0);
    return st;
}

static tsr_status lindex_scalar(Interp *in, Value *target, const IdxBounds *ix, double v)
{
    if (ix->rl != ix->ru || ix->cl != ix->cu)
        return err_set(&in->ctx.err, TSR_RUNTIME,
                       "Invalid index range of scalar leftindexing: [%lld:%lld,%lld:%lld].",
                       (long long)ix->rl, (long long)ix->ru, (long long)ix->cl,
                       (long long)ix->cu);
    MatBlock *m = rt_mat_mutable(target, &in->ctx.err);
    if (!m) return in->ctx.err.code;
    return kn_assign_cell(m, ix->rl, ix->cl, v, &in->ctx.err);
}

/* Largest dense form a sparse left-indexing target is converted to. */
#define LINDEX_DENSIFY_MAX_BYTES (1024.0 * 1024 * 1024)

static tsr_status lindex_matrix(Interp *in, Value *target, const IdxBounds *ix,
                                const MatBlock *src)
{
    MatBlock *m = rt_mat_mutable(target, &in->ctx.err);
    if (!m) return in->ctx.err.code;
    /* A dense slice written into a CSR block shifts every later row pointer
     * (O(rows) per update: a row-filling loop would be quadratic).  In AUTO
     * format the target turns dense first when that is affordable, so each
     * further update costs only its slice. */
    int64_t cells = src->rows * src->cols;
    if (m->sparse && in->ctx.block_format == MB_FMT_AUTO && cells > 0 &&
        (double)src->nnz >= MB_SPARSITY_TURN_POINT * (double)cells &&
        8.0 * (double)m->rows * (double)m->cols <= LINDEX_DENSIFY_MAX_BYTES &&
        mb_to_dense_inplace(m, &in->ctx.err) != TSR_OK)
        return in->ctx.err.code;
    return kn_assign_slice(m, ix->rl, ix->ru, ix->cl, ix->cu, src, &in->ctx.err);
}

tsr_status rt_op_lindex(Interp *in, Value *target, const IdxBounds *ix, const Value *rhs)
{
    int64_t t0 = rt_stats_t0(in);
    tsr_status st;
    if (target->dt == DT_FRAME) {
        st = frame_lindex(in, target, ix, rhs);
        rt_stats_end(in, "leftIndex", t0);
        return st;
    }
    if (!in_bounds(ix, rt_mat_block(target)))
        st = bounds_error(in, ix, rt_mat_block(target));
    else if (rhs->dt == DT_SCALAR)
        st = lindex_scalar(in, target, ix, rt_as_double(rhs));
    else if (rhs->dt == DT_MATRIX)
        st = lindex_matrix(in, target, ix, rt_mat_block(rhs));
    else
        st = err_set(&in->ctx.err, TSR_RUNTIME,
                     "Invalid left indexing: cannot assign a %s into a matrix",
                     rt_dt_name(rhs->dt));
    /* a forced format is kept through in-place updates too (AUTO keeps the
     * target's format: re-deciding per cell update would thrash in loops) */
    if (st == TSR_OK && in->ctx.block_format != MB_FMT_AUTO)
        st = rt_normalize(in, target, 1);
    rt_stats_end(in, "leftIndex", t0);
    return st;
}
