/*
 * builtins.c - the builtin table (generated from builtins.def), lookup, the
 * argument-binding helpers shared by all builtin files, and the output and
 * control builtins: print, stop, assert, toString, time.
 *
 * The other builtin families live in builtins_data.c (matrix, seq, rand,
 * sample), builtins_io.c (read, write), builtins_list.c (metadata, casts,
 * lists, cbind/rbind), builtins_math.c (elementwise), builtins_agg.c
 * (aggregates, reorganisation, solve/inv), builtins_stats.c (quantiles,
 * moments, cov, cumsumprod, aggregate), builtins_struct.c (table, order,
 * removeEmpty, replace, lower/upper.tri, unique, countDistinct),
 * builtins_linalg.c (cholesky, det, eigen, svd, qr, lu),
 * builtins_dnn.c (conv2d, pooling, bias, batch_norm2d, lstm),
 * builtins_distrib.c (cdf, icdf, pnorm ... qt), builtins_misc.c (bitw*,
 * ppred, roll, rowcumsum, contains, interQuantile, countDistinct variants,
 * sqrtMatrixJava, compress/local) and
 * builtins_eval.c (eval, evalList, exists).  Argument evaluation and
 * error spans are the interpreter's business.
 */
#include "runtime/builtins_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- the table ------------------------------------------------------------------ */

static const RtBuiltin BUILTINS[] = {
#define BUILTIN(name, fn, lo, hi, mr) {name, fn, lo, hi, mr},
#include "runtime/builtins.def"
#undef BUILTIN
};

#define NBUILTINS ((int)(sizeof BUILTINS / sizeof BUILTINS[0]))

const RtBuiltin *rt_builtin_find(const char *name)
{
    if (strcasecmp(name, "rand") == 0)   /* DML.md 5.7: Rand, RAND, rAnD */
        name = "rand";
    for (int i = 0; i < NBUILTINS; i++)
        if (strcmp(BUILTINS[i].name, name) == 0)
            return &BUILTINS[i];
    return NULL;
}

const RtBuiltin *rt_builtin_by_id(int id)
{
    return id >= 0 && id < NBUILTINS ? &BUILTINS[id] : NULL;
}

int rt_builtin_id(const RtBuiltin *b)
{
    return b ? (int)(b - BUILTINS) : -1;
}

/* ---- argument helpers ------------------------------------------------------------- */

tsr_status bi_positional(RtCtx *ctx, const RtArgs *a, const char *fn, int lo, int hi)
{
    if (a->nnamed)
        return bi_err(ctx, "%s() does not accept named parameters (%s)", fn, a->names[0]);
    if (a->npos < lo || a->npos > hi)
        return bi_err(ctx, "Invalid number of arguments for %s(): expected %d to %d, found %d",
                      fn, lo, hi, a->npos);
    return TSR_OK;
}

tsr_status bi_err(RtCtx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(&ctx->err, TSR_RUNTIME, fmt, ap);
    va_end(ap);
    return TSR_RUNTIME;
}

int bi_nargs(const RtArgs *a)
{
    return a->npos + a->nnamed;
}

tsr_status bi_bad_param(RtCtx *ctx, const BiSig *sig, const char *k)
{
    StrBuf s;
    sb_init(&s);
    for (int i = 0; sig->params[i]; i++)
        sb_printf(&s, "%s%s", i ? ", " : "", sig->params[i]);
    bi_err(ctx, "Invalid parameter %s for %s, valid parameters are [%s]", k, sig->fn,
           s.s ? s.s : "");
    sb_free(&s);
    return TSR_RUNTIME;
}

static int find_param(const BiSig *sig, const char *k)
{
    for (int i = 0; sig->params[i]; i++)
        if (sig->icase ? strcasecmp(sig->params[i], k) == 0 : strcmp(sig->params[i], k) == 0)
            return i;
    return -1;
}

static tsr_status bind_named(RtCtx *ctx, const RtArgs *a, const BiSig *sig, const Value **v)
{
    for (int j = 0; j < a->nnamed; j++) {
        int k = find_param(sig, a->names[j]);
        if (k < 0)
            return bi_bad_param(ctx, sig, a->names[j]);
        if (v[k])
            return bi_err(ctx, "Parameter %s specified twice in call to %s()", sig->params[k],
                          sig->fn);
        v[k] = &a->named[j];
    }
    return TSR_OK;
}

tsr_status bi_bind(RtCtx *ctx, const RtArgs *a, const BiSig *sig, const Value **v)
{
    int n = 0;
    while (sig->params[n] && n < BI_MAXP)
        v[n++] = NULL;
    if (a->npos > n)
        return bi_err(ctx, "Invalid number of arguments for %s(): expected at most %d, found %d",
                      sig->fn, n, a->npos);
    for (int i = 0; i < a->npos; i++)
        v[i] = &a->pos[i];
    if (bind_named(ctx, a, sig, v) != TSR_OK)
        return TSR_RUNTIME;
    for (int i = 0; i < sig->required && i < n; i++)
        if (!v[i])
            return bi_err(ctx, "Missing argument '%s' in call to %s()", sig->params[i], sig->fn);
    return TSR_OK;
}

int bi_is_num(const Value *v)
{
    return v->dt == DT_SCALAR && (v->vt == VT_INT64 || v->vt == VT_FP64 || v->vt == VT_BOOL);
}

static tsr_status want_num(RtCtx *ctx, const char *fn, const char *p, const Value *v)
{
    if (bi_is_num(v))
        return TSR_OK;
    if (v->dt == DT_SCALAR)
        return bi_err(ctx, "%s(): parameter %s must be numeric, found a string", fn, p);
    return bi_err(ctx, "%s(): parameter %s must be a scalar, found a %s", fn, p,
                  rt_dt_name(v->dt));
}

tsr_status bi_int(RtCtx *ctx, const char *fn, const char *p, const Value *v, int64_t dflt,
                  int64_t *out)
{
    if (!v) {
        *out = dflt;
        return TSR_OK;
    }
    if (want_num(ctx, fn, p, v) != TSR_OK)
        return TSR_RUNTIME;
    *out = rt_as_int(v);
    return TSR_OK;
}

tsr_status bi_dbl(RtCtx *ctx, const char *fn, const char *p, const Value *v, double dflt,
                  double *out)
{
    if (!v) {
        *out = dflt;
        return TSR_OK;
    }
    if (want_num(ctx, fn, p, v) != TSR_OK)
        return TSR_RUNTIME;
    *out = rt_as_double(v);
    return TSR_OK;
}

tsr_status bi_bool(RtCtx *ctx, const char *fn, const char *p, const Value *v, int dflt,
                   int *out)
{
    if (!v) {
        *out = dflt;
        return TSR_OK;
    }
    if (v->dt != DT_SCALAR)
        return bi_err(ctx, "%s(): parameter %s must be a scalar, found a %s", fn, p,
                      rt_dt_name(v->dt));
    *out = rt_as_bool(v);
    return TSR_OK;
}

tsr_status bi_str(RtCtx *ctx, const char *fn, const char *p, const Value *v, const char *dflt,
                  const char **out)
{
    if (!v) {
        *out = dflt;
        return TSR_OK;
    }
    if (v->dt != DT_SCALAR || v->vt != VT_STRING)
        return bi_err(ctx, "%s(): parameter %s must be a string, found a %s %s", fn, p,
                      rt_dt_name(v->dt), v->dt == DT_SCALAR ? rt_vt_name(v->vt) : "");
    *out = v->u.s;
    return TSR_OK;
}

tsr_status bi_mat(RtCtx *ctx, const char *fn, const char *p, const Value *v, BiMat *m)
{
    m->b = NULL;
    m->own = NULL;
    if (v->dt == DT_MATRIX) {
        m->b = rt_mat_block(v);
        return TSR_OK;
    }
    if (!bi_is_num(v))
        return bi_err(ctx, "%s(): parameter %s must be a matrix, found a %s", fn, p,
                      v->dt == DT_SCALAR ? "string" : rt_dt_name(v->dt));
    m->own = mb_scalar(rt_as_double(v), &ctx->err);
    if (!m->own)
        return ctx->err.code;
    m->b = m->own;
    return TSR_OK;
}

tsr_status bi_mat2(RtCtx *ctx, const char *fn, const char *p1, const Value *v1, BiMat *m1,
                   const char *p2, const Value *v2, BiMat *m2)
{
    if (bi_mat(ctx, fn, p1, v1, m1))
        return TSR_RUNTIME;
    if (bi_mat(ctx, fn, p2, v2, m2)) {
        bi_mat_done(m1);
        return TSR_RUNTIME;
    }
    return TSR_OK;
}

void bi_mat_done(BiMat *m)
{
    mb_free(m->own);
    m->own = NULL;
    m->b = NULL;
}

tsr_status bi_ret_block(tsr_status st, MatBlock **b, Value *out)
{
    if (st == TSR_OK)
        *out = rt_mat_take(*b);
    else
        mb_free(*b);
    *b = NULL;
    return st;
}

/* ---- seeds -------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

uint64_t bi_fresh_seed(RtCtx *ctx)
{
    uint64_t base = ctx->seed != -1 ? (uint64_t)ctx->seed : (uint64_t)tm_now_ns();
    uint64_t s = splitmix64(base ^ splitmix64(ctx->rand_calls++));
    return s >> 1;   /* keep it a non-negative long, like a user seed */
}

/* ---- toString ----------------------------------------------------------------------- */

void bi_tostr_defaults(BiToStr *o)
{
    o->rows = 100;
    o->cols = 100;
    o->decimal = 3;
    o->sparse = 0;
    o->sep = " ";
    o->linesep = "\n";
}

/* SystemDS DataConverter.toString(ListObject): "List containing:\n[" then the
 * elements joined by ", " and "]"; an empty list gives "List containing:]"
 * (the trailing-separator deletion eats "\n["). */
static void list_to_string(const RtList *l, const BiToStr *o, StrBuf *out)
{
    sb_puts(out, "List containing:");
    if (l->n == 0) {
        sb_puts(out, "]");
        return;
    }
    sb_puts(out, "\n[");
    for (int i = 0; i < l->n; i++) {
        const Value *e = &l->items[i];
        if (i)
            sb_puts(out, ", ");
        if (e->dt == DT_MATRIX) {
            sb_puts(out, "\nMatrix:\n");
            bi_value_to_string(e, o, out);
        } else if (e->dt == DT_FRAME) {
            bi_value_to_string(e, o, out);
        } else if (e->dt == DT_LIST) {
            list_to_string(e->u.l, o, out);
        } else {
            rt_scalar_to_string(e, out);   /* booleans TRUE/FALSE as in print */
        }
    }
    sb_puts(out, "]");
}

void bi_value_to_string(const Value *v, const BiToStr *o, StrBuf *out)
{
    if (v->dt == DT_MATRIX)
        kn_to_string(rt_mat_block(v), o->rows, o->cols, o->decimal, o->sparse, o->sep,
                     o->linesep, out);
    else if (v->dt == DT_FRAME)
        fr_to_string(rt_frame_block(v), o->rows, o->cols, o->decimal, o->sep, o->linesep, out);
    else if (v->dt == DT_LIST)
        list_to_string(v->u.l, o, out);
    else if (v->dt == DT_SCALAR)
        rt_scalar_to_string(v, out);
}

/* SystemDS warns when toString cuts a matrix by a *default* limit (users
 * may not expect it, DML.md 6.2); a limit the user gave never warns.  List
 * elements are rendered with the same limits, so they are checked too. */
static void warn_truncation(RtCtx *ctx, Span sp, const Value *v, const BiToStr *o,
                            int rows_given, int cols_given)
{
    if (v->dt == DT_LIST) {
        for (int i = 0; i < v->u.l->n; i++)
            warn_truncation(ctx, sp, &v->u.l->items[i], o, rows_given, cols_given);
        return;
    }
    if (v->dt != DT_MATRIX)
        return;
    const MatBlock *m = rt_mat_block(v);
    int64_t r = o->rows < 0 || m->rows < o->rows ? m->rows : o->rows;
    int64_t c = o->cols < 0 || m->cols < o->cols ? m->cols : o->cols;
    if ((!rows_given && r < m->rows) || (!cols_given && c < m->cols))
        rt_warn(ctx, sp, "Truncating matrix of size %lldx%lld to %lldx%lld. Use toString(X, "
                "rows=..., cols=...) if necessary.", (long long)m->rows, (long long)m->cols,
                (long long)r, (long long)c);
}

static const char *const TOSTRING_P[] = {"target", "rows", "cols", "decimal", "sparse", "sep",
                                         "linesep", NULL};

tsr_status bi_tostring(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    static const BiSig sig = {"toString", TOSTRING_P, 1, 0};
    const Value *v[BI_MAXP];
    BiToStr o;
    int64_t dec;
    bi_tostr_defaults(&o);
    if (bi_bind(ctx, a, &sig, v) || bi_int(ctx, "toString", "rows", v[1], 100, &o.rows) ||
        bi_int(ctx, "toString", "cols", v[2], 100, &o.cols) ||
        bi_int(ctx, "toString", "decimal", v[3], 3, &dec) ||
        bi_bool(ctx, "toString", "sparse", v[4], 0, &o.sparse) ||
        bi_str(ctx, "toString", "sep", v[5], " ", &o.sep) ||
        bi_str(ctx, "toString", "linesep", v[6], "\n", &o.linesep))
        return TSR_RUNTIME;
    o.decimal = (int)(dec < -1 ? -1 : dec > 100 ? 100 : dec);
    warn_truncation(ctx, a->span, v[0], &o, v[1] != NULL, v[2] != NULL);
    StrBuf s;
    sb_init(&s);
    bi_value_to_string(v[0], &o, &s);
    *out = s.s ? rt_str_take(sb_take(&s)) : rt_str("");
    return TSR_OK;
}

/* ---- print -------------------------------------------------------------------------- */

static tsr_status printf_args(RtCtx *ctx, const RtArgs *a, NfArg *args)
{
    for (int i = 1; i < a->npos; i++) {
        const Value *v = &a->pos[i];
        NfArg *x = &args[i - 1];
        memset(x, 0, sizeof *x);
        if (v->dt != DT_SCALAR)
            return bi_err(ctx, "printf-style functionality requires scalar arguments, "
                          "but argument %d is a %s", i + 1, rt_dt_name(v->dt));
        switch (v->vt) {
        case VT_INT64: x->kind = NF_ARG_INT; x->i = v->u.i; break;
        case VT_FP64: x->kind = NF_ARG_DBL; x->d = v->u.d; break;
        case VT_BOOL: x->kind = NF_ARG_BOOL; x->b = v->u.b; break;
        default: x->kind = NF_ARG_STR; x->s = v->u.s; break;
        }
    }
    return TSR_OK;
}

static tsr_status print_format(RtCtx *ctx, const RtArgs *a, StrBuf *s)
{
    const Value *f = &a->pos[0];
    if (f->dt != DT_SCALAR || f->vt != VT_STRING)
        return bi_err(ctx, "printf-style functionality requires first print parameter "
                      "to be a string");
    NfArg *args = xcalloc((size_t)a->npos, sizeof *args);
    tsr_status st = printf_args(ctx, a, args);
    if (st == TSR_OK && nf_javaformat(s, f->u.s, args, a->npos - 1, &ctx->err) != 0)
        st = ctx->err.code ? ctx->err.code : TSR_RUNTIME;
    free(args);
    return st;
}

tsr_status bi_print(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiToStr o;
    StrBuf s;
    tsr_status st = TSR_OK;
    if (a->nnamed)
        return bi_err(ctx, "print() does not accept named parameters (%s)", a->names[0]);
    if (a->npos == 0)
        return bi_err(ctx, "print() must have more than 0 parameters");
    sb_init(&s);
    bi_tostr_defaults(&o);
    if (a->npos == 1) {
        warn_truncation(ctx, a->span, &a->pos[0], &o, 0, 0);
        bi_value_to_string(&a->pos[0], &o, &s);
    } else {
        st = print_format(ctx, a, &s);
    }
    if (st == TSR_OK) {
        sb_putc(&s, '\n');
        fputs(s.s, ctx->out ? ctx->out : stdout);
    }
    sb_free(&s);
    return st;
}

/* ---- stop, assert, time --------------------------------------------------------------- */

tsr_status bi_stop(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    BiToStr o;
    StrBuf s;
    if (bi_nargs(a) > 1)
        return bi_err(ctx, "stop() function cannot have more than 1 parameter");
    sb_init(&s);
    bi_tostr_defaults(&o);
    if (bi_nargs(a) == 1)
        bi_value_to_string(a->npos ? &a->pos[0] : &a->named[0], &o, &s);
    bi_err(ctx, "%s", s.len ? s.s : "Stop Called");
    sb_free(&s);
    return TSR_RUNTIME;
}

void rt_warn(RtCtx *ctx, Span sp, const char *fmt, ...)
{
    FILE *f = ctx->errout ? ctx->errout : stderr;
    va_list ap;
    fputs("WARNING: ", f);
    if (sp.line)
        fprintf(f, "%s:%d:%d: ", sp.file ? sp.file : "", sp.line, sp.col);
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fputc('\n', f);
}

tsr_status rt_assert_fail(RtCtx *ctx, Span from, Span to)
{
    return err_set(&ctx->err, TSR_RUNTIME, "assertion failed at %s %d:%d-%d:%d",
                   from.file ? from.file : "", from.line, from.col, to.line, to.col);
}

tsr_status bi_assert(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    if (bi_nargs(a) != 1)
        return bi_err(ctx, "assert() requires exactly one parameter");
    const Value *c = a->npos ? &a->pos[0] : &a->named[0];
    if (c->dt != DT_SCALAR)
        return bi_err(ctx, "assert() requires a scalar condition, found a %s", rt_dt_name(c->dt));
    if (rt_as_bool(c))
        return TSR_OK;
    return rt_assert_fail(ctx, a->span, a->end.line ? a->end : a->span);
}

tsr_status bi_time(RtCtx *ctx, RtArgs *a, Value *out, int nout)
{
    *out = rt_int(tm_now_ns());
    return TSR_OK;
}
