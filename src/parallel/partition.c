/*
 * partition.c - the task partitioners: the sequence of task sizes for n
 * iterations on k workers (parallel.h lists the rules).  Used by parfor
 * (task generation), paramserv and any kernel that wants a schedule other
 * than equal chunks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallel/parallel.h"

static const char *const part_names[] = {
#define X(e, s) s,
    PAR_PARTITIONERS(X)
#undef X
};

const char *par_part_name(ParPartKind k)
{
    return (unsigned)k < PAR__NPART ? part_names[k] : "?";
}

int par_part_parse(const char *name)
{
    for (int i = 0; i < PAR__NPART; i++)
        if (!strcmp(name, part_names[i])) return i;
    return -1;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

void par_part_init(ParPart *p, ParPartKind kind, int64_t n, int k, int64_t param)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->n = n < 0 ? 0 : n;
    p->remaining = p->n;
    p->k = k < 1 ? 1 : k;
    p->param = param < 1 ? 1 : param;
    if (kind == PAR_TSS && p->n > 0) {
        /* Tzen & Ni: first F = n/(2k), last L = 1, N = 2n/(F+L) tasks. */
        int64_t f = ceil_div(p->n, 2 * (int64_t)p->k);
        if (f < 1) f = 1;
        int64_t cnt = ceil_div(2 * p->n, f + 1);
        p->tss_first = f;
        p->tss_count = cnt;
        p->tss_delta = cnt > 1 ? (double)(f - 1) / (double)(cnt - 1) : 0.0;
    }
}

static int64_t factoring_size(const ParPart *p)
{
    int64_t s = ceil_div(p->remaining, 2 * (int64_t)p->k);
    if (p->kind == PAR_FACTORING_CMIN && s < p->param) s = p->param;
    if (p->kind == PAR_FACTORING_CMAX && s > p->param) s = p->param;
    return s < 1 ? 1 : s;
}

int64_t par_part_next(ParPart *p)
{
    if (p->remaining <= 0) return 0;
    int64_t s = 1;
    switch (p->kind) {
    case PAR_NAIVE: s = 1; break;
    case PAR_STATIC:   /* k tasks; the first n mod k are one larger */
        s = p->n / p->k + (p->tss_i < p->n % p->k ? 1 : 0);
        p->tss_i++;
        break;
    case PAR_FIXED: s = p->param; break;
    case PAR_GSS: s = ceil_div(p->remaining, p->k); break;
    case PAR_TSS: {
        double v = (double)p->tss_first - (double)p->tss_i * p->tss_delta;
        s = (int64_t)ceil(v - 1e-9);
        if (s < 1) s = 1;
        p->tss_i++;
        break;
    }
    case PAR_FACTORING:
    case PAR_FACTORING_CMIN:
    case PAR_FACTORING_CMAX:
        if (p->wave_left == 0) {
            p->wave_size = factoring_size(p);
            p->wave_left = p->k;
        }
        s = p->wave_size;
        p->wave_left--;
        break;
    default: s = 1; break;
    }
    if (s < 1) s = 1;
    if (s > p->remaining) s = p->remaining;
    p->remaining -= s;
    return s;
}

tsr_status par_part_sizes(ParPartKind kind, int64_t n, int k, int64_t param,
                          int64_t **sizes, int64_t *count, Err *err)
{
    ParPart p;
    par_part_init(&p, kind, n, k, param);
    int64_t cap = 16, c = 0;
    int64_t *v = malloc((size_t)cap * sizeof *v);
    if (!v) return err_set(err, TSR_NOMEM, "out of memory partitioning %lld iterations",
                           (long long)n);
    for (int64_t s; (s = par_part_next(&p)) > 0;) {
        if (c == cap) {
            int64_t *nv = realloc(v, (size_t)(cap * 2) * sizeof *v);
            if (!nv) {
                free(v);
                return err_set(err, TSR_NOMEM, "out of memory partitioning %lld iterations",
                               (long long)n);
            }
            v = nv;
            cap *= 2;
        }
        v[c++] = s;
    }
    *sizes = v;
    *count = c;
    return TSR_OK;
}
