/*
 * binary.c - Tessera's own binary matrix format (DML.md 6.7: implementation
 * defined; only the .mtd must look like SystemDS's).
 *
 * Layout, all integers little-endian:
 *
 *   offset  size  field
 *   0       4     magic "TSRB"
 *   4       4     version (1)
 *   8       8     rows    (int64)
 *   16      8     cols    (int64)
 *   24      8     nnz     (int64)
 *   32      1     layout: 0 = dense, 1 = sparse (CSR)
 *   33      7     reserved, zero
 *   40      ...   payload
 *
 * Dense payload: rows*cols IEEE-754 doubles, row-major.  Sparse payload: the
 * CSR arrays one after the other: ptr (rows+1 int64: row i holds entries
 * [ptr[i], ptr[i+1])), idx (nnz int32 0-based column indexes, strictly
 * increasing within a row), val (nnz doubles, none zero).  A block is
 * written in its own format, CSR straight from its arrays.
 *
 * Reading validates magic, version, layout, dimensions and the exact file
 * length before allocating, then every CSR invariant while streaming the
 * three arrays (ptr monotone and ending at nnz, column indexes in range and
 * increasing, no stored zeros), and the stored nnz of a dense payload: a
 * truncated or corrupt file is an error naming the file, never a crash.  A
 * sparse payload reads as CSR; a dense payload goes through the row builder
 * (build.c) sized by the header's nnz, so a dense-layout file of sparse data
 * becomes CSR without a rows x cols allocation.
 */
#include "io/io_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BIN_MAGIC "TSRB"
#define BIN_VERSION 1u
#define BIN_HEADER 40
#define BIN_DENSE 0
#define BIN_SPARSE 1
#define BIN_CHUNK 8192   /* doubles per I/O chunk */

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_f64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    put_u64(p, u);
}

static double get_f64(const unsigned char *p)
{
    uint64_t u = get_u64(p);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

typedef struct BinHeader {
    int64_t rows, cols, nnz;
    int layout;
    int64_t size;       /* file size */
} BinHeader;

/* ---- buffered little-endian input from an offset ----------------------------------- */

typedef struct BinIn {
    FILE *f;
    unsigned char *buf;
    size_t pos, len;
} BinIn;

static tsr_status bin_in_open(BinIn *in, const char *path, int64_t off, Err *err)
{
    memset(in, 0, sizeof in[0]);
    in->buf = malloc((size_t)BIN_CHUNK * 8);
    if (!in->buf) return err_set(err, TSR_NOMEM, "out of memory");
    in->f = fopen(path, "rb");
    if (!in->f || fseeko(in->f, (off_t)off, SEEK_SET) != 0)
        return err_set(err, TSR_IO, "%s: cannot open: %s", path, strerror(errno));
    return TSR_OK;
}

static void bin_in_close(BinIn *in)
{
    if (in->f) fclose(in->f);
    free(in->buf);
    memset(in, 0, sizeof in[0]);
}

/* Next `width` bytes (4 or 8); NULL at a premature end of file. */
static const unsigned char *bin_in_get(BinIn *in, size_t width)
{
    if (in->len - in->pos < width) {
        size_t rest = in->len - in->pos;
        memmove(in->buf, in->buf + in->pos, rest);
        in->len = rest + fread(in->buf + rest, 1, (size_t)BIN_CHUNK * 8 - rest, in->f);
        in->pos = 0;
        if (in->len < width) return NULL;
    }
    const unsigned char *p = in->buf + in->pos;
    in->pos += width;
    return p;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- header ------------------------------------------------------------------------- */

/* Payload bytes the header implies; -1 if that overflows or breaks a limit. */
static int64_t payload_bytes(const BinHeader *h)
{
    int64_t cells, bytes, p, e;
    if (h->rows < 0 || h->cols < 0 || h->nnz < 0 || mul_overflows_i64(h->rows, h->cols, &cells) ||
        cells > MB_MAX_CELLS || h->nnz > cells)
        return -1;
    if (h->layout == BIN_DENSE) return mul_overflows_i64(cells, 8, &bytes) ? -1 : bytes;
    if (h->cols > MB_SPARSE_MAX_COLS || mul_overflows_i64(h->rows + 1, 8, &p) ||
        mul_overflows_i64(h->nnz, 12, &e) || p > INT64_MAX - e)
        return -1;
    return p + e;
}

/* Reads and validates the header against the file size. */
static tsr_status bin_header(const char *path, BinHeader *h, Err *err)
{
    unsigned char b[BIN_HEADER];
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, TSR_IO, "%s: cannot open: %s", path, strerror(errno));
    int ok = fstat(fileno(f), &st) == 0;
    size_t got = ok ? fread(b, 1, BIN_HEADER, f) : 0;
    fclose(f);
    if (!ok) return err_set(err, TSR_IO, "%s: cannot stat: %s", path, strerror(errno));
    if (got != BIN_HEADER)
        return err_set(err, TSR_IO, "%s: truncated binary matrix file (no header)", path);
    if (memcmp(b, BIN_MAGIC, 4) != 0)
        return err_set(err, TSR_IO, "%s: not a Tessera binary matrix file (bad magic)", path);
    uint32_t ver = get_u32(b + 4);
    if (ver != BIN_VERSION)
        return err_set(err, TSR_IO, "%s: unsupported binary matrix version %u", path, ver);
    h->rows = (int64_t)get_u64(b + 8);
    h->cols = (int64_t)get_u64(b + 16);
    h->nnz = (int64_t)get_u64(b + 24);
    h->layout = b[32];
    h->size = (int64_t)st.st_size;
    if (h->layout != BIN_DENSE && h->layout != BIN_SPARSE)
        return err_set(err, TSR_IO, "%s: unsupported binary matrix layout %d", path, h->layout);
    int64_t bytes = payload_bytes(h);
    if (bytes < 0 || bytes > INT64_MAX - BIN_HEADER)
        return err_set(err, TSR_IO, "%s: corrupt binary matrix header (%lldx%lld, nnz %lld)", path,
                       (long long)h->rows, (long long)h->cols, (long long)h->nnz);
    if (h->size != BIN_HEADER + bytes)
        return err_set(err, TSR_IO, "%s: truncated or corrupt binary matrix file: %lld bytes, "
                       "expected %lld for %lldx%lld (%s, nnz %lld)", path, (long long)h->size,
                       (long long)(BIN_HEADER + bytes), (long long)h->rows, (long long)h->cols,
                       h->layout == BIN_DENSE ? "dense" : "sparse", (long long)h->nnz);
    return TSR_OK;
}

/* ---- dense payload ------------------------------------------------------------------- */

static tsr_status truncated(const char *path, Err *err)
{
    return err_set(err, TSR_IO, "%s: truncated binary matrix file", path);
}

/* Streams the cells row by row into the row builder. */
static tsr_status dense_rows(BinIn *in, const char *path, IoRowBuild *b, Err *err)
{
    for (int64_t i = 0; i < b->rows; i++) {
        for (int64_t j = 0; j < b->cols; j++) {
            const unsigned char *p = bin_in_get(in, 8);
            if (!p) return truncated(path, err);
            if (io_rb_put(b, j, get_f64(p), err) != TSR_OK) return err->code;
        }
        if (io_rb_end_row(b, err) != TSR_OK) return err->code;
    }
    return TSR_OK;
}

static tsr_status read_dense(const char *path, const BinHeader *h, MatBlock **out, Err *err)
{
    BinIn in;
    IoRowBuild b;
    tsr_status st = bin_in_open(&in, path, BIN_HEADER, err);
    if (st == TSR_OK && (st = io_rb_init(&b, h->rows, h->cols, h->nnz, err)) == TSR_OK) {
        st = dense_rows(&in, path, &b, err);
        if (st == TSR_OK && !(*out = io_rb_finish(&b, err))) st = err->code;
        else if (st != TSR_OK) io_rb_free(&b);
    }
    bin_in_close(&in);
    if (st == TSR_OK && (*out)->nnz != h->nnz) {
        st = err_set(err, TSR_IO, "%s: corrupt binary matrix file: header says %lld non-zeros, "
                     "data has %lld", path, (long long)h->nnz, (long long)(*out)->nnz);
        mb_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- sparse payload ------------------------------------------------------------------ */

typedef struct CsrIn {
    const char *path;
    BinIn ptr, idx, val;
} CsrIn;

static tsr_status corrupt(const CsrIn *c, int64_t row, const char *what, Err *err)
{
    return err_set(err, TSR_IO, "%s: corrupt sparse binary matrix file: %s in row %lld",
                   c->path, what, (long long)row + 1);
}

/* Streams row i's entries [p0, p1) into m, checking columns and values. */
static tsr_status csr_row(CsrIn *c, MatBlock *m, int64_t i, int64_t p0, int64_t p1, Err *err)
{
    int64_t last = -1;
    for (int64_t k = p0; k < p1; k++) {
        const unsigned char *pj = bin_in_get(&c->idx, 4), *pv = bin_in_get(&c->val, 8);
        if (!pj || !pv) return truncated(c->path, err);
        int64_t j = (int32_t)get_u32(pj);
        double v = get_f64(pv);
        if (j < 0 || j >= m->cols) return corrupt(c, i, "column index out of range", err);
        if (j <= last) return corrupt(c, i, "column indexes not increasing", err);
        if (v == 0.0) return corrupt(c, i, "stored zero", err);
        if (mb_csr_push(m, (int32_t)j, v, err) != TSR_OK) return err->code;
        last = j;
    }
    mb_csr_end_row(m, i);
    return TSR_OK;
}

/* Reads the CSR arrays into m, validating every invariant. */
static tsr_status csr_rows(CsrIn *c, MatBlock *m, int64_t nnz, Err *err)
{
    const unsigned char *p = bin_in_get(&c->ptr, 8);
    if (!p) return truncated(c->path, err);
    int64_t p0 = (int64_t)get_u64(p);
    if (p0 != 0) return corrupt(c, 0, "row pointer 0 is not 0", err);
    for (int64_t i = 0; i < m->rows; i++) {
        if (!(p = bin_in_get(&c->ptr, 8))) return truncated(c->path, err);
        int64_t p1 = (int64_t)get_u64(p);
        if (p1 < p0 || p1 > nnz) return corrupt(c, i, "row pointer out of order", err);
        if (csr_row(c, m, i, p0, p1, err) != TSR_OK) return err->code;
        p0 = p1;
    }
    if (p0 != nnz) return corrupt(c, m->rows - 1, "last row pointer differs from nnz", err);
    return TSR_OK;
}

static tsr_status read_sparse(const char *path, const BinHeader *h, MatBlock **out, Err *err)
{
    CsrIn c = { path, { 0 }, { 0 }, { 0 } };
    int64_t off_idx = BIN_HEADER + 8 * (h->rows + 1), off_val = off_idx + 4 * h->nnz;
    MatBlock *m = mb_new_sparse(h->rows, h->cols, h->nnz, err);
    tsr_status st = m ? TSR_OK : err->code;
    if (st == TSR_OK) st = bin_in_open(&c.ptr, path, BIN_HEADER, err);
    if (st == TSR_OK) st = bin_in_open(&c.idx, path, off_idx, err);
    if (st == TSR_OK) st = bin_in_open(&c.val, path, off_val, err);
    if (st == TSR_OK) st = csr_rows(&c, m, h->nnz, err);
    bin_in_close(&c.ptr);
    bin_in_close(&c.idx);
    bin_in_close(&c.val);
    if (st != TSR_OK) {
        mb_free(m);
        return st;
    }
    *out = m;
    return TSR_OK;
}

tsr_status io_bin_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    *out = NULL;
    BinHeader h = { 0, 0, 0, 0, 0 };
    tsr_status st = bin_header(path, &h, err);
    if (st == TSR_OK) st = io_check_dims(path, "the binary file header", h.rows, h.cols, m, err);
    if (st != TSR_OK) return st;
    return h.layout == BIN_SPARSE ? read_sparse(path, &h, out, err)
                                  : read_dense(path, &h, out, err);
}

/* ---- writing ------------------------------------------------------------------------- */

/* Output through a chunk buffer (values are converted to little-endian). */
typedef struct BinOut {
    FILE *f;
    unsigned char *buf;
    size_t len;
} BinOut;

static void out_put(BinOut *o, const unsigned char *p, size_t n)
{
    if (o->len + n > (size_t)BIN_CHUNK * 8) {
        fwrite(o->buf, 1, o->len, o->f);
        o->len = 0;
    }
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static void out_u64(BinOut *o, uint64_t v)
{
    unsigned char b[8];
    put_u64(b, v);
    out_put(o, b, 8);
}

static void out_f64(BinOut *o, double d)
{
    unsigned char b[8];
    put_f64(b, d);
    out_put(o, b, 8);
}

static void out_u32(BinOut *o, uint32_t v)
{
    unsigned char b[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 24) };
    out_put(o, b, 4);
}

static void write_header(BinOut *o, const MatBlock *a, int64_t nz)
{
    unsigned char h[BIN_HEADER];
    memset(h, 0, sizeof h);
    memcpy(h, BIN_MAGIC, 4);
    h[4] = BIN_VERSION;
    put_u64(h + 8, (uint64_t)a->rows);
    put_u64(h + 16, (uint64_t)a->cols);
    put_u64(h + 24, (uint64_t)nz);
    h[32] = a->sparse ? BIN_SPARSE : BIN_DENSE;
    out_put(o, h, sizeof h);
}

static void write_payload(BinOut *o, const MatBlock *a)
{
    if (!a->sparse) {
        int64_t cells = a->rows * a->cols;
        for (int64_t c = 0; c < cells; c++) out_f64(o, a->dense[c]);
        return;
    }
    for (int64_t i = 0; i <= a->rows; i++) out_u64(o, (uint64_t)a->ptr[i]);
    int64_t nz = a->ptr[a->rows];
    for (int64_t k = 0; k < nz; k++) out_u32(o, (uint32_t)a->idx[k]);
    for (int64_t k = 0; k < nz; k++) out_f64(o, a->val[k]);
}

tsr_status io_bin_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err)
{
    int64_t nz = io_count_nnz(a);
    BinOut o = { NULL, malloc((size_t)BIN_CHUNK * 8), 0 };
    if (!o.buf) return err_set(err, TSR_NOMEM, "out of memory");
    o.f = io_wopen(path, err);
    if (!o.f) {
        free(o.buf);
        return TSR_IO;
    }
    write_header(&o, a, nz);
    write_payload(&o, a);
    fwrite(o.buf, 1, o.len, o.f);
    free(o.buf);
    *nnz = nz;
    return io_wclose(o.f, path, err);
}
