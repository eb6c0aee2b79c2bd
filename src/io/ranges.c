/*
 * ranges.c - the input side of the parallel text readers (csv, text/ijv):
 * the files of a path are mapped read-only and cut into line-aligned byte
 * ranges, a parallel pass counts the lines (and trailing blank lines) of
 * every range, and the per-range first errors are reduced to the first
 * error in file order.
 *
 * Why map and cut: parsing numbers is the expensive part of reading text, so
 * the readers parse ranges on the pool.  A range ends just after a '\n', so
 * no line is split; the line counts give every line its 1-based number
 * (line0 + k + 1) and every row its index without a sequential scan, so
 * dense results are written straight into their rows and messages keep
 * "<file>:<line>:" exact.  Anything that cannot be mapped (a FIFO, an mmap
 * failure) makes io_ranges_open return 0 and the reader uses the line
 * reader (lines.c), which also reports open errors exactly as before.
 * Not here: any knowledge of a format.
 */
#include "io/io_int.h"
#include "io/dirlist_int.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Inputs below this many bytes are read sequentially (unless par_chunk). */
#define IO_PAR_MIN_BYTES ((int64_t)512 << 10)
/* Automatic range sizes: about 8 ranges per thread, within these bounds. */
#define IO_CHUNK_MIN ((int64_t)1 << 20)
#define IO_CHUNK_MAX ((int64_t)16 << 20)

int io_par_read_wanted(const char *path, const IoMeta *m)
{
    if (!m->par || par_width(m->par, 2) < 2) return 0;
    if (m->par_chunk > 0) return 1;
    return io_path_bytes(path) >= IO_PAR_MIN_BYTES;
}

/* Maps one regular file; 0 on failure. */
static int map_file(IoMapFile *f, const char *name)
{
    f->name = xstrdup(name);
    int fd = open(name, O_RDONLY);
    if (fd < 0) return 0;
    struct stat st;
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size <= SIZE_MAX;
    if (ok && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            ok = 0;
        } else {
            madvise(p, (size_t)st.st_size, MADV_WILLNEED);
            f->data = p;
            f->size = (size_t)st.st_size;
        }
    }
    close(fd);
    return ok;
}

static void add_range(IoRanges *rs, int64_t *cap, int file, const char *beg, const char *end)
{
    if (rs->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        rs->r = xrealloc(rs->r, (size_t)*cap * sizeof *rs->r);
    }
    IoRange *r = &rs->r[rs->n++];
    memset(r, 0, sizeof *r);
    r->file = file;
    r->beg = beg;
    r->end = end;
}

/* Cuts file k into ranges of about `chunk` bytes ending after a '\n'. */
static void cut_file(IoRanges *rs, int64_t *cap, int k, int skip_first, size_t chunk)
{
    const char *p = rs->files[k].data, *end = p + rs->files[k].size;
    if (!p) return;
    if (skip_first) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl ? nl + 1 : end;
    }
    while (p < end) {
        const char *q = end;
        if ((size_t)(end - p) > chunk) {
            const char *nl = memchr(p + chunk - 1, '\n', (size_t)(end - (p + chunk - 1)));
            q = nl ? nl + 1 : end;
        }
        add_range(rs, cap, k, p, q);
        p = q;
    }
}

int io_ranges_open(IoRanges *rs, const char *path, int64_t chunk, int skip_first,
                   const ParCtx *par)
{
    memset(rs, 0, sizeof *rs);
    char **names = NULL;
    int n = 0;
    struct stat st;
    if (stat(path, &st) != 0) return 0;
    if (S_ISDIR(st.st_mode)) {
        if (io_list_dir(path, &names, &n, NULL) != TSR_OK) return 0;
    } else {
        names = xmalloc(sizeof *names);
        names[0] = xstrdup(path);
        n = 1;
    }
    rs->files = xcalloc((size_t)(n > 0 ? n : 1), sizeof *rs->files);
    rs->nfiles = n;
    int ok = 1;
    int64_t total = 0;
    for (int k = 0; k < n; k++) {
        if (ok) ok = map_file(&rs->files[k], names[k]);
        total += (int64_t)rs->files[k].size;
        free(names[k]);
    }
    free(names);
    if (!ok) {
        io_ranges_close(rs);
        return 0;
    }
    if (chunk <= 0) {
        int threads = par && par->threads > 1 ? par->threads : 1;
        chunk = total / (8 * (int64_t)threads);
        chunk = chunk < IO_CHUNK_MIN ? IO_CHUNK_MIN : chunk > IO_CHUNK_MAX ? IO_CHUNK_MAX : chunk;
    }
    int64_t cap = 0;
    for (int k = 0; k < n; k++) cut_file(rs, &cap, k, skip_first && k == 0, (size_t)chunk);
    return 1;
}

static void count_task(void *arg, int64_t t, int wid)
{
    IoRange *r = &((IoRanges *)arg)->r[t];
    const char *p = r->beg;
    int64_t lines = 0, trail = 0;
    while (p < r->end) {
        size_t len;
        const char *s = io_range_line(&p, r->end, &len);
        lines++;
        trail = io_blank_line(s, len) ? trail + 1 : 0;
    }
    r->nlines = lines;
    r->trail = trail;
}

void io_ranges_count(IoRanges *rs, const ParCtx *par)
{
    par_run(par, rs->n, count_task, rs);
    int file = -1;
    int64_t line = 0;
    for (int64_t t = 0; t < rs->n; t++) {
        IoRange *r = &rs->r[t];
        if (r->file != file) {
            file = r->file;
            /* a skipped header is line 0 of file 0: the first range then
             * does not start at the beginning of the file */
            line = r->beg != rs->files[file].data ? 1 : 0;
        }
        r->line0 = line;
        line += r->nlines;
    }
}

void io_ranges_close(IoRanges *rs)
{
    for (int k = 0; k < rs->nfiles; k++) {
        if (rs->files[k].data) munmap((void *)rs->files[k].data, rs->files[k].size);
        free(rs->files[k].name);
    }
    free(rs->files);
    free(rs->r);
    memset(rs, 0, sizeof *rs);
}

/* ---- first error in file order ------------------------------------------------------- */

tsr_status io_rerr_init(IoRangeErr *e, int64_t nranges, Err *err)
{
    e->err = calloc((size_t)(nranges > 0 ? nranges : 1), sizeof *e->err);
    atomic_init(&e->first, INT64_MAX);
    return e->err ? TSR_OK : err_set(err, TSR_NOMEM, "out of memory reading a file");
}

void io_rerr_set(IoRangeErr *e, int64_t r, const Err *err)
{
    if (e->err[r]) return;
    Err *copy = malloc(sizeof *copy);
    if (copy) *copy = *err;
    e->err[r] = copy;
    long long cur = atomic_load(&e->first);
    while (r < cur && !atomic_compare_exchange_weak(&e->first, &cur, (long long)r)) {}
    /* a failed malloc still lowers `first`; finish reports a bare NOMEM then */
}

int io_rerr_skip(const IoRangeErr *e, int64_t r)
{
    return r > atomic_load(&((IoRangeErr *)e)->first);
}

tsr_status io_rerr_finish(IoRangeErr *e, int64_t nranges, Err *err)
{
    long long first = atomic_load(&e->first);
    tsr_status st = TSR_OK;
    if (first != INT64_MAX) {
        /* code and message only: the caller's span (if any) stays */
        const Err *w = e->err[first];
        if (w) st = err_set(err, w->code != TSR_OK ? w->code : TSR_IO, "%s", w->msg);
        else st = err_set(err, TSR_NOMEM, "out of memory reading a file");
    }
    for (int64_t r = 0; r < nranges; r++) free(e->err[r]);
    free(e->err);
    e->err = NULL;
    return st;
}
