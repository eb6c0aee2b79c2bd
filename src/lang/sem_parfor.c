/*
 * sem_parfor.c - compile-time loop-dependency analysis of parfor (DML.md
 * 8.4), implemented literally after the reference rules: no false
 * negatives, false positives allowed.
 *
 *  1. Candidates: variables that exist before the loop and are written in
 *     the body (recursively through if/while/for/parfor; functions cannot
 *     write the caller's variables).  The header of a nested for is not a
 *     write (its variable is a candidate only if the body also assigns it),
 *     nor is a write to the parfor's own variable.
 *  2. A scalar (or unknown, never indexed) candidate: any write is a
 *     dependency.  A matrix/list candidate: writes without index (unless
 *     all are +=) and writes whose index does not use the loop variable
 *     (unless +=) are dependencies; reads of an unindexed accumulator and
 *     reads inside the right-hand side of the candidate's own += are too.
 *     Every pair of an indexed write with itself, another write or a read
 *     must be proven disjoint across two different iterations in at least
 *     one dimension (two += writes with loop-invariant indexes need not:
 *     they are summed): single indexes that are linear in the loop
 *     variables are tested with the GCD test and Banerjee bounds (direction
 *     < and >); ranges, whole dimensions and non-linear indexes are never
 *     disjoint, nor is the second index of a list (ignored, DML.md 4.2).
 *     Identical index expressions are proven by the same test (as i1 != i2
 *     is part of it), so the rule "identical functions of the loop variable
 *     are fine" needs no separate textual shortcut.  Full reads (sum(A))
 *     are dependencies; nrow/ncol/length are not reads.
 *  3. All dependent variables are reported in one error at the parfor.
 *
 * A loop variable counts as such only where it is bound: the parfor's own
 * variable unless the body rebinds it (assignment or a nested loop of the
 * same name), a nested loop's variable only inside that loop and unless
 * its body rebinds it; anywhere else the name is an ordinary body-assigned
 * variable, hence non-linear.
 *
 * Nothing here evaluates expressions: bounds are known only when they are
 * integer literals.
 */
#include "lang/sem_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One read or write of a variable in the loop body. */
typedef struct Access {
    const char *var;
    int write, accumulate;
    int acc_rhs;                /* read in the right-hand side of var += ... */
    int indexed;                /* else: whole variable */
    const IndexDim *row, *col;  /* col NULL: single index X[i] (= X[i, ]) */
    int loop;                   /* innermost enclosing nested loop, -1: none */
} Access;

/* A loop nested in the body, with literal bounds when known. */
typedef struct Loop {
    const char *var;
    double lo, hi;              /* +-INFINITY when unknown */
    int parent;                 /* enclosing nested loop, -1: none */
    int rebound;                /* its body assigns var (or loops over it) */
} Loop;

typedef struct Dep {
    const char *iv;             /* the parfor's loop variable */
    double from, incr;          /* iv = from + incr*k, k in [0, n-1] */
    int from_known, incr_known;
    double n;                   /* iterations; INFINITY when unknown */
    Access *acc;
    int nacc, capacc;
    Loop *loops;
    int nloops, caploops;
    int cur;                    /* loop being walked, -1: the parfor body */
    int iv_rebound;             /* the body assigns iv or loops over it */
    const char *acc_target;     /* while walking the value of `x += ...`: x */
    HMap assigned;              /* names bound in the body (not invariant) */
} Dep;

static void add_access(Dep *d, Access a)
{
    a.loop = d->cur;
    a.acc_rhs = !a.write && d->acc_target && !strcmp(a.var, d->acc_target);
    if (d->nacc == d->capacc) {
        d->capacc = d->capacc ? d->capacc * 2 : 16;
        d->acc = xrealloc(d->acc, (size_t)d->capacc * sizeof *d->acc);
    }
    d->acc[d->nacc++] = a;
}

static int literal_int(const Expr *e, double *v)
{
    if (!e || e->kind != EX_INT) return 0;
    *v = (double)e->u.ival;
    return 1;
}

/* `name` is (re)bound in the body at the current point of the walk: it is
 * no longer invariant, and the parfor variable or an enclosing nested loop
 * variable of that name stops being a plain loop variable. */
static void mark_bound(Dep *d, const char *name)
{
    if (!strcmp(name, d->iv)) d->iv_rebound = 1;
    for (int k = d->cur; k >= 0; k = d->loops[k].parent)
        if (!strcmp(d->loops[k].var, name)) d->loops[k].rebound = 1;
    hm_put(&d->assigned, name, (void *)1);
}

/* Adds the nested loop `s` (a child of d->cur) and returns its index. */
static int add_loop(Dep *d, const Stmt *s)
{
    if (d->nloops == d->caploops) {
        d->caploops = d->caploops ? d->caploops * 2 : 8;
        d->loops = xrealloc(d->loops, (size_t)d->caploops * sizeof *d->loops);
    }
    Loop *l = &d->loops[d->nloops];
    double a, b;
    l->var = s->u.fors.var;
    l->parent = d->cur;
    l->rebound = 0;
    l->lo = -INFINITY;
    l->hi = INFINITY;
    if (literal_int(s->u.fors.from, &a) && literal_int(s->u.fors.to, &b)) {
        l->lo = a < b ? a : b;
        l->hi = a < b ? b : a;
    }
    return d->nloops++;
}

/* ---- collecting accesses -------------------------------------------------------- */

static void walk_expr(Dep *d, const Expr *e);

static void walk_dim(Dep *d, const IndexDim *dim)
{
    if (dim->kind != IDX_ALL) walk_expr(d, dim->lo);
    if (dim->kind == IDX_RANGE) walk_expr(d, dim->hi);
}

static int is_size_call(const Expr *e)
{
    const char *n = e->u.call.name;
    return !e->u.call.ns && e->u.call.nargs == 1 && e->u.call.args[0].value->kind == EX_ID &&
           (!strcmp(n, "nrow") || !strcmp(n, "ncol") || !strcmp(n, "length"));
}

static void walk_expr(Dep *d, const Expr *e)
{
    Access a;
    memset(&a, 0, sizeof a);
    switch (e->kind) {
    case EX_ID:
        a.var = e->u.name;
        add_access(d, a);
        break;
    case EX_INDEX:
        if (e->u.index.target->kind == EX_ID) {
            a.var = e->u.index.target->u.name;
            a.indexed = 1;
            a.row = &e->u.index.row;
            a.col = e->u.index.has_comma ? &e->u.index.col : NULL;
            add_access(d, a);
        } else {
            walk_expr(d, e->u.index.target);
        }
        walk_dim(d, &e->u.index.row);
        walk_dim(d, &e->u.index.col);
        break;
    case EX_CALL:
        if (is_size_call(e)) break;
        for (int k = 0; k < e->u.call.nargs; k++) walk_expr(d, e->u.call.args[k].value);
        break;
    case EX_BINARY:
        walk_expr(d, e->u.bin.l);
        walk_expr(d, e->u.bin.r);
        break;
    case EX_UNARY:
        walk_expr(d, e->u.un.e);
        break;
    case EX_LIST:
        for (int k = 0; k < e->u.list.n; k++) walk_expr(d, e->u.list.items[k]);
        break;
    default:
        break;
    }
}

static void walk_block(Dep *d, const StmtList *b);

static void walk_assign(Dep *d, const Stmt *s)
{
    Access a;
    memset(&a, 0, sizeof a);
    if (s->u.assign.accumulate) d->acc_target = s->u.assign.target;
    walk_expr(d, s->u.assign.value);
    d->acc_target = NULL;
    a.var = s->u.assign.target;
    a.write = 1;
    a.accumulate = s->u.assign.accumulate;
    if (s->u.assign.indexed) {
        walk_dim(d, &s->u.assign.row);
        walk_dim(d, &s->u.assign.col);
        a.indexed = 1;
        a.row = &s->u.assign.row;
        a.col = s->u.assign.has_comma ? &s->u.assign.col : NULL;
    } else {
        mark_bound(d, a.var);
    }
    add_access(d, a);
}

static void walk_stmt(Dep *d, const Stmt *s)
{
    Access a;
    memset(&a, 0, sizeof a);
    switch (s->kind) {
    case ST_ASSIGN:
        walk_assign(d, s);
        break;
    case ST_MULTIASSIGN:
        walk_expr(d, s->u.massign.call);
        for (int k = 0; k < s->u.massign.ntargets; k++) {
            a.var = s->u.massign.targets[k];
            a.write = 1;
            mark_bound(d, a.var);
            add_access(d, a);
        }
        break;
    case ST_EXPR:
        walk_expr(d, s->u.expr.call);
        break;
    case ST_IF:
        walk_expr(d, s->u.ifs.pred);
        walk_block(d, &s->u.ifs.then_b);
        walk_block(d, &s->u.ifs.else_b);
        break;
    case ST_WHILE:
        walk_expr(d, s->u.whiles.pred);
        walk_block(d, &s->u.whiles.body);
        break;
    case ST_FOR: {
        walk_expr(d, s->u.fors.from);
        walk_expr(d, s->u.fors.to);
        if (s->u.fors.incr) walk_expr(d, s->u.fors.incr);
        mark_bound(d, s->u.fors.var);
        int outer = d->cur;
        d->cur = add_loop(d, s);
        walk_block(d, &s->u.fors.body);
        d->cur = outer;
        break;
    }
    default:
        break;
    }
}

static void walk_block(Dep *d, const StmtList *b)
{
    for (int k = 0; k < b->n; k++) walk_stmt(d, b->items[k]);
}

/* ---- linear index expressions ------------------------------------------------------ */

#define LIN_MAX 8
/* c0 + sum coef[k] * name[k]; names are the loop variable and
 * loop-invariant symbols (loop[k] = -1) or nested loop variables (loop[k]
 * = index into Dep.loops: two loops over `j` are two different terms). */
typedef struct Lin {
    int ok;
    double c0;
    int n;
    const char *name[LIN_MAX];
    int loop[LIN_MAX];
    double coef[LIN_MAX];
} Lin;

static void lin_const(Lin *l, double c)
{
    memset(l, 0, sizeof *l);
    l->ok = 1;
    l->c0 = c;
}

static double lin_coef(const Lin *l, const char *name, int loop)
{
    for (int k = 0; k < l->n; k++)
        if (l->loop[k] == loop && !strcmp(l->name[k], name)) return l->coef[k];
    return 0.0;
}

static void lin_add_term(Lin *l, const char *name, int loop, double c)
{
    for (int k = 0; k < l->n; k++)
        if (l->loop[k] == loop && !strcmp(l->name[k], name)) {
            l->coef[k] += c;
            return;
        }
    if (l->n == LIN_MAX) {
        l->ok = 0;
        return;
    }
    l->name[l->n] = name;
    l->loop[l->n] = loop;
    l->coef[l->n++] = c;
}

/* a + s*b into a. */
static void lin_axpy(Lin *a, const Lin *b, double s)
{
    a->c0 += s * b->c0;
    for (int k = 0; k < b->n; k++) lin_add_term(a, b->name[k], b->loop[k], s * b->coef[k]);
    a->ok = a->ok && b->ok;
}

static void lin_scale(Lin *a, double s)
{
    a->c0 *= s;
    for (int k = 0; k < a->n; k++) a->coef[k] *= s;
}

/* The nested loop binding `name` at loop context `ctx` (innermost first),
 * or -1. */
static int find_loop(const Dep *d, int ctx, const char *name)
{
    for (int k = ctx; k >= 0; k = d->loops[k].parent)
        if (!strcmp(d->loops[k].var, name)) return k;
    return -1;
}

static void lin_of(const Dep *d, int ctx, const Expr *e, Lin *out);

static void lin_binary(const Dep *d, int ctx, const Expr *e, Lin *out)
{
    Lin r;
    lin_of(d, ctx, e->u.bin.l, out);
    lin_of(d, ctx, e->u.bin.r, &r);
    switch (e->u.bin.op) {
    case BOP_ADD: lin_axpy(out, &r, 1.0); break;
    case BOP_SUB: lin_axpy(out, &r, -1.0); break;
    case BOP_MUL:
        if (r.ok && r.n == 0) lin_scale(out, r.c0);
        else if (out->ok && out->n == 0) {
            double c = out->c0;
            *out = r;
            lin_scale(out, c);
        } else out->ok = 0;
        break;
    case BOP_DIV:
        if (r.ok && r.n == 0 && r.c0 != 0.0) lin_scale(out, 1.0 / r.c0);
        else out->ok = 0;
        break;
    default:
        out->ok = 0;
        break;
    }
}

/* The linear form of index expression `e` of an access in loop context
 * `ctx` (Access.loop). */
static void lin_of(const Dep *d, int ctx, const Expr *e, Lin *out)
{
    lin_const(out, 0.0);
    switch (e->kind) {
    case EX_INT: out->c0 = (double)e->u.ival; return;
    case EX_DBL: out->c0 = e->u.dval; return;
    case EX_ID: {
        /* an enclosing nested loop variable, the parfor variable, or a
         * symbol the body never rebinds; each only while not rebound */
        const char *nm = e->u.name;
        int l = find_loop(d, ctx, nm);
        if (l >= 0) {
            if (d->loops[l].rebound) out->ok = 0;
            else lin_add_term(out, nm, l, 1.0);
        } else if (!strcmp(nm, d->iv) ? !d->iv_rebound : !hm_has(&d->assigned, nm)) {
            lin_add_term(out, nm, -1, 1.0);
        } else {
            out->ok = 0;
        }
        return;
    }
    case EX_UNARY:
        lin_of(d, ctx, e->u.un.e, out);
        if (e->u.un.op == UOP_NEG) lin_scale(out, -1.0);
        else if (e->u.un.op == UOP_NOT) out->ok = 0;
        return;
    case EX_BINARY: lin_binary(d, ctx, e, out); return;
    default: out->ok = 0; return;
    }
}

/* ---- disjointness of one index dimension ------------------------------------------ */

static int is_int(double v)
{
    return isfinite(v) && v == floor(v);
}

static double gcd_d(double a, double b)
{
    a = fabs(a);
    b = fabs(b);
    while (b > 0.5) {
        double t = fmod(a, b);
        a = b;
        b = t;
    }
    return a;
}

/* Range [lo, hi] of a*x for x in [xl, xh] (infinite bounds allowed). */
static void term_range(double a, double xl, double xh, double *lo, double *hi)
{
    if (a == 0.0) {
        *lo = *hi = 0.0;
        return;
    }
    double p = a * xl, q = a * xh;
    *lo = p < q ? p : q;
    *hi = p < q ? q : p;
}

/* Range of g = s1*u + s2*dd + base over u >= 0, dd >= 1, u + dd <= n-1
 * (vertices (0,1), (0,n-1), (n-2,1); rays when n is unknown). */
static void region_range(double base, double s1, double s2, double n, double *lo, double *hi)
{
    if (isinf(n)) {
        *lo = base + (s1 < 0 ? -INFINITY : 0) + (s2 < 0 ? -INFINITY : 0);
        *hi = base + (s1 > 0 ? INFINITY : 0) + (s2 > 0 ? INFINITY : 0);
        return;
    }
    double v[3] = {base, base + s2 * (n - 2), base + s1 * (n - 2)};
    *lo = *hi = v[0];
    for (int k = 1; k < 3; k++) {
        if (v[k] < *lo) *lo = v[k];
        if (v[k] > *hi) *hi = v[k];
    }
}

/* Can A*k1 - C*k2 + nested terms == delta hold with k1 != k2 (Banerjee
 * bounds for the directions k1 < k2 and k1 > k2)? */
static int banerjee_feasible(const Dep *d, double A, double C, const Lin *a, const Lin *b,
                             double delta)
{
    double nlo = 0.0, nhi = 0.0;
    for (int k = 0; k < a->n; k++) {   /* + nested terms of a, - those of b */
        if (a->loop[k] < 0) continue;
        const Loop *l = &d->loops[a->loop[k]];
        double l1, h1;
        term_range(a->coef[k], l->lo, l->hi, &l1, &h1);
        nlo += l1;
        nhi += h1;
    }
    for (int k = 0; k < b->n; k++) {
        if (b->loop[k] < 0) continue;
        const Loop *l = &d->loops[b->loop[k]];
        double l2, h2;
        term_range(b->coef[k], l->lo, l->hi, &l2, &h2);
        nlo -= h2;
        nhi -= l2;
    }
    double lo, hi;
    region_range(-C, A - C, -C, d->n, &lo, &hi);     /* k2 = k1 + dd */
    if (lo + nlo <= delta && delta <= hi + nhi) return 1;
    region_range(A, A - C, A, d->n, &lo, &hi);       /* k1 = k2 + dd */
    return lo + nlo <= delta && delta <= hi + nhi;
}

/* Proves that f_a(i1, ..) != f_b(i2, ..) for all iterations i1 != i2, for
 * one sign of the increment. */
static int lin_disjoint_dir(const Dep *d, const Lin *a, const Lin *b, double incr)
{
    double a1 = lin_coef(a, d->iv, -1), c1 = lin_coef(b, d->iv, -1);
    if (a1 != c1 && !d->from_known) return 0;
    double from = d->from_known ? d->from : 0.0;
    double A = a1 * incr, C = c1 * incr;
    double delta = b->c0 - a->c0 + (c1 - a1) * from;
    double g = gcd_d(A, C);
    for (int pass = 0; pass < 2; pass++) {
        const Lin *x = pass ? b : a;
        for (int k = 0; k < x->n; k++) {
            if (x->loop[k] < 0) continue;
            if (!is_int(x->coef[k])) return 0;
            g = gcd_d(g, x->coef[k]);
        }
    }
    /* Index values are truncated (DML.md 3.2), so two values prove two
     * different cells only when they differ by a non-zero integer: with
     * integer coefficients that needs an integer delta (A[i + 1.5, 1]
     * and A[i + 1, 1] are the same cell). */
    if (!is_int(A) || !is_int(C) || !is_int(delta)) return 0;
    if (g == 0.0) return delta != 0.0;         /* both constant */
    if (fmod(fabs(delta), g) != 0.0) return 1;   /* GCD test */
    return !banerjee_feasible(d, A, C, a, b, delta);
}

/* Symbols other than loop variables must cancel (same coefficient). */
static int symbols_cancel(const Dep *d, const Lin *a, const Lin *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const Lin *x = pass ? b : a, *y = pass ? a : b;
        for (int k = 0; k < x->n; k++) {
            const char *nm = x->name[k];
            if (x->loop[k] >= 0 || !strcmp(nm, d->iv)) continue;
            if (lin_coef(y, nm, -1) != x->coef[k]) return 0;
        }
    }
    return 1;
}

/* Dimension x of an access in loop context cx against y in context cy. */
static int dim_disjoint(const Dep *d, const IndexDim *x, int cx, const IndexDim *y, int cy)
{
    if (!x || !y || x->kind != IDX_SINGLE || y->kind != IDX_SINGLE) return 0;
    Lin a, b;
    lin_of(d, cx, x->lo, &a);
    lin_of(d, cy, y->lo, &b);
    if (!a.ok || !b.ok || !symbols_cancel(d, &a, &b)) return 0;
    if (d->n < 2) return 1;                   /* at most one iteration */
    if (d->incr_known) return lin_disjoint_dir(d, &a, &b, d->incr);
    return lin_disjoint_dir(d, &a, &b, 1.0) && lin_disjoint_dir(d, &a, &b, -1.0);
}

/* ---- loop-variable use ------------------------------------------------------------ */

static int expr_uses(const Expr *e, const char *var)
{
    if (!e) return 0;
    switch (e->kind) {
    case EX_ID: return !strcmp(e->u.name, var);
    case EX_BINARY: return expr_uses(e->u.bin.l, var) || expr_uses(e->u.bin.r, var);
    case EX_UNARY: return expr_uses(e->u.un.e, var);
    case EX_INDEX:
        return expr_uses(e->u.index.target, var) || expr_uses(e->u.index.row.lo, var) ||
               expr_uses(e->u.index.row.hi, var) || expr_uses(e->u.index.col.lo, var) ||
               expr_uses(e->u.index.col.hi, var);
    case EX_CALL:
        for (int k = 0; k < e->u.call.nargs; k++)
            if (expr_uses(e->u.call.args[k].value, var)) return 1;
        return 0;
    case EX_LIST:
        for (int k = 0; k < e->u.list.n; k++)
            if (expr_uses(e->u.list.items[k], var)) return 1;
        return 0;
    default: return 0;
    }
}

static int dim_uses(const IndexDim *x, const char *var)
{
    return x && x->kind != IDX_ALL && (expr_uses(x->lo, var) || expr_uses(x->hi, var));
}

static int access_uses_iv(const Dep *d, const Access *a)
{
    return dim_uses(a->row, d->iv) || dim_uses(a->col, d->iv);
}

/* ---- per-candidate analysis ---------------------------------------------------------- */

/* May two accesses (in different iterations) touch the same cell?  The
 * second index of a list (or of an unknown-type variable, which may be
 * one) is ignored at run time, so it proves nothing. */
static int conflict(const Dep *d, const Access *x, const Access *y, int listlike)
{
    return !dim_disjoint(d, x->row, x->loop, y->row, y->loop) &&
           (listlike || !dim_disjoint(d, x->col, x->loop, y->col, y->loop));
}

/* Checks of a matrix/list candidate written with indexes. */
static int indexed_dependency(const Dep *d, const char *var, int listlike)
{
    for (int i = 0; i < d->nacc; i++) {
        const Access *w = &d->acc[i];
        if (!w->write || !w->indexed || strcmp(w->var, var)) continue;
        int invariant = !access_uses_iv(d, w);
        if (invariant && !w->accumulate) return 1;
        if (!invariant && conflict(d, w, w, listlike)) return 1;
        for (int j = 0; j < d->nacc; j++) {
            const Access *o = &d->acc[j];
            if (j == i || strcmp(o->var, var) || (o->write && !o->indexed)) continue;
            if (!o->indexed) return 1;                   /* full read, e.g. sum(A) */
            /* two loop-invariant += are summed by the merge */
            if (invariant && o->write && o->accumulate && !access_uses_iv(d, o)) continue;
            if (conflict(d, w, o, listlike)) return 1;
        }
    }
    return 0;
}

static int has_dependency(const Dep *d, const char *var, DataType dt)
{
    int indexed = 0, plain = 0, accum = 0, reads = 0, acc_rhs = 0;
    for (int k = 0; k < d->nacc; k++) {
        const Access *a = &d->acc[k];
        if (strcmp(a->var, var)) continue;
        if (!a->write) {
            reads++;
            acc_rhs += a->acc_rhs;
        } else if (a->indexed) indexed++;
        else if (a->accumulate) accum++;
        else plain++;
    }
    if (dt == DT_SCALAR || (dt == DT_UNKNOWN && !indexed)) return 1;
    if (plain || acc_rhs) return 1;
    if (accum) return reads > 0 || indexed > 0;
    if (!indexed) return 0;
    return indexed_dependency(d, var, dt == DT_LIST || dt == DT_UNKNOWN);
}

/* ---- entry point ---------------------------------------------------------------------- */

static void dep_init(Dep *d, const Stmt *pf)
{
    double to;
    memset(d, 0, sizeof *d);
    d->cur = -1;
    hm_init(&d->assigned);
    d->iv = pf->u.fors.var;
    d->n = INFINITY;
    d->from_known = literal_int(pf->u.fors.from, &d->from);
    int to_known = literal_int(pf->u.fors.to, &to);
    if (pf->u.fors.incr) d->incr_known = literal_int(pf->u.fors.incr, &d->incr);
    else if (d->from_known && to_known) {
        d->incr = d->from <= to ? 1.0 : -1.0;
        d->incr_known = 1;
    }
    if (d->from_known && to_known && d->incr_known) {
        double n = d->incr != 0.0 ? floor((to - d->from) / d->incr) + 1 : 0;
        d->n = n > 0 ? n : 0;
    }
}

static void dep_free(Dep *d)
{
    free(d->acc);
    free(d->loops);
    hm_free(&d->assigned);
}

/* A nested loop's variable is not excluded: only its header is not a write
 * (no access is recorded for it), an assignment in the body is. */
static int is_candidate(const Dep *d, const char *var, SemVarLookup look, void *ud,
                        DataType *dt)
{
    if (!strcmp(var, d->iv)) return 0;
    return look(ud, var, dt);
}

tsr_status sem_parfor_deps(const Stmt *pf, SemVarLookup look, void *ud, Err *err)
{
    Dep d;
    dep_init(&d, pf);
    walk_block(&d, &pf->u.fors.body);
    HMap seen;
    StrBuf deps;
    hm_init(&seen);
    sb_init(&deps);
    for (int k = 0; k < d.nacc; k++) {
        const char *var = d.acc[k].var;
        DataType dt;
        if (!d.acc[k].write || hm_has(&seen, var)) continue;
        hm_put(&seen, var, (void *)1);
        if (is_candidate(&d, var, look, ud, &dt) && has_dependency(&d, var, dt))
            sb_printf(&deps, "%s%s", deps.len ? ", " : "", var);
    }
    tsr_status st = TSR_OK;
    if (deps.len)
        st = err_at(err, pf->span, TSR_TYPE,
                    "PARFOR loop dependency analysis: inter-iteration (loop-carried) "
                    "dependencies detected for variable(s): %s. \n Please, ensure independence "
                    "of iterations.", deps.s);
    sb_free(&deps);
    hm_free(&seen);
    dep_free(&d);
    return st;
}
