/*
 * bufcache.c - the buffer cache of large dense blocks (mb_cache_*): freed
 * buffers of at least MB_CACHE_MIN_BYTES are kept for reuse instead of
 * being returned to the OS.
 *
 * Why: on the development machines the first write to fresh 4 KiB pages
 * runs at ~1.5 GB/s (~0.7 s per GiB) while rewriting touched memory runs at
 * ~26 GB/s (../shared/BENCH.md), and glibc hands big allocations straight
 * back to the kernel at free().  An engine that allocates a new output per
 * operator therefore pays the page faults again and again; with the cache a
 * loop of elementwise updates on a 200 MB matrix touches fresh memory only
 * in its first iteration.
 *
 * How: buffers are mmap'ed (2 MiB aligned so that MADV_HUGEPAGE can back
 * them with huge pages, which halves the cost of the first touch) in size
 * classes of 8 steps per power of two, and kept in one array sorted by
 * capacity.  A request takes the smallest cached buffer that fits with at
 * most 25% slack (best fit), else maps a fresh one.  The cached (free) bytes
 * are bounded; beyond the bound the least recently freed buffers are
 * unmapped.  One mutex guards the array; it is never held across mmap,
 * munmap or memset.
 *
 * Not here: which blocks use the cache (block.c: mb_new_ctx, mb_new_uninit,
 * mb_free and the format conversions) and the interpreter's in-place
 * updates (runtime/inplace.c), which avoid the allocation altogether.
 */
#include "matrix/matrix.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define HUGE_ALIGN ((int64_t)2 << 20)
#define PAGE_BYTES ((int64_t)4096)

typedef struct CacheEntry {
    void *buf;
    int64_t cap;       /* bytes mapped at buf */
    uint64_t seq;      /* order of return (LRU eviction) */
} CacheEntry;

struct MbCache {
    MbCacheOpts opts;
    pthread_mutex_t mu;
    CacheEntry *ents;  /* free buffers, sorted by cap */
    int64_t n, cap_ents;
    uint64_t seq;
    MbCacheStats st;   /* cached_bytes / cached_bufs mirror ents */
};

/* ---- options ------------------------------------------------------------------ */

int64_t mb_cache_default_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    int64_t cap = (int64_t)4 << 30;
    if (pages <= 0 || psz <= 0) return (int64_t)1 << 30;
    int64_t quarter = (int64_t)pages * (int64_t)psz / 4;
    return quarter < cap ? quarter : cap;
}

void mb_cache_opts_default(MbCacheOpts *o)
{
    o->max_bytes = mb_cache_default_bytes();
    o->hugepages = 1;
    o->inplace = 1;
}

/* ---- size classes ------------------------------------------------------------- */

int64_t mb_cache_class(int64_t bytes)
{
    if (bytes < PAGE_BYTES) bytes = PAGE_BYTES;
    int64_t p = PAGE_BYTES;
    while (p <= bytes / 2) p *= 2;           /* largest power of two <= bytes */
    int64_t step = p >= 8 * PAGE_BYTES ? p / 8 : PAGE_BYTES;
    return (bytes + step - 1) / step * step;
}

/* ---- mapping -------------------------------------------------------------------- */

/* Maps `cap` bytes (a multiple of the page size) at a 2 MiB aligned address:
 * maps cap + 2 MiB and unmaps the unaligned head and the tail. */
static void *map_fresh(int64_t cap, int hugepages)
{
    size_t len = (size_t)(cap + HUGE_ALIGN);
    char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return NULL;
    uintptr_t a = ((uintptr_t)raw + (uintptr_t)HUGE_ALIGN - 1) & ~((uintptr_t)HUGE_ALIGN - 1);
    char *p = (char *)a;
    size_t head = (size_t)(p - raw), tail = len - head - (size_t)cap;
    if (head) munmap(raw, head);
    if (tail) munmap(p + cap, tail);
#ifdef MADV_HUGEPAGE
    if (hugepages && cap >= HUGE_ALIGN) madvise(p, (size_t)cap, MADV_HUGEPAGE);
#else
    (void)hugepages;
#endif
    return p;
}

static void unmap(void *buf, int64_t cap)
{
    munmap(buf, (size_t)cap);
}

/* ---- the cache ------------------------------------------------------------------ */

MbCache *mb_cache_new(const MbCacheOpts *o, Err *err)
{
    MbCache *c = calloc(1, sizeof *c);
    if (!c) {
        err_set(err, TSR_NOMEM, "out of memory creating the buffer cache");
        return NULL;
    }
    if (o) c->opts = *o;
    else mb_cache_opts_default(&c->opts);
    if (c->opts.max_bytes < 0) c->opts.max_bytes = 0;
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        err_set(err, TSR_NOMEM, "cannot create the buffer cache's mutex");
        return NULL;
    }
    return c;
}

void mb_cache_free(MbCache *c)
{
    if (!c) return;
    for (int64_t k = 0; k < c->n; k++) unmap(c->ents[k].buf, c->ents[k].cap);
    free(c->ents);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

const MbCacheOpts *mb_cache_opts(const MbCache *c)
{
    return &c->opts;
}

int mb_cache_enabled(const MbCache *c)
{
    return c && c->opts.max_bytes > 0;
}

void mb_cache_stats(MbCache *c, MbCacheStats *st)
{
    pthread_mutex_lock(&c->mu);
    *st = c->st;
    pthread_mutex_unlock(&c->mu);
    st->max_bytes = c->opts.max_bytes;
}

void mb_cache_count_inplace(MbCache *c, int64_t bytes)
{
    pthread_mutex_lock(&c->mu);
    c->st.inplace_steps++;
    c->st.inplace_bytes += bytes;
    pthread_mutex_unlock(&c->mu);
}

/* First entry with cap >= bytes (binary search; n if none).  Under mu. */
static int64_t lower_bound(const MbCache *c, int64_t bytes)
{
    int64_t lo = 0, hi = c->n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (c->ents[mid].cap < bytes) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Removes entry k and returns it.  Under mu. */
static CacheEntry take_entry(MbCache *c, int64_t k)
{
    CacheEntry e = c->ents[k];
    memmove(c->ents + k, c->ents + k + 1, (size_t)(c->n - k - 1) * sizeof *c->ents);
    c->n--;
    c->st.cached_bytes -= e.cap;
    c->st.cached_bufs--;
    return e;
}

/* Index of the least recently returned entry (-1 if empty).  Under mu. */
static int64_t lru_entry(const MbCache *c)
{
    int64_t best = -1;
    for (int64_t k = 0; k < c->n; k++)
        if (best < 0 || c->ents[k].seq < c->ents[best].seq) best = k;
    return best;
}

void mb_cache_trim(MbCache *c)
{
    for (;;) {
        pthread_mutex_lock(&c->mu);
        CacheEntry e = {NULL, 0, 0};
        if (c->n > 0) e = take_entry(c, c->n - 1);
        pthread_mutex_unlock(&c->mu);
        if (!e.buf) return;
        unmap(e.buf, e.cap);
    }
}

void *mb_cache_get(MbCache *c, int64_t bytes, int64_t *cap, int *fresh)
{
    *cap = 0;
    *fresh = 0;
    if (bytes <= 0) return NULL;
    pthread_mutex_lock(&c->mu);
    int64_t k = lower_bound(c, bytes);
    if (k < c->n && c->ents[k].cap - bytes <= bytes / 4) {   /* best fit, <= 25% slack */
        CacheEntry e = take_entry(c, k);
        c->st.hits++;
        c->st.hit_bytes += e.cap;
        c->st.live_bufs++;
        pthread_mutex_unlock(&c->mu);
        *cap = e.cap;
        return e.buf;
    }
    pthread_mutex_unlock(&c->mu);
    int64_t want = mb_cache_class(bytes);
    void *p = map_fresh(want, c->opts.hugepages);
    if (!p) {   /* give the cached memory back to the OS and try once more */
        mb_cache_trim(c);
        p = map_fresh(want, c->opts.hugepages);
        if (!p) return NULL;
    }
    pthread_mutex_lock(&c->mu);
    c->st.misses++;
    c->st.fresh_bytes += want;
    c->st.live_bufs++;
    pthread_mutex_unlock(&c->mu);
    *cap = want;
    *fresh = 1;
    return p;
}

/* Makes room for one more entry.  Under mu; 0 on allocation failure. */
static int grow_entries(MbCache *c)
{
    if (c->n < c->cap_ents) return 1;
    int64_t ncap = c->cap_ents ? 2 * c->cap_ents : 16;
    CacheEntry *e = realloc(c->ents, (size_t)ncap * sizeof *e);
    if (!e) return 0;
    c->ents = e;
    c->cap_ents = ncap;
    return 1;
}

void mb_cache_put(MbCache *c, void *buf, int64_t cap)
{
    if (!buf) return;
    pthread_mutex_lock(&c->mu);
    c->st.live_bufs--;
    c->st.puts++;
    if (cap > c->opts.max_bytes) {   /* never fits: unmap at once */
        c->st.evictions++;
        pthread_mutex_unlock(&c->mu);
        unmap(buf, cap);
        return;
    }
    /* Evict least recently returned buffers until this one fits, one at a
     * time so that munmap runs outside the lock. */
    while (c->st.cached_bytes + cap > c->opts.max_bytes && c->n > 0) {
        CacheEntry v = take_entry(c, lru_entry(c));
        c->st.evictions++;
        pthread_mutex_unlock(&c->mu);
        unmap(v.buf, v.cap);
        pthread_mutex_lock(&c->mu);
    }
    if (c->st.cached_bytes + cap > c->opts.max_bytes || !grow_entries(c)) {
        c->st.evictions++;
        pthread_mutex_unlock(&c->mu);
        unmap(buf, cap);
        return;
    }
    int64_t k = lower_bound(c, cap);
    memmove(c->ents + k + 1, c->ents + k, (size_t)(c->n - k) * sizeof *c->ents);
    c->ents[k] = (CacheEntry){buf, cap, ++c->seq};
    c->n++;
    c->st.cached_bytes += cap;
    c->st.cached_bufs++;
    if (c->st.cached_bytes > c->st.peak_cached_bytes) c->st.peak_cached_bytes = c->st.cached_bytes;
    pthread_mutex_unlock(&c->mu);
}
