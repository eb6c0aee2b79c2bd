/*
 * text.c - the IJV text format (DML.md 6.7 "text"): one "i j v" line per
 * non-zero cell, 1-based, row-major; an all-zero matrix is the single line
 * "0 0 0".  Reading needs rows/cols from the metadata or read() options,
 * skips lines whose value is 0 (as SystemDS's appendValue does), lets
 * duplicates overwrite (last wins) and accepts a directory of part files.
 * Tokens may be separated by any run of blanks.  Cells go through the cell
 * builder (build.c): a sparse file becomes a CSR block directly (no dense
 * rows x cols allocation), sized by the .mtd nnz when there is one.
 * Writing walks the non-zeros of either block format.  With threads
 * (IoMeta.par) large inputs are parsed per mapped line range in parallel
 * and large matrices formatted per row chunk in parallel, with the same
 * result, errors and bytes as sequentially.
 * Not here: dimension inference (IJV files do not carry it).
 */
#include "io/io_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


/* Restores the separators that io_split_ws replaced by NULs (for messages). */
static void unsplit(char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] == '\0') line[i] = ' ';
}

/* Parses "i j v" of a line (NUL-terminated at len, split in place) and
 * checks the indexes against rows x cols; 1 = cell (0-based in *i, *j),
 * 0 = skip (blank line or value 0), -1 = error. */
static int parse_ijv(char *line, size_t len, const char *file, int64_t lineno, int64_t rows,
                     int64_t cols, int64_t *i, int64_t *j, double *v, Err *err)
{
    char *tok[3];
    int n = io_split_ws(line, tok, 3);
    if (n == 0) return 0;
    if (n != 3) {
        unsplit(line, len);
        return io_line_error(err, file, lineno, "expected \"i j v\" but found \"%.200s\"", line);
    }
    if (nf_parse_long(tok[0], i) || nf_parse_long(tok[1], j)) {
        unsplit(line, len);
        return io_line_error(err, file, lineno, "invalid cell index in \"%.200s\"", line);
    }
    if (nf_parse_double(tok[2], v))
        return io_line_error(err, file, lineno, "cannot parse \"%.200s\" as a number", tok[2]);
    if (*v == 0.0) return 0;
    if (*i < 1 || *i > rows || *j < 1 || *j > cols)
        return io_line_error(err, file, lineno,
                          "cell index (%lld,%lld) is out of range for a %lldx%lld matrix",
                          (long long)*i, (long long)*j, (long long)rows, (long long)cols);
    (*i)--;
    (*j)--;
    return 1;
}

/* Reads every cell line into b. Returns 1 at the end of input, -1 on error. */
static int text_cells(LineReader *lr, IoCellBuild *b, Err *err)
{
    int rc;
    while ((rc = io_lr_next(lr, err)) == 1) {
        int64_t i, j;
        double v;
        int got = parse_ijv(lr->line, lr->len, io_lr_name(lr), lr->lineno, b->rows, b->cols,
                            &i, &j, &v, err);
        if (got < 0) return -1;
        if (got == 0) continue;
        if (io_cb_add(b, i, j, v, err) != TSR_OK) return -1;
    }
    return rc < 0 ? -1 : 1;
}

/* ---- parallel read -------------------------------------------------------------------
 * Mapped line ranges (ranges.c) are parsed in parallel, each into its own
 * list of cells in file order (a line is copied into a per-worker buffer
 * first: the parser splits in place); the lists are then fed to the cell
 * builder in range order, so duplicates resolve (last wins) and the block
 * is built exactly as by a sequential read.  The first error in file order
 * wins (IoRangeErr). */

typedef struct IjvCells {
    int64_t *i, *j;
    double *v;
    int64_t n, cap;
} IjvCells;

typedef struct IjvPar {
    IoRanges *rs;
    int64_t rows, cols;
    IjvCells *cells;      /* per range */
    IoBuf *line;          /* per worker */
    IoRangeErr rerr;
} IjvPar;

static int cells_add(IjvCells *c, int64_t i, int64_t j, double v)
{
    if (c->n == c->cap) {
        int64_t cap = c->cap ? 2 * c->cap : 256;
        int64_t *ni = realloc(c->i, (size_t)cap * sizeof *ni);
        if (ni) c->i = ni;
        int64_t *nj = ni ? realloc(c->j, (size_t)cap * sizeof *nj) : NULL;
        if (nj) c->j = nj;
        double *nv = nj ? realloc(c->v, (size_t)cap * sizeof *nv) : NULL;
        if (!nv) return -1;
        c->v = nv;
        c->cap = cap;
    }
    c->i[c->n] = i;
    c->j[c->n] = j;
    c->v[c->n++] = v;
    return 0;
}

/* Parses range t into P->cells[t]; 0 or -1 with e set. */
static int ijv_range(IjvPar *P, int64_t t, int wid, Err *e)
{
    const IoRange *r = &P->rs->r[t];
    const char *file = P->rs->files[r->file].name, *p = r->beg;
    IoBuf *buf = &P->line[wid];
    for (int64_t lineno = r->line0 + 1; p < r->end; lineno++) {
        size_t len;
        const char *s = io_range_line(&p, r->end, &len);
        buf->len = 0;
        char *d = io_buf_room(buf, len + 1);
        if (!d) return err_set(e, TSR_NOMEM, "out of memory reading a text file"), -1;
        memcpy(d, s, len);
        d[len] = '\0';
        int64_t i, j;
        double v;
        int got = parse_ijv(d, len, file, lineno, P->rows, P->cols, &i, &j, &v, e);
        if (got < 0) return -1;
        if (got > 0 && cells_add(&P->cells[t], i, j, v))
            return err_set(e, TSR_NOMEM, "out of memory reading a text file"), -1;
    }
    return 0;
}

static void ijv_task(void *arg, int64_t t, int wid)
{
    IjvPar *P = arg;
    if (io_rerr_skip(&P->rerr, t)) return;
    Err e;
    err_clear(&e);
    if (ijv_range(P, t, wid, &e)) io_rerr_set(&P->rerr, t, &e);
}

static void ijv_free(IjvPar *P, int width)
{
    for (int64_t t = 0; P->cells && t < P->rs->n; t++) {
        free(P->cells[t].i);
        free(P->cells[t].j);
        free(P->cells[t].v);
    }
    free(P->cells);
    for (int w = 0; P->line && w < width; w++) free(P->line[w].s);
    free(P->line);
}

/* Parses the ranges in parallel and feeds the cells to b in file order. */
static tsr_status text_read_ranges(IoRanges *rs, const ParCtx *par, IoCellBuild *b, Err *err)
{
    io_ranges_count(rs, par);
    int width = par_width(par, rs->n);
    IjvPar P = { rs, b->rows, b->cols, calloc((size_t)rs->n + 1, sizeof(IjvCells)),
                 calloc((size_t)width, sizeof(IoBuf)), { 0 } };
    tsr_status st = P.cells && P.line ? io_rerr_init(&P.rerr, rs->n, err)
                    : err_set(err, TSR_NOMEM, "out of memory reading a text file");
    if (st == TSR_OK) {
        par_run(par, rs->n, ijv_task, &P);
        st = io_rerr_finish(&P.rerr, rs->n, err);
    }
    for (int64_t t = 0; st == TSR_OK && t < rs->n; t++) {
        const IjvCells *c = &P.cells[t];
        for (int64_t k = 0; k < c->n && st == TSR_OK; k++) st = io_cb_add(b, c->i[k], c->j[k], c->v[k], err);
    }
    ijv_free(&P, width);
    return st;
}

tsr_status io_text_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    *out = NULL;
    if (m->rows < 0 || m->cols < 0)
        return err_set(err, TSR_IO,
                       "Missing or incomplete dimension information in read statement: %s", path);
    /* a non-zero takes at least "1 1 1" (5 bytes and a line end) */
    int64_t hint = io_nnz_hint(m->nnz, io_path_bytes(path), 6);
    IoRanges rs;
    if (io_par_read_wanted(path, m) && io_ranges_open(&rs, path, m->par_chunk, 0, m->par)) {
        IoCellBuild b;
        tsr_status st = io_cb_init(&b, m->rows, m->cols, hint, err);
        int built = st == TSR_OK;
        if (built) st = text_read_ranges(&rs, m->par, &b, err);
        io_ranges_close(&rs);
        if (st != TSR_OK) {
            if (built) io_cb_free(&b);
            return st;
        }
        *out = io_cb_finish(&b, err);
        return *out ? TSR_OK : err->code;
    }
    LineReader lr;
    if (io_lr_open(&lr, path, err) != TSR_OK) return TSR_IO;
    IoCellBuild b;
    if (io_cb_init(&b, m->rows, m->cols, hint, err) != TSR_OK) {
        io_lr_close(&lr);
        return err->code;
    }
    int rc = text_cells(&lr, &b, err);
    io_lr_close(&lr);
    if (rc < 0) {
        io_cb_free(&b);
        return err->code != TSR_OK ? err->code : TSR_IO;
    }
    *out = io_cb_finish(&b, err);
    return *out ? TSR_OK : err->code;
}

/* Rows [lo, hi) as IJV lines (io_write_rows_par); stops on a full buffer. */
static int64_t ijv_fmt_rows(const void *ctx, int64_t lo, int64_t hi, IoBuf *out)
{
    const MatBlock *a = ctx;
    int64_t nz = 0, j;
    double v;
    IoNz it;
    for (int64_t i = lo; i < hi; i++)
        for (io_nz_row(&it, a, i); io_nz_next(&it, &j, &v); nz++) {
            char *p = io_buf_room(out, 96);
            if (!p) return nz;
            out->len += (size_t)io_fmt_ijv(p, i + 1, j + 1, v);
        }
    return nz;
}

tsr_status io_text_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err)
{
    return io_text_write_opt(path, a, NULL, nnz, err);
}

tsr_status io_text_write_opt(const char *path, const MatBlock *a, const IoMeta *m, int64_t *nnz,
                             Err *err)
{
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    char buf[96];
    int64_t nz = 0, j;
    double v;
    IoNz it;
    /* the work is a scan of the cells (dense) or of the non-zeros (CSR) */
    int64_t work = a->sparse ? a->ptr[a->rows] : a->rows * a->cols;
    if (m && io_par_write_wanted(m, work)) {
        int64_t per_row = a->rows > 0 ? work / a->rows : 1;
        if (io_write_rows_par(f, m->par, a->rows, io_write_grain(m, per_row), ijv_fmt_rows, a,
                              &nz, err) != TSR_OK) {
            fclose(f);
            unlink(path);
            return err->code;
        }
    } else {
        for (int64_t i = 0; i < a->rows; i++)
            for (io_nz_row(&it, a, i); io_nz_next(&it, &j, &v); nz++)
                fwrite(buf, 1, (size_t)io_fmt_ijv(buf, i + 1, j + 1, v), f);
    }
    if (nz == 0) fputs("0 0 0\n", f);
    *nnz = nz;
    return io_wclose(f, path, err);
}
