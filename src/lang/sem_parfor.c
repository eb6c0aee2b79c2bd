/*
 * sem_parfor.c - compile-time loop-dependency analysis of parfor (DML.md
 * 8.4), implemented literally after the reference rules: no false
 * negatives, false positives allowed.
 *
 *  1. Candidates: variables that exist before the loop and are written in
 *     the body (recursively through if/while/for/parfor; not through
 *     function calls).  Loop variables of nested loops are not candidates.
 *  2. A scalar (or unknown, never indexed) candidate: any write is a
 *     dependency.  A matrix/list candidate: writes without index (unless
 *     all are +=) and writes whose index does not use the loop variable
 *     (unless +=) are dependencies; reads of an accumulator are too.  Every
 *     pair of an indexed write with itself, another write or a read must be
 *     proven disjoint across two different iterations in at least one
 *     dimension: single indexes that are linear in the loop variables are
 *     tested with the GCD test and Banerjee bounds (direction < and >);
 *     ranges, whole dimensions and non-linear indexes are never disjoint.
 *     Two different accesses with identical index expressions that use the
 *     loop variable touch the same iteration's cells and are fine; full
 *     reads (sum(A)) are dependencies; nrow/ncol/length are not reads.
 *  3. All dependent variables are reported in one error at the parfor.
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
    int indexed;                /* else: whole variable */
    const IndexDim *row, *col;  /* col NULL: single index X[i] (= X[i, ]) */
} Access;

/* A loop nested in the body, with literal bounds when known. */
typedef struct Loop {
    const char *var;
    double lo, hi;              /* +-INFINITY when unknown */
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
    HMap assigned;              /* names bound in the body (not invariant) */
} Dep;

static void add_access(Dep *d, Access a)
{
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

static void add_loop(Dep *d, const Stmt *s)
{
    if (d->nloops == d->caploops) {
        d->caploops = d->caploops ? d->caploops * 2 : 8;
        d->loops = xrealloc(d->loops, (size_t)d->caploops * sizeof *d->loops);
    }
    Loop *l = &d->loops[d->nloops++];
    double a, b;
    l->var = s->u.fors.var;
    l->lo = -INFINITY;
    l->hi = INFINITY;
    if (literal_int(s->u.fors.from, &a) && literal_int(s->u.fors.to, &b)) {
        l->lo = a < b ? a : b;
        l->hi = a < b ? b : a;
    }
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
    walk_expr(d, s->u.assign.value);
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
        hm_put(&d->assigned, a.var, (void *)1);
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
            hm_put(&d->assigned, a.var, (void *)1);
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
    case ST_FOR:
        walk_expr(d, s->u.fors.from);
        walk_expr(d, s->u.fors.to);
        if (s->u.fors.incr) walk_expr(d, s->u.fors.incr);
        add_loop(d, s);
        hm_put(&d->assigned, s->u.fors.var, (void *)1);
        walk_block(d, &s->u.fors.body);
        break;
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
/* c0 + sum coef[k] * name[k]; names are the loop variable, nested loop
 * variables and loop-invariant symbols. */
typedef struct Lin {
    int ok;
    double c0;
    int n;
    const char *name[LIN_MAX];
    double coef[LIN_MAX];
} Lin;

static void lin_const(Lin *l, double c)
{
    memset(l, 0, sizeof *l);
    l->ok = 1;
    l->c0 = c;
}

static double lin_coef(const Lin *l, const char *name)
{
    for (int k = 0; k < l->n; k++)
        if (!strcmp(l->name[k], name)) return l->coef[k];
    return 0.0;
}

static void lin_add_term(Lin *l, const char *name, double c)
{
    for (int k = 0; k < l->n; k++)
        if (!strcmp(l->name[k], name)) {
            l->coef[k] += c;
            return;
        }
    if (l->n == LIN_MAX) {
        l->ok = 0;
        return;
    }
    l->name[l->n] = name;
    l->coef[l->n++] = c;
}

/* a + s*b into a. */
static void lin_axpy(Lin *a, const Lin *b, double s)
{
    a->c0 += s * b->c0;
    for (int k = 0; k < b->n; k++) lin_add_term(a, b->name[k], s * b->coef[k]);
    a->ok = a->ok && b->ok;
}

static void lin_scale(Lin *a, double s)
{
    a->c0 *= s;
    for (int k = 0; k < a->n; k++) a->coef[k] *= s;
}

static const Loop *find_loop(const Dep *d, const char *name)
{
    for (int k = 0; k < d->nloops; k++)
        if (!strcmp(d->loops[k].var, name)) return &d->loops[k];
    return NULL;
}

static void lin_of(const Dep *d, const Expr *e, Lin *out);

static void lin_binary(const Dep *d, const Expr *e, Lin *out)
{
    Lin r;
    lin_of(d, e->u.bin.l, out);
    lin_of(d, e->u.bin.r, &r);
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

static void lin_of(const Dep *d, const Expr *e, Lin *out)
{
    lin_const(out, 0.0);
    switch (e->kind) {
    case EX_INT: out->c0 = (double)e->u.ival; return;
    case EX_DBL: out->c0 = e->u.dval; return;
    case EX_ID:
        /* the loop variables, or a symbol the body never rebinds */
        if (!strcmp(e->u.name, d->iv) || !hm_has(&d->assigned, e->u.name) ||
            find_loop(d, e->u.name))
            lin_add_term(out, e->u.name, 1.0);
        else
            out->ok = 0;
        return;
    case EX_UNARY:
        lin_of(d, e->u.un.e, out);
        if (e->u.un.op == UOP_NEG) lin_scale(out, -1.0);
        else if (e->u.un.op == UOP_NOT) out->ok = 0;
        return;
    case EX_BINARY: lin_binary(d, e, out); return;
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
    for (int k = 0; k < d->nloops; k++) {
        const Loop *l = &d->loops[k];
        double l1, h1, l2, h2;
        term_range(lin_coef(a, l->var), l->lo, l->hi, &l1, &h1);
        term_range(lin_coef(b, l->var), l->lo, l->hi, &l2, &h2);
        nlo += l1 - h2;
        nhi += h1 - l2;
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
    double a1 = lin_coef(a, d->iv), c1 = lin_coef(b, d->iv);
    if (a1 != c1 && !d->from_known) return 0;
    double from = d->from_known ? d->from : 0.0;
    double A = a1 * incr, C = c1 * incr;
    double delta = b->c0 - a->c0 + (c1 - a1) * from;
    double g = gcd_d(A, C);
    for (int k = 0; k < d->nloops; k++) {
        double x = lin_coef(a, d->loops[k].var), y = lin_coef(b, d->loops[k].var);
        if (!is_int(x) || !is_int(y)) return 0;
        g = gcd_d(gcd_d(g, x), y);
    }
    if (!is_int(A) || !is_int(C) || !isfinite(delta)) return 0;
    if (g == 0.0) return delta != 0.0;         /* both constant */
    if (!is_int(delta) || fmod(fabs(delta), g) != 0.0) return 1;   /* GCD test */
    return !banerjee_feasible(d, A, C, a, b, delta);
}

/* Symbols other than loop variables must cancel (same coefficient). */
static int symbols_cancel(const Dep *d, const Lin *a, const Lin *b)
{
    for (int pass = 0; pass < 2; pass++) {
        const Lin *x = pass ? b : a, *y = pass ? a : b;
        for (int k = 0; k < x->n; k++) {
            const char *nm = x->name[k];
            if (!strcmp(nm, d->iv) || find_loop(d, nm)) continue;
            if (lin_coef(y, nm) != x->coef[k]) return 0;
        }
    }
    return 1;
}

static int dim_disjoint(const Dep *d, const IndexDim *x, const IndexDim *y)
{
    if (!x || !y || x->kind != IDX_SINGLE || y->kind != IDX_SINGLE) return 0;
    Lin a, b;
    lin_of(d, x->lo, &a);
    lin_of(d, y->lo, &b);
    if (!a.ok || !b.ok || !symbols_cancel(d, &a, &b)) return 0;
    if (d->n < 2) return 1;                   /* at most one iteration */
    if (d->incr_known) return lin_disjoint_dir(d, &a, &b, d->incr);
    return lin_disjoint_dir(d, &a, &b, 1.0) && lin_disjoint_dir(d, &a, &b, -1.0);
}

/* ---- structural equality and loop-variable use ------------------------------------ */

static int expr_equal(const Expr *a, const Expr *b);

static int dim_equal(const IndexDim *a, const IndexDim *b)
{
    if (!a || !b) return a == b || (!a && b->kind == IDX_ALL) || (!b && a->kind == IDX_ALL);
    if (a->kind != b->kind) return 0;
    if (a->kind == IDX_ALL) return 1;
    if (!expr_equal(a->lo, b->lo)) return 0;
    return a->kind != IDX_RANGE || expr_equal(a->hi, b->hi);
}

static int expr_equal(const Expr *a, const Expr *b)
{
    if (a->kind != b->kind) return 0;
    switch (a->kind) {
    case EX_INT: return a->u.ival == b->u.ival;
    case EX_DBL: return a->u.dval == b->u.dval;
    case EX_BOOL: return a->u.bval == b->u.bval;
    case EX_STR:
        return a->u.str.len == b->u.str.len && !memcmp(a->u.str.s, b->u.str.s, a->u.str.len);
    case EX_ID: return !strcmp(a->u.name, b->u.name);
    case EX_BINARY:
        return a->u.bin.op == b->u.bin.op && expr_equal(a->u.bin.l, b->u.bin.l) &&
               expr_equal(a->u.bin.r, b->u.bin.r);
    case EX_UNARY: return a->u.un.op == b->u.un.op && expr_equal(a->u.un.e, b->u.un.e);
    default: return 0;   /* calls, nested indexing: never assumed equal */
    }
}

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

/* May two accesses (in different iterations) touch the same cell? */
static int conflict(const Dep *d, const Access *x, const Access *y, int distinct)
{
    if (distinct && dim_equal(x->row, y->row) && dim_equal(x->col, y->col) &&
        access_uses_iv(d, x))
        return 0;   /* identical functions of the loop variable: same iteration */
    return !dim_disjoint(d, x->row, y->row) && !dim_disjoint(d, x->col, y->col);
}

/* Checks of a matrix/list candidate written with indexes. */
static int indexed_dependency(const Dep *d, const char *var)
{
    for (int i = 0; i < d->nacc; i++) {
        const Access *w = &d->acc[i];
        if (!w->write || !w->indexed || strcmp(w->var, var)) continue;
        if (!access_uses_iv(d, w)) {
            if (!w->accumulate) return 1;
            continue;
        }
        if (conflict(d, w, w, 0)) return 1;
        for (int j = 0; j < d->nacc; j++) {
            const Access *o = &d->acc[j];
            if (j == i || strcmp(o->var, var) || (o->write && !o->indexed)) continue;
            if (!o->indexed) return 1;                   /* full read, e.g. sum(A) */
            if (o->write && !access_uses_iv(d, o)) continue;
            if (conflict(d, w, o, 1)) return 1;
        }
    }
    return 0;
}

static int has_dependency(const Dep *d, const char *var, DataType dt)
{
    int indexed = 0, plain = 0, accum = 0, reads = 0;
    for (int k = 0; k < d->nacc; k++) {
        const Access *a = &d->acc[k];
        if (strcmp(a->var, var)) continue;
        if (!a->write) reads++;
        else if (a->indexed) indexed++;
        else if (a->accumulate) accum++;
        else plain++;
    }
    if (dt == DT_SCALAR || (dt == DT_UNKNOWN && !indexed)) return 1;
    if (plain) return 1;
    if (accum) return reads > 0 || indexed > 0;
    if (!indexed) return 0;
    int unaligned_acc = 0;
    for (int k = 0; k < d->nacc; k++) {
        const Access *a = &d->acc[k];
        if (!strcmp(a->var, var) && a->write && a->indexed && a->accumulate &&
            !access_uses_iv(d, a))
            unaligned_acc = 1;
    }
    if (unaligned_acc && reads) return 1;
    return indexed_dependency(d, var);
}

/* ---- entry point ---------------------------------------------------------------------- */

static void dep_init(Dep *d, const Stmt *pf)
{
    double to;
    memset(d, 0, sizeof *d);
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

static int is_candidate(const Dep *d, const char *var, SemVarLookup look, void *ud,
                        DataType *dt)
{
    if (!strcmp(var, d->iv) || find_loop(d, var)) return 0;
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
