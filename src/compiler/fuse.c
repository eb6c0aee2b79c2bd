/*
 * fuse.c - operator fusion (compiler.h): chains of cellwise operations, and
 * aggregates over them, become one HOP_FUSED node that kn_fused evaluates
 * in one pass over its inputs with no intermediate matrices.
 *
 * Regions grow from a root - a full/row/column sum, min or max over a
 * cellwise node, or a cellwise node whose result is needed as a matrix -
 * down through cellwise nodes of the same cell space that have no other
 * consumer.  What stops the growth becomes an input of the fused program:
 * matrices of the cell space's shape or broadcast vectors, and scalars.
 * A node is fused only when its dimensions are known and valid, so the
 * fused node cannot fail where the unfused ones would not.
 *
 * Sparse inputs: when a sparse block input X drives the program - the
 * program is exactly zero wherever X is zero, whatever the other inputs
 * hold (X * 3, X ^ 2, abs(X) * (X != 0), ...) - the kernel visits only X's
 * stored cells.
 *
 * Multi-aggregates: full aggregates over the same cell space whose
 * computed inputs are the same nodes merge into one fused node with
 * several outputs (sum(X^2), sum(X*Y), sum(Y^2) in one pass).
 */
#include "compiler/compiler.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- which nodes are cellwise -------------------------------------------------------- */

static int numeric_scalar(const Hop *h)
{
    return h->dt == DT_SCALAR &&
           (h->vt == VT_FP64 || h->vt == VT_INT64 || h->vt == VT_BOOL);
}

static int operand_ok(const Hop *h)
{
    return (h->dt == DT_MATRIX && hop_dims_known(h)) || numeric_scalar(h);
}

/* Cellwise nodes over matrices with known, valid dimensions. */
static int cellwise(const Hop *h)
{
    if (h->dt != DT_MATRIX || !hop_dims_known(h) || (h->flags & HOPF_SIZE_ERR)) return 0;
    switch (h->kind) {
    case HOP_BIN:
        if (h->op == BOP_MATMUL || h->phys != PH_DEFAULT) return 0;
        return operand_ok(h->in[0]) && operand_ok(h->in[1]);
    case HOP_UN:
        return h->op == UOP_NEG || h->op == UOP_NOT;
    case HOP_CALL:
        if (h->fn == HF_UNARY) return 1;
        if (h->fn == HF_BINFN) return operand_ok(h->in[0]) && operand_ok(h->in[1]);
        if (h->fn == HF_IFELSE)
            return operand_ok(h->in[0]) && operand_ok(h->in[1]) && operand_ok(h->in[2]);
        return 0;
    default:
        return 0;
    }
}

/* Aggregates kn_fused computes: sum/min/max, full, by row or by column. */
static int fusable_agg(const Hop *h)
{
    return h->kind == HOP_CALL && h->fn == HF_AGG &&
           (h->agg == KA_SUM || h->agg == KA_MIN || h->agg == KA_MAX) &&
           hop_is_matrix(h->in[0]) && hop_dims_known(h->in[0]);
}

static KnFuseAgg agg_kind(const Hop *h)
{
    static const KnFuseAgg t[3][3] = {
        { KF_SUM, KF_MIN, KF_MAX },
        { KF_ROWSUM, KF_ROWMIN, KF_ROWMAX },
        { KF_COLSUM, KF_COLMIN, KF_COLMAX },
    };
    int a = h->agg == KA_SUM ? 0 : h->agg == KA_MIN ? 1 : 2;
    int d = h->dir == KD_ALL ? 0 : h->dir == KD_ROW ? 1 : 2;
    return t[d][a];
}

/* ---- regions --------------------------------------------------------------------------- */

typedef struct Region {
    int64_t rows, cols;           /* the cell space */
    Hop *ops[KN_FUSE_MAX_OPS];    /* cellwise members, post-order */
    int nops;
    Hop *leaves[KN_FUSE_MAX_INPUTS];
    int nleaves;
    const char *stop;             /* by id: members that must stay leaves */
} Region;

static int member(const Region *g, const Hop *h)
{
    for (int k = 0; k < g->nops; k++)
        if (g->ops[k] == h) return 1;
    return 0;
}

static int leaf_index(Region *g, Hop *h)
{
    for (int k = 0; k < g->nleaves; k++)
        if (g->leaves[k] == h) return k;
    if (g->nleaves == KN_FUSE_MAX_INPUTS) return -1;
    g->leaves[g->nleaves] = h;
    return g->nleaves++;
}

static int fits_space(const Region *g, const Hop *h)
{
    if (h->dt != DT_MATRIX) return 1;
    return (h->rows == g->rows || h->rows == 1) && (h->cols == g->cols || h->cols == 1);
}

/* Whether input c of a member joins the region (else it is a leaf). */
static int absorbable(const Region *g, const Hop *c, const char *taken)
{
    return cellwise(c) && c->nuses == 1 && !taken[c->id] && c->rows == g->rows &&
           c->cols == g->cols && !g->stop[c->id];
}

/* Grows the region below h (a member) in post-order; 0 when a limit is hit. */
static int grow(Region *g, Hop *h, const char *taken)
{
    for (int k = 0; k < h->nin; k++) {
        Hop *c = h->in[k];
        if (member(g, c)) continue;
        if (absorbable(g, c, taken)) {
            if (!grow(g, c, taken)) return 0;
        } else {
            if (c->kind == HOP_LIT) continue;   /* constants go into the program */
            if (!fits_space(g, c) || leaf_index(g, c) < 0) return 0;
        }
    }
    if (g->nops == KN_FUSE_MAX_OPS - 8) return 0;
    g->ops[g->nops++] = h;
    return 1;
}

static int lit_value(const Hop *h, double *v)
{
    if (h->kind != HOP_LIT || h->lit.dt != DT_SCALAR) return 0;
    switch (h->lit.vt) {
    case VT_FP64: *v = h->lit.u.d; return 1;
    case VT_INT64: *v = (double)h->lit.u.i; return 1;
    case VT_BOOL: *v = h->lit.u.b ? 1.0 : 0.0; return 1;
    default: return 0;
    }
}

/* ---- the sign of zero -----------------------------------------------------------------
 * Unfused, every intermediate is a block, and a block stored sparse keeps
 * no -0.0 (docs/language.md).  Fused, an intermediate -0.0 reaches its
 * consumer.  So a member that may be -0.0 stays fused only when no result
 * can tell: somewhere on its way up an operation absorbs the sign (x == y,
 * abs, x^2, exp, cos, a sum, a + b with b never -0, ...) before one that
 * shows it (a divisor, x^-1, min/max, the fused result itself). */
typedef enum { SZ_ABSORBS, SZ_PASSES, SZ_SHOWS } SignUse;

static SignUse sign_use(const Hop *h, int k)
{
    if (h->kind == HOP_CALL && h->fn == HF_IFELSE)   /* c != 0 absorbs; a branch passes */
        return k == 0 ? SZ_ABSORBS : SZ_PASSES;
    const Hop *o = h->nin == 2 ? h->in[1 - k] : NULL;
    double c;
    if (h->kind == HOP_UN) return h->op == UOP_NOT ? SZ_ABSORBS : SZ_PASSES;
    if (h->kind == HOP_CALL && h->fn == HF_UNARY) {
        switch (h->una) {
        case KU_ABS: case KU_EXP: case KU_COS: case KU_COSH: case KU_LOG: case KU_ROUND:
        case KU_ACOS: case KU_NOT: case KU_ISNA: case KU_ISNAN: case KU_ISINF:
            return SZ_ABSORBS;
        default:
            return SZ_PASSES;
        }
    }
    if (h->kind == HOP_CALL) return SZ_SHOWS;   /* min/max tell -0 from +0 */
    switch ((BinOp)h->op) {
    case BOP_LT: case BOP_LE: case BOP_GT: case BOP_GE: case BOP_EQ: case BOP_NE:
    case BOP_AND: case BOP_OR:
        return SZ_ABSORBS;
    case BOP_ADD:
        return (o->flags & HOPF_NONEGZ) ? SZ_ABSORBS : SZ_PASSES;
    case BOP_SUB:
        return k == 1 && (o->flags & HOPF_NONEGZ) ? SZ_ABSORBS : SZ_PASSES;
    case BOP_MUL:
        return SZ_PASSES;
    case BOP_DIV: case BOP_MOD: case BOP_INTDIV:   /* the dividend's sign passes */
        return k == 0 ? SZ_PASSES : SZ_SHOWS;
    case BOP_POW:
        if (k == 1) return SZ_ABSORBS;   /* x^(+-0) = 1 */
        if (!lit_value(h->in[1], &c) || c <= 0) return SZ_SHOWS;
        return (c == floor(c) && fmod(c, 2) != 0) ? SZ_PASSES : SZ_ABSORBS;
    default:
        return SZ_SHOWS;
    }
}

/* The member of g that consumes member m. */
static Hop *consumer(const Region *g, const Hop *m, int *pos)
{
    for (int i = 0; i < g->nops; i++)
        for (int k = 0; k < g->ops[i]->nin; k++)
            if (g->ops[i]->in[k] == m) {
                *pos = k;
                return g->ops[i];
            }
    return NULL;
}

/* A member whose -0.0 some result could show, or NULL.  Only members that
 * could be stored sparse unfused matter (a column vector, for one, never
 * is: its CSR form is never smaller). */
static Hop *sign_conflict(const Region *g, const Hop *root, const Hop *top, int forced_sparse)
{
    for (int i = 0; i < g->nops; i++) {
        Hop *m = g->ops[i];
        if (!forced_sparse && !mb_prefers_sparse(m->rows, m->cols, 0)) continue;
        /* the top of an aggregate reaches the aggregate (min/max show -0) */
        if ((m == top && root == top) || (m->flags & HOPF_NONEGZ)) continue;
        const Hop *x = m;
        SignUse u = SZ_PASSES;
        while (u == SZ_PASSES) {
            int k = 0;
            Hop *h = x == top ? NULL : consumer(g, x, &k);
            if (!h) {   /* reached the top: a sum absorbs, cells and min/max show */
                u = root != top && root->agg == KA_SUM ? SZ_ABSORBS : SZ_SHOWS;
                break;
            }
            u = sign_use(h, k);
            x = h;
        }
        if (u == SZ_SHOWS) return m;
    }
    return NULL;
}

/* ---- program generation ------------------------------------------------------------------- */

typedef struct Gen {
    KnFuseProg *p;
    const Region *g;
    Hop *map_h[KN_FUSE_MAX_OPS];
    int map_op[KN_FUSE_MAX_OPS];
    int nmap;
} Gen;

static int emit(Gen *gen, KnFuseKind kind, int op, int a, int b, int c, double k)
{
    KnFuseProg *p = gen->p;
    KnFuseOp *o = &p->ops[p->nops];
    o->kind = kind;
    o->op = op;
    o->a = a;
    o->b = b;
    o->c = c;
    o->k = k;
    return p->nops++;
}

/* The op computing node h (a member, a leaf or a literal). */
static int op_of(Gen *gen, Hop *h)
{
    for (int k = 0; k < gen->nmap; k++)
        if (gen->map_h[k] == h) return gen->map_op[k];
    double v;
    int o;
    if (lit_value(h, &v)) {
        o = emit(gen, KF_CONST, 0, 0, 0, 0, v);
    } else {
        int li = -1;
        for (int k = 0; k < gen->g->nleaves; k++)
            if (gen->g->leaves[k] == h) li = k;
        o = emit(gen, KF_IN, 0, li, 0, 0, 0);
    }
    gen->map_h[gen->nmap] = h;
    gen->map_op[gen->nmap++] = o;
    return o;
}

static int gen_member(Gen *gen, Hop *h)
{
    int a = op_of(gen, h->in[0]);
    int b = h->nin > 1 ? op_of(gen, h->in[1]) : 0;
    int c = h->nin > 2 ? op_of(gen, h->in[2]) : 0;
    int o;
    if (h->kind == HOP_CALL && h->fn == HF_IFELSE) o = emit(gen, KF_IFELSE, 0, a, b, c, 0);
    else if (h->kind == HOP_BIN) o = emit(gen, KF_BIN, h->op, a, b, 0, 0);
    else if (h->kind == HOP_UN) o = emit(gen, KF_UN, h->op == UOP_NEG ? KU_NEG : KU_NOT, a, 0, 0, 0);
    else if (h->fn == HF_UNARY) o = emit(gen, KF_UN, h->una, a, 0, 0, 0);
    else o = emit(gen, KF_BINFN, h->bfn, a, b, 0, 0);
    gen->map_h[gen->nmap] = h;
    gen->map_op[gen->nmap++] = o;
    return o;
}

/* ---- sparse drivers ------------------------------------------------------------------ */

static int finite_lit(const Hop *h, double *v)
{
    return lit_value(h, v) && isfinite(*v);
}

/* Whether h is exactly zero wherever leaf x is zero, whatever the other
 * inputs hold (NaN and Inf included). */
static int zero_in(const Region *g, const Hop *h, const Hop *x)
{
    double c;
    if (h == x) return 1;
    if (!member(g, h)) return 0;
    const Hop *a = h->in[0], *b = h->nin > 1 ? h->in[1] : NULL;
    if (h->kind == HOP_BIN) {
        switch ((BinOp)h->op) {
        case BOP_MUL:
            return (zero_in(g, a, x) && (zero_in(g, b, x) || finite_lit(b, &c))) ||
                   (zero_in(g, b, x) && finite_lit(a, &c));
        case BOP_DIV:
            return zero_in(g, a, x) && finite_lit(b, &c) && c != 0;
        case BOP_ADD: case BOP_SUB:   /* x + 0, 0 + x, x - 0, 0 - x */
            return (zero_in(g, a, x) && (zero_in(g, b, x) || (lit_value(b, &c) && c == 0))) ||
                   (zero_in(g, b, x) && lit_value(a, &c) && c == 0);
        case BOP_POW:
            return zero_in(g, a, x) && finite_lit(b, &c) && c > 0;
        case BOP_NE:
            return zero_in(g, a, x) && lit_value(b, &c) && c == 0;
        case BOP_GT:
            return zero_in(g, a, x) && lit_value(b, &c) && c >= 0;
        case BOP_LT:
            return zero_in(g, a, x) && lit_value(b, &c) && c <= 0;
        case BOP_AND:
            return zero_in(g, a, x) || zero_in(g, b, x);
        default:
            return 0;
        }
    }
    if (h->kind == HOP_UN) return h->op == UOP_NEG && zero_in(g, a, x);
    if (h->kind == HOP_CALL && h->fn == HF_UNARY) {
        switch (h->una) {
        case KU_ABS: case KU_SQRT: case KU_SIN: case KU_TAN: case KU_ASIN: case KU_ATAN:
        case KU_SINH: case KU_TANH: case KU_ROUND: case KU_FLOOR: case KU_CEIL: case KU_SIGN:
        case KU_NEG:
            return zero_in(g, a, x);
        default:
            return 0;
        }
    }
    return 0;
}

static int sparse_input(const CpPlan *p, const Hop *h)
{
    if (h->kind != HOP_VAR || h->dt != DT_MATRIX) return 0;
    for (int k = 0; k < p->ninputs; k++)
        if (!strcmp(p->inputs[k].name, h->name)) return p->inputs[k].sparse;
    return 0;
}

static int pick_driver(const CpPlan *p, const Region *g, const Hop *top)
{
    for (int k = 0; k < g->nleaves; k++) {
        const Hop *x = g->leaves[k];
        if (x->rows == g->rows && x->cols == g->cols && sparse_input(p, x) &&
            zero_in(g, top, x))
            return k;
    }
    return -1;
}

/* ---- building fused nodes --------------------------------------------------------------- */

static Hop *make_fused(CpPlan *p, Region *g, Hop *root, Hop *top)
{
    KnFuseProg *prog = xcalloc(1, sizeof *prog);
    Gen gen;
    memset(&gen, 0, sizeof gen);
    gen.p = prog;
    gen.g = g;
    for (int k = 0; k < g->nops; k++) gen_member(&gen, g->ops[k]);
    int out = op_of(&gen, top);
    prog->nouts = 1;
    prog->outs[0].op = out;
    prog->outs[0].agg = root == top ? KF_CELLS : agg_kind(root);
    prog->sparse_driver = pick_driver(p, g, top);
    Hop *f = hop_new(p, HOP_FUSED, g->nleaves);
    for (int k = 0; k < g->nleaves; k++) f->in[k] = g->leaves[k];
    f->fprog = prog;
    f->sparse_driver = prog->sparse_driver;
    f->expr = root->expr;
    f->span = root->span;
    f->dt = root->dt;
    f->vt = root->vt;
    f->rows = root->rows;
    f->cols = root->cols;
    f->nnz = root->nnz;
    f->mem = root->mem;
    f->fn = root == top ? HF_NONE : HF_AGG;
    f->agg = root->agg;
    f->dir = root->dir;
    f->crows = g->rows;
    f->ccols = g->cols;
    p->rw.fused++;
    return f;
}

/* Tries to fuse below root (an aggregate over a cellwise node, or a
 * cellwise node).  Marks the members taken. */
static Hop *try_region(CpPlan *p, Hop *root, char *taken, char *stop)
{
    Region g;
    Hop *top = root;
    if (fusable_agg(root)) {
        top = root->in[0];
        if (!cellwise(top) || top->nuses != 1 || taken[top->id]) return NULL;
    } else if (!cellwise(root)) {
        return NULL;
    }
    for (int tries = 0;; tries++) {   /* members whose -0.0 would show become leaves */
        memset(&g, 0, sizeof g);
        g.rows = top->rows;
        g.cols = top->cols;
        g.stop = stop;
        if (!grow(&g, top, taken)) return NULL;
        Hop *bad = sign_conflict(&g, root, top, p->forced_sparse);
        if (!bad) break;
        if (bad == top || tries > KN_FUSE_MAX_OPS) return NULL;
        stop[bad->id] = 1;
    }
    if (root == top && g.nops < 2) return NULL;   /* one cellwise op: the plain kernel */
    for (int k = 0; k < g.nleaves; k++)
        if (g.leaves[k]->dt != DT_MATRIX && !numeric_scalar(g.leaves[k])) return NULL;
    for (int k = 0; k < g.nops; k++) taken[g.ops[k]->id] = 1;
    taken[root->id] = 1;
    return make_fused(p, &g, root, top);
}

static void redirect(CpPlan *p)
{
    for (int k = 0; k < p->nhops; k++)
        for (int i = 0; i < p->hops[k]->nin; i++) p->hops[k]->in[i] = hop_resolve(p->hops[k]->in[i]);
    for (int s = 0; s < p->nstmts; s++) p->st[s].root = hop_resolve(p->st[s].root);
}

/* ---- multi-aggregates ------------------------------------------------------------------ */

static int full_agg_fused(const Hop *h)
{
    return h->kind == HOP_FUSED && h->nouts == 1 && h->fn == HF_AGG && h->dir == KD_ALL;
}

/* First statement whose evaluation reaches each node (by id). */
static int *first_stmts(CpPlan *p)
{
    int *first = xmalloc(((size_t)p->nhops + 1) * sizeof *first);
    Hop **stack = xmalloc(((size_t)p->nhops + 1) * sizeof *stack);
    for (int k = 0; k < p->nhops; k++) first[k] = -1;
    for (int s = 0; s < p->nstmts; s++) {
        if (p->st[s].dead) continue;
        int n = 0;
        stack[n++] = p->st[s].root;
        while (n) {
            Hop *h = stack[--n];
            if (first[h->id] >= 0) continue;
            first[h->id] = s;
            for (int k = 0; k < h->nin; k++) stack[n++] = h->in[k];
        }
    }
    free(stack);
    return first;
}

/* Whether b can be computed together with a where the earlier of the two
 * runs: every computed input (not a variable or literal) of either is
 * computed in an earlier statement, or is an input of the earlier one
 * (then its own evaluation computes it first). */
static int can_merge(const Hop *a, const Hop *b, const int *first)
{
    const Hop *early = first[a->id] <= first[b->id] ? a : b;
    int at = first[early->id];
    for (int pass = 0; pass < 2; pass++) {
        const Hop *x = pass ? b : a;
        for (int i = 0; i < x->nin; i++) {
            const Hop *c = x->in[i];
            if (c->kind == HOP_VAR || c->kind == HOP_LIT || first[c->id] < at) continue;
            int found = 0;
            for (int j = 0; j < early->nin; j++) found |= early->in[j] == c;
            if (!found) return 0;
        }
    }
    return 1;
}

static int shares_input(const Hop *a, const Hop *b)
{
    for (int i = 0; i < a->nin; i++)
        for (int j = 0; j < b->nin; j++)
            if (a->in[i] == b->in[j]) return 1;
    return 0;
}

/* Appends b's program to the merged program m over the merged inputs. */
static int append_prog(KnFuseProg *m, Hop **ins, int *nin, const Hop *b)
{
    const KnFuseProg *q = b->fprog;
    int base = m->nops;
    if (m->nops + q->nops > KN_FUSE_MAX_OPS || m->nouts + q->nouts > KN_FUSE_MAX_OUTS) return 0;
    for (int k = 0; k < q->nops; k++) {
        KnFuseOp o = q->ops[k];
        if (o.kind == KF_IN) {
            const Hop *leaf = b->in[o.a];
            int li = -1;
            for (int j = 0; j < *nin; j++)
                if (ins[j] == leaf) li = j;
            if (li < 0) {
                if (*nin == KN_FUSE_MAX_INPUTS) return 0;
                ins[*nin] = (Hop *)leaf;
                li = (*nin)++;
            }
            o.a = li;
        } else {
            o.a += base;
            o.b += base;
            o.c += base;
        }
        m->ops[m->nops++] = o;
    }
    for (int k = 0; k < q->nouts; k++) {
        m->outs[m->nouts] = q->outs[k];
        m->outs[m->nouts++].op += base;
    }
    return 1;
}

static void multi_aggregates(CpPlan *p, Hop **order, int n)
{
    int *first = first_stmts(p);
    for (int i = 0; i < n; i++) {
        Hop *a = order[i];
        if (!full_agg_fused(a) || a->dead) continue;
        Hop *group[KN_FUSE_MAX_OUTS];
        int ng = 0;
        group[ng++] = a;
        for (int j = i + 1; j < n && ng < KN_FUSE_MAX_OUTS; j++) {
            Hop *b = order[j];
            if (!full_agg_fused(b) || b->dead || b->fprog->sparse_driver >= 0 ||
                a->fprog->sparse_driver >= 0)
                continue;
            int share = 0;
            for (int g = 0; g < ng; g++) share |= shares_input(group[g], b);
            if (!share || !can_merge(a, b, first)) continue;
            int ok_all = 1;
            for (int g = 1; g < ng; g++) ok_all &= can_merge(group[g], b, first);
            if (!ok_all) continue;
            if (a->crows != b->crows || a->ccols != b->ccols) continue;
            group[ng++] = b;
        }
        if (ng < 2) continue;
        KnFuseProg *m = xcalloc(1, sizeof *m);
        Hop *ins[KN_FUSE_MAX_INPUTS];
        int nin = 0, ok = 1, used = 0;
        m->sparse_driver = -1;
        for (int g = 0; g < ng && ok; g++) {
            KnFuseProg save = *m;
            Hop *save_ins[KN_FUSE_MAX_INPUTS];
            int save_nin = nin;
            memcpy(save_ins, ins, sizeof ins);
            if (!append_prog(m, ins, &nin, group[g])) {
                *m = save;
                memcpy(ins, save_ins, sizeof ins);
                nin = save_nin;
                group[g] = NULL;
                continue;
            }
            used++;
        }
        if (used < 2) {
            free(m);
            continue;
        }
        Hop *f = hop_new(p, HOP_FUSED, nin);
        for (int k = 0; k < nin; k++) f->in[k] = ins[k];
        f->fprog = m;
        f->nouts = m->nouts;
        f->dt = DT_LIST;
        f->fn = HF_AGG;
        f->dir = KD_ALL;
        f->crows = a->crows;
        f->ccols = a->ccols;
        f->expr = a->expr;
        f->span = a->span;
        int out = 0;
        for (int g = 0; g < ng; g++) {
            if (!group[g]) continue;
            Hop *o = hop_new(p, HOP_OUT, 1);
            o->in[0] = f;
            o->op = out++;
            o->dt = DT_SCALAR;
            o->vt = VT_FP64;
            o->rows = o->cols = o->nnz = 0;
            o->mem = 8;
            o->expr = group[g]->expr;
            o->span = group[g]->span;
            group[g]->fwd = o;
            group[g]->dead = 1;
        }
        p->rw.multiagg++;
    }
    free(first);
}

void cp_fuse(CpPlan *p, const CpOpts *o)
{
    (void)o;
    cp_count_uses(p);
    Hop **order = xmalloc(((size_t)p->nhops + 1) * sizeof *order);
    int n = cp_post_order(p, order);
    char *taken = xcalloc((size_t)p->nhops + 1, 1);
    char *stop = xcalloc((size_t)p->nhops + 1, 1);
    /* consumers first: a region absorbs its single-use producers */
    for (int k = n - 1; k >= 0; k--) {
        Hop *h = order[k];
        if (taken[h->id] || h->dead) continue;
        Hop *f = try_region(p, h, taken, stop);
        if (f) {
            h->fwd = f;
            h->dead = 1;
        }
    }
    free(taken);
    free(stop);
    redirect(p);
    cp_count_uses(p);
    n = cp_post_order(p, order);
    multi_aggregates(p, order, n);
    redirect(p);
    cp_count_uses(p);
    free(order);
}
