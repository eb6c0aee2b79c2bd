/*
 * util.c - error records, checked allocation, string buffers, arenas, the
 * string hash map and the monotonic clock (see util.h for the contracts).
 * Number formatting lives in numfmt.c.
 */
#include "util/util.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- errors ---------------------------------------------------------------- */

tsr_status err_setv(Err *e, tsr_status code, const char *fmt, va_list ap)
{
    if (!e) return code;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

tsr_status err_set(Err *e, tsr_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    return code;
}

tsr_status err_at(Err *e, Span sp, tsr_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    err_setv(e, code, fmt, ap);
    va_end(ap);
    if (e) e->span = sp;
    return code;
}

void err_clear(Err *e)
{
    e->code = TSR_OK;
    e->span.file = NULL;
    e->span.line = e->span.col = 0;
    e->msg[0] = '\0';
}

void err_print(const Err *e, FILE *f)
{
    if (e->span.file && e->span.line > 0)
        fprintf(f, "%s:%d:%d: error: %s\n", e->span.file, e->span.line, e->span.col, e->msg);
    else if (e->span.file)
        fprintf(f, "%s: error: %s\n", e->span.file, e->msg);
    else
        fprintf(f, "error: %s\n", e->msg);
}

/* ---- checked allocation ------------------------------------------------------ */

static void oom(size_t n)
{
    fprintf(stderr, "tessera: out of memory allocating %zu bytes of bookkeeping\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p) oom(n * sz);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

int mul_overflows_i64(int64_t a, int64_t b, int64_t *out)
{
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return -1;
    *out = r;
    return 0;
}

/* ---- string buffer ------------------------------------------------------------- */

void sb_init(StrBuf *b)
{
    b->s = NULL;
    b->len = b->cap = 0;
}

void sb_free(StrBuf *b)
{
    free(b->s);
    sb_init(b);
}

void sb_clear(StrBuf *b)
{
    b->len = 0;
    if (b->s) b->s[0] = '\0';
}

static void sb_reserve(StrBuf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need) cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

void sb_putn(StrBuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_putc(StrBuf *b, char c)
{
    sb_putn(b, &c, 1);
}

void sb_puts(StrBuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

void sb_printf(StrBuf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        sb_reserve(b, (size_t)n);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

char *sb_take(StrBuf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    sb_init(b);
    return s;
}

/* ---- arena ----------------------------------------------------------------------- */

struct ArenaChunk {
    ArenaChunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK (64 * 1024)

void ar_init(Arena *a)
{
    a->head = NULL;
}

void ar_free(Arena *a)
{
    ArenaChunk *c = a->head;
    while (c) {
        ArenaChunk *n = c->next;
        free(c);
        c = n;
    }
    a->head = NULL;
}

void *ar_alloc(Arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    ArenaChunk *c = a->head;
    if (!c || c->used + n > c->cap) {
        size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        c = xmalloc(sizeof *c + cap);
        c->cap = cap;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *ar_strndup(Arena *a, const char *s, size_t n)
{
    char *d = ar_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ar_strdup(Arena *a, const char *s)
{
    return ar_strndup(a, s, strlen(s));
}

/* ---- hash map (open addressing, linear probing, FNV-1a) ---------------------- */

struct HEntry {
    char *key;      /* NULL: empty; TOMB: deleted */
    void *val;
};

static char hm_tomb_marker;
#define TOMB (&hm_tomb_marker)

static uint64_t hm_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

void hm_init(HMap *m)
{
    m->slots = NULL;
    m->cap = m->count = m->used = 0;
}

void hm_free(HMap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMB) free(m->slots[i].key);
    free(m->slots);
    hm_init(m);
}

static struct HEntry *hm_find(const HMap *m, const char *key)
{
    if (!m->cap) return NULL;
    size_t i = hm_hash(key) & (m->cap - 1);
    for (;;) {
        struct HEntry *e = &m->slots[i];
        if (!e->key) return NULL;
        if (e->key != TOMB && strcmp(e->key, key) == 0) return e;
        i = (i + 1) & (m->cap - 1);
    }
}

static void hm_grow(HMap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    if (m->count * 4 < m->cap) ncap = m->cap; /* mostly tombstones: rehash same size */
    struct HEntry *old = m->slots;
    size_t ocap = m->cap;
    m->slots = xcalloc(ncap, sizeof *m->slots);
    m->cap = ncap;
    m->used = m->count;
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key || old[i].key == TOMB) continue;
        size_t j = hm_hash(old[i].key) & (ncap - 1);
        while (m->slots[j].key) j = (j + 1) & (ncap - 1);
        m->slots[j] = old[i];
    }
    free(old);
}

void *hm_get(const HMap *m, const char *key)
{
    struct HEntry *e = hm_find(m, key);
    return e ? e->val : NULL;
}

int hm_has(const HMap *m, const char *key)
{
    return hm_find(m, key) != NULL;
}

void *hm_put(HMap *m, const char *key, void *val)
{
    struct HEntry *e = hm_find(m, key);
    if (e) {
        void *old = e->val;
        e->val = val;
        return old;
    }
    if ((m->used + 1) * 4 >= m->cap * 3) hm_grow(m);
    size_t i = hm_hash(key) & (m->cap - 1);
    while (m->slots[i].key && m->slots[i].key != TOMB) i = (i + 1) & (m->cap - 1);
    if (!m->slots[i].key) m->used++;
    m->slots[i].key = xstrdup(key);
    m->slots[i].val = val;
    m->count++;
    return NULL;
}

void *hm_del(HMap *m, const char *key)
{
    struct HEntry *e = hm_find(m, key);
    if (!e) return NULL;
    void *v = e->val;
    free(e->key);
    e->key = TOMB;
    e->val = NULL;
    m->count--;
    return v;
}

int hm_next(const HMap *m, size_t *it, const char **key, void **val)
{
    while (*it < m->cap) {
        struct HEntry *e = &m->slots[(*it)++];
        if (e->key && e->key != TOMB) {
            if (key) *key = e->key;
            if (val) *val = e->val;
            return 1;
        }
    }
    return 0;
}

/* ---- clock ---------------------------------------------------------------------- */

int64_t tm_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
