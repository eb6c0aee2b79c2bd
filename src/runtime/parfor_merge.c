/*
 * parfor_merge.c - the result merge of parfor (DML.md 8.5): the final
 * values of one result variable in k workers are merged into one value,
 * starting from the variable's pre-loop value `old`:
 *
 *   compare-based   every cell whose worker value differs from old (NaN
 *                   equals NaN) is copied into the output, so writing 0
 *                   over a non-zero is visible;
 *   without compare when old has no non-zeros (a matrix of zeros, a frame
 *                   of null cells): every non-zero (non-null) cell of a
 *                   worker is copied;
 *   accumulator     (every write is `+=`): old + sum over workers of
 *                   (new - old).
 *
 * Workers are merged in worker order, so if two change the same cell the
 * later one wins (the dependency check prevents that).  A worker whose
 * value is still old's object (it never wrote the variable) is skipped.
 * Matrices merge dense into dense and CSR into CSR row by row (the output
 * is then normalised like any operation's); frames cell by cell; lists
 * element by element (scalars by value, other elements by identity).  A
 * worker value of other dimensions, schema or type replaces the whole
 * value (matrices, frames), or is an error when the data type changed.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_int.h"

static int same_num(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

/* ---- matrices ---------------------------------------------------------------------- */

/* One row of a block: CSR (idx, val, n) or dense (val, idx NULL, n = cols). */
typedef struct Row {
    const int32_t *idx;
    const double *val;
    int64_t n;
} Row;

static Row row_of(const MatBlock *m, int64_t i)
{
    Row r = {NULL, NULL, 0};
    if (m->sparse) {
        r.idx = m->idx + m->ptr[i];
        r.val = m->val + m->ptr[i];
        r.n = m->ptr[i + 1] - m->ptr[i];
    } else if (m->dense) {
        r.val = m->dense + i * m->cols;
        r.n = m->cols;
    }
    return r;
}

/* Cell j of a row given a cursor that only moves forward (CSR). */
static double row_at(const Row *r, int64_t j, int64_t *cur)
{
    if (!r->idx) return r->val ? r->val[j] : 0.0;
    while (*cur < r->n && r->idx[*cur] < j) (*cur)++;
    return *cur < r->n && r->idx[*cur] == j ? r->val[*cur] : 0.0;
}

/* Dense output: out starts as a dense copy of old. */
static void merge_dense(MatBlock *out, const MatBlock *old, const MatBlock *nw, int compare)
{
    int64_t cols = out->cols;
    for (int64_t i = 0; i < out->rows; i++) {
        double *o = out->dense + i * cols;
        const double *ov = old->dense ? old->dense + i * cols : NULL;
        Row nr = row_of(nw, i);
        if (!compare) {   /* old is all zeros: the non-zeros of the worker */
            if (nr.idx)
                for (int64_t p = 0; p < nr.n; p++) o[nr.idx[p]] = nr.val[p];
            else
                for (int64_t j = 0; j < cols; j++)
                    if (nr.val[j] != 0) o[j] = nr.val[j];
            continue;
        }
        int64_t cur = 0;
        for (int64_t j = 0; j < cols; j++) {
            double v = row_at(&nr, j, &cur), was = ov ? ov[j] : 0.0;
            if (!same_num(v, was)) o[j] = v;
        }
    }
}

/* Sorted (column, value) list of one output row. */
typedef struct Cells {
    int32_t *idx;
    double *val;
    int64_t n, cap;
} Cells;

static void cells_push(Cells *c, int32_t j, double v)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->idx = xrealloc(c->idx, (size_t)c->cap * sizeof *c->idx);
        c->val = xrealloc(c->val, (size_t)c->cap * sizeof *c->val);
    }
    c->idx[c->n] = j;
    c->val[c->n] = v;
    c->n++;
}

/* The cells of row i where worker row nr differs from old row orow
 * (compare) or is non-zero (no compare), in column order. */
static void row_changes(const Row *orow, const Row *nr, int64_t cols, int compare, Cells *ch)
{
    ch->n = 0;
    if (!compare || (!orow->idx && !orow->val)) {
        if (nr->idx) {
            for (int64_t p = 0; p < nr->n; p++) cells_push(ch, nr->idx[p], nr->val[p]);
        } else if (nr->val) {
            for (int64_t j = 0; j < cols; j++)
                if (nr->val[j] != 0) cells_push(ch, (int32_t)j, nr->val[j]);
        }
        return;
    }
    if (nr->idx) {   /* both sparse: walk the union of the two column lists */
        int64_t a = 0, b = 0;
        while (a < orow->n || b < nr->n) {
            int64_t ja = a < orow->n ? orow->idx[a] : INT64_MAX;
            int64_t jb = b < nr->n ? nr->idx[b] : INT64_MAX;
            if (ja < jb) {
                cells_push(ch, (int32_t)ja, 0.0);   /* a non-zero became zero */
                a++;
            } else if (jb < ja) {
                cells_push(ch, (int32_t)jb, nr->val[b]);
                b++;
            } else {
                if (!same_num(orow->val[a], nr->val[b])) cells_push(ch, (int32_t)jb, nr->val[b]);
                a++;
                b++;
            }
        }
        return;
    }
    int64_t cur = 0;
    for (int64_t j = 0; j < cols; j++) {
        double v = nr->val ? nr->val[j] : 0.0, was = row_at(orow, j, &cur);
        if (!same_num(v, was)) cells_push(ch, (int32_t)j, v);
    }
}

/* cur := cur overwritten by ch (both sorted); zeros drop out. */
static void apply_changes(Cells *cur, const Cells *ch, Cells *tmp)
{
    tmp->n = 0;
    int64_t a = 0, b = 0;
    while (a < cur->n || b < ch->n) {
        int64_t ja = a < cur->n ? cur->idx[a] : INT64_MAX;
        int64_t jb = b < ch->n ? ch->idx[b] : INT64_MAX;
        if (ja < jb) {
            cells_push(tmp, (int32_t)ja, cur->val[a++]);
        } else {
            if (ch->val[b] != 0) cells_push(tmp, (int32_t)jb, ch->val[b]);
            b++;
            if (ja == jb) a++;
        }
    }
    Cells t = *cur;
    *cur = *tmp;
    *tmp = t;
}

/* CSR output built row by row from old and the changed workers. */
static MatBlock *merge_sparse(const MatBlock *old, const MatBlock *const *nw, int n, int compare,
                              Err *err)
{
    MatBlock *out = mb_new_sparse(old->rows, old->cols, old->nnz + 16, err);
    if (!out) return NULL;
    Cells cur = {0}, ch = {0}, tmp = {0};
    tsr_status st = TSR_OK;
    for (int64_t i = 0; i < old->rows && st == TSR_OK; i++) {
        Row orow = row_of(old, i);
        cur.n = 0;
        for (int64_t p = 0; p < orow.n; p++) cells_push(&cur, orow.idx[p], orow.val[p]);
        for (int w = 0; w < n; w++) {
            Row nr = row_of(nw[w], i);
            row_changes(&orow, &nr, old->cols, compare, &ch);
            if (ch.n) apply_changes(&cur, &ch, &tmp);
        }
        for (int64_t p = 0; p < cur.n && st == TSR_OK; p++)
            st = mb_csr_push(out, cur.idx[p], cur.val[p], err);
        mb_csr_end_row(out, i);
    }
    free(cur.idx);
    free(cur.val);
    free(ch.idx);
    free(ch.val);
    free(tmp.idx);
    free(tmp.val);
    if (st != TSR_OK) {
        mb_free(out);
        return NULL;
    }
    return out;
}

static tsr_status merge_matrix(Interp *in, const Value *old, const Value *const *nv, int n,
                               Value *out)
{
    const MatBlock *o = rt_mat_block(old);
    const MatBlock **chg = xmalloc((size_t)(n + 1) * sizeof *chg);
    int nchg = 0;
    for (int w = 0; w < n; w++) {
        if (!nv[w] || (nv[w]->dt == DT_MATRIX && nv[w]->u.m == old->u.m)) continue;
        const MatBlock *b = rt_mat_block(nv[w]);
        if (b->rows != o->rows || b->cols != o->cols) {
            /* resized in the body: the whole value; later workers merge on it */
            free(chg);
            Value base = rt_copy(nv[w]);
            tsr_status st = merge_matrix(in, &base, nv + w + 1, n - w - 1, out);
            rt_release(&base);
            return st;
        }
        chg[nchg++] = b;
    }
    if (nchg == 0) {
        free(chg);
        *out = rt_copy(old);
        return TSR_OK;
    }
    int compare = o->nnz != 0;
    MatBlock *res;
    if (o->sparse) {
        res = merge_sparse(o, chg, nchg, compare, &in->ctx.err);
    } else {
        res = mb_copy(o, &in->ctx.err);   /* dense, like o */
        if (res) {
            for (int w = 0; w < nchg; w++) merge_dense(res, o, chg[w], compare);
            mb_recount_nnz(res);
        }
    }
    free(chg);
    if (!res) return in->ctx.err.code ? in->ctx.err.code : TSR_NOMEM;
    *out = rt_mat_take(res);
    return rt_normalize(in, out, 1);
}

/* old + sum_w (new_w - old) with the operators of the language. */
static tsr_status merge_accumulate(Interp *in, const Value *old, const Value *const *nv, int n,
                                   Value *out)
{
    Value acc = rt_copy(old);
    tsr_status st = TSR_OK;
    for (int w = 0; w < n && st == TSR_OK; w++) {
        if (!nv[w] || (nv[w]->dt == DT_MATRIX && old->dt == DT_MATRIX && nv[w]->u.m == old->u.m))
            continue;
        Value d, s;
        st = rt_op_binary(in, BOP_SUB, nv[w], old, &d);
        if (st) break;
        st = rt_op_binary(in, BOP_ADD, &acc, &d, &s);
        rt_release(&d);
        if (st) break;
        rt_release(&acc);
        acc = s;
    }
    if (st) {
        rt_release(&acc);
        return st;
    }
    *out = acc;
    return TSR_OK;
}

/* ---- frames ------------------------------------------------------------------------- */

static int frame_cell_same(const FrameBlock *a, const FrameBlock *b, int64_t r, int64_t j)
{
    int na = fr_is_null(a, r, j), nb = fr_is_null(b, r, j);
    if (na || nb) return na && nb;
    const FrColumn *ca = &a->c[j], *cb = &b->c[j];
    switch (ca->type) {
    case FR_STRING: return strcmp(ca->s[r], cb->s[r]) == 0;
    case FR_FP64:
    case FR_FP32: return same_num(ca->d[r], cb->d[r]);
    default: return ca->i[r] == cb->i[r];
    }
}

static tsr_status frame_cell_copy(FrameBlock *dst, const FrameBlock *src, int64_t r, int64_t j,
                                  Err *err)
{
    if (fr_is_null(src, r, j)) {
        fr_set_null(dst, r, j);
        return TSR_OK;
    }
    const FrColumn *cs = &src->c[j];
    FrColumn *cd = &dst->c[j];
    switch (cs->type) {
    case FR_STRING: return fr_set_text(dst, r, j, cs->s[r], err);
    case FR_FP64:
    case FR_FP32: fr_set_double(dst, r, j, cs->d[r]); return TSR_OK;
    default:
        cd->i[r] = cs->i[r];
        if (cd->na) cd->na[r] = 0;
        return TSR_OK;
    }
}

static int frame_same_shape(const FrameBlock *a, const FrameBlock *b)
{
    if (a->rows != b->rows || a->cols != b->cols) return 0;
    for (int64_t j = 0; j < a->cols; j++)
        if (a->c[j].type != b->c[j].type) return 0;
    return 1;
}

static tsr_status merge_frame(Interp *in, const Value *old, const Value *const *nv, int n,
                              Value *out)
{
    const FrameBlock *o = rt_frame_block(old);
    int64_t nonnull = 0;
    for (int64_t j = 0; j < o->cols; j++)
        for (int64_t r = 0; r < o->rows && !nonnull; r++) nonnull += !fr_is_null(o, r, j);
    Value res = rt_copy(old);
    FrameBlock *dst = NULL;
    tsr_status st = TSR_OK;
    for (int w = 0; w < n && st == TSR_OK; w++) {
        if (!nv[w] || (nv[w]->dt == DT_FRAME && nv[w]->u.f == old->u.f)) continue;
        const FrameBlock *b = rt_frame_block(nv[w]);
        if (!frame_same_shape(o, b)) {   /* resized or retyped: the whole value */
            rt_release(&res);
            res = rt_copy(nv[w]);
            dst = NULL;
            o = b;
            continue;
        }
        if (!dst && !(dst = rt_frame_mutable(&res, &in->ctx.err))) {
            st = in->ctx.err.code ? in->ctx.err.code : TSR_NOMEM;
            break;
        }
        for (int64_t j = 0; j < o->cols && st == TSR_OK; j++)
            for (int64_t r = 0; r < o->rows && st == TSR_OK; r++) {
                int take = nonnull ? !frame_cell_same(o, b, r, j) : !fr_is_null(b, r, j);
                if (take) st = frame_cell_copy(dst, b, r, j, &in->ctx.err);
            }
    }
    if (st) {
        rt_release(&res);
        return st;
    }
    *out = res;
    return TSR_OK;
}

/* ---- lists -------------------------------------------------------------------------- */

static int item_same(const Value *a, const Value *b)
{
    if (a->dt != b->dt) return 0;
    switch (a->dt) {
    case DT_SCALAR:
        if (a->vt == VT_STRING || b->vt == VT_STRING)
            return a->vt == b->vt && strcmp(a->u.s ? a->u.s : "", b->u.s ? b->u.s : "") == 0;
        if (a->vt != b->vt) return 0;
        return a->vt == VT_INT64 ? a->u.i == b->u.i
               : a->vt == VT_BOOL ? a->u.b == b->u.b
                                     : same_num(a->u.d, b->u.d);
    case DT_MATRIX: return a->u.m == b->u.m;
    case DT_FRAME: return a->u.f == b->u.f;
    case DT_LIST: return a->u.l == b->u.l;
    default: return 1;
    }
}

static tsr_status merge_list(Interp *in, const Value *old, const Value *const *nv, int n,
                             Value *out)
{
    (void)in;
    const RtList *o = old->u.l;
    Value res = rt_copy(old);
    for (int w = 0; w < n; w++) {
        if (!nv[w] || (nv[w]->dt == DT_LIST && nv[w]->u.l == o)) continue;
        const RtList *b = nv[w]->u.l;
        RtList *d = rt_list_mutable(&res);
        for (int e = 0; e < b->n; e++) {
            if (e < o->n && item_same(&o->items[e], &b->items[e])) continue;
            if (e < d->n) {
                rt_release(&d->items[e]);
                d->items[e] = rt_copy(&b->items[e]);
            } else {   /* appended in the body */
                rt_list_append(&res, rt_copy(&b->items[e]), b->names ? b->names[e] : NULL);
                d = res.u.l;
            }
        }
    }
    *out = res;
    return TSR_OK;
}

/* ---- entry ---------------------------------------------------------------------------- */

tsr_status rt_pf_merge(Interp *in, const char *name, const Value *old, const Value *const *nv,
                       int n, int accumulate, Span sp, Value *out)
{
    for (int w = 0; w < n; w++)
        if (nv[w] && nv[w]->dt != old->dt)
            return rt_fail(in, sp, "parfor result variable '%s' is a %s before the loop but a "
                           "worker left a %s (a result keeps its data type)", name,
                           rt_dt_name(old->dt), nv[w]->dt == DT_UNKNOWN ? "no value"
                                                                        : rt_dt_name(nv[w]->dt));
    if (accumulate && old->dt == DT_MATRIX) return merge_accumulate(in, old, nv, n, out);
    switch (old->dt) {
    case DT_MATRIX: return merge_matrix(in, old, nv, n, out);
    case DT_FRAME: return merge_frame(in, old, nv, n, out);
    case DT_LIST: return merge_list(in, old, nv, n, out);
    default: *out = rt_copy(old); return TSR_OK;
    }
}
