/*
 * text.c - the IJV text format (DML.md 6.7 "text"): one "i j v" line per
 * non-zero cell, 1-based, row-major; an all-zero matrix is the single line
 * "0 0 0".  Reading needs rows/cols from the metadata or read() options,
 * skips lines whose value is 0 (as SystemDS's appendValue does), lets
 * duplicates overwrite (last wins) and accepts a directory of part files.
 * Tokens may be separated by any run of blanks.  Cells go through the cell
 * builder (build.c): a sparse file becomes a CSR block directly (no dense
 * rows x cols allocation), sized by the .mtd nnz when there is one.
 * Writing walks the non-zeros of either block format.
 * Not here: dimension inference (IJV files do not carry it).
 */
#include "io/io_int.h"

#include <string.h>

/* Restores the separators that io_split_ws replaced by NULs (for messages). */
static void unsplit(LineReader *lr)
{
    for (size_t i = 0; i < lr->len; i++)
        if (lr->line[i] == '\0') lr->line[i] = ' ';
}

/* Parses "i j v" of the current line; 1 = cell, 0 = skip, -1 = error. */
static int parse_ijv(LineReader *lr, int64_t *i, int64_t *j, double *v, Err *err)
{
    char *tok[3];
    int n = io_split_ws(lr->line, tok, 3);
    if (n == 0) return 0;
    if (n != 3) {
        unsplit(lr);
        io_err_line(err, lr, "expected \"i j v\" but found \"%.200s\"", lr->line);
        return -1;
    }
    if (nf_parse_long(tok[0], i) || nf_parse_long(tok[1], j)) {
        unsplit(lr);
        io_err_line(err, lr, "invalid cell index in \"%.200s\"", lr->line);
        return -1;
    }
    if (nf_parse_double(tok[2], v)) {
        io_err_line(err, lr, "cannot parse \"%.200s\" as a number", tok[2]);
        return -1;
    }
    return *v != 0.0;
}

/* Reads every cell line into b. Returns 1 at the end of input, -1 on error. */
static int text_cells(LineReader *lr, IoCellBuild *b, Err *err)
{
    int rc;
    while ((rc = io_lr_next(lr, err)) == 1) {
        int64_t i, j;
        double v;
        int got = parse_ijv(lr, &i, &j, &v, err);
        if (got < 0) return -1;
        if (got == 0) continue;
        if (i < 1 || i > b->rows || j < 1 || j > b->cols) {
            io_err_line(err, lr, "cell index (%lld,%lld) is out of range for a %lldx%lld matrix",
                        (long long)i, (long long)j, (long long)b->rows, (long long)b->cols);
            return -1;
        }
        if (io_cb_add(b, i - 1, j - 1, v, err) != TSR_OK) return -1;
    }
    return rc < 0 ? -1 : 1;
}

tsr_status io_text_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    *out = NULL;
    if (m->rows < 0 || m->cols < 0)
        return err_set(err, TSR_IO,
                       "Missing or incomplete dimension information in read statement: %s", path);
    LineReader lr;
    if (io_lr_open(&lr, path, err) != TSR_OK) return TSR_IO;
    /* a non-zero takes at least "1 1 1" (5 bytes and a line end) */
    int64_t hint = io_nnz_hint(m->nnz, io_lr_bytes(&lr), 6);
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

tsr_status io_text_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err)
{
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    char buf[96];
    int64_t nz = 0, j;
    double v;
    IoNz it;
    for (int64_t i = 0; i < a->rows; i++)
        for (io_nz_row(&it, a, i); io_nz_next(&it, &j, &v); nz++)
            fwrite(buf, 1, (size_t)io_fmt_ijv(buf, i + 1, j + 1, v), f);
    if (nz == 0) fputs("0 0 0\n", f);
    *nnz = nz;
    return io_wclose(f, path, err);
}
