/*
 * io.c - the io_ entry points: format names, read/write dispatch to the
 * per-format files, merging of read() options with the .mtd, and scalar
 * files.
 *
 * read: explicit options win, the .mtd fills the rest (the interpreter is the
 * one that reports options contradicting the .mtd).  The data file must
 * exist; the format defaults to text.  write: data first, then the .mtd with
 * the dimensions and the non-zero count the writer actually produced.
 * Not here: frames and lists (the runtime's business), HDF5/JSON formats.
 */
#include "io/io_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const fmt_names[] = {
    [IO_FMT_UNKNOWN] = "unknown", [IO_FMT_TEXT] = "text", [IO_FMT_CSV] = "csv",
    [IO_FMT_MM] = "mm", [IO_FMT_BINARY] = "binary", [IO_FMT_LIBSVM] = "libsvm",
};

IoFormat io_format_parse(const char *name)
{
    if (!name) return IO_FMT_UNKNOWN;
    for (int f = IO_FMT_TEXT; f <= IO_FMT_LIBSVM; f++)
        if (strcasecmp(name, fmt_names[f]) == 0) return (IoFormat)f;
    return IO_FMT_UNKNOWN;
}

const char *io_format_name(IoFormat f)
{
    return (f >= IO_FMT_UNKNOWN && f <= IO_FMT_LIBSVM) ? fmt_names[f] : "unknown";
}

static const char *data_type_word(DataType dt)
{
    switch (dt) {
    case DT_SCALAR: return "scalar";
    case DT_FRAME: return "frame";
    case DT_LIST: return "list";
    default: return "matrix";
    }
}

/* ---- matrices ------------------------------------------------------------------- */

tsr_status io_check_dims(const char *path, const char *what, int64_t rows, int64_t cols,
                         const IoMeta *m, Err *err)
{
    int bad_r = m->rows >= 0 && m->rows != rows, bad_c = m->cols >= 0 && m->cols != cols;
    if (!bad_r && !bad_c) return TSR_OK;
    char given[64];
    if (m->rows >= 0 && m->cols >= 0)
        snprintf(given, sizeof given, "%lldx%lld", (long long)m->rows, (long long)m->cols);
    else if (m->rows >= 0)
        snprintf(given, sizeof given, "rows=%lld", (long long)m->rows);
    else
        snprintf(given, sizeof given, "cols=%lld", (long long)m->cols);
    return err_set(err, TSR_IO, "%s: %s says %lldx%lld but the metadata or read options say %s",
                   path, what, (long long)rows, (long long)cols, given);
}

static tsr_status read_dispatch(const char *path, const IoMeta *m, MatBlock **out, Err *err)
{
    switch (m->format) {
    case IO_FMT_CSV: return io_csv_read(path, m, out, err);
    case IO_FMT_MM: return io_mm_read(path, m, out, err);
    case IO_FMT_BINARY: return io_bin_read(path, m, out, err);
    case IO_FMT_LIBSVM: return io_libsvm_read(path, m, out, err);
    default: return io_text_read(path, m, out, err);
    }
}

tsr_status io_read_prepare(const char *path, const IoMeta *opt, IoMeta *m, Err *err)
{
    if (opt) io_meta_copy(m, opt);
    else io_meta_init(m);
    if (!path || !*path) return err_set(err, TSR_IO, "read: empty file name");
    IoMeta md;
    io_meta_init(&md);
    tsr_status st = TSR_OK;
    if (io_meta_read(path, &md, err) < 0) st = TSR_IO;
    else io_meta_merge(m, &md);
    io_meta_free(&md);
    struct stat sb;
    if (st == TSR_OK && stat(path, &sb) != 0)
        st = err_set(err, TSR_IO, "Read input file does not exist on FS (local mode): %s", path);
    return st;
}

tsr_status io_read_matrix(const char *path, const IoMeta *opt, MatBlock **out, Err *err)
{
    *out = NULL;
    IoMeta m;
    tsr_status st = io_read_prepare(path, opt, &m, err);
    if (st == TSR_OK && m.data_type != DT_UNKNOWN && m.data_type != DT_MATRIX)
        st = err_set(err, TSR_IO, "%s: cannot read a %s as a matrix", path,
                     data_type_word(m.data_type));
    if (st == TSR_OK) {
        if (m.format == IO_FMT_UNKNOWN) m.format = IO_FMT_TEXT;
        st = read_dispatch(path, &m, out, err);
    }
    io_meta_free(&m);
    return st;
}

tsr_status io_write_matrix(const char *path, const MatBlock *a, const IoMeta *opt, Err *err)
{
    if (!path || !*path) return err_set(err, TSR_IO, "write: empty file name");
    IoMeta m;
    if (opt) io_meta_copy(&m, opt);
    else io_meta_init(&m);
    if (m.format == IO_FMT_UNKNOWN) m.format = IO_FMT_TEXT;
    int64_t nnz = 0;
    tsr_status st;
    switch (m.format) {
    case IO_FMT_CSV: st = io_csv_write(path, a, &m, &nnz, err); break;
    case IO_FMT_MM: st = io_mm_write(path, a, &nnz, err); break;
    case IO_FMT_BINARY: st = io_bin_write(path, a, &nnz, err); break;
    case IO_FMT_LIBSVM: st = io_libsvm_write(path, a, &m, &nnz, err); break;
    default: st = io_text_write_opt(path, a, &m, &nnz, err); break;
    }
    if (st == TSR_OK) {
        m.data_type = DT_MATRIX;
        m.value_type = VT_FP64;
        m.rows = a->rows;
        m.cols = a->cols;
        m.nnz = nnz;
        st = io_meta_write(path, &m, err);
    }
    io_meta_free(&m);
    return st;
}

/* ---- scalars -------------------------------------------------------------------- */

tsr_status io_write_scalar(const char *path, const char *text, ValueType vt, Err *err)
{
    if (!path || !*path) return err_set(err, TSR_IO, "write: empty file name");
    FILE *f = io_wopen(path, err);
    if (!f) return TSR_IO;
    fputs(text, f);
    fputc('\n', f);
    tsr_status st = io_wclose(f, path, err);
    if (st != TSR_OK) return st;
    IoMeta m;
    io_meta_init(&m);
    m.data_type = DT_SCALAR;
    m.value_type = vt == VT_UNKNOWN ? VT_FP64 : vt;
    m.format = IO_FMT_TEXT;
    st = io_meta_write(path, &m, err);
    io_meta_free(&m);
    return st;
}

#define SCALAR_MAX_BYTES ((size_t)1 << 30)

tsr_status io_read_scalar_text(const char *path, char **out, Err *err)
{
    *out = NULL;
    struct stat sb;
    if (!path || stat(path, &sb) != 0)
        return err_set(err, TSR_IO, "Read input file does not exist on FS (local mode): %s",
                       path ? path : "");
    if (S_ISDIR(sb.st_mode)) return err_set(err, TSR_IO, "%s: is a directory, not a scalar", path);
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(err, TSR_IO, "%s: cannot open: %s", path, strerror(errno));
    StrBuf b;
    sb_init(&b);
    char chunk[8192];
    size_t n;
    tsr_status st = TSR_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (b.len + n > SCALAR_MAX_BYTES) {
            st = err_set(err, TSR_LIMIT, "%s: scalar file larger than %zu bytes", path,
                         SCALAR_MAX_BYTES);
            break;
        }
        sb_putn(&b, chunk, n);
    }
    if (st == TSR_OK && ferror(f)) st = err_set(err, TSR_IO, "%s: read error", path);
    fclose(f);
    if (st != TSR_OK) {
        sb_free(&b);
        return st;
    }
    char *s = sb_take(&b);
    size_t len = strlen(s), start = 0;   /* Java String.trim() */
    while (start < len && (unsigned char)s[start] <= ' ') start++;
    while (len > start && (unsigned char)s[len - 1] <= ' ') len--;
    memmove(s, s + start, len - start);
    s[len - start] = '\0';
    *out = s;
    return TSR_OK;
}

int io_line_error(Err *err, const char *file, int64_t lineno, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(err, TSR_IO, "%s:%lld: %s", file, (long long)lineno, msg);
    return -1;
}
