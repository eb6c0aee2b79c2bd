/*
 * rewrite.c - the rewrites of a block's HOP DAG (compiler.h): constant
 * folding, algebraic simplifications, matrix-chain ordering, physical
 * operator choice for products, and a final common-subexpression pass.
 *
 * Rewrites run bottom-up from the statement roots: a node's inputs are
 * rewritten first, then the rules are tried on the node, and a replacement
 * is rewritten again.  A replaced node forwards to its replacement (fwd).
 * Every rule states its guard; rules that would change the value, the sign
 * of a zero, NaN/Inf propagation or an error are guarded off (dimensions
 * must be known and compatible wherever an error could arise).
 */
#include "compiler/compiler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* mmchain with v of more columns than this stays two products. */
#define CP_MMCHAIN_MAX_COLS 16

typedef struct Rw {
    CpPlan *p;
    const CpOpts *o;
    Hop **memo;      /* by id: rewritten node */
    int cap;
    HMap cse;        /* structural key -> node (cse_rule) */
} Rw;

static Hop *rw_node(Rw *r, Hop *h);

static int is_call(const Hop *h, HopFn fn)
{
    return h->kind == HOP_CALL && h->fn == fn;
}

static int is_matmul(const Hop *h)
{
    return h->kind == HOP_BIN && h->op == BOP_MATMUL && h->phys == PH_DEFAULT;
}

/* ---- run-time guards ----------------------------------------------------------------- */

/* Magnitude below which no sum of products can overflow (with margin). */
#define GUARD_TOTAL 1e300

/* Whether the guards "every x in xs is finite with max |x| <= limit" can be
 * attached: all are block inputs (matrices) and guarded rewrites are on.
 * Records them (the tightest limit per variable wins). */
static int guard(Rw *r, Hop **xs, int n, double limit)
{
    CpPlan *p = r->p;
    if (r->o->no_guarded || !(limit > 0) || !isfinite(limit)) return 0;
    for (int k = 0; k < n; k++) {
        const Hop *x = is_call(xs[k], HF_T) ? xs[k]->in[0] : xs[k];   /* t(X): X's cells */
        if (x->kind != HOP_VAR || x->dt != DT_MATRIX) return 0;
    }
    for (int k = 0; k < n; k++) {
        const Hop *x = is_call(xs[k], HF_T) ? xs[k]->in[0] : xs[k];
        int found = 0;
        for (int g = 0; g < p->nguards; g++)
            if (!strcmp(p->guards[g].var, x->name)) {
                if (limit < p->guards[g].limit) p->guards[g].limit = limit;
                found = 1;
            }
        if (found) continue;
        p->guards = xrealloc(p->guards, (size_t)(p->nguards + 1) * sizeof *p->guards);
        p->guards[p->nguards].var = x->name;
        p->guards[p->nguards++].limit = limit;
    }
    return 1;
}

/* ---- constant folding ---------------------------------------------------------------- */

static int scalar_lit(const Hop *h)
{
    return h->kind == HOP_LIT && h->lit.dt == DT_SCALAR;
}

static Hop *lit_of(Rw *r, Value v, const Hop *like)
{
    Hop *h = hop_new(r->p, HOP_LIT, 0);
    h->lit = v;
    h->span = like->span;
    h->expr = like->expr;
    hop_infer(h);
    r->p->rw.folded++;
    return h;
}

/* Scalar operators on literals, computed by the runtime's own operator
 * semantics; an operation that fails stays (its error happens at run time,
 * at its location). */
static Hop *fold(Rw *r, Hop *h)
{
    RtCtx scratch;
    Value v;
    memset(&scratch, 0, sizeof scratch);
    memset(&v, 0, sizeof v);
    if (h->kind == HOP_BIN && scalar_lit(h->in[0]) && scalar_lit(h->in[1])) {
        if (rt_binop(&scratch, (BinOp)h->op, &h->in[0]->lit, &h->in[1]->lit, &v)) return h;
        return lit_of(r, v, h);
    }
    if (h->kind == HOP_UN && scalar_lit(h->in[0])) {
        if (rt_unop(&scratch, (UnOp)h->op, &h->in[0]->lit, &v)) return h;
        return lit_of(r, v, h);
    }
    if (h->kind == HOP_CALL && h->nin == 1 && hop_is_matrix(h->in[0]) &&
        hop_dims_known(h->in[0])) {   /* sizes are known: dynamic recompilation */
        const Hop *x = h->in[0];
        if (h->fn == HF_NROW) return lit_of(r, rt_int(x->rows), h);
        if (h->fn == HF_NCOL) return lit_of(r, rt_int(x->cols), h);
        if (h->fn == HF_LENGTH) return lit_of(r, rt_int(x->rows * x->cols), h);
    }
    return h;
}

/* ---- algebraic simplifications ------------------------------------------------------ */

static Hop *simplified(Rw *r, Hop *to)
{
    r->p->rw.simplified++;
    return to;
}

/* X * 1, 1 * X, X / 1, X - 0, X ^ 1 -> X; X + 0, 0 + X -> X when X can
 * never be -0.0 (-0 + 0 is +0).  Matrices only (scalars may change their
 * value type). */
static Hop *identity_ops(Rw *r, Hop *h)
{
    Hop *a = h->in[0], *b = h->in[1];
    switch ((BinOp)h->op) {
    case BOP_MUL:
        if (hop_is_matrix(a) && hop_is_num(b, 1)) return simplified(r, a);
        if (hop_is_matrix(b) && hop_is_num(a, 1)) return simplified(r, b);
        break;
    case BOP_DIV: case BOP_POW:
        if (hop_is_matrix(a) && hop_is_num(b, 1)) return simplified(r, a);
        break;
    case BOP_SUB:
        if (hop_is_matrix(a) && hop_is_num(b, 0)) return simplified(r, a);
        break;
    case BOP_ADD:
        if (hop_is_matrix(a) && hop_is_num(b, 0) && (a->flags & HOPF_NONEGZ))
            return simplified(r, a);
        if (hop_is_matrix(b) && hop_is_num(a, 0) && (b->flags & HOPF_NONEGZ))
            return simplified(r, b);
        break;
    default:
        break;
    }
    return h;
}

static Hop *call1(Rw *r, const char *name, Hop *x, const Hop *like)
{
    Hop *in[1] = { x };
    Hop *h = hop_call(r->p, name, in, 1, like->span);
    h->expr = like->expr;
    return h;
}

/* sum(t(X)) -> sum(X) (also mean, min, max: the same cells);
 * rowSums(X) of a column vector and colSums(X) of a row vector -> X + 0
 * (a sum of one cell is that cell, but -0 becomes +0). */
static Hop *agg_rules(Rw *r, Hop *h)
{
    Hop *x = h->in[0];
    if (h->dir == KD_ALL && is_call(x, HF_T) && (h->agg == KA_MIN || h->agg == KA_MAX))
        return simplified(r, call1(r, h->name, x->in[0], h));   /* any order: same value */
    if (h->dir == KD_ALL && is_call(x, HF_T) && (h->agg == KA_SUM || h->agg == KA_MEAN) &&
        hop_dims_known(x)) {   /* another summation order: guarded against overflow */
        Hop *in[1] = { x->in[0] };
        double cells = (double)x->rows * (double)x->cols + 1;
        if (guard(r, in, 1, GUARD_TOTAL / cells))
            return simplified(r, call1(r, h->name, x->in[0], h));
    }
    if (h->agg == KA_SUM && hop_dims_known(x) &&
        ((h->dir == KD_ROW && x->cols == 1) || (h->dir == KD_COL && x->rows == 1)))
        return simplified(r, hop_bin(r->p, BOP_ADD, x, hop_lit_double(r->p, 0.0), h->span));
    return h;
}

/* trace(X %*% Y) -> sum(X * t(Y)) and sum(X %*% Y) -> sum(t(colSums(X)) *
 * rowSums(Y)) for block inputs of compatible, known shapes; the product is
 * never formed.  Only the summation order changes: guarded (no overflow,
 * no Inf whose 0 * Inf a sparse product would skip). */
static Hop *product_sums(Rw *r, Hop *h)
{
    Hop *m = h->in[0];
    if (!is_matmul(m) || m->nuses > 1 || (m->flags & HOPF_SIZE_ERR) || !hop_dims_known(m))
        return h;
    Hop *x = m->in[0], *y = m->in[1];
    Hop *xy[2] = { x, y };
    /* |each product| <= Mx My, at most rows * inner * cols terms */
    double terms = (double)x->rows * (double)x->cols * (double)y->cols + 1;
    if (is_call(h, HF_TRACE) && m->rows == m->cols) {
        if (!guard(r, xy, 2, sqrt(GUARD_TOTAL / terms))) return h;
        Hop *prod = hop_bin(r->p, BOP_MUL, x, call1(r, "t", y, h), h->span);
        return simplified(r, call1(r, "sum", prod, h));
    }
    if (is_call(h, HF_AGG) && h->agg == KA_SUM && h->dir == KD_ALL) {
        if (!guard(r, xy, 2, sqrt(GUARD_TOTAL / terms))) return h;
        Hop *cs = call1(r, "t", call1(r, "colSums", x, h), h);
        Hop *prod = hop_bin(r->p, BOP_MUL, cs, call1(r, "rowSums", y, h), h->span);
        return simplified(r, call1(r, "sum", prod, h));
    }
    return h;
}

/* (A %*% B) + (A %*% C) -> A %*% (B + C), and (B %*% A) + (C %*% A) ->
 * (B + C) %*% A: one product instead of two, for single-use products of
 * known, compatible shapes over guarded block inputs. */
static Hop *distribute(Rw *r, Hop *h)
{
    Hop *l = h->in[0], *g = h->in[1];
    if (h->op != BOP_ADD || !is_matmul(l) || !is_matmul(g) || l->nuses > 1 || g->nuses > 1)
        return h;
    if (!hop_dims_known(l) || (l->flags | g->flags) & HOPF_SIZE_ERR) return h;
    if (l->rows != g->rows || l->cols != g->cols) return h;
    Hop *xs[3] = { l->in[0], l->in[1], g->in[1] };
    double lim = cbrt(GUARD_TOTAL / (2.0 * (double)l->in[0]->cols * (double)l->in[0]->rows + 2));
    if (l->in[0] == g->in[0] && l->in[1]->rows == g->in[1]->rows &&
        l->in[1]->cols == g->in[1]->cols && guard(r, xs, 3, lim)) {
        Hop *s = hop_bin(r->p, BOP_ADD, l->in[1], g->in[1], h->span);
        return simplified(r, hop_bin(r->p, BOP_MATMUL, l->in[0], s, h->span));
    }
    xs[0] = l->in[1];
    xs[1] = l->in[0];
    xs[2] = g->in[0];
    lim = cbrt(GUARD_TOTAL / (2.0 * (double)l->in[1]->rows * (double)l->in[1]->cols + 2));
    if (l->in[1] == g->in[1] && l->in[0]->rows == g->in[0]->rows &&
        l->in[0]->cols == g->in[0]->cols && guard(r, xs, 3, lim)) {
        Hop *s = hop_bin(r->p, BOP_ADD, l->in[0], g->in[0], h->span);
        return simplified(r, hop_bin(r->p, BOP_MATMUL, s, l->in[1], h->span));
    }
    return h;
}

/* ---- matrix-chain ordering ---------------------------------------------------------- */

#define CHAIN_MAX 16

/* Collects the operands of a chain of single-use products into ops[]. */
static int chain_collect(Hop *h, int top, Hop **ops, int n)
{
    if (n < 0) return -1;
    if (is_matmul(h) && (top || h->nuses == 1) && !(h->flags & HOPF_SIZE_ERR)) {
        n = chain_collect(h->in[0], 0, ops, n);
        return chain_collect(h->in[1], 0, ops, n);
    }
    if (n >= CHAIN_MAX || !hop_dims_known(h)) return -1;
    ops[n] = h;
    return n + 1;
}

/* Flops of the chain's products as written. */
static double chain_cost(const Hop *h, int top)
{
    if (!is_matmul(h) || (!top && h->nuses != 1)) return 0;
    return (double)h->in[0]->rows * (double)h->in[0]->cols * (double)h->in[1]->cols +
           chain_cost(h->in[0], 0) + chain_cost(h->in[1], 0);
}

/* The product of ops[i..j] in the order of split[][]. */
static Hop *chain_build(Rw *r, Hop **ops, int s[CHAIN_MAX][CHAIN_MAX], int i, int j, Span sp)
{
    if (i == j) return ops[i];
    int k = s[i][j];
    return hop_bin(r->p, BOP_MATMUL, chain_build(r, ops, s, i, k, sp),
                   chain_build(r, ops, s, k + 1, j, sp), sp);
}

/* Left-deep (as written) cost vs the optimal parenthesisation by dynamic
 * programming on the dimensions (flops of dense products). */
static Hop *chain_order(Rw *r, Hop *h)
{
    Hop *ops[CHAIN_MAX];
    int n = chain_collect(h, 1, ops, 0);
    if (n < 3) return h;
    double d[CHAIN_MAX + 1], cost[CHAIN_MAX][CHAIN_MAX];
    int s[CHAIN_MAX][CHAIN_MAX];
    for (int k = 0; k < n; k++) {
        d[k] = (double)ops[k]->rows;
        if (k > 0 && ops[k]->rows != ops[k - 1]->cols) return h;
    }
    d[n] = (double)ops[n - 1]->cols;
    for (int k = 0; k < n; k++) cost[k][k] = 0;
    for (int len = 2; len <= n; len++)
        for (int i = 0; i + len - 1 < n; i++) {
            int j = i + len - 1;
            cost[i][j] = INFINITY;
            for (int k = i; k < j; k++) {
                double c = cost[i][k] + cost[k + 1][j] + d[i] * d[k + 1] * d[j + 1];
                if (c < cost[i][j]) {
                    cost[i][j] = c;
                    s[i][j] = k;
                }
            }
        }
    double written = chain_cost(h, 1);
    if (cost[0][n - 1] >= written * 0.999) return h;
    /* another association: every entry of every intermediate is at most
     * prod(M_k) * prod(inner dims) */
    double inner = 1;
    for (int k = 1; k < n; k++) inner *= d[k];
    if (!guard(r, ops, n, pow(GUARD_TOTAL / (inner + 1), 1.0 / n))) return h;
    r->p->rw.chains++;
    Hop *res = chain_build(r, ops, s, 0, n - 1, h->span);
    res->expr = h->expr;
    return res;
}

/* ---- physical operators of products -------------------------------------------------- */

static Hop *t_arg(Hop *h)
{
    return is_call(h, HF_T) && hop_is_matrix(h->in[0]) ? h->in[0] : NULL;
}

static Hop *phys(Rw *r, Hop *h, HopPhys ph, Hop *a, Hop *b, Hop *c)
{
    Hop *n = hop_new(r->p, HOP_BIN, c ? 3 : (b ? 2 : 1));
    n->op = BOP_MATMUL;
    n->phys = ph;
    n->in[0] = a;
    if (b) n->in[1] = b;
    if (c) n->in[2] = c;
    n->expr = h->expr;
    n->span = h->span;
    n->dt = DT_MATRIX;
    n->vt = VT_FP64;
    n->rows = h->rows;
    n->cols = h->cols;
    n->nnz = h->nnz;
    n->mem = h->mem;
    r->p->rw.physical++;
    return n;
}

/* Whether node `from` is, or is computed from, node `target`. */
static int depends_on(const CpPlan *p, Hop *from, const Hop *target)
{
    char *seen = xcalloc((size_t)p->nhops + 1, 1);
    Hop **stack = xmalloc(((size_t)p->nhops + 1) * sizeof *stack);
    int n = 0, found = 0;
    stack[n++] = from;
    while (n && !found) {
        Hop *h = stack[--n];
        if (seen[h->id]) continue;
        seen[h->id] = 1;
        found = h == target;
        for (int k = 0; k < h->nin; k++)
            if (!seen[h->in[k]->id]) stack[n++] = h->in[k];
    }
    free(seen);
    free(stack);
    return found;
}

/* The right operand of t(X) %*% r as an mmchain over X: r = X %*% v,
 * w * (X %*% v) or (X %*% v) * w with w n x 1 (a left w needs v with one
 * column: broadcasting is only from the right). */
static Hop *mmchain(Rw *r, Hop *h, Hop *x, Hop *rhs)
{
    if (!hop_dims_known(x)) return NULL;
    Hop *prod = NULL, *w = NULL;
    int w_left = 0;
    if (is_matmul(rhs) && rhs->in[0] == x) {
        prod = rhs;
    } else if (rhs->kind == HOP_BIN && rhs->op == BOP_MUL && rhs->nuses == 1) {
        if (is_matmul(rhs->in[1]) && rhs->in[1]->in[0] == x) {
            prod = rhs->in[1];
            w = rhs->in[0];
            w_left = 1;
        } else if (is_matmul(rhs->in[0]) && rhs->in[0]->in[0] == x) {
            prod = rhs->in[0];
            w = rhs->in[1];
        }
    }
    if (!prod || (prod->flags & HOPF_SIZE_ERR)) return NULL;
    Hop *v = prod->in[1];
    if (!hop_is_matrix(v) || !hop_dims_known(v) || v->rows != x->cols || v->cols < 1 ||
        v->cols > CP_MMCHAIN_MAX_COLS)
        return NULL;
    if (w && (!hop_is_matrix(w) || !hop_dims_known(w) || w->rows != x->rows || w->cols != 1 ||
              (w_left && v->cols != 1)))
        return NULL;
    if (prod->nuses == 1) return phys(r, h, PH_MMCHAIN, x, v, w);
    /* X %*% v is used elsewhere too: the chain outputs it as well (one pass
     * instead of two), unless the weight is computed from it */
    if (w && depends_on(r->p, w, prod)) return NULL;
    Hop *m = phys(r, h, PH_MMCHAIN_XV, x, v, w);
    m->dt = DT_LIST;
    m->nouts = 2;
    m->mem = h->mem + prod->mem;
    Hop *o0 = hop_new(r->p, HOP_OUT, 1), *o1 = hop_new(r->p, HOP_OUT, 1);
    const Hop *like[2] = { h, prod };
    Hop *outs[2] = { o0, o1 };
    for (int k = 0; k < 2; k++) {
        Hop *o = outs[k];
        o->in[0] = m;
        o->op = k;
        o->dt = DT_MATRIX;
        o->vt = VT_FP64;
        o->rows = like[k]->rows;
        o->cols = like[k]->cols;
        o->nnz = like[k]->nnz;
        o->mem = like[k]->mem;
        o->expr = like[k]->expr;
        o->span = like[k]->span;
    }
    prod->fwd = o1;
    prod->dead = 1;
    return o0;
}

/* t(X) %*% cbind(X * w, V_1, ..., V_c) with w n x 1: the weighted Gram
 * matrix and t(X) V in one pass over X (in = X, w, V; V the cbind of the
 * V_i, or V_1 alone). */
static Hop *gram(Rw *r, Hop *h, Hop *x, Hop *cb)
{
    if (cb->kind != HOP_CALL || cb->op < 0 || strcmp(cb->name, "cbind") != 0 || cb->nin < 2 ||
        cb->nuses != 1 || !hop_dims_known(x) || x->cols < 2)
        return NULL;
    for (int k = 0; k < cb->nin; k++) {
        const Hop *v = cb->in[k];
        if (cb->argnames[k] || !hop_is_matrix(v) || !hop_dims_known(v) || v->rows != x->rows)
            return NULL;
    }
    Hop *m = cb->in[0], *w = m->nin == 2 ? m->in[1] : NULL;
    if (m->kind != HOP_BIN || m->op != BOP_MUL || m->nuses != 1 || m->in[0] != x ||
        !hop_is_matrix(w) || !hop_dims_known(w) || w->rows != x->rows || w->cols != 1)
        return NULL;
    Hop *v = cb->nin == 2 ? cb->in[1] : hop_call(r->p, "cbind", cb->in + 1, cb->nin - 1, cb->span);
    if (cb->nin > 2) v->expr = cb->expr;
    return phys(r, h, PH_GRAM, x, w, v);
}

/* A matrix whose size and non-zeros are known and that is kept dense. */
static int known_dense(const Hop *x)
{
    return hop_dims_known(x) && x->nnz >= 0 && !mb_prefers_sparse(x->rows, x->cols, x->nnz);
}

static Hop *product_phys(Rw *r, Hop *h)
{
    if (!is_matmul(h) || !hop_is_matrix(h->in[0]) || !hop_is_matrix(h->in[1])) return h;
    Hop *ta = t_arg(h->in[0]), *tb = t_arg(h->in[1]);
    if (ta && ta == h->in[1]) return phys(r, h, PH_TSMM_L, ta, NULL, NULL);
    if (ta) {
        Hop *g = gram(r, h, ta, h->in[1]);
        if (g) return g;
    }
    if (ta) {   /* t(X) %*% (X * w), w n x 1 */
        Hop *m = h->in[1], *w = m->nin == 2 ? m->in[1] : NULL;
        if (m->kind == HOP_BIN && m->op == BOP_MUL && m->nuses == 1 && m->in[0] == ta &&
            hop_dims_known(ta) && hop_is_matrix(w) && hop_dims_known(w) &&
            w->rows == ta->rows && w->cols == 1 && ta->cols > 1)
            return phys(r, h, PH_TSMM_W, ta, w, NULL);
    }
    if (tb && tb == h->in[0]) return phys(r, h, PH_TSMM_R, tb, NULL, NULL);
    if (ta) {
        Hop *c = mmchain(r, h, ta, h->in[1]);
        if (c) return c;
    }
    /* the product reads X transposed when t(X) has no other use, or when X
     * is dense (BLAS reads a transposed operand at no cost; a t(X) shared by
     * several products is then not materialised at all); a shared t(X) of a
     * CSR X is transposed once */
    int ua = ta && (h->in[0]->nuses == 1 || known_dense(ta));
    int ub = tb && (h->in[1]->nuses == 1 || known_dense(tb));
    if (ua || ub) {
        Hop *n = phys(r, h, PH_MMT, ua ? ta : h->in[0], ub ? tb : h->in[1], NULL);
        n->ta = ua;
        n->tb = ub;
        return n;
    }
    return h;
}

/* ---- driver ------------------------------------------------------------------------------ */

static Hop *rules(Rw *r, Hop *h)
{
    if (h->kind == HOP_BIN || h->kind == HOP_UN || h->kind == HOP_CALL) {
        Hop *f = fold(r, h);
        if (f != h) return f;
    }
    if (h->kind == HOP_BIN && h->op != BOP_MATMUL) {
        Hop *x = identity_ops(r, h);
        if (x != h) return x;
        return distribute(r, h);
    }
    if (is_call(h, HF_T) && is_call(h->in[0], HF_T)) return simplified(r, h->in[0]->in[0]);
    if (is_call(h, HF_AGG)) {
        Hop *x = product_sums(r, h);
        return x != h ? x : agg_rules(r, h);
    }
    if (is_call(h, HF_TRACE)) return product_sums(r, h);
    if (is_matmul(h)) return chain_order(r, h);
    return h;
}

static void memo_grow(Rw *r)
{
    if (r->cap >= r->p->nhops) return;
    int ncap = r->p->nhops * 2 + 16;
    r->memo = xrealloc(r->memo, (size_t)ncap * sizeof *r->memo);
    memset(r->memo + r->cap, 0, (size_t)(ncap - r->cap) * sizeof *r->memo);
    r->cap = ncap;
}

static Hop *rw_node(Rw *r, Hop *h)
{
    memo_grow(r);
    if (r->memo[h->id]) return r->memo[h->id];
    for (int k = 0; k < h->nin; k++) h->in[k] = rw_node(r, h->in[k]);
    hop_infer(h);
    Hop *n = rules(r, h);
    if (n != h) {
        n = rw_node(r, n);
        h->fwd = n;
        h->dead = 1;
    }
    memo_grow(r);
    r->memo[h->id] = n;
    return n;
}

/* Counts the uses of every node reachable from the roots. */
static void count_uses(CpPlan *p)
{
    for (int k = 0; k < p->nhops; k++) p->hops[k]->nuses = 0;
    char *seen = xcalloc((size_t)p->nhops + 1, 1);
    Hop **stack = xmalloc(((size_t)p->nhops + 1) * sizeof *stack);
    int n = 0;
    for (int s = 0; s < p->nstmts; s++) {
        if (p->st[s].dead) continue;
        p->st[s].root->nuses++;
        stack[n++] = p->st[s].root;
        while (n) {
            Hop *h = stack[--n];
            if (seen[h->id]) continue;
            seen[h->id] = 1;
            for (int k = 0; k < h->nin; k++) {
                h->in[k]->nuses++;
                stack[n++] = h->in[k];
            }
        }
    }
    free(seen);
    free(stack);
}

void cp_count_uses(CpPlan *p)
{
    count_uses(p);
}

int cp_post_order(CpPlan *p, Hop **out)
{
    char *seen = xcalloc((size_t)p->nhops + 1, 1);
    int *state = xcalloc((size_t)p->nhops + 1, sizeof *state);
    Hop **stack = xmalloc(((size_t)p->nhops + 1) * sizeof *stack);   /* a path */
    int n = 0;
    for (int s = 0; s < p->nstmts; s++) {
        if (p->st[s].dead) continue;
        int sp = 0;
        stack[sp++] = p->st[s].root;
        while (sp) {
            Hop *h = stack[sp - 1];
            if (seen[h->id]) {
                sp--;
                continue;
            }
            if (state[h->id] < h->nin) {
                Hop *c = h->in[state[h->id]++];
                if (!seen[c->id]) stack[sp++] = c;
                continue;
            }
            seen[h->id] = 1;
            out[n++] = h;
            sp--;
        }
    }
    free(seen);
    free(state);
    free(stack);
    return n;
}

/* A pass of one rule family over the DAG reachable from the roots. */
static void pass(Rw *r, Hop *(*fn)(Rw *, Hop *))
{
    CpPlan *p = r->p;
    count_uses(p);
    Hop **post = xmalloc(((size_t)p->nhops + 1) * sizeof *post);
    int np = cp_post_order(p, post);
    for (int k = 0; k < np; k++) {
        Hop *h = post[k];
        for (int i = 0; i < h->nin; i++) h->in[i] = hop_resolve(h->in[i]);
        Hop *x = fn(r, h);
        if (x != h) {
            h->fwd = x;
            h->dead = 1;
        }
    }
    for (int s = 0; s < p->nstmts; s++) p->st[s].root = hop_resolve(p->st[s].root);
    for (int k = 0; k < p->nhops; k++)
        for (int i = 0; i < p->hops[k]->nin; i++)
            p->hops[k]->in[i] = hop_resolve(p->hops[k]->in[i]);
    free(post);
}

/* Common subexpressions, also those the rewrites created: equal pure nodes
 * (same operation on the same inputs) merge into the first one. */
static Hop *cse_rule(Rw *r, Hop *h)
{
    if (!hop_cse_ok(h)) return h;
    char *key = hop_key(h);
    Hop *old = hm_get(&r->cse, key);
    if (old && old != h) {
        free(key);
        r->p->rw.cse++;
        return old;
    }
    hm_put(&r->cse, key, h);
    free(key);
    return h;
}

/* ---- dead assignments ------------------------------------------------------------------ */

/* Whether evaluating h (and what only it uses) can neither fail nor have an
 * effect: known, valid sizes and operations that cannot raise errors. */
static int cannot_fail(const Hop *h)
{
    if (h->nuses > 1) return 1;   /* computed for another statement anyway */
    if (h->flags & (HOPF_IMPURE | HOPF_SIZE_ERR)) return 0;
    switch (h->kind) {
    case HOP_LIT: return 1;
    case HOP_VAR: return h->dt == DT_MATRIX || h->dt == DT_SCALAR;
    case HOP_BIN: case HOP_UN:
        if (h->dt != DT_MATRIX || !hop_dims_known(h)) return 0;   /* scalars: int overflow */
        break;
    case HOP_CALL:
        if (h->fn != HF_T && h->fn != HF_AGG && h->fn != HF_UNARY) return 0;
        if (!hop_is_matrix(h->in[0]) || !hop_dims_known(h->in[0])) return 0;
        break;
    default:
        return 0;
    }
    for (int k = 0; k < h->nin; k++) {
        const Hop *c = h->in[k];
        if (c->dt != DT_MATRIX && !(c->dt == DT_SCALAR && c->vt != VT_STRING &&
                                    c->vt != VT_UNKNOWN))
            return 0;
        if (!cannot_fail(c)) return 0;
    }
    return 1;
}

/* Whether expression e mentions variable name (opaque nodes read the
 * symbol table). */
static int mentions(const Expr *e, const char *name)
{
    if (!e) return 0;
    switch (e->kind) {
    case EX_ID: return !strcmp(e->u.name, name);
    case EX_BINARY: return mentions(e->u.bin.l, name) || mentions(e->u.bin.r, name);
    case EX_UNARY: return mentions(e->u.un.e, name);
    case EX_CALL:
        for (int k = 0; k < e->u.call.nargs; k++)
            if (mentions(e->u.call.args[k].value, name)) return 1;
        return 0;
    case EX_INDEX:
        return mentions(e->u.index.target, name) || mentions(e->u.index.row.lo, name) ||
               mentions(e->u.index.row.hi, name) || mentions(e->u.index.col.lo, name) ||
               mentions(e->u.index.col.hi, name);
    case EX_LIST:
        for (int k = 0; k < e->u.list.n; k++)
            if (mentions(e->u.list.items[k], name)) return 1;
        return 0;
    default:
        return 0;
    }
}

/* Whether the statement with this root surely gives its variable a value: a
 * function that returns nothing leaves the old value in place. */
static int surely_assigns(const Hop *root)
{
    if (root->kind == HOP_CALL && root->op < 0) return 0;
    if (root->kind == HOP_OPAQUE && root->expr->kind == EX_CALL) return 0;
    return root->dt == DT_MATRIX || root->dt == DT_SCALAR || root->dt == DT_FRAME ||
           root->dt == DT_LIST;
}

/* x = e1; ...; x = e2 with no read of the first x in between (the DAG has
 * no edge from it, and no interpreted expression names x), or x = e1 where
 * x is read nowhere in its scope (cp_find_unread): the assignment is
 * dropped when its evaluation cannot fail. */
static void dead_stores(CpPlan *p, const HMap *unread_map)
{
    count_uses(p);
    for (int k = 0; k < p->nstmts; k++) {
        const char *var = p->st[k].s->u.assign.target;
        Hop *root = p->st[k].root;
        int j = k + 1;
        while (j < p->nstmts && strcmp(p->st[j].s->u.assign.target, var)) j++;
        char key[32];
        snprintf(key, sizeof key, "%p", (const void *)p->st[k].s);
        int unread = unread_map && hm_has(unread_map, key);
        int overwritten = j < p->nstmts && surely_assigns(p->st[j].root);
        if ((!overwritten && !unread) || root->nuses != 1 || !cannot_fail(root)) continue;
        int read = 0;
        for (int m = k + 1; m <= j && m < p->nstmts && !read; m++)
            read = mentions(p->st[m].s->u.assign.value, var);
        /* the DAG edges already cover modelled reads; a textual mention
         * through an interpreted node (or any mention) keeps it */
        if (read) continue;
        p->st[k].dead = 1;
        p->rw.dead++;
        root->nuses--;
    }
}

void cp_rewrite(CpPlan *p, const CpOpts *o)
{
    Rw r = { p, o, NULL, 0, { 0 } };
    hm_init(&r.cse);
    count_uses(p);
    if (o->level < 1) {   /* -O0: the operations as written, only the physical choice */
        pass(&r, product_phys);
        hm_free(&r.cse);
        count_uses(p);
        return;
    }
    for (int s = 0; s < p->nstmts; s++) p->st[s].root = rw_node(&r, p->st[s].root);
    free(r.memo);
    pass(&r, cse_rule);
    hm_free(&r.cse);
    dead_stores(p, o->unread);
    pass(&r, product_phys);
    count_uses(p);
}
