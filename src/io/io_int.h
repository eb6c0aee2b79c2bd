/*
 * io_int.h - internals shared by the files of the io module: the buffered
 * line reader (one file or a directory of part files), error helpers that
 * prefix "<file>:<line>: ", checked output streams, and the per-format
 * readers/writers that io.c dispatches to.  Not part of the io_ API.
 *
 * Every reader receives the *merged* options (explicit read() arguments over
 * the .mtd fields, see io.c): rows/cols are -1 when unknown.  Every writer
 * returns the number of non-zeros it wrote in *nnz so that the .mtd is right
 * even if the block's cached count were stale.
 */
#ifndef TSR_IO_INT_H
#define TSR_IO_INT_H

#include <stdio.h>
#include <string.h>
#include "io/io.h"

/* ---- line reader ----------------------------------------------------------- */
typedef struct LineReader {
    char **files;       /* paths, owned; a directory expands to its part files */
    int nfiles, cur;    /* cur: index of the open file, -1 before the first */
    FILE *f;
    char *buf;          /* getline buffer, owned */
    size_t cap;
    char *line;         /* current line without "\n" / "\r\n" (== buf) */
    size_t len;
    int64_t lineno;     /* 1-based line number within the current file */
} LineReader;

/* Opens `path`: a regular file, or a directory whose visible files (names not
 * starting with '.' or '_') are read in name order. */
tsr_status io_lr_open(LineReader *lr, const char *path, Err *err);
/* Advances to the next line: 1 = a line is ready, 0 = end of input,
 * -1 = read error (err set).  The line is NUL-terminated at lr->len and
 * stays valid until the next call. */
int io_lr_next(LineReader *lr, Err *err);
/* Name of the file the current line comes from. */
const char *io_lr_name(const LineReader *lr);
void io_lr_close(LineReader *lr);

/* err_set with "<current file>:<line>: " in front; returns TSR_IO. */
tsr_status io_err_line(Err *err, const LineReader *lr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- mapped input cut into line ranges (ranges.c) ---------------------------------
 * For the parallel readers: every file of a path (one file or a directory of
 * part files, as for the line reader) is mapped read-only and its bytes are
 * cut into ranges of about `chunk` bytes, each ending just after a '\n' or
 * at the end of its file, so that every line lies in exactly one range.
 * Lines are the line reader's: the bytes up to '\n' (or the end of the file
 * when it does not end in one) without the '\n' and one '\r' before it. */
typedef struct IoMapFile {
    char *name;           /* path, owned */
    const char *data;     /* mapped bytes (NULL when size == 0) */
    size_t size;
} IoMapFile;

typedef struct IoRange {
    int file;                /* index into IoRanges.files */
    const char *beg, *end;   /* bytes [beg, end) */
    int64_t line0;           /* 0-based line index in the file of the first line */
    int64_t nlines;          /* lines in the range (io_ranges_count) */
    int64_t trail;           /* blank lines ending the range (== nlines: all blank) */
} IoRange;

typedef struct IoRanges {
    IoMapFile *files;
    int nfiles;
    IoRange *r;
    int64_t n;
} IoRanges;

/* Whether the input should go through the parallel readers: par allows
 * more than one thread and the input is large (or m->par_chunk forces it). */
int io_par_read_wanted(const char *path, const IoMeta *m);
/* Maps and cuts the input.  skip_first: the first line of file 0 (a header)
 * is in no range (line0 of the first range is then 1).  chunk <= 0 picks a
 * size from the total and the thread budget.  Returns 1 when ready, 0 when
 * the input cannot be mapped (not a regular file, mmap failure: the caller
 * falls back to the line reader, which reports any error itself). */
int io_ranges_open(IoRanges *rs, const char *path, int64_t chunk, int skip_first,
                   const ParCtx *par);
/* Fills nlines, trail and line0 of every range (in parallel). */
void io_ranges_count(IoRanges *rs, const ParCtx *par);
void io_ranges_close(IoRanges *rs);
/* The line starting at *p (p < end): returns its start and length and moves
 * *p past its '\n'. */
static inline const char *io_range_line(const char **p, const char *end, size_t *len)
{
    const char *s = *p;
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
    *p = nl ? nl + 1 : end;
    if (n > 0 && s[n - 1] == '\r') n--;
    *len = n;
    return s;
}
/* Whether a line is blank: every byte <= ' ' (what Java's trim removes). */
static inline int io_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] > ' ') return 0;
    return 1;
}

/* First-error-in-file-order bookkeeping of a parallel read: each range keeps
 * its own first error; the lowest failing range wins (later ranges may stop
 * early). */
typedef struct IoRangeErr {
    Err **err;               /* per range: NULL or its first error (owned) */
    atomic_llong first;      /* lowest failing range index (INT64_MAX: none) */
} IoRangeErr;
tsr_status io_rerr_init(IoRangeErr *e, int64_t nranges, Err *err);
/* Records err as range r's error (the first one of that range wins). */
void io_rerr_set(IoRangeErr *e, int64_t r, const Err *err);
/* Whether range r can stop: an earlier range failed. */
int io_rerr_skip(const IoRangeErr *e, int64_t r);
/* Copies the winning error into err; returns its code or TSR_OK.  Frees. */
tsr_status io_rerr_finish(IoRangeErr *e, int64_t nranges, Err *err);

/* ---- output -------------------------------------------------------------------- */
/* fopen for writing with a large buffer; NULL with a TSR_IO error. */
FILE *io_wopen(const char *path, Err *err);
/* Closes f and reports write errors (disk full, ...); on failure also
 * removes the incomplete file. */
tsr_status io_wclose(FILE *f, const char *path, Err *err);

/* Parallel formatting for the text writers: the rows of a matrix are cut
 * into tasks of `grain` rows, each task formats its rows into its own
 * buffer, and the buffers are written in row order, a window of tasks at a
 * time (memory: a few tasks' text per thread).  The bytes are exactly those
 * of formatting every row in order.  Buffers grow with malloc; a failure is
 * TSR_NOMEM (the caller removes the file). */
typedef struct IoBuf {
    char *s;
    size_t len, cap;
    int failed;           /* an allocation failed: contents incomplete */
} IoBuf;
/* Room for n more bytes at s + len; NULL (and failed set) on failure. */
char *io_buf_room(IoBuf *b, size_t n);
/* Appends the rows [lo, hi) to out; returns the non-zeros written. */
typedef int64_t (*IoFmtRows)(const void *ctx, int64_t lo, int64_t hi, IoBuf *out);
/* Whether a write of `work` formatted cells should go through the parallel
 * path (m->par allows threads; m->par_chunk > 0 forces it). */
int io_par_write_wanted(const IoMeta *m, int64_t work);
/* Rows per task: m->par_chunk, or about 64K cells of `cols` per task. */
int64_t io_write_grain(const IoMeta *m, int64_t cols);
tsr_status io_write_rows_par(FILE *f, const ParCtx *par, int64_t nrows, int64_t grain,
                             IoFmtRows fmt, const void *ctx, int64_t *nnz, Err *err);

/* Prints v as Double.toString into buf (>= 32 bytes); returns the length. */
int io_fmt_value(char *buf, double v);

/* Formats the IJV line "i j v\n" (1-based i, j >= 0) into buf (>= 80
 * bytes); returns its length. */
int io_fmt_ijv(char *buf, int64_t i, int64_t j, double v);

/* Splits s on whitespace into at most max tokens (NUL-terminating them in
 * place); returns the number of tokens found, max + 1 if there were more. */
int io_split_ws(char *s, char **tok, int max);

/* Compares the dimensions a file declares (rows x cols) with those the
 * metadata or read() options give (m->rows/cols; -1 = not given, neither
 * compared nor printed).  `what` names the source in the file, e.g. "the
 * MatrixMarket size line".  Returns TSR_OK or TSR_IO with "<path>: <what>
 * says 3x3 but the metadata or read options say rows=4" (4x2 when both are
 * given, cols=2 when only cols). */
tsr_status io_check_dims(const char *path, const char *what, int64_t rows, int64_t cols,
                         const IoMeta *m, Err *err);

/* Total size in bytes of the files lr reads (bounds size hints from metadata). */
int64_t io_lr_bytes(const LineReader *lr);
/* The same for a path (file or directory of parts); 0 if unreadable. */
int64_t io_path_bytes(const char *path);
/* A non-zero count from metadata (nnz, -1 unknown) as a builder hint: capped
 * at what `bytes` of text can hold when a non-zero takes >= min_bytes, so a
 * wrong .mtd cannot make a reader allocate more than the file justifies. */
int64_t io_nnz_hint(int64_t nnz, int64_t bytes, int min_bytes);

/* ---- building blocks while reading (build.c) ---------------------------------------
 * Both builders own the block until *_finish hands it over (in the format
 * mb_examine(AUTO) picks; on failure it frees everything) or *_free drops
 * it; after a failed put/add/end_row only *_free is valid.  Allocation
 * failure is TSR_NOMEM with err set.  Callers validate indexes. */

/* Rows in order (csv, libsvm, dense binary): io_rb_put the cells of the
 * current row in increasing column order (zeros may be skipped), then
 * io_rb_end_row.  Sparse rows go into CSR; the builder turns dense once the
 * data is (build.c).  `hint`: expected non-zeros or -1, as for cells. */
typedef struct IoRowBuild {
    MatBlock *m;          /* CSR while the data looks sparse, else dense */
    int64_t rows, cols;
    int64_t row;          /* rows closed so far = the row being filled */
} IoRowBuild;
tsr_status io_rb_init(IoRowBuild *b, int64_t rows, int64_t cols, int64_t hint, Err *err);
tsr_status io_rb_put(IoRowBuild *b, int64_t col, double v, Err *err);
tsr_status io_rb_end_row(IoRowBuild *b, Err *err);
/* Rows never fed are empty.  NULL with err on failure (b is freed). */
MatBlock *io_rb_finish(IoRowBuild *b, Err *err);
void io_rb_free(IoRowBuild *b);

/* Cells in any order (text, mm): 0-based, in range, v != 0; a repeated
 * cell replaces the earlier one (last wins).  `hint` is the expected number
 * of non-zeros (-1 unknown; callers bound it by the file size): it sizes
 * the CSR and picks a dense block when even that many cells are dense. */
typedef struct IoCellBuild {
    int mode;             /* dense block, CSR block, or COO (build.c) */
    int64_t rows, cols;
    MatBlock *m;          /* dense or CSR block; NULL in COO mode */
    MbCoo coo;
    int64_t row;          /* CSR: rows closed so far */
    int pending;          /* CSR: the last cell, not pushed yet */
    int64_t pi, pj;
    double pv;
} IoCellBuild;
tsr_status io_cb_init(IoCellBuild *b, int64_t rows, int64_t cols, int64_t hint, Err *err);
tsr_status io_cb_add(IoCellBuild *b, int64_t i, int64_t j, double v, Err *err);
/* NULL with err on failure (b is freed either way). */
MatBlock *io_cb_finish(IoCellBuild *b, Err *err);
void io_cb_free(IoCellBuild *b);

/* Non-zeros of row i of a dense or CSR block in column order, without a
 * dense copy: io_nz_row(&it, a, i); while (io_nz_next(&it, &j, &v)) ... */
typedef struct IoNz {
    const MatBlock *a;
    int64_t k, end;       /* CSR entry or dense column cursor */
    const double *row;    /* dense: the row's cells */
} IoNz;
void io_nz_row(IoNz *it, const MatBlock *a, int64_t i);
int io_nz_next(IoNz *it, int64_t *j, double *v);
/* Exact non-zero count of a block (ptr[rows] for CSR, a scan for dense). */
int64_t io_count_nnz(const MatBlock *a);

/* ---- formats ------------------------------------------------------------------- */
tsr_status io_csv_read(const char *path, const IoMeta *m, MatBlock **out, Err *err);
tsr_status io_csv_write(const char *path, const MatBlock *a, const IoMeta *m, int64_t *nnz,
                        Err *err);
tsr_status io_text_read(const char *path, const IoMeta *m, MatBlock **out, Err *err);
tsr_status io_text_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err);
/* The same with the write options (m->par, m->par_chunk; m may be NULL). */
tsr_status io_text_write_opt(const char *path, const MatBlock *a, const IoMeta *m, int64_t *nnz,
                             Err *err);
tsr_status io_mm_read(const char *path, const IoMeta *m, MatBlock **out, Err *err);
tsr_status io_mm_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err);
tsr_status io_bin_read(const char *path, const IoMeta *m, MatBlock **out, Err *err);
tsr_status io_bin_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err);
tsr_status io_libsvm_read(const char *path, const IoMeta *m, MatBlock **out, Err *err);
tsr_status io_libsvm_write(const char *path, const MatBlock *a, const IoMeta *m, int64_t *nnz,
                           Err *err);

/* The common start of every read: the read() options merged with
 * "<path>.mtd" (options win) into *m, which the caller always frees with
 * io_meta_free; then the existence check with SystemDS's message. */
tsr_status io_read_prepare(const char *path, const IoMeta *opt, IoMeta *m, Err *err);
/* A parse error at a line of a file: TSR_IO with "<file>:<line>: <message>"
 * in err; returns -1 (the readers' failure value). */
int io_line_error(Err *err, const char *file, int64_t lineno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif /* TSR_IO_INT_H */
