/*
 * mm.c - Matrix Market coordinate files (DML.md 6.7 "mm").
 *
 * Reading: header "%%MatrixMarket matrix coordinate <field> <symmetry>" with
 * field real|integer|pattern (pattern cells are 1) and symmetry
 * general|symmetric|skew-symmetric (off-diagonal cells mirrored, negated for
 * skew), '%' comment lines, the size line "rows cols nnz", then "i j [v]"
 * lines.  The size line gives the dimensions; if metadata or read() options
 * give them too they must agree.  Cells with value 0 (the "0 0 0" line of an
 * empty matrix) are skipped; duplicates: last wins.  Entries go through the
 * cell builder (build.c), sized by the size line's count: a sparse file
 * becomes a CSR block directly (row-major files without a detour, other
 * orders and the mirrored symmetric kinds through a COO).
 * Not supported: the dense "array" format, complex and hermitian fields.
 *
 * Writing: header, size line, one "i j v" line per non-zero in row-major
 * order, or "0 0 0" for an all-zero matrix; both block formats are walked
 * without a dense copy.
 */
#include "io/io_int.h"

#include <string.h>
#include <strings.h>

typedef struct MmHeader {
    int pattern;
    int symmetry;   /* 0 general, 1 symmetric, -1 skew-symmetric */
} MmHeader;

/* Validates the banner line (line 1). */
static int mm_header(LineReader *lr, MmHeader *h, Err *err)
{
    if (strncmp(lr->line, "%%MatrixMarket", 14) != 0) {
        io_err_line(err, lr, "Error while reading file in MatrixMarket format. Expecting a "
                    "header line, but encountered, \"%.200s\".", lr->line);
        return -1;
    }
    char *tok[6];
    char copy[256];
    snprintf(copy, sizeof copy, "%s", lr->line);
    int n = io_split_ws(copy, tok, 5);
    if (n != 5 || strcasecmp(tok[1], "matrix") != 0) {
        io_err_line(err, lr, "invalid MatrixMarket header \"%.200s\" (expected \"%%%%MatrixMarket "
                    "matrix coordinate real general\")", lr->line);
        return -1;
    }
    if (strcasecmp(tok[2], "coordinate") != 0) {
        io_err_line(err, lr, "MatrixMarket format \"%s\" is not supported (only coordinate)",
                    tok[2]);
        return -1;
    }
    h->pattern = strcasecmp(tok[3], "pattern") == 0;
    if (!h->pattern && strcasecmp(tok[3], "real") != 0 && strcasecmp(tok[3], "integer") != 0) {
        io_err_line(err, lr, "MatrixMarket field \"%s\" is not supported (real, integer or "
                    "pattern)", tok[3]);
        return -1;
    }
    if (strcasecmp(tok[4], "general") == 0) h->symmetry = 0;
    else if (strcasecmp(tok[4], "symmetric") == 0) h->symmetry = 1;
    else if (strcasecmp(tok[4], "skew-symmetric") == 0) h->symmetry = -1;
    else {
        io_err_line(err, lr, "MatrixMarket symmetry \"%s\" is not supported (general, symmetric "
                    "or skew-symmetric)", tok[4]);
        return -1;
    }
    return 0;
}

/* Reads up to the size line; returns 0 with the dimensions and the number
 * of entries, or -1. */
static int mm_size(LineReader *lr, int64_t *rows, int64_t *cols, int64_t *nnz, Err *err)
{
    int rc;
    while ((rc = io_lr_next(lr, err)) == 1) {
        if (lr->line[0] == '%') continue;
        char *tok[4];
        int n = io_split_ws(lr->line, tok, 3);
        if (n == 0) continue;
        if (n != 3 || nf_parse_long(tok[0], rows) || nf_parse_long(tok[1], cols) ||
            nf_parse_long(tok[2], nnz) || *rows < 0 || *cols < 0 || *nnz < 0) {
            for (size_t i = 0; i < lr->len; i++)
                if (!lr->line[i]) lr->line[i] = ' ';
            io_err_line(err, lr, "expected the MatrixMarket size line \"rows cols nnz\" but found "
                        "\"%.200s\"", lr->line);
            return -1;
        }
        return 0;
    }
    if (rc == 0) err_set(err, TSR_IO, "%s: MatrixMarket file without a size line", io_lr_name(lr));
    return -1;
}

/* Parses one entry line; 1 = cell, 0 = skip, -1 = error. */
static int mm_entry(LineReader *lr, const MmHeader *h, int64_t *i, int64_t *j, double *v,
                    Err *err)
{
    if (lr->line[0] == '%') return 0;
    char *tok[3];
    int want = h->pattern ? 2 : 3;
    int n = io_split_ws(lr->line, tok, 3);
    if (n == 0) return 0;
    if (h->pattern && n == 3) n = 2;   /* tolerate "i j v" in pattern files */
    if (n != want || nf_parse_long(tok[0], i) || nf_parse_long(tok[1], j)) {
        for (size_t k = 0; k < lr->len; k++)
            if (!lr->line[k]) lr->line[k] = ' ';
        io_err_line(err, lr, "expected \"%s\" but found \"%.200s\"",
                    h->pattern ? "i j" : "i j v", lr->line);
        return -1;
    }
    *v = 1.0;
    if (!h->pattern && nf_parse_double(tok[2], v)) {
        io_err_line(err, lr, "cannot parse \"%.200s\" as a number", tok[2]);
        return -1;
    }
    return !(*v == 0.0 || (*i == 0 && *j == 0));
}

static int in_range(const IoCellBuild *b, int64_t i, int64_t j)
{
    return i >= 1 && i <= b->rows && j >= 1 && j <= b->cols;
}

/* Reads the entries into b (mirrored for the symmetric kinds). */
static int mm_entries(LineReader *lr, const MmHeader *h, IoCellBuild *b, Err *err)
{
    int rc;
    while ((rc = io_lr_next(lr, err)) == 1) {
        int64_t i, j;
        double v;
        int got = mm_entry(lr, h, &i, &j, &v, err);
        if (got < 0) return -1;
        if (got == 0) continue;
        if (!in_range(b, i, j) || (h->symmetry && !in_range(b, j, i))) {
            io_err_line(err, lr, "cell index (%lld,%lld) is out of range for a %lldx%lld matrix",
                        (long long)i, (long long)j, (long long)b->rows, (long long)b->cols);
            return -1;
        }
        if (io_cb_add(b, i - 1, j - 1, v, err) != TSR_OK) return -1;
        if (h->symmetry && i != j &&
            io_cb_add(b, j - 1, i - 1, h->symmetry > 0 ? v : -v, err) != TSR_OK)
            return -1;
    }
    return rc;
}

/* Header and size line; 0 with the dimensions and entry count, or -1. */
static int mm_preamble(LineReader *lr, const char *path, MmHeader *h, int64_t dims[3], Err *err)
{
    int rc = io_lr_next(lr, err);
    if (rc == 0) {
        err_set(err, TSR_IO, "%s: Error while reading file in MatrixMarket format. Expecting a "
                "header line, but encountered, \"\".", path);
        return -1;
    }
    if (rc < 0 || mm_header(lr, h, err)) return -1;
    return mm_size(lr, &dims[0], &dims[1], &dims[2], err);
}

tsr_status io_mm_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    *out = NULL;
    LineReader lr;
    if (io_lr_open(&lr, path, err) != TSR_OK) return TSR_IO;
    MmHeader h;
    int64_t d[3] = { 0, 0, 0 };
    IoCellBuild b;
    int rc = mm_preamble(&lr, path, &h, d, err), built = 0;
    if (rc == 0 && io_check_dims(path, "the MatrixMarket size line", d[0], d[1], m, err))
        rc = -1;
    if (rc == 0) {
        /* the size line's count sizes the builder; an entry takes >= 4 bytes */
        int64_t hint = io_nnz_hint(d[2], io_lr_bytes(&lr), 4);
        rc = io_cb_init(&b, d[0], d[1], hint, err) == TSR_OK ? 0 : -1;
        built = rc == 0;
    }
    if (rc == 0) rc = mm_entries(&lr, &h, &b, err);
    io_lr_close(&lr);
    if (rc != 0) {
        if (built) io_cb_free(&b);
        return err->code != TSR_OK ? err->code : TSR_IO;
    }
    *out = io_cb_finish(&b, err);
    return *out ? TSR_OK : err->code;
}

tsr_status io_mm_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err)
{
    int64_t nz = io_count_nnz(a), j;
    double v;
    IoNz it;
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    fprintf(f, "%%%%MatrixMarket matrix coordinate real general\n%lld %lld %lld\n",
            (long long)a->rows, (long long)a->cols, (long long)nz);
    char buf[96];
    for (int64_t i = 0; i < a->rows; i++)
        for (io_nz_row(&it, a, i); io_nz_next(&it, &j, &v);)
            fwrite(buf, 1, (size_t)io_fmt_ijv(buf, i + 1, j + 1, v), f);
    if (nz == 0) fputs("0 0 0\n", f);
    *nnz = nz;
    return io_wclose(f, path, err);
}
