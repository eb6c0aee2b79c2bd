/*
 * csv.c - delimited text matrices (DML.md 6.7 "csv").
 *
 * Reading: one row per line, cells split on a literal (possibly multi-char)
 * separator, each cell trimmed (Java String.trim) and parsed with Java
 * Double.parseDouble rules; tokens listed in naStrings read as NaN; empty
 * cells become `default` when fill=TRUE (the default), else an error.  An
 * optional header line is skipped (first file only for a directory of part
 * files).  Blank lines after the last data line are ignored unless the known
 * row count needs them; a blank line in the middle is a row with one empty
 * cell.  When rows/cols are unknown a first pass counts them; the second
 * pass parses row by row into the row builder (build.c), which keeps the
 * non-zeros in CSR while the data is sparse and switches to a dense block
 * once the count seen so far makes the matrix dense (or the first rows are
 * dense): sparse files never get a rows x cols allocation, dense files never
 * hold a full sparse copy.
 *
 * Writing: optional header C1..Cn, Double.toString values, zeros as "0" (or
 * empty with sparse=TRUE), "\n" line ends; a CSR block is written from its
 * non-zeros (no dense copy, no per-cell lookup).
 *
 * Threads (IoMeta.par): a large input is read from mapped line ranges
 * parsed in parallel (see "parallel read" below) and a large matrix is
 * written by formatting row chunks in parallel (io_write_rows_par); both
 * give exactly the block, the errors and the bytes of the sequential code,
 * which stays the path for one thread, small files and unmappable input.
 *
 * Not here: quoted cells (matrices never need them) and frames.
 */
#include "io/io_int.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NA_SEP "\xC2\xB7"   /* U+00B7 MIDDLE DOT separates naStrings tokens */

typedef struct NaTok {
    const char *s;
    size_t n;
} NaTok;

typedef struct CsvCtx {
    const char *path;
    const char *sep;
    size_t seplen;
    int header, fill;
    double def;
    NaTok *na;          /* borrowed spans of the options' na_strings */
    int nna;
    /* pass state */
    IoRowBuild b;       /* pass 2: the block being built */
    int64_t rows, cols; /* expected; pass 1 sets them */
    int64_t r;          /* rows seen so far */
    double *row;        /* visit_parse: one parsed row (cols cells), owned */
} CsvCtx;

typedef int (*CsvVisit)(CsvCtx *c, const char *line, size_t len, const char *file,
                        int64_t lineno, Err *err);

/* First occurrence of the separator in s[0..n), or NULL. */
static const char *find_sep(const CsvCtx *c, const char *s, size_t n)
{
    if (c->seplen == 1) return memchr(s, c->sep[0], n);
    while (n >= c->seplen) {
        const char *p = memchr(s, c->sep[0], n - c->seplen + 1);
        if (!p) return NULL;
        if (memcmp(p, c->sep, c->seplen) == 0) return p;
        n -= (size_t)(p + 1 - s);
        s = p + 1;
    }
    return NULL;
}

static int64_t count_cells(const CsvCtx *c, const char *s, size_t n)
{
    int64_t k = 1;
    const char *p;
    while ((p = find_sep(c, s, n)) != NULL) {
        k++;
        n -= (size_t)(p + c->seplen - s);
        s = p + c->seplen;
    }
    return k;
}

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (unsigned char)**s <= ' ') { (*s)++; (*n)--; }
    while (*n > 0 && (unsigned char)(*s)[*n - 1] <= ' ') (*n)--;
}

static int is_blank(const char *s, size_t n)
{
    trim(&s, &n);
    return n == 0;
}

/* Parses one cell: 0 = value in *v, 1 = empty, -1 = not a number. */
static int parse_cell(const CsvCtx *c, const char *s, size_t n, double *v)
{
    trim(&s, &n);
    if (n == 0) return 1;
    for (int i = 0; i < c->nna; i++)
        if (c->na[i].n == n && memcmp(c->na[i].s, s, n) == 0) {
            *v = NAN;
            return 0;
        }
    return nf_parse_double_n(s, n, v) == 0 ? 0 : -1;
}


/* Pass 1: counts rows; the first row fixes the number of columns. */
static int visit_count(CsvCtx *c, const char *line, size_t len, const char *file,
                       int64_t lineno, Err *err)
{
    if (c->r == 0) c->cols = count_cells(c, line, len);
    c->r++;
    return 0;
}

/* Parses a row (a blank line passes len 0) into row[0..cols); the checks
 * and messages shared by the sequential and the parallel reader.  0, or -1
 * with err set. */
static int parse_row(const CsvCtx *c, const char *line, size_t len, double *row,
                     const char *file, int64_t lineno, Err *err)
{
    const char *s = line, *bad = NULL;
    size_t n = len, badlen = 0;
    int64_t k = 0, badcol = 0;
    int empty = 0;
    for (;;) {
        const char *p = find_sep(c, s, n);
        size_t cl = p ? (size_t)(p - s) : n;
        if (k < c->cols) {
            double v = 0.0;
            int rc = parse_cell(c, s, cl, &v);
            if (rc == 1) { empty |= !c->fill; v = c->def; }
            else if (rc < 0 && !bad) { bad = s; badlen = cl; badcol = k + 1; }
            row[k] = v;
        }
        k++;
        if (!p) break;
        n -= cl + c->seplen;
        s = p + c->seplen;
    }
    if (k != c->cols)
        return io_line_error(err, file, lineno, "expected %lld cells but found %lld",
                          (long long)c->cols, (long long)k);
    if (empty)
        return io_line_error(err, file, lineno, "Empty fields found in delimited file. Use \"fill\" "
                          "option to read delimited files with empty fields:%.*s",
                          (int)(len > INT32_MAX ? INT32_MAX : len), line);
    if (bad) {
        trim(&bad, &badlen);
        return io_line_error(err, file, lineno, "cannot parse \"%.*s\" as a number (column %lld)",
                          (int)(badlen > 200 ? 200 : badlen), bad, (long long)badcol);
    }
    return 0;
}

/* Pass 2: parses one row into the row builder. */
static int visit_parse(CsvCtx *c, const char *line, size_t len, const char *file,
                       int64_t lineno, Err *err)
{
    if (c->r >= c->rows)
        return io_line_error(err, file, lineno, "found more than the %lld rows given by the "
                             "metadata or read options", (long long)c->rows);
    if (!c->row) {
        c->row = malloc((size_t)c->cols * sizeof *c->row);
        if (!c->row) {
            err_set(err, TSR_NOMEM, "out of memory reading %s", file);
            return -1;
        }
    }
    if (parse_row(c, line, len, c->row, file, lineno, err)) return -1;
    for (int64_t k = 0; k < c->cols; k++)
        if (io_rb_put(&c->b, k, c->row[k], err) != TSR_OK) return -1;
    c->r++;
    return io_rb_end_row(&c->b, err) == TSR_OK ? 0 : -1;
}

/* Visits the `pending` blank lines that end at line `last`. */
static int visit_blanks(CsvCtx *c, CsvVisit visit, const LineReader *lr, int64_t pending,
                        int64_t last, Err *err)
{
    for (int64_t k = pending - 1; k >= 0; k--)
        if (visit(c, "", 0, io_lr_name(lr), last - k, err)) return -1;
    return 0;
}

/*
 * Feeds every data row to visit: skips the header, holds blank lines back
 * until a non-blank line follows.  Blank lines at the end of the input are
 * rows only as far as the known row count asks for them (a one-column
 * matrix written with sparse=TRUE ends in empty lines for its zeros);
 * otherwise they vanish.
 */
static tsr_status csv_scan(CsvCtx *c, CsvVisit visit, Err *err)
{
    LineReader lr;
    if (io_lr_open(&lr, c->path, err) != TSR_OK) return TSR_IO;
    int64_t pending = 0;
    int rc, file = -1;
    c->r = 0;
    while ((rc = io_lr_next(&lr, err)) == 1) {
        if (lr.cur != file) { pending = 0; file = lr.cur; }   /* new part file */
        if (c->header && lr.cur == 0 && lr.lineno == 1) continue;
        if (is_blank(lr.line, lr.len)) { pending++; continue; }
        if (visit_blanks(c, visit, &lr, pending, lr.lineno - 1, err) ||
            visit(c, lr.line, lr.len, io_lr_name(&lr), lr.lineno, err)) {
            rc = -1;
            break;
        }
        pending = 0;
    }
    if (rc == 0 && file == lr.cur && c->rows > c->r) {   /* blank lines at the end */
        int64_t take = pending < c->rows - c->r ? pending : c->rows - c->r;
        if (visit_blanks(c, visit, &lr, take, lr.lineno - pending + take, err)) rc = -1;
    }
    io_lr_close(&lr);
    if (rc >= 0) return TSR_OK;
    return err->code == TSR_NOMEM ? TSR_NOMEM : TSR_IO;
}

/* Splits the naStrings list into spans (borrowed from `list`). */
static void na_split(CsvCtx *c, const char *list)
{
    c->na = NULL;
    c->nna = 0;
    if (!list) return;
    int cap = 1;
    for (const char *p = list; (p = strstr(p, NA_SEP)) != NULL; p += 2) cap++;
    c->na = xmalloc((size_t)cap * sizeof *c->na);
    const char *s = list;
    for (;;) {
        const char *p = strstr(s, NA_SEP);
        size_t n = p ? (size_t)(p - s) : strlen(s);
        if (n > 0) c->na[c->nna++] = (NaTok){ s, n };
        if (!p) break;
        s = p + 2;
    }
}

static tsr_status ctx_init(CsvCtx *c, const char *path, const IoMeta *m, Err *err)
{
    memset(c, 0, sizeof *c);
    c->path = path;
    c->sep = m->sep ? m->sep : ",";
    c->seplen = strlen(c->sep);
    if (c->seplen == 0) return err_set(err, TSR_IO, "%s: the csv separator must not be empty", path);
    c->header = m->has_header && m->header;
    c->fill = m->has_fill ? m->fill : 1;
    c->def = m->has_default ? m->default_value : 0.0;
    na_split(c, m->na_strings);
    return TSR_OK;
}

/* The end of pass 1: c->r rows and c->cols columns were counted; checks
 * them against the given ones and sets c->rows/cols. */
static tsr_status check_inferred(CsvCtx *c, const IoMeta *m, tsr_status st, Err *err)
{
    if (st == TSR_OK && m->rows >= 0 && m->rows != c->r)
        st = err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read "
                     "options say %lld", c->path, (long long)c->r, (long long)m->rows);
    if (st == TSR_OK && m->cols >= 0 && c->r > 0 && m->cols != c->cols)
        st = err_set(err, TSR_IO, "%s: the file has %lld columns but the metadata or read "
                     "options say %lld", c->path, (long long)c->cols, (long long)m->cols);
    c->rows = c->r;
    if (c->r == 0 && m->cols >= 0) c->cols = m->cols;
    return st;
}

/* Pass 1: counts rows and columns and checks them against the given ones. */
static tsr_status csv_infer_dims(CsvCtx *c, const IoMeta *m, Err *err)
{
    c->cols = 0;
    return check_inferred(c, m, csv_scan(c, visit_count, err), err);
}

static tsr_status rows_mismatch(const CsvCtx *c, int64_t found, Err *err)
{
    return err_set(err, TSR_IO, "%s: the file has %lld rows but the metadata or read "
                   "options say %lld", c->path, (long long)found, (long long)c->rows);
}

/* ---- parallel read ------------------------------------------------------------------
 *
 * The same rows as csv_scan + visit_parse, from mapped line ranges
 * (ranges.c): a parallel pass counts the lines of every range, which gives
 * each file's rows (data lines up to its last non-blank line; the trailing
 * blank lines of the last file as far as the known row count asks for them)
 * and so the row index and line number of every line.  Pass 1 is then
 * arithmetic plus one count_cells.  Pass 2 first feeds up to CSV_SAMPLE_ROWS
 * rows through the row builder sequentially, so that it makes its
 * dense/sparse decision exactly as in a sequential read; then the ranges
 * are parsed in parallel: straight into the rows of the dense block, or into
 * per-range CSR pieces (explicit -0.0 kept) that are fed through the
 * builder in row order.  Each range keeps its first error and the lowest
 * failing range wins, so the message is the one a sequential read gives. */

/* Rows the builder sees before the parallel phase (RB_SAMPLE_ROWS of build.c). */
#define CSV_SAMPLE_ROWS 256

/* The rows of one file. */
typedef struct CsvFileRows {
    int64_t hdr;          /* 1: line 0 is the skipped header */
    int64_t lines, tb;    /* data lines; blank lines ending the file */
    int64_t nrows;        /* data lines that are rows */
    int64_t row0;         /* row index of its first data line */
} CsvFileRows;

/* CSR rows of one range (sparse mode), -0.0 kept as a cell. */
typedef struct CsvPiece {
    int64_t row0, rows;   /* first row, rows parsed */
    int64_t *ptr;         /* rows + 1 offsets (grown with the rows) */
    int32_t *idx;
    double *val;
    int64_t nnz, cap, rcap;
} CsvPiece;

typedef struct CsvPar {
    CsvCtx *c;
    IoRanges *rs;
    CsvFileRows *fr;      /* per file */
    MatBlock *dense;      /* dense mode: the builder's block; else NULL */
    CsvPiece *piece;      /* sparse mode: per range */
    int64_t *nz;          /* dense mode: non-zeros per range */
    double **rowbuf;      /* per worker: one row of cells */
    IoRangeErr rerr;
} CsvPar;


/* A cell the builder must see: non-zero, NaN, or -0.0 (a dense block keeps it). */
static int csv_keep(double v)
{
    return v != 0.0 || signbit(v);
}

/* Appends a parsed row to a piece; TSR_NOMEM on failure. */
static tsr_status piece_add(CsvPiece *pc, const double *row, int64_t cols, Err *err)
{
    if (pc->rows + 2 > pc->rcap) {
        int64_t cap = pc->rcap ? 2 * pc->rcap : 64;
        int64_t *p = realloc(pc->ptr, (size_t)cap * sizeof *p);
        if (!p) return err_set(err, TSR_NOMEM, "out of memory reading a csv file");
        pc->ptr = p;
        pc->rcap = cap;
        if (pc->rows == 0) p[0] = 0;
    }
    for (int64_t j = 0; j < cols; j++) {
        if (!csv_keep(row[j])) continue;
        if (pc->nnz == pc->cap) {
            int64_t cap = pc->cap ? 2 * pc->cap : 256;
            int32_t *ni = realloc(pc->idx, (size_t)cap * sizeof *ni);
            if (ni) pc->idx = ni;
            double *nv = ni ? realloc(pc->val, (size_t)cap * sizeof *nv) : NULL;
            if (!nv) return err_set(err, TSR_NOMEM, "out of memory reading a csv file");
            pc->val = nv;
            pc->cap = cap;
        }
        pc->idx[pc->nnz] = (int32_t)j;
        pc->val[pc->nnz++] = row[j];
    }
    pc->ptr[++pc->rows] = pc->nnz;
    return TSR_OK;
}

static tsr_status put_row(IoRowBuild *b, const int32_t *idx, const double *val, int64_t n,
                          Err *err)
{
    for (int64_t k = 0; k < n; k++)
        if (io_rb_put(b, idx[k], val[k], err) != TSR_OK) return err->code;
    return io_rb_end_row(b, err);
}

/* Where walk_range puts the rows. */
enum { SINK_BUILDER, SINK_DENSE, SINK_PIECE };

/*
 * Parses the lines of range t from r->beg on into the sink, at most `max`
 * rows; advances r->beg/line0 past the lines it consumed.  Returns the rows
 * parsed, or -1 with e set (the range's first error).
 */
static int64_t walk_range(CsvPar *P, int64_t t, int sink, int wid, int64_t max, Err *e)
{
    const CsvCtx *c = P->c;
    IoRange *r = &P->rs->r[t];
    const CsvFileRows *fr = &P->fr[r->file];
    const char *file = P->rs->files[r->file].name;
    int64_t done = 0, nz = 0;
    while (r->beg < r->end && done < max) {
        if (sink == SINK_BUILDER && !c->b.m->sparse) break;   /* decided: dense */
        int64_t li = r->line0 - fr->hdr, lineno = r->line0 + 1;
        if (li >= fr->nrows) {                 /* trailing blank lines left out */
            r->beg = r->end;
            break;
        }
        const char *p = r->beg;
        size_t len;
        const char *s = io_range_line(&p, r->end, &len);
        int64_t row = fr->row0 + li;
        if (io_blank_line(s, len)) len = 0;
        if (row >= c->rows)
            return io_line_error(e, file, lineno, "found more than the %lld rows given by the "
                              "metadata or read options", (long long)c->rows);
        double *dst = sink == SINK_DENSE ? P->dense->dense + row * c->cols : P->rowbuf[wid];
        if (parse_row(c, s, len, dst, file, lineno, e)) return -1;
        if (sink == SINK_DENSE) {
            for (int64_t j = 0; j < c->cols; j++) nz += dst[j] != 0.0;
        } else if (sink == SINK_PIECE) {
            CsvPiece *pc = &P->piece[t];
            if (pc->rows == 0) pc->row0 = row;
            if (piece_add(pc, dst, c->cols, e) != TSR_OK) return -1;
        } else {
            for (int64_t j = 0; j < c->cols; j++)
                if (csv_keep(dst[j]) && io_rb_put(&P->c->b, j, dst[j], e) != TSR_OK) return -1;
            if (io_rb_end_row(&P->c->b, e) != TSR_OK) return -1;
        }
        r->beg = p;
        r->line0++;
        done++;
    }
    if (sink == SINK_DENSE) P->nz[t] += nz;
    return done;
}

static void range_task(void *arg, int64_t t, int wid)
{
    CsvPar *P = arg;
    if (io_rerr_skip(&P->rerr, t)) return;
    Err e;
    err_clear(&e);
    int sink = P->dense ? SINK_DENSE : SINK_PIECE;
    if (walk_range(P, t, sink, wid, INT64_MAX, &e) < 0) io_rerr_set(&P->rerr, t, &e);
}

/* Line structure of every file: data lines, trailing blanks, header. */
static void file_lines(const IoRanges *rs, CsvFileRows *fr, int header)
{
    unsigned char *closed = xcalloc((size_t)rs->nfiles + 1, 1);
    for (int k = 0; k < rs->nfiles; k++) fr[k].hdr = header && k == 0;
    for (int64_t t = 0; t < rs->n; t++) fr[rs->r[t].file].lines += rs->r[t].nlines;
    for (int64_t t = rs->n - 1; t >= 0; t--) {
        const IoRange *r = &rs->r[t];
        if (closed[r->file]) continue;
        fr[r->file].tb += r->trail;
        closed[r->file] = r->trail < r->nlines;
    }
    free(closed);
}

/* Rows per file when `rows` (< 0: unknown) rows are expected: the lines up
 * to the last non-blank one, and in the last file as many trailing blank
 * lines as the expected count still needs.  Returns the total. */
static int64_t file_rows(CsvFileRows *fr, int nfiles, int64_t rows)
{
    int64_t total = 0;
    for (int k = 0; k < nfiles; k++) {
        fr[k].nrows = fr[k].lines - fr[k].tb;
        total += fr[k].nrows;
    }
    if (nfiles > 0 && rows > total) {
        CsvFileRows *last = &fr[nfiles - 1];
        int64_t take = last->tb < rows - total ? last->tb : rows - total;
        last->nrows += take;
        total += take;
    }
    for (int64_t k = 0, r0 = 0; k < nfiles; k++) {
        fr[k].row0 = r0;
        r0 += fr[k].nrows;
    }
    return total;
}

/* Pass 1 from the line counts: rows, and the cells of the first row. */
static tsr_status par_infer_dims(CsvPar *P, const IoMeta *m, Err *err)
{
    CsvCtx *c = P->c;
    c->cols = 0;
    c->r = file_rows(P->fr, P->rs->nfiles, m->rows);
    for (int64_t t = 0; t < P->rs->n && c->r > 0; t++) {
        const IoRange *r = &P->rs->r[t];
        if (P->fr[r->file].nrows == 0) continue;
        const char *p = r->beg;
        size_t len;
        const char *s = io_range_line(&p, r->end, &len);
        c->cols = count_cells(c, s, io_blank_line(s, len) ? 0 : len);
        break;
    }
    return check_inferred(c, m, TSR_OK, err);
}

/* Feeds the sparse-mode pieces to the builder in row order. */
static tsr_status feed_pieces(CsvPar *P, Err *err)
{
    IoRowBuild *b = &P->c->b;
    for (int64_t t = 0; t < P->rs->n; t++) {
        const CsvPiece *pc = &P->piece[t];
        for (int64_t i = 0; i < pc->rows; i++) {
            assert(b->row == pc->row0 + i);
            int64_t k = pc->ptr[i];
            if (put_row(b, pc->idx + k, pc->val + k, pc->ptr[i + 1] - k, err) != TSR_OK)
                return err->code;
        }
    }
    return TSR_OK;
}

/* Runs the sample on the builder, then the ranges in parallel. */
static tsr_status par_rows(CsvPar *P, const ParCtx *par, Err *err)
{
    CsvCtx *c = P->c;
    int64_t n = P->rs->n, sampled = 0;
    for (int64_t t = 0; t < n && c->b.m->sparse && sampled < CSV_SAMPLE_ROWS; t++) {
        int64_t got = walk_range(P, t, SINK_BUILDER, 0, CSV_SAMPLE_ROWS - sampled, err);
        if (got < 0) return err->code != TSR_OK ? err->code : TSR_IO;
        sampled += got;
    }
    if (!c->b.m->sparse) P->dense = c->b.m;
    if (P->dense) P->nz = calloc((size_t)n + 1, sizeof *P->nz);
    else P->piece = calloc((size_t)n + 1, sizeof *P->piece);
    if ((P->dense && !P->nz) || (!P->dense && !P->piece))
        return err_set(err, TSR_NOMEM, "out of memory reading a csv file");
    if (io_rerr_init(&P->rerr, n, err) != TSR_OK) return TSR_NOMEM;
    par_run(par, n, range_task, P);
    tsr_status st = io_rerr_finish(&P->rerr, n, err);
    if (st == TSR_OK && P->dense) {
        for (int64_t t = 0; t < n; t++) P->dense->nnz += P->nz[t];
        c->b.row = c->rows;
    } else if (st == TSR_OK) {
        st = feed_pieces(P, err);
    }
    return st;
}

static void par_free(CsvPar *P)
{
    for (int64_t t = 0; P->piece && t < P->rs->n; t++) {
        free(P->piece[t].ptr);
        free(P->piece[t].idx);
        free(P->piece[t].val);
    }
    free(P->piece);
    free(P->nz);
    for (int w = 0; P->rowbuf && P->rowbuf[w]; w++) free(P->rowbuf[w]);
    free(P->rowbuf);
    free(P->fr);
}

/* Per-worker row buffers (one more NULL entry ends the list). */
static tsr_status alloc_rowbufs(CsvPar *P, int width, Err *err)
{
    P->rowbuf = calloc((size_t)width + 1, sizeof *P->rowbuf);
    for (int w = 0; P->rowbuf && w < width; w++)
        if (!(P->rowbuf[w] = malloc((size_t)P->c->cols * sizeof(double))))
            return err_set(err, TSR_NOMEM, "out of memory reading a csv file");
    return P->rowbuf ? TSR_OK : err_set(err, TSR_NOMEM, "out of memory reading a csv file");
}

/* The parallel io_csv_read over mapped ranges (c initialised, rs open). */
static tsr_status csv_read_ranges(CsvCtx *c, const IoMeta *m, IoRanges *rs, MatBlock **out,
                                  Err *err)
{
    CsvPar P;
    memset(&P, 0, sizeof P);
    P.c = c;
    P.rs = rs;
    P.fr = xcalloc((size_t)rs->nfiles + 1, sizeof *P.fr);
    io_ranges_count(rs, m->par);
    file_lines(rs, P.fr, c->header);
    tsr_status st = TSR_OK;
    c->rows = m->rows;
    c->cols = m->cols;
    if (c->rows < 0 || c->cols < 0) st = par_infer_dims(&P, m, err);
    int built = 0;
    if (st == TSR_OK) {
        int64_t hint = io_nnz_hint(m->nnz, io_path_bytes(c->path), 2);
        st = io_rb_init(&c->b, c->rows, c->cols, hint, err);
        built = st == TSR_OK;
    }
    if (st == TSR_OK && c->cols > 0) {
        int64_t found = file_rows(P.fr, rs->nfiles, c->rows);
        st = alloc_rowbufs(&P, par_width(m->par, rs->n), err);
        if (st == TSR_OK) st = par_rows(&P, m->par, err);
        if (st == TSR_OK && found != c->rows) st = rows_mismatch(c, found, err);
    }
    par_free(&P);
    if (st != TSR_OK) {
        if (built) io_rb_free(&c->b);
        return st;
    }
    *out = io_rb_finish(&c->b, err);
    return *out ? TSR_OK : err->code;
}

tsr_status io_csv_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    CsvCtx c;
    *out = NULL;
    if (ctx_init(&c, path, m, err) != TSR_OK) return TSR_IO;
    IoRanges rs;
    if (io_par_read_wanted(path, m) && io_ranges_open(&rs, path, m->par_chunk, c.header, m->par)) {
        tsr_status pst = csv_read_ranges(&c, m, &rs, out, err);
        io_ranges_close(&rs);
        free(c.na);
        free(c.row);
        return pst;
    }
    tsr_status st = TSR_OK;
    c.rows = m->rows;
    c.cols = m->cols;
    if (c.rows < 0 || c.cols < 0) st = csv_infer_dims(&c, m, err);
    int built = 0;
    if (st == TSR_OK) {
        /* a non-zero cell takes >= 2 bytes (digit and separator or line end) */
        int64_t hint = io_nnz_hint(m->nnz, io_path_bytes(path), 2);
        st = io_rb_init(&c.b, c.rows, c.cols, hint, err);
        built = st == TSR_OK;
    }
    if (st == TSR_OK && c.cols > 0) {        /* pass 2 (n x 0 has nothing to parse) */
        st = csv_scan(&c, visit_parse, err);
        if (st == TSR_OK && c.r != c.rows) st = rows_mismatch(&c, c.r, err);
    }
    free(c.na);
    free(c.row);
    if (st != TSR_OK) {
        if (built) io_rb_free(&c.b);
        return st;
    }
    *out = io_rb_finish(&c.b, err);
    return *out ? TSR_OK : err->code;
}

/* Writes the cells from column *next up to (not including) column `to` as
 * zeros: "0", or nothing with sparse=TRUE. */
static void csv_zeros(FILE *f, int64_t *next, int64_t to, const char *sep, size_t seplen,
                      int sparse)
{
    for (; *next < to; (*next)++) {
        if (*next) fwrite(sep, 1, seplen, f);
        if (!sparse) fputc('0', f);
    }
}

/* Writes row i (walking only its non-zeros for a CSR block); returns the
 * number of non-zeros written. */
static int64_t csv_row(FILE *f, const MatBlock *a, int64_t i, const char *sep, int sparse)
{
    char buf[40];
    size_t seplen = strlen(sep);
    int64_t next = 0, nz = 0, j;
    double v;
    IoNz it;
    for (io_nz_row(&it, a, i); io_nz_next(&it, &j, &v); nz++) {
        csv_zeros(f, &next, j, sep, seplen, sparse);
        if (j) fwrite(sep, 1, seplen, f);
        fwrite(buf, 1, (size_t)io_fmt_value(buf, v), f);
        next = j + 1;
    }
    csv_zeros(f, &next, a->cols, sep, seplen, sparse);
    fputc('\n', f);
    return nz;
}

/* ---- parallel write: csv_row into per-task buffers (io_write_rows_par) ---------------- */

typedef struct CsvFmt {
    const MatBlock *a;
    const char *sep;
    size_t seplen;
    int sparse;
} CsvFmt;

/* Appends the zero cells from column *next up to `to` (csv_zeros). */
static int buf_zeros(IoBuf *out, const CsvFmt *f, int64_t *next, int64_t to)
{
    for (; *next < to; (*next)++) {
        char *p = io_buf_room(out, f->seplen + 1);
        if (!p) return -1;
        if (*next) { memcpy(p, f->sep, f->seplen); p += f->seplen; }
        if (!f->sparse) *p++ = '0';
        out->len = (size_t)(p - out->s);
    }
    return 0;
}

/* Rows [lo, hi) as csv_row prints them; stops early on a full buffer. */
static int64_t csv_fmt_rows(const void *ctx, int64_t lo, int64_t hi, IoBuf *out)
{
    const CsvFmt *f = ctx;
    int64_t nz = 0, j;
    double v;
    IoNz it;
    for (int64_t i = lo; i < hi; i++) {
        int64_t next = 0;
        for (io_nz_row(&it, f->a, i); io_nz_next(&it, &j, &v); nz++) {
            if (buf_zeros(out, f, &next, j)) return nz;
            char *p = io_buf_room(out, f->seplen + 32);
            if (!p) return nz;
            if (j) { memcpy(p, f->sep, f->seplen); p += f->seplen; }
            p += io_fmt_value(p, v);
            out->len = (size_t)(p - out->s);
            next = j + 1;
        }
        char *p;
        if (buf_zeros(out, f, &next, f->a->cols) || !(p = io_buf_room(out, 1))) return nz;
        *p = '\n';
        out->len++;
    }
    return nz;
}

tsr_status io_csv_write(const char *path, const MatBlock *a, const IoMeta *m, int64_t *nnz,
                        Err *err)
{
    const char *sep = m->sep ? m->sep : ",";
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    if (m->has_header && m->header && a->cols > 0) {
        for (int64_t j = 0; j < a->cols; j++)
            fprintf(f, "%sC%lld", j ? sep : "", (long long)(j + 1));
        fputc('\n', f);
    }
    int64_t nz = 0;
    if (a->cols > 0 && io_par_write_wanted(m, a->rows * a->cols)) {
        CsvFmt cf = { a, sep, strlen(sep), m->sparse };
        if (io_write_rows_par(f, m->par, a->rows, io_write_grain(m, a->cols), csv_fmt_rows, &cf,
                              &nz, err) != TSR_OK) {
            fclose(f);
            unlink(path);
            return err->code;
        }
    } else {
        for (int64_t i = 0; i < a->rows && a->cols > 0; i++) nz += csv_row(f, a, i, sep, m->sparse);
    }
    *nnz = nz;
    return io_wclose(f, path, err);
}
