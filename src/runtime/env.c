/*
 * env.c - the symbol table of the interpreter: one scope per program or
 * function call, mapping names to Values it owns (see rt_int.h).
 *
 * Values are heap cells so that a borrowed Value* survives inserts of other
 * names (the hash map moves its slots, not the cells).  Nothing here knows
 * about types or errors.
 */
#include "runtime/rt_int.h"

#include <stdlib.h>

void rt_env_init(Env *e)
{
    hm_init(&e->vars);
}

void rt_env_free(Env *e)
{
    size_t it = 0;
    void *val;
    while (hm_next(&e->vars, &it, NULL, &val)) {
        rt_release(val);
        free(val);
    }
    hm_free(&e->vars);
}

Value *rt_env_get(const Env *e, const char *name)
{
    return hm_get(&e->vars, name);
}

void rt_env_set(Env *e, const char *name, Value v)
{
    Value *cell = hm_get(&e->vars, name);
    if (cell) {
        Value old = *cell;
        *cell = v;
        rt_release(&old);   /* after the store: v may share old's object */
        return;
    }
    cell = xmalloc(sizeof *cell);
    *cell = v;
    hm_put(&e->vars, name, cell);
}

Value rt_env_take(Env *e, const char *name)
{
    Value v;
    Value *cell = hm_del(&e->vars, name);
    if (!cell) {
        v.dt = DT_UNKNOWN;
        v.vt = VT_UNKNOWN;
        v.u.i = 0;
        return v;
    }
    v = *cell;
    free(cell);
    return v;
}

void rt_env_del(Env *e, const char *name)
{
    Value v = rt_env_take(e, name);
    rt_release(&v);
}
