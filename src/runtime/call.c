/*
 * call.c - function calls: native builtins, user-defined functions and
 * DML-bodied builtins (DML.md 5.2-5.8), plus the entry points that let
 * second-order builtins (eval, evalList) call functions by name.
 *
 * A call evaluates its arguments in the caller's scope (left to right),
 * then either hands them to the builtin handler through the dispatch layer,
 * or binds them to the parameters of a function in a fresh scope: all
 * positional or all named; missing parameters take their default, which is
 * evaluated in the callee's scope after the given arguments are bound (the
 * Impl. note of DML.md 5.2: a default may refer to earlier parameters but
 * not to the caller's variables).  Arguments and outputs must have the
 * declared data type (rt_check_decl; the validator checks what it knows
 * statically, this is the run-time half); scalars are cast to the declared
 * value type (int -> double etc.).  Outputs are returned by
 * name in declaration order.  Recursion is limited by RT_MAX_CALL_DEPTH and
 * by the remaining C stack, both reported as a TSR_LIMIT error.
 */
#include "runtime/rt_int.h"

#include <stdlib.h>
#include <string.h>

static Value empty_value(void)
{
    Value v;
    memset(&v, 0, sizeof v);
    return v;
}

/* ---- argument lists -------------------------------------------------------------- */

void rt_args_free(RtArgs *a)
{
    for (int k = 0; k < a->npos; k++) rt_release(&a->pos[k]);
    for (int k = 0; k < a->nnamed; k++) rt_release(&a->named[k]);
    free(a->pos);
    free(a->named);
    free(a->names);
    memset(a, 0, sizeof *a);
}

/* exists(x) receives the name of the variable x, not its value. */
static int is_exists_name_arg(const Expr *e, const Expr *arg)
{
    const RtBuiltin *b = e->u.call.builtin_id >= 0 ? rt_builtin_by_id(e->u.call.builtin_id) : NULL;
    return arg->kind == EX_ID && b && !strcmp(b->name, "exists");
}

/* Evaluates the call's arguments in source order into an owned RtArgs. */
static tsr_status args_eval(Interp *in, const Expr *e, RtArgs *a)
{
    int n = e->u.call.nargs;
    memset(a, 0, sizeof *a);
    a->span = e->span;
    a->pos = xcalloc((size_t)n + 1, sizeof *a->pos);
    a->named = xcalloc((size_t)n + 1, sizeof *a->named);
    a->names = xcalloc((size_t)n + 1, sizeof *a->names);
    for (int k = 0; k < n; k++) {
        const Arg *arg = &e->u.call.args[k];
        Value *slot = arg->name ? &a->named[a->nnamed] : &a->pos[a->npos];
        tsr_status st = TSR_OK;
        if (is_exists_name_arg(e, arg->value)) *slot = rt_str(arg->value->u.name);
        else st = rt_eval(in, arg->value, slot);
        if (st) {
            rt_args_free(a);
            return st;
        }
        if (arg->name) a->names[a->nnamed++] = arg->name;
        else a->npos++;
    }
    return TSR_OK;
}

static void args_copy(const RtArgs *src, RtArgs *a)
{
    memset(a, 0, sizeof *a);
    a->span = src->span;
    a->end = src->end;
    a->pos = xcalloc((size_t)src->npos + 1, sizeof *a->pos);
    a->named = xcalloc((size_t)src->nnamed + 1, sizeof *a->named);
    a->names = xcalloc((size_t)src->nnamed + 1, sizeof *a->names);
    for (int k = 0; k < src->npos; k++) a->pos[k] = rt_copy(&src->pos[k]);
    for (int k = 0; k < src->nnamed; k++) {
        a->named[k] = rt_copy(&src->named[k]);
        a->names[k] = src->names[k];
    }
    a->npos = src->npos;
    a->nnamed = src->nnamed;
}

/* Data type of the first argument (named or not; the args are either all
 * positional or all named for functions). */
static DataType first_arg_dt(const RtArgs *a)
{
    if (a->npos > 0) return a->pos[0].dt;
    if (a->nnamed > 0) return a->named[0].dt;
    return DT_UNKNOWN;
}

/* ---- casts to declared types --------------------------------------------------- */

/* Casts a scalar to the declared scalar value type (SystemDS auto-casts
 * scalar arguments and results of functions).  Strings are never parsed
 * (rt_check_decl rejects a string for a non-string declaration first). */
static void cast_to_decl(Value *v, const TypeDecl *t)
{
    if (t->dt != DT_SCALAR || v->dt != DT_SCALAR || t->vt == VT_UNKNOWN || v->vt == t->vt)
        return;
    if (v->vt == VT_STRING && t->vt != VT_STRING) return;
    Value c;
    StrBuf sb;
    switch (t->vt) {
    case VT_INT64: c = rt_int(rt_as_int(v)); break;
    case VT_FP64: c = rt_dbl(rt_as_double(v)); break;
    case VT_BOOL: c = rt_bool(rt_as_bool(v)); break;
    default:
        sb_init(&sb);
        rt_scalar_to_string(v, &sb);
        c = sb.s ? rt_str_take(sb_take(&sb)) : rt_str("");
        break;
    }
    rt_release(v);
    *v = c;
}

static const char *dt_upper(DataType dt)
{
    switch (dt) {
    case DT_SCALAR: return "SCALAR";
    case DT_MATRIX: return "MATRIX";
    case DT_FRAME: return "FRAME";
    case DT_LIST: return "LIST";
    default: return "UNKNOWN";
    }
}

tsr_status rt_check_decl(const FuncDef *fn, const Param *p, int is_output, DataType dt,
                         ValueType vt, tsr_status code, Err *err)
{
    const TypeDecl *t = &p->type;
    const char *what = is_output ? "return variable" : "argument for parameter";
    if (dt == DT_UNKNOWN) return TSR_OK;
    if (dt != t->dt)
        return err_set(err, code, "for function %s, %s %s data type of %s does not match data "
                       "type in function signature of %s", fn->name, what, p->name,
                       dt_upper(dt), dt_upper(t->dt));
    if (dt != DT_SCALAR || vt != VT_STRING || t->vt == VT_STRING || t->vt == VT_UNKNOWN)
        return TSR_OK;
    return err_set(err, code, "for function %s, %s %s value type of %s does not match value "
                   "type in function signature of %s and cannot safely cast value", fn->name,
                   what, p->name, rt_vt_name(vt), rt_vt_name(t->vt));
}

/* ---- binding ----------------------------------------------------------------------- */

static int param_index(const FuncDef *fn, const char *name)
{
    for (int k = 0; k < fn->nparams; k++)
        if (strcmp(fn->params[k].name, name) == 0) return k;
    return -1;
}

static tsr_status bad_named_param(Interp *in, const FuncDef *fn, const char *p)
{
    StrBuf sig;
    sb_init(&sig);
    for (int k = 0; k < fn->nparams; k++)
        sb_printf(&sig, "%s%s", k ? ", " : "", fn->params[k].name);
    err_set(&in->ctx.err, TSR_RUNTIME,
            "Named function call parameter '%s' does not exist in signature of function "
            "'%s'. Function signature: [%s]", p, fn->name, sig.s ? sig.s : "");
    sb_free(&sig);
    return TSR_RUNTIME;
}

/* Checks v (taken) against p's declared type, casts it and binds it in the
 * callee scope (in->env). */
static tsr_status bind_one(Interp *in, const FuncDef *fn, const Param *p, Value *v)
{
    Value b = *v;
    *v = empty_value();
    tsr_status st = rt_check_decl(fn, p, 0, b.dt, b.vt, TSR_RUNTIME, &in->ctx.err);
    if (st) {
        rt_release(&b);
        return st;
    }
    cast_to_decl(&b, &p->type);
    rt_env_set(in->env, p->name, b);
    return TSR_OK;
}

/* Evaluates the defaults of unbound parameters in the callee's scope
 * (in->env is the callee scope here). */
static tsr_status bind_defaults(Interp *in, const FuncDef *fn)
{
    for (int k = 0; k < fn->nparams; k++) {
        const Param *p = &fn->params[k];
        if (rt_env_get(in->env, p->name)) continue;
        if (!p->defval)
            return err_set(&in->ctx.err, TSR_RUNTIME,
                           "Missing default expression for unspecified function argument "
                           "'%s' in call to function '%s'.", p->name, fn->name);
        Value v;
        tsr_status st = rt_eval(in, p->defval, &v);
        if (!st) st = bind_one(in, fn, p, &v);
        if (st) return st;
    }
    return TSR_OK;
}

/* Moves the arguments (taken) into the callee scope, then fills defaults. */
static tsr_status bind_args(Interp *in, const FuncDef *fn, RtArgs *a)
{
    if (a->npos > 0 && a->nnamed > 0)
        return err_set(&in->ctx.err, TSR_RUNTIME,
                       " In DML, functions can only have named parameters (e.g., name1=value1, "
                       "name2=value2) or unnamed parameters (e.g, value1, value2). %s has both "
                       "parameter types.", fn->name);
    if (a->npos > fn->nparams)
        return err_set(&in->ctx.err, TSR_RUNTIME,
                       "function %s has incorrect number of parameters. Function requires %d "
                       "but was called with %d", fn->name, fn->nparams, a->npos);
    for (int k = 0; k < a->npos; k++) {
        tsr_status st = bind_one(in, fn, &fn->params[k], &a->pos[k]);
        if (st) return st;
    }
    for (int k = 0; k < a->nnamed; k++) {
        int p = param_index(fn, a->names[k]);
        if (p < 0) return bad_named_param(in, fn, a->names[k]);
        tsr_status st = bind_one(in, fn, &fn->params[p], &a->named[k]);
        if (st) return st;
    }
    return bind_defaults(in, fn);
}

/* Moves the first nout outputs out of the finished callee scope. */
static tsr_status take_outputs(Interp *in, const FuncDef *fn, Env *callee, Value *out,
                               int nout)
{
    if (nout > 1 && nout > fn->nouts)
        return err_set(&in->ctx.err, TSR_RUNTIME,
                       "function %s returns %d value(s) but %d targets were given", fn->name,
                       fn->nouts, nout);
    for (int k = 0; k < nout && k < fn->nouts; k++) {
        out[k] = rt_env_take(callee, fn->outs[k].name);
        if (out[k].dt == DT_UNKNOWN)
            return err_set(&in->ctx.err, TSR_RUNTIME,
                           "for function %s, return variable %s must be defined in function",
                           fn->name, fn->outs[k].name);
        tsr_status st = rt_check_decl(fn, &fn->outs[k], 1, out[k].dt, out[k].vt, TSR_RUNTIME,
                                      &in->ctx.err);
        if (st) return st;
        cast_to_decl(&out[k], &fn->outs[k].type);
    }
    return TSR_OK;
}

/* ---- user functions ------------------------------------------------------------------ */

static int stack_exhausted(const Interp *in)
{
    char probe;
    uintptr_t here = (uintptr_t)&probe;
    return in->stack_floor != 0 && here < in->stack_floor;
}

static tsr_status enter_call(Interp *in, const FuncDef *fn)
{
    if (fn->is_external)
        return err_set(&in->ctx.err, TSR_RUNTIME,
                       "externalFunction %s is not supported (Java UDFs cannot run in Tessera)",
                       fn->name);
    if (in->ctx.depth >= RT_MAX_CALL_DEPTH || stack_exhausted(in))
        return err_set(&in->ctx.err, TSR_LIMIT,
                       "maximum function call depth exceeded (%d nested calls) in call to "
                       "function '%s'", in->ctx.depth, fn->name);
    in->ctx.depth++;
    return TSR_OK;
}

/* Binds a (taken), runs fn's body in a fresh scope and returns its outputs.
 * Errors without a location get `sp` (the call). */
static tsr_status run_function(Interp *in, const FuncDef *fn, RtArgs *a, Span sp, Value *out,
                               int nout)
{
    tsr_status st = enter_call(in, fn);
    if (st) return rt_fail_at(in, sp);
    int64_t t0 = rt_stats_t0(in);
    Env callee;
    rt_env_init(&callee);
    Env *caller = in->env;
    const AstFile *caller_file = in->file;
    in->env = &callee;
    in->file = fn->file;
    st = bind_args(in, fn, a);
    if (st) rt_fail_at(in, sp);
    if (!st) st = rt_exec_block(in, &fn->body);
    if (!st && (st = take_outputs(in, fn, &callee, out, nout))) rt_fail_at(in, sp);
    in->env = caller;
    in->file = caller_file;
    in->ctx.depth--;
    rt_env_free(&callee);
    rt_stats_end(in, "fcall", t0);
    return st;
}

/* ---- DML-bodied builtins ------------------------------------------------------------ */

/* The (cached) module of scripts/builtin/<name>.dml, validated. */
static AstModule *dml_module(Interp *in, const char *name)
{
    RtShared *sh = in->sh;
    pthread_mutex_lock(&sh->mu);   /* parfor workers load and look up concurrently */
    AstModule *m = hm_get(&sh->dml_mods, name);
    if (!m) {
        m = prs_load_builtin(in->ctx.prog, name, &in->ctx.err);
        if (m && sem_validate_module(in->sem, m, &in->ctx.err) != TSR_OK) m = NULL;
        if (m) hm_put(&sh->dml_mods, name, m);
    }
    pthread_mutex_unlock(&sh->mu);
    return m;
}

static const char *variant_prefix(DataType first)
{
    return first == DT_MATRIX ? "m_" : first == DT_FRAME ? "f_" : "s_";
}

/* The m_/f_/s_ entry point of builtin `name` for a first argument of type
 * `first` (DML.md 5.8); NULL with the error set. */
static const FuncDef *dml_variant(Interp *in, const char *name, DataType first)
{
    AstModule *m = dml_module(in, name);
    if (!m) {
        if (in->ctx.err.code == TSR_OK)
            err_set(&in->ctx.err, TSR_RUNTIME,
                    "function %s is undefined in namespace .defaultNS", name);
        return NULL;
    }
    char fname[256];
    snprintf(fname, sizeof fname, "%s%s", variant_prefix(first), name);
    const FuncDef *fn = hm_get(&m->funcs, fname);
    if (!fn)
        err_set(&in->ctx.err, TSR_RUNTIME,
                "Builtin function '%s': script loaded but function not found. Is there a "
                "typo in the function name?", fname);
    return fn;
}

/* The function a validated call expression refers to: the annotated
 * function itself, or for a DML-bodied builtin the variant chosen by the
 * first argument's actual data type. */
static const FuncDef *call_target(Interp *in, const Expr *e, const RtArgs *a)
{
    const FuncDef *fn = e->u.call.fn;
    if (strcmp(fn->name, e->u.call.name) == 0) return fn;   /* user function */
    const char *pre = variant_prefix(first_arg_dt(a));
    if (strncmp(fn->name, pre, 2) == 0) return fn;
    return dml_variant(in, e->u.call.name, first_arg_dt(a));
}

/* ---- call expressions -------------------------------------------------------------- */

static tsr_status call_builtin(Interp *in, const RtBuiltin *b, RtArgs *a, Value *out,
                               int nout)
{
    if (nout > 0) return rt_op_builtin(in, b, a, out, nout);
    Value discard = empty_value();
    tsr_status st = rt_op_builtin(in, b, a, &discard, 1);
    rt_release(&discard);
    return st;
}

tsr_status rt_eval_call(Interp *in, const Expr *e, Span end, Value *out, int nout)
{
    RtArgs a;
    tsr_status st = args_eval(in, e, &a);
    if (st) return st;
    return rt_eval_call_args(in, e, &a, end, out, nout);
}

tsr_status rt_eval_call_args(Interp *in, const Expr *e, RtArgs *args, Span end, Value *out,
                             int nout)
{
    RtArgs a = *args;
    tsr_status st;
    memset(args, 0, sizeof *args);
    a.end = end;
    for (int k = 0; k < nout; k++) out[k] = empty_value();
    if (e->u.call.builtin_id >= 0) {
        st = call_builtin(in, rt_builtin_by_id(e->u.call.builtin_id), &a, out, nout);
    } else if (e->u.call.fn) {
        const FuncDef *fn = call_target(in, e, &a);
        st = fn ? run_function(in, fn, &a, e->span, out, nout) : in->ctx.err.code;
    } else {
        st = err_set(&in->ctx.err, TSR_RUNTIME, "function %s is undefined in namespace %s",
                     e->u.call.name, e->u.call.ns ? e->u.call.ns : ".defaultNS");
    }
    rt_args_free(&a);
    if (st) {
        for (int k = 0; k < nout; k++) rt_release(&out[k]);
        return rt_fail_at(in, e->span);
    }
    return TSR_OK;
}

/* ---- entry points for second-order builtins (runtime.h) -------------------------- */

/* The module whose code is executing (for unqualified names in eval). */
static AstModule *current_module(Interp *in)
{
    AstProgram *p = in->ctx.prog;
    size_t it = 0;
    void *val;
    AstModule *m = p->main;
    if (!in->file || in->file == p->main->file) return m;
    pthread_mutex_lock(&in->sh->mu);   /* dml_module may add modules meanwhile */
    while (hm_next(&p->modules, &it, NULL, &val))
        if (((AstModule *)val)->file == in->file) {
            m = val;
            break;
        }
    pthread_mutex_unlock(&in->sh->mu);
    return m;
}

static const FuncDef *find_qualified(Interp *in, const char *name, const char *sep)
{
    char ns[256];
    size_t n = (size_t)(sep - name);
    if (n >= sizeof ns) return NULL;
    memcpy(ns, name, n);
    ns[n] = '\0';
    AstModule *m = hm_get(&current_module(in)->imports, ns);
    if (!m) m = hm_get(&in->ctx.prog->main->imports, ns);
    return m ? hm_get(&m->funcs, sep + 2) : NULL;
}

const FuncDef *rt_find_function(RtCtx *ctx, const char *name, DataType first_dt)
{
    Interp *in = rt_interp(ctx);
    const char *sep = strstr(name, "::");
    const FuncDef *fn;
    if (sep) {
        fn = find_qualified(in, name, sep);
    } else {
        fn = hm_get(&current_module(in)->funcs, name);
        if (!fn) fn = hm_get(&ctx->prog->main->funcs, name);
        if (!fn && dml_module(in, name)) return dml_variant(in, name, first_dt);
        if (!fn && ctx->err.code != TSR_OK) return NULL;   /* a broken builtin file */
    }
    if (!fn) {
        err_clear(&ctx->err);
        err_set(&ctx->err, TSR_RUNTIME,
                "Function '%s%s' (called through eval) is non-existing.",
                sep ? "" : ".defaultNS::", name);
    }
    return fn;
}

tsr_status rt_call_function(RtCtx *ctx, const FuncDef *fn, const RtArgs *args, Value *out,
                            int nout)
{
    Interp *in = rt_interp(ctx);
    RtArgs a;
    args_copy(args, &a);
    for (int k = 0; k < nout; k++) out[k] = empty_value();
    tsr_status st = run_function(in, fn, &a, args->span, out, nout);
    rt_args_free(&a);
    if (st)
        for (int k = 0; k < nout; k++) rt_release(&out[k]);
    return st;
}

const Value *rt_lookup_var(RtCtx *ctx, const char *name)
{
    return rt_env_get(rt_interp(ctx)->env, name);
}
