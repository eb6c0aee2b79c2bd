/*
 * lines.c - buffered input and checked output for the text formats: a line
 * reader over one file or a directory of part files (getline, one buffer
 * reused for every line: no per-line allocation), "<file>:<line>:" error
 * helpers, output streams whose write errors are reported at close, and
 * the parallel row formatter of the text writers (per-task buffers written
 * in row order).
 *
 * Not here: any knowledge of a format.  Lines are handed out as raw bytes
 * with "\n" and a preceding "\r" removed.
 */
#include "io/io_int.h"
#include "io/dirlist_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IO_BUFSZ (1 << 20)

tsr_status io_lr_open(LineReader *lr, const char *path, Err *err)
{
    memset(lr, 0, sizeof *lr);
    lr->cur = -1;
    struct stat st;
    if (stat(path, &st) != 0)
        return err_set(err, TSR_IO, "Read input file does not exist on FS (local mode): %s", path);
    if (S_ISDIR(st.st_mode)) {
        if (io_list_dir(path, &lr->files, &lr->nfiles, err) != TSR_OK) { io_lr_close(lr); return TSR_IO; }
        return TSR_OK;
    }
    lr->files = xmalloc(sizeof *lr->files);
    lr->files[0] = xstrdup(path);
    lr->nfiles = 1;
    return TSR_OK;
}

/* Opens the next part file; 0 when there is none, -1 on error. */
static int open_next(LineReader *lr, Err *err)
{
    if (lr->f) { fclose(lr->f); lr->f = NULL; }
    if (lr->cur + 1 >= lr->nfiles) return 0;
    lr->cur++;
    lr->lineno = 0;
    lr->f = fopen(lr->files[lr->cur], "rb");
    if (!lr->f) {
        err_set(err, TSR_IO, "%s: cannot open: %s", lr->files[lr->cur], strerror(errno));
        return -1;
    }
    setvbuf(lr->f, NULL, _IOFBF, IO_BUFSZ);
    return 1;
}

int io_lr_next(LineReader *lr, Err *err)
{
    for (;;) {
        if (!lr->f) {
            int r = open_next(lr, err);
            if (r <= 0) return r;
        }
        ssize_t n = getline(&lr->buf, &lr->cap, lr->f);
        if (n >= 0) {
            if (n > 0 && lr->buf[n - 1] == '\n') n--;
            if (n > 0 && lr->buf[n - 1] == '\r') n--;
            lr->buf[n] = '\0';
            lr->line = lr->buf;
            lr->len = (size_t)n;
            lr->lineno++;
            return 1;
        }
        if (ferror(lr->f)) {
            err_set(err, TSR_IO, "%s: read error after line %lld", lr->files[lr->cur],
                    (long long)lr->lineno);
            return -1;
        }
        fclose(lr->f);
        lr->f = NULL;
        if (lr->cur + 1 >= lr->nfiles) return 0;
    }
}

const char *io_lr_name(const LineReader *lr)
{
    return lr->cur >= 0 && lr->cur < lr->nfiles ? lr->files[lr->cur] : "";
}

int64_t io_lr_bytes(const LineReader *lr)
{
    int64_t total = 0;
    struct stat st;
    for (int i = 0; i < lr->nfiles; i++)
        if (stat(lr->files[i], &st) == 0 && st.st_size > 0) total += (int64_t)st.st_size;
    return total;
}

int64_t io_path_bytes(const char *path)
{
    LineReader lr;
    if (io_lr_open(&lr, path, NULL) != TSR_OK) return 0;
    int64_t n = io_lr_bytes(&lr);
    io_lr_close(&lr);
    return n;
}

int64_t io_nnz_hint(int64_t nnz, int64_t bytes, int min_bytes)
{
    if (nnz < 0) return -1;
    int64_t bound = bytes / min_bytes + 1;
    return nnz < bound ? nnz : bound;
}

void io_lr_close(LineReader *lr)
{
    if (lr->f) fclose(lr->f);
    for (int i = 0; i < lr->nfiles; i++) free(lr->files[i]);
    free(lr->files);
    free(lr->buf);
    memset(lr, 0, sizeof *lr);
}

tsr_status io_err_line(Err *err, const LineReader *lr, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(err, TSR_IO, "%s:%lld: %s", io_lr_name(lr), (long long)lr->lineno, msg);
}

/* ---- output ------------------------------------------------------------------- */

/* mkdir -p of the directory part of path (like Hadoop's FileSystem.create,
 * which SystemDS writes through).  Failures surface at fopen. */
static void make_parents(const char *path)
{
    char *d = xstrdup(path);
    for (char *p = d + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(d, 0777) != 0 && errno != EEXIST) break;
        *p = '/';
    }
    free(d);
}

FILE *io_wopen(const char *path, Err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        err_set(err, TSR_IO, "cannot write %s: it is a directory", path);
        return NULL;
    }
    FILE *f = fopen(path, "wb");
    if (!f && errno == ENOENT) {
        make_parents(path);
        f = fopen(path, "wb");
    }
    if (!f) {
        err_set(err, TSR_IO, "cannot write %s: %s", path, strerror(errno));
        return NULL;
    }
    setvbuf(f, NULL, _IOFBF, IO_BUFSZ);
    return f;
}

tsr_status io_wclose(FILE *f, const char *path, Err *err)
{
    int bad = ferror(f);
    int e = errno;
    if (fclose(f) != 0 && !bad) { bad = 1; e = errno; }
    if (!bad) return TSR_OK;
    unlink(path);
    return err_set(err, TSR_IO, "cannot write %s: %s", path, strerror(e ? e : EIO));
}

/* ---- parallel formatting ---------------------------------------------------------- */

/* Cells below which a write stays sequential (unless par_chunk). */
#define IO_PAR_MIN_CELLS ((int64_t)1 << 16)
/* Formatted cells per task of a parallel write. */
#define IO_WRITE_TASK_CELLS ((int64_t)1 << 16)
/* Tasks per window and thread: the text of this many tasks is in memory. */
#define IO_WRITE_WINDOW 4

char *io_buf_room(IoBuf *b, size_t n)
{
    if (b->failed) return NULL;
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->len < n) cap *= 2;
        char *s = realloc(b->s, cap);
        if (!s) {
            b->failed = 1;
            return NULL;
        }
        b->s = s;
        b->cap = cap;
    }
    return b->s + b->len;
}

int io_par_write_wanted(const IoMeta *m, int64_t work)
{
    if (!m->par || par_width(m->par, 2) < 2) return 0;
    return m->par_chunk > 0 || work >= IO_PAR_MIN_CELLS;
}

int64_t io_write_grain(const IoMeta *m, int64_t cols)
{
    if (m->par_chunk > 0) return m->par_chunk;
    int64_t g = IO_WRITE_TASK_CELLS / (cols > 0 ? cols : 1);
    return g > 0 ? g : 1;
}

typedef struct WriteJob {
    IoFmtRows fmt;
    const void *ctx;
    int64_t nrows, grain, first;   /* first: task index of window slot 0 */
    IoBuf *buf;
    int64_t *nz;
} WriteJob;

static void write_task(void *arg, int64_t t, int wid)
{
    WriteJob *j = arg;
    int64_t lo = (j->first + t) * j->grain;
    int64_t hi = lo + j->grain < j->nrows ? lo + j->grain : j->nrows;
    j->buf[t].len = 0;
    j->nz[t] = j->fmt(j->ctx, lo, hi, &j->buf[t]);
}

tsr_status io_write_rows_par(FILE *f, const ParCtx *par, int64_t nrows, int64_t grain,
                             IoFmtRows fmt, const void *ctx, int64_t *nnz, Err *err)
{
    int64_t ntasks = par_nchunks(nrows, grain);
    int64_t win = (int64_t)IO_WRITE_WINDOW * par_width(par, ntasks);
    if (win > ntasks) win = ntasks;
    *nnz = 0;
    if (ntasks == 0) return TSR_OK;
    WriteJob j = { fmt, ctx, nrows, grain, 0, calloc((size_t)win, sizeof(IoBuf)),
                   calloc((size_t)win, sizeof(int64_t)) };
    tsr_status st = j.buf && j.nz ? TSR_OK : TSR_NOMEM;
    for (; st == TSR_OK && j.first < ntasks; j.first += win) {
        int64_t n = ntasks - j.first < win ? ntasks - j.first : win;
        par_run(par, n, write_task, &j);
        for (int64_t t = 0; t < n && st == TSR_OK; t++) {
            if (j.buf[t].failed) st = TSR_NOMEM;
            else if (j.buf[t].len) fwrite(j.buf[t].s, 1, j.buf[t].len, f);
            *nnz += j.nz[t];
        }
    }
    for (int64_t t = 0; j.buf && t < win; t++) free(j.buf[t].s);
    free(j.buf);
    free(j.nz);
    if (st != TSR_OK) err_set(err, st, "out of memory formatting a file");
    return st;
}

int io_fmt_value(char *buf, double v)
{
    return nf_double(buf, 32, v);
}

int io_fmt_ijv(char *buf, int64_t i, int64_t j, double v)
{
    char *p = buf;
    int64_t idx[2] = { i, j };
    for (int k = 0; k < 2; k++) {
        char t[24];
        int n = 0;
        uint64_t u = (uint64_t)idx[k];
        do { t[n++] = (char)('0' + u % 10); u /= 10; } while (u);
        while (n) *p++ = t[--n];
        *p++ = ' ';
    }
    p += nf_double(p, 32, v);
    *p++ = '\n';
    return (int)(p - buf);
}

int io_split_ws(char *s, char **tok, int max)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v') s++;
        if (!*s) return n;
        if (n == max) return max + 1;
        tok[n++] = s;
        while (*s && !(*s == ' ' || *s == '\t' || *s == '\r' || *s == '\f' || *s == '\v')) s++;
        if (*s) *s++ = '\0';
    }
}
