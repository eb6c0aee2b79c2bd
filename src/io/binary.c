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
 *   32      1     layout: 0 = dense row-major FP64 cells
 *                 (1 is reserved for CSR: row pointers, column indexes, values)
 *   33      7     reserved, zero
 *   40      ...   payload: for layout 0, rows*cols IEEE-754 doubles (LE)
 *
 * The reader validates magic, version, layout, dimensions and the exact file
 * length before allocating, so a truncated or corrupt file is an error and
 * never a crash; the stored nnz must match the payload.
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
#define BIN_CHUNK 8192   /* cells per I/O chunk */

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
} BinHeader;

/* Reads and validates the header against the file size. */
static tsr_status bin_header(FILE *f, const char *path, BinHeader *h, Err *err)
{
    unsigned char b[BIN_HEADER];
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        return err_set(err, TSR_IO, "%s: cannot stat: %s", path, strerror(errno));
    if (fread(b, 1, BIN_HEADER, f) != BIN_HEADER)
        return err_set(err, TSR_IO, "%s: truncated binary matrix file (no header)", path);
    if (memcmp(b, BIN_MAGIC, 4) != 0)
        return err_set(err, TSR_IO, "%s: not a Tessera binary matrix file (bad magic)", path);
    uint32_t ver = (uint32_t)(get_u64(b + 4) & 0xffffffffu);
    if (ver != BIN_VERSION)
        return err_set(err, TSR_IO, "%s: unsupported binary matrix version %u", path, ver);
    h->rows = (int64_t)get_u64(b + 8);
    h->cols = (int64_t)get_u64(b + 16);
    h->nnz = (int64_t)get_u64(b + 24);
    h->layout = b[32];
    if (h->layout != BIN_DENSE)
        return err_set(err, TSR_IO, "%s: unsupported binary matrix layout %d", path, h->layout);
    int64_t cells, bytes;
    if (h->rows < 0 || h->cols < 0 || h->nnz < 0 || mul_overflows_i64(h->rows, h->cols, &cells) ||
        mul_overflows_i64(cells, 8, &bytes) || bytes > INT64_MAX - BIN_HEADER || h->nnz > cells)
        return err_set(err, TSR_IO, "%s: corrupt binary matrix header (%lldx%lld, nnz %lld)", path,
                       (long long)h->rows, (long long)h->cols, (long long)h->nnz);
    if ((int64_t)st.st_size != BIN_HEADER + bytes)
        return err_set(err, TSR_IO, "%s: truncated or corrupt binary matrix file: %lld bytes, "
                       "expected %lld for %lldx%lld", path, (long long)st.st_size,
                       (long long)(BIN_HEADER + bytes), (long long)h->rows, (long long)h->cols);
    return TSR_OK;
}

/* Reads the dense payload into a, chunk by chunk. */
static tsr_status bin_payload(FILE *f, const char *path, MatBlock *a, Err *err)
{
    unsigned char *buf = malloc((size_t)BIN_CHUNK * 8);
    if (!buf) return err_set(err, TSR_NOMEM, "out of memory");
    int64_t cells = a->rows * a->cols, done = 0;
    tsr_status st = TSR_OK;
    while (done < cells) {
        size_t n = (size_t)(cells - done < BIN_CHUNK ? cells - done : BIN_CHUNK);
        if (fread(buf, 8, n, f) != n) {
            st = err_set(err, TSR_IO, "%s: truncated binary matrix file", path);
            break;
        }
        for (size_t k = 0; k < n; k++) {
            int64_t c = done + (int64_t)k;
            mb_set(a, c / a->cols, c % a->cols, get_f64(buf + 8 * k));
        }
        done += (int64_t)n;
    }
    free(buf);
    return st;
}

tsr_status io_bin_read(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, TSR_IO, "%s: cannot open: %s", path, strerror(errno));
    BinHeader h = { 0, 0, 0, 0 };
    MatBlock *a = NULL;
    tsr_status st = bin_header(f, path, &h, err);
    if (st == TSR_OK) st = io_check_dims(path, "the binary file header", h.rows, h.cols, m, err);
    if (st == TSR_OK && !(a = mb_new(h.rows, h.cols, err))) st = err->code;
    if (st == TSR_OK) st = bin_payload(f, path, a, err);
    if (st == TSR_OK && a->nnz != h.nnz)
        st = err_set(err, TSR_IO, "%s: corrupt binary matrix file: header says %lld non-zeros, "
                     "data has %lld", path, (long long)h.nnz, (long long)a->nnz);
    fclose(f);
    if (st != TSR_OK) {
        mb_free(a);
        return st;
    }
    *out = a;
    return TSR_OK;
}

tsr_status io_bin_write(const char *path, const MatBlock *a, int64_t *nnz, Err *err)
{
    int64_t nz = 0, cells = a->rows * a->cols;
    for (int64_t c = 0; c < cells; c++) nz += mb_get(a, c / a->cols, c % a->cols) != 0.0;
    unsigned char *buf = malloc((size_t)BIN_CHUNK * 8);
    if (!buf) return err_set(err, TSR_NOMEM, "out of memory");
    FILE *f = io_wopen(path, err);
    if (!f) {
        free(buf);
        return TSR_IO;
    }
    unsigned char h[BIN_HEADER];
    memset(h, 0, sizeof h);
    memcpy(h, BIN_MAGIC, 4);
    h[4] = BIN_VERSION;
    put_u64(h + 8, (uint64_t)a->rows);
    put_u64(h + 16, (uint64_t)a->cols);
    put_u64(h + 24, (uint64_t)nz);
    h[32] = BIN_DENSE;
    fwrite(h, 1, sizeof h, f);
    for (int64_t done = 0; done < cells;) {
        size_t n = (size_t)(cells - done < BIN_CHUNK ? cells - done : BIN_CHUNK);
        for (size_t k = 0; k < n; k++) {
            int64_t c = done + (int64_t)k;
            put_f64(buf + 8 * k, mb_get(a, c / a->cols, c % a->cols));
        }
        fwrite(buf, 8, n, f);
        done += (int64_t)n;
    }
    free(buf);
    *nnz = nz;
    return io_wclose(f, path, err);
}
