/*
 * test_io.c - unit tests of the io module: round trips for every format
 * (including empty and NaN/Inf matrices), csv options, malformed files with
 * their messages and line numbers, lenient .mtd parsing, scalars; sparse
 * blocks: round trips in every format (CSR kept, same file text as the dense
 * twin), cells in any order with duplicates, symmetric MM, the csv/libsvm
 * row builder, corrupt sparse binary files, and shapes whose dense form
 * would need terabytes.
 * All files live in a fresh mkdtemp directory that is removed at the end.
 */
#include "io/io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fputs(text, f);
    fclose(f);
}

static char *get_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return xstrdup("<missing>");
    StrBuf b;
    sb_init(&b);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) sb_putn(&b, chunk, n);
    fclose(f);
    return sb_take(&b);
}

static void check_file(const char *path, const char *want, int line)
{
    char *got = get_file(path);
    check_at(strcmp(got, want) == 0, path, __FILE__, line);
    if (strcmp(got, want) != 0) fprintf(stderr, "  got:\n%s\n  want:\n%s\n", got, want);
    free(got);
}
#define CHECK_FILE(p, w) check_file((p), (w), __LINE__)

static MatBlock *mk(int64_t r, int64_t c, const double *v)
{
    Err e;
    MatBlock *m = mb_new(r, c, &e);
    if (!m) { printf("mb_new failed: %s\n", e.msg); exit(2); }
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) mb_set(m, i, j, v[i * c + j]);
    return m;
}

/* Same dims and cells (NaN == NaN; bitwise, so -0.0 != 0.0, if `bits`). */
static int same(const MatBlock *a, const MatBlock *b, int bits)
{
    if (!a || !b || a->rows != b->rows || a->cols != b->cols || a->nnz != b->nnz) return 0;
    for (int64_t i = 0; i < a->rows; i++)
        for (int64_t j = 0; j < a->cols; j++) {
            double x = mb_get(a, i, j), y = mb_get(b, i, j);
            if (bits ? memcmp(&x, &y, sizeof x) != 0 : !(x == y || (isnan(x) && isnan(y))))
                return 0;
        }
    return 1;
}

/* Reads `path` with options; returns the block or NULL (message in *e). */
static MatBlock *rd(const char *path, const IoMeta *opt, Err *e)
{
    MatBlock *m = NULL;
    err_clear(e);
    if (io_read_matrix(path, opt, &m, e) != TSR_OK) return NULL;
    return m;
}

/* Expects a read failure whose message contains `want`. */
static void expect_fail(const char *path, const IoMeta *opt, const char *want, int line)
{
    Err e;
    MatBlock *m = rd(path, opt, &e);
    int ok = m == NULL && e.code != TSR_OK && strstr(e.msg, want) != NULL;
    check_at(ok, want, __FILE__, line);
    if (!ok) fprintf(stderr, "  message was: %s\n", m ? "<no error>" : e.msg);
    mb_free(m);
}
#define EXPECT_FAIL(p, o, w) expect_fail((p), (o), (w), __LINE__)

static IoMeta opts(IoFormat f)
{
    IoMeta m;
    io_meta_init(&m);
    m.format = f;
    return m;
}

/* ---- round trips ----------------------------------------------------------------- */

static const double SAMPLE[12] = { 1.0, 0.0, -2.5, 1e-300, 0.1, NAN, 0.0, INFINITY,
                                   -INFINITY, 123456789.0, 0.0, -0.001 };

static void roundtrip(IoFormat f, int64_t r, int64_t c, const double *v, int line)
{
    char name[64];
    snprintf(name, sizeof name, "rt_%s_%lldx%lld", io_format_name(f), (long long)r,
             (long long)c);
    const char *p = P(name);
    MatBlock *a = mk(r, c, v), *b = NULL;
    IoMeta o = opts(f);
    Err e;
    err_clear(&e);
    tsr_status st = io_write_matrix(p, a, &o, &e);
    check_at(st == TSR_OK, name, __FILE__, line);
    if (st != TSR_OK) fprintf(stderr, "  write: %s\n", e.msg);
    IoMeta none;
    io_meta_init(&none);     /* everything from the .mtd */
    b = rd(p, &none, &e);
    check_at(same(a, b, f == IO_FMT_BINARY), name, __FILE__, line);
    if (!b) fprintf(stderr, "  read: %s\n", e.msg);
    mb_free(a);
    mb_free(b);
    io_meta_free(&o);
}

static void test_roundtrips(void)
{
    IoFormat fmts[] = { IO_FMT_TEXT, IO_FMT_CSV, IO_FMT_MM, IO_FMT_BINARY, IO_FMT_LIBSVM };
    double zeros[4] = { 0, 0, 0, 0 };
    double one[1] = { 7.0 };
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        roundtrip(fmts[k], 3, 4, SAMPLE, __LINE__);
        roundtrip(fmts[k], 4, 3, SAMPLE, __LINE__);
        roundtrip(fmts[k], 12, 1, SAMPLE, __LINE__);
        roundtrip(fmts[k], 0, 0, NULL, __LINE__);
        roundtrip(fmts[k], 0, 3, NULL, __LINE__);
        roundtrip(fmts[k], 2, 2, zeros, __LINE__);
        roundtrip(fmts[k], 1, 1, one, __LINE__);
        if (fmts[k] != IO_FMT_LIBSVM) roundtrip(fmts[k], 3, 0, NULL, __LINE__);
    }
    /* -0.0 survives only the binary format bit-exactly */
    double negz[2] = { -0.0, 1.0 };
    roundtrip(IO_FMT_BINARY, 1, 2, negz, __LINE__);
}

/* Exact file contents written by each format. */
static void test_written_text(void)
{
    double v[6] = { 1.0, 0.0, -2.5, 0.0, 1e7, NAN };
    MatBlock *a = mk(2, 3, v), *z = mk(2, 2, (double[]){ 0, -0.0, 0, 0 });
    Err e;
    IoMeta o = opts(IO_FMT_TEXT);
    CHECK(io_write_matrix(P("w.ijv"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("w.ijv"), "1 1 1.0\n1 3 -2.5\n2 2 1.0E7\n2 3 NaN\n");
    CHECK(io_write_matrix(P("wz.ijv"), z, &o, &e) == TSR_OK);
    CHECK_FILE(P("wz.ijv"), "0 0 0\n");

    o.format = IO_FMT_CSV;
    CHECK(io_write_matrix(P("w.csv"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("w.csv"), "1.0,0,-2.5\n0,1.0E7,NaN\n");
    o.has_header = o.header = 1;
    o.sep = xstrdup(";");
    o.sparse = 1;
    CHECK(io_write_matrix(P("w2.csv"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("w2.csv"), "C1;C2;C3\n1.0;;-2.5\n;1.0E7;NaN\n");
    char *mtd = get_file(P("w2.csv.mtd"));
    CHECK(strstr(mtd, "\"header\": true") && strstr(mtd, "\"sep\": \";\""));
    CHECK(strstr(mtd, "\"nnz\": 4") && strstr(mtd, "\"format\": \"csv\""));
    free(mtd);
    io_meta_free(&o);

    o = opts(IO_FMT_MM);
    CHECK(io_write_matrix(P("w.mtx"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("w.mtx"), "%%MatrixMarket matrix coordinate real general\n2 3 4\n"
               "1 1 1.0\n1 3 -2.5\n2 2 1.0E7\n2 3 NaN\n");
    CHECK(io_write_matrix(P("wz.mtx"), z, &o, &e) == TSR_OK);
    CHECK_FILE(P("wz.mtx"), "%%MatrixMarket matrix coordinate real general\n2 2 0\n0 0 0\n");

    o.format = IO_FMT_LIBSVM;   /* default sep "," (DML.md 6.7), reads back */
    CHECK(io_write_matrix(P("w.svm"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("w.svm"), "-2.5,1:1.0\nNaN,2:1.0E7\n");
    MatBlock *back = rd(P("w.svm"), &o, &e);
    CHECK(back && back->rows == 2 && back->cols == 3 && mb_get(back, 0, 2) == -2.5 &&
          mb_get(back, 1, 1) == 1e7);
    mb_free(back);
    o.sep = xstrdup(" ");
    CHECK(io_write_matrix(P("w2.svm"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("w2.svm"), "-2.5 1:1.0\nNaN 2:1.0E7\n");
    io_meta_free(&o);
    mb_free(a);
    mb_free(z);
}

/* ---- .mtd ------------------------------------------------------------------------ */

static void test_mtd_written(void)
{
    double v[4] = { 1, 0, 0, 2 };
    MatBlock *a = mk(2, 2, v);
    Err e;
    IoMeta o = opts(IO_FMT_BINARY);
    o.description_json = xstrdup("{\"title\": \"t\"}");
    CHECK(io_write_matrix(P("m.bin"), a, &o, &e) == TSR_OK);
    char *s = get_file(P("m.bin.mtd"));
    const char *keys[] = { "\"data_type\": \"matrix\"", "\"value_type\": \"double\"",
                           "\"rows\": 2", "\"cols\": 2", "\"rows_in_block\": 1000",
                           "\"cols_in_block\": 1000", "\"nnz\": 2", "\"format\": \"binary\"",
                           "\"description\": {\"title\":\"t\"}", "\"author\": \"Tessera\"",
                           "\"created\": \"" };
    const char *prev = s;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *at = strstr(s, keys[i]);
        check_at(at != NULL && at >= prev, keys[i], __FILE__, __LINE__);
        if (at) prev = at;
    }
    const char *c = strstr(s, "\"created\": \"");
    CHECK(c && strlen(c) > 36 && memcmp(c + 12 + 19, " UTC\"", 5) == 0 && c[12 + 4] == '-');
    free(s);
    io_meta_free(&o);
    mb_free(a);
}

static void test_mtd_lenient(void)
{
    IoMeta m;
    Err e;
    io_meta_init(&m);
    put_file(P("l1.mtd"), "{\"rows\": \"3\", \"cols\": 2.0, \"format\": \"CSV\",\n"
             " \"header\": \"TRUE\", \"sep\": \"|\", \"naStrings\": [\"NA\", \"null\",],\n"
             " \"description\": {\"a\": [1, 2,],}, \"author\": \"x\",\n}\n");
    CHECK(io_meta_read(P("l1"), &m, &e) == 1);
    CHECK(m.rows == 3 && m.cols == 2 && m.format == IO_FMT_CSV && m.has_header && m.header);
    CHECK(m.sep && strcmp(m.sep, "|") == 0);
    CHECK(m.na_strings && strcmp(m.na_strings, "NA\xC2\xB7null") == 0);
    CHECK(m.description_json && strcmp(m.description_json, "{\"a\":[1,2]}") == 0);
    io_meta_free(&m);

    CHECK(io_meta_read(P("absent"), &m, &e) == 0);

    /* commas inside strings are not touched */
    put_file(P("l2.mtd"), "{\"sep\": \",}\", \"rows\": 1, \"cols\": 1, \"nnz\": -1}");
    CHECK(io_meta_read(P("l2"), &m, &e) == 1 && strcmp(m.sep, ",}") == 0 && m.nnz == -1);
    io_meta_free(&m);

    struct { const char *text, *msg; } bad[] = {
        { "{\"rows\": -5, \"cols\": 2}", "invalid value for \"rows\": negative" },
        { "{\"rows\": 1.5, \"cols\": 2}", "invalid value for \"rows\": not an integer" },
        { "{\"rows\": \"x\"}", "invalid value for \"rows\"" },
        { "{\"rows\": 3, \"cols\" 2}", "malformed metadata" },
        { "[1, 2]", "malformed metadata" },
        { "{\"format\": \"hdf9\"}", "Unknown file format: hdf9" },
        { "{\"header\": \"maybe\"}", "invalid value for \"header\": not a boolean" },
        { "{\"data_type\": \"tensor\"}", "invalid value for \"data_type\"" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_file(P("lb.mtd"), bad[i].text);
        io_meta_init(&m);
        err_clear(&e);
        int rc = io_meta_read(P("lb"), &m, &e);
        int ok = rc == -1 && strstr(e.msg, bad[i].msg) && strstr(e.msg, "lb.mtd");
        check_at(ok, bad[i].text, __FILE__, __LINE__);
        if (!ok) fprintf(stderr, "  message was: %s\n", e.msg);
        io_meta_free(&m);
    }
}

/* A matrix read only through a hand-written .mtd, and hostile dimensions. */
static void test_mtd_driven_reads(void)
{
    Err e;
    put_file(P("h.csv"), "1,2\n3,4\n5,6\n");
    put_file(P("h.csv.mtd"), "{\"rows\": 3, \"cols\": 2, \"format\": \"csv\",}");
    MatBlock *m = rd(P("h.csv"), NULL, &e);
    CHECK(m && m->rows == 3 && m->cols == 2 && mb_get(m, 2, 1) == 6.0);
    mb_free(m);
    put_file(P("h.csv.mtd"), "{\"rows\": 4, \"cols\": 2, \"format\": \"csv\"}");
    EXPECT_FAIL(P("h.csv"), NULL, "the file has 3 rows but the metadata or read options say 4");
    put_file(P("h.csv.mtd"), "{\"rows\": 3, \"cols\": 3, \"format\": \"csv\"}");
    EXPECT_FAIL(P("h.csv"), NULL, "h.csv:1: expected 3 cells but found 2");
    put_file(P("h.csv.mtd"), "{\"rows\": 2, \"cols\": 2, \"format\": \"csv\"}");
    EXPECT_FAIL(P("h.csv"), NULL, "h.csv:3: found more than the 2 rows");
    /* explicit options win over the mtd */
    IoMeta o = opts(IO_FMT_CSV);
    o.rows = 3;
    o.cols = 2;
    m = rd(P("h.csv"), &o, &e);
    CHECK(m && m->rows == 3);
    mb_free(m);

    put_file(P("huge.ijv"), "1 1 1\n");
    put_file(P("huge.ijv.mtd"), "{\"rows\": 1000000000000000, \"cols\": 1000000000000000}");
    EXPECT_FAIL(P("huge.ijv"), NULL, "exceeds the size limit");
    put_file(P("huge.ijv.mtd"), "{\"rows\": 9223372036854775807, \"cols\": 3}");
    EXPECT_FAIL(P("huge.ijv"), NULL, "invalid value for \"rows\": out of range");
    put_file(P("huge.ijv.mtd"), "{\"rows\": \"9223372036854775807\", \"cols\": 3}");
    EXPECT_FAIL(P("huge.ijv"), NULL, "exceeds the size limit");
    put_file(P("huge.ijv.mtd"), "{\"rows\": 3, \"cols\": -3}");
    EXPECT_FAIL(P("huge.ijv"), NULL, "invalid value for \"cols\": negative");
    put_file(P("huge.ijv.mtd"), "{\"rows\": 1e300, \"cols\": 3}");
    EXPECT_FAIL(P("huge.ijv"), NULL, "out of range");
    put_file(P("huge.ijv.mtd"), "{\"rows\": 2.5, \"cols\": 3}");
    EXPECT_FAIL(P("huge.ijv"), NULL, "not an integer");
    put_file(P("huge.ijv.mtd"), "{\"data_type\": \"frame\", \"rows\": 1, \"cols\": 1}");
    EXPECT_FAIL(P("huge.ijv"), NULL, "cannot read a frame as a matrix");

    EXPECT_FAIL(P("nothere.csv"), NULL,
                "Read input file does not exist on FS (local mode): ");
    /* a .mtd without its data file */
    put_file(P("orphan.mtd"), "{\"rows\": 1, \"cols\": 1}");
    EXPECT_FAIL(P("orphan"), NULL, "Read input file does not exist on FS (local mode): ");
    io_meta_free(&o);
}

/* ---- csv ------------------------------------------------------------------------- */

static MatBlock *csv(const char *name, const char *text, IoMeta *o, Err *e)
{
    put_file(P(name), text);
    return rd(P(name), o, e);
}

static void test_csv_read(void)
{
    Err e;
    IoMeta o = opts(IO_FMT_CSV);
    MatBlock *m;

    m = csv("c1.csv", " 1 , +3,1e5\r\nNaN,Infinity,-Infinity\r\n.5,5.,1.0d", &o, &e);
    CHECK(m && m->rows == 2 + 1 && m->cols == 3);
    CHECK(m && mb_get(m, 0, 0) == 1 && mb_get(m, 0, 1) == 3 && mb_get(m, 0, 2) == 1e5);
    CHECK(m && isnan(mb_get(m, 1, 0)) && mb_get(m, 1, 1) == INFINITY && mb_get(m, 2, 2) == 1.0);
    CHECK(m && mb_get(m, 2, 0) == 0.5 && m->nnz == 9);
    mb_free(m);

    /* header, literal multi-char separator, trailing blank lines */
    o.has_header = o.header = 1;
    o.sep = xstrdup("::");
    m = csv("c2.csv", "a::b\n1::2\n3::4\n\n  \n", &o, &e);
    CHECK(m && m->rows == 2 && m->cols == 2 && mb_get(m, 1, 1) == 4);
    mb_free(m);
    free(o.sep);
    o.sep = xstrdup("|");          /* a regex metacharacter, taken literally */
    m = csv("c3.csv", "x|y\n1|2\n", &o, &e);
    CHECK(m && m->rows == 1 && m->cols == 2 && mb_get(m, 0, 1) == 2);
    mb_free(m);
    free(o.sep);
    o.sep = NULL;
    o.has_header = o.header = 0;

    /* fill (default TRUE) and default */
    m = csv("c4.csv", "1,,3\n,5,\n", &o, &e);
    CHECK(m && mb_get(m, 0, 1) == 0 && mb_get(m, 1, 2) == 0 && m->nnz == 3);
    mb_free(m);
    o.has_default = 1;
    o.default_value = 9;
    m = csv("c4.csv", "1,,3\n,5,\n", &o, &e);
    CHECK(m && mb_get(m, 0, 1) == 9 && mb_get(m, 1, 0) == 9);
    mb_free(m);
    o.has_default = 0;

    /* a blank line in the middle of a 1-column file is an empty cell */
    m = csv("c5.csv", "1\n\n3\n\n", &o, &e);
    CHECK(m && m->rows == 3 && mb_get(m, 1, 0) == 0 && mb_get(m, 2, 0) == 3);
    mb_free(m);

    /* naStrings */
    o.na_strings = xstrdup("NA\xC2\xB7null\xC2\xB7-");
    m = csv("c6.csv", "NA,1\nnull, - \n", &o, &e);
    CHECK(m && isnan(mb_get(m, 0, 0)) && isnan(mb_get(m, 1, 0)) && isnan(mb_get(m, 1, 1)));
    mb_free(m);
    free(o.na_strings);
    o.na_strings = NULL;

    /* empty file, header only */
    m = csv("c7.csv", "", &o, &e);
    CHECK(m && m->rows == 0 && m->cols == 0);
    mb_free(m);
    o.has_header = o.header = 1;
    m = csv("c8.csv", "C1,C2\n", &o, &e);
    CHECK(m && m->rows == 0);
    mb_free(m);
    o.has_header = o.header = 0;
    io_meta_free(&o);
}

static void test_csv_errors(void)
{
    IoMeta o = opts(IO_FMT_CSV);
    put_file(P("e1.csv"), "1,2,3,4\n5,6,7,8\n1,2,3\n");
    EXPECT_FAIL(P("e1.csv"), &o, "e1.csv:3: expected 4 cells but found 3");
    put_file(P("e2.csv"), "1,2\n3,abc\n");
    EXPECT_FAIL(P("e2.csv"), &o, "e2.csv:2: cannot parse \"abc\" as a number (column 2)");
    put_file(P("e3.csv"), "1,2\n0x10,1\n");
    EXPECT_FAIL(P("e3.csv"), &o, "e3.csv:2: cannot parse \"0x10\"");
    put_file(P("e4.csv"), "1,2\ninf,1\n");
    EXPECT_FAIL(P("e4.csv"), &o, "e4.csv:2: cannot parse \"inf\"");
    o.has_fill = 1;
    o.fill = 0;
    put_file(P("e5.csv"), "1,2\n3,\n");
    EXPECT_FAIL(P("e5.csv"), &o, "e5.csv:2: Empty fields found in delimited file. Use \"fill\" "
                "option to read delimited files with empty fields:3,");
    o.has_fill = 0;
    put_file(P("e6.csv"), "1,2\n\n3,4\n");
    EXPECT_FAIL(P("e6.csv"), &o, "e6.csv:2: expected 2 cells but found 1");
    o.rows = 5;
    o.cols = 2;
    put_file(P("e7.csv"), "1,2\n3,4\n");
    EXPECT_FAIL(P("e7.csv"), &o, "the file has 2 rows but the metadata or read options say 5");
    o.rows = -1;
    o.cols = 3;
    EXPECT_FAIL(P("e7.csv"), &o, "the file has 2 columns but the metadata or read options say 3");
    o.cols = -1;
    o.sep = xstrdup("");
    EXPECT_FAIL(P("e7.csv"), &o, "separator must not be empty");
    io_meta_free(&o);
}

/* ---- text (IJV) ------------------------------------------------------------------- */

static void test_text(void)
{
    Err e;
    IoMeta o = opts(IO_FMT_TEXT);
    put_file(P("t1.ijv"), "1 1 2.5\n0 0 0\n2 3 1e3\n1 1 7\n\n3  2\t-1\n2 2 0\n");
    EXPECT_FAIL(P("t1.ijv"), &o, "Missing or incomplete dimension information in read "
                "statement: ");
    o.rows = 3;
    o.cols = 3;
    MatBlock *m = rd(P("t1.ijv"), &o, &e);
    CHECK(m && mb_get(m, 0, 0) == 7 && mb_get(m, 1, 2) == 1000 && mb_get(m, 2, 1) == -1);
    CHECK(m && m->nnz == 3);
    mb_free(m);
    put_file(P("t2.ijv"), "1 1 1\n5 1 2\n");
    EXPECT_FAIL(P("t2.ijv"), &o, "t2.ijv:2: cell index (5,1) is out of range for a 3x3 matrix");
    put_file(P("t3.ijv"), "1 1 1\n2 2\n");
    EXPECT_FAIL(P("t3.ijv"), &o, "t3.ijv:2: expected \"i j v\" but found \"2 2\"");
    put_file(P("t4.ijv"), "1 1 x\n");
    EXPECT_FAIL(P("t4.ijv"), &o, "t4.ijv:1: cannot parse \"x\" as a number");
    put_file(P("t5.ijv"), "1.5 1 1\n");
    EXPECT_FAIL(P("t5.ijv"), &o, "t5.ijv:1: invalid cell index in \"1.5 1 1\"");

    /* a directory of part files, read in name order (last wins across files) */
    const char *dir = P("parts.ijv");
    mkdir(dir, 0700);
    put_file(P("parts.ijv/part-00001"), "1 1 20\n3 3 33\n");
    put_file(P("parts.ijv/part-00000"), "1 1 10\n2 2 22\n");
    put_file(P("parts.ijv/.part-00000.crc"), "garbage");
    put_file(P("parts.ijv/_SUCCESS"), "");
    m = rd(dir, &o, &e);
    CHECK(m && mb_get(m, 0, 0) == 20 && mb_get(m, 1, 1) == 22 && mb_get(m, 2, 2) == 33);
    mb_free(m);
    put_file(P("parts.ijv/part-00002"), "1 1 1\n4 4 4\n");
    EXPECT_FAIL(dir, &o, "part-00002:2: cell index (4,4) is out of range");
    io_meta_free(&o);
}

/* ---- Matrix Market ----------------------------------------------------------------- */

static void test_mm(void)
{
    Err e;
    IoMeta o = opts(IO_FMT_MM);
    put_file(P("m1.mtx"), "%%MatrixMarket matrix coordinate real symmetric\n% a comment\n%\n"
             "3 3 3\n1 1 1.5\n3 1 2\n2 2 -1\n");
    MatBlock *m = rd(P("m1.mtx"), &o, &e);
    CHECK(m && m->rows == 3 && mb_get(m, 2, 0) == 2 && mb_get(m, 0, 2) == 2 && m->nnz == 4);
    mb_free(m);
    put_file(P("m2.mtx"), "%%MatrixMarket matrix coordinate pattern general\n2 3 2\n1 3\n2 1\n");
    m = rd(P("m2.mtx"), &o, &e);
    CHECK(m && m->cols == 3 && mb_get(m, 0, 2) == 1 && mb_get(m, 1, 0) == 1 && m->nnz == 2);
    mb_free(m);
    put_file(P("m3.mtx"), "%%MatrixMarket matrix coordinate integer skew-symmetric\n2 2 1\n2 1 4\n");
    m = rd(P("m3.mtx"), &o, &e);
    CHECK(m && mb_get(m, 1, 0) == 4 && mb_get(m, 0, 1) == -4);
    mb_free(m);

    put_file(P("m4.mtx"), "1 1 1\n");
    EXPECT_FAIL(P("m4.mtx"), &o, "Error while reading file in MatrixMarket format. Expecting a "
                "header line, but encountered, \"1 1 1\".");
    put_file(P("m5.mtx"), "%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n4\n");
    EXPECT_FAIL(P("m5.mtx"), &o, "m5.mtx:1: MatrixMarket format \"array\" is not supported");
    put_file(P("m6.mtx"), "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n");
    EXPECT_FAIL(P("m6.mtx"), &o, "field \"complex\" is not supported");
    put_file(P("m7.mtx"), "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n");
    EXPECT_FAIL(P("m7.mtx"), &o, "m7.mtx:3: cell index (3,1) is out of range for a 2x2 matrix");
    put_file(P("m8.mtx"), "%%MatrixMarket matrix coordinate real general\n% only comments\n");
    EXPECT_FAIL(P("m8.mtx"), &o, "MatrixMarket file without a size line");
    put_file(P("m9.mtx"), "%%MatrixMarket matrix coordinate real general\n2 x 1\n");
    EXPECT_FAIL(P("m9.mtx"), &o, "m9.mtx:2: expected the MatrixMarket size line");
    put_file(P("m10.mtx"), "");
    EXPECT_FAIL(P("m10.mtx"), &o, "Expecting a header line, but encountered, \"\".");
    o.rows = 5;   /* only the given dimensions are compared and printed */
    EXPECT_FAIL(P("m1.mtx"), &o, "m1.mtx: the MatrixMarket size line says 3x3 but the metadata "
                "or read options say rows=5");
    o.rows = -1;
    o.cols = 4;
    EXPECT_FAIL(P("m1.mtx"), &o, "size line says 3x3 but the metadata or read options say cols=4");
    o.rows = 3;
    EXPECT_FAIL(P("m1.mtx"), &o, "size line says 3x3 but the metadata or read options say 3x4");
    o.cols = -1;
    m = rd(P("m1.mtx"), &o, &e);
    CHECK(m && m->rows == 3 && m->cols == 3);
    mb_free(m);
    io_meta_free(&o);
}

/* ---- binary ------------------------------------------------------------------------ */

static void test_binary(void)
{
    double v[6] = { 1, 2, 0, 4, NAN, -0.0 };
    MatBlock *a = mk(2, 3, v);
    Err e;
    IoMeta o = opts(IO_FMT_BINARY);
    CHECK(io_write_matrix(P("b.bin"), a, &o, &e) == TSR_OK);
    char *full = get_file(P("b.bin"));
    struct stat st;
    CHECK(stat(P("b.bin"), &st) == 0 && st.st_size == 40 + 6 * 8);
    CHECK(memcmp(full, "TSRB", 4) == 0);

    /* truncated: every length shorter than the real one must fail cleanly */
    int all_failed = 1;
    for (off_t len = 0; len < st.st_size; len += 5) {
        FILE *f = fopen(P("bt.bin"), "wb");
        fwrite(full, 1, (size_t)len, f);
        fclose(f);
        MatBlock *m = rd(P("bt.bin"), &o, &e);
        if (m || e.code == TSR_OK) all_failed = 0;
        mb_free(m);
    }
    CHECK(all_failed);
    EXPECT_FAIL(P("bt.bin"), &o, "truncated or corrupt binary matrix file");

    /* corrupt header fields */
    char *bad = xmalloc((size_t)st.st_size);
    memcpy(bad, full, (size_t)st.st_size);
    bad[0] = 'X';
    FILE *f = fopen(P("bc.bin"), "wb");
    fwrite(bad, 1, (size_t)st.st_size, f);
    fclose(f);
    EXPECT_FAIL(P("bc.bin"), &o, "not a Tessera binary matrix file");
    memcpy(bad, full, (size_t)st.st_size);
    memset(bad + 8, 0x7f, 8);             /* rows = huge */
    f = fopen(P("bc.bin"), "wb");
    fwrite(bad, 1, (size_t)st.st_size, f);
    fclose(f);
    EXPECT_FAIL(P("bc.bin"), &o, "corrupt binary matrix header");
    memcpy(bad, full, (size_t)st.st_size);
    bad[24] = 1;                          /* nnz */
    f = fopen(P("bc.bin"), "wb");
    fwrite(bad, 1, (size_t)st.st_size, f);
    fclose(f);
    EXPECT_FAIL(P("bc.bin"), &o, "header says 1 non-zeros, data has 4");
    memcpy(bad, full, (size_t)st.st_size);
    bad[32] = 2;                          /* layout */
    f = fopen(P("bc.bin"), "wb");
    fwrite(bad, 1, (size_t)st.st_size, f);
    fclose(f);
    EXPECT_FAIL(P("bc.bin"), &o, "unsupported binary matrix layout 2");
    bad[32] = 1;                          /* sparse layout: the length no longer fits */
    f = fopen(P("bc.bin"), "wb");
    fwrite(bad, 1, (size_t)st.st_size, f);
    fclose(f);
    EXPECT_FAIL(P("bc.bin"), &o, "bc.bin: truncated or corrupt binary matrix file");
    o.rows = 3;   /* cols=3 comes from b.bin.mtd */
    EXPECT_FAIL(P("b.bin"), &o, "b.bin: the binary file header says 2x3 but the metadata or "
                "read options say 3x3");
    o.rows = 2;
    o.cols = 2;
    EXPECT_FAIL(P("b.bin"), &o, "header says 2x3 but the metadata or read options say 2x2");
    free(bad);
    free(full);
    mb_free(a);
    io_meta_free(&o);
}

/* ---- libsvm ------------------------------------------------------------------------- */

static void test_libsvm(void)
{
    Err e;
    IoMeta o = opts(IO_FMT_LIBSVM);
    put_file(P("s1.svm"), "1 1:0.5 3:2\n-1 2:1.5\n\n0\n");
    MatBlock *m = rd(P("s1.svm"), &o, &e);
    CHECK(m && m->rows == 3 && m->cols == 4 && mb_get(m, 0, 3) == 1 && mb_get(m, 0, 2) == 2);
    CHECK(m && mb_get(m, 1, 3) == -1 && mb_get(m, 1, 1) == 1.5 && mb_get(m, 2, 3) == 0);
    mb_free(m);
    put_file(P("s2.svm"), "1 1:0.5 x\n");
    EXPECT_FAIL(P("s2.svm"), &o, "s2.svm:1: expected idx:val in \"1 1:0.5 x\"");
    o.cols = 2;
    EXPECT_FAIL(P("s1.svm"), &o, "s1.svm:1: feature index 3 is out of range for 2 columns");
    io_meta_free(&o);
}

/* ---- scalars and names -------------------------------------------------------------- */

static void test_scalars(void)
{
    Err e;
    char *s = NULL;
    CHECK(io_write_scalar(P("sc"), "3.5", VT_FP64, &e) == TSR_OK);
    CHECK(io_read_scalar_text(P("sc"), &s, &e) == TSR_OK && strcmp(s, "3.5") == 0);
    free(s);
    char *mtd = get_file(P("sc.mtd"));
    CHECK(strstr(mtd, "\"data_type\": \"scalar\"") && strstr(mtd, "\"value_type\": \"double\""));
    CHECK(strstr(mtd, "\"rows\"") == NULL && strstr(mtd, "\"format\": \"text\""));
    free(mtd);
    CHECK(io_write_scalar(P("ss"), "  hello world ", VT_STRING, &e) == TSR_OK);
    CHECK(io_read_scalar_text(P("ss"), &s, &e) == TSR_OK && strcmp(s, "hello world") == 0);
    free(s);
    err_clear(&e);
    CHECK(io_read_scalar_text(P("nope"), &s, &e) == TSR_IO && s == NULL &&
          strstr(e.msg, "Read input file does not exist on FS (local mode): "));

    CHECK(io_format_parse("CSV") == IO_FMT_CSV && io_format_parse("Text") == IO_FMT_TEXT);
    CHECK(io_format_parse("mm") == IO_FMT_MM && io_format_parse("BINARY") == IO_FMT_BINARY);
    CHECK(io_format_parse("libsvm") == IO_FMT_LIBSVM && io_format_parse("hdf5") == IO_FMT_UNKNOWN);
    CHECK(io_format_parse(NULL) == IO_FMT_UNKNOWN && strcmp(io_format_name(IO_FMT_MM), "mm") == 0);
}

static void test_write_errors(void)
{
    Err e;
    MatBlock *a = mk(1, 1, (double[]){ 1 });
    IoMeta o = opts(IO_FMT_CSV);
    /* missing parent directories are created, as Hadoop's FileSystem does */
    P("newdir");
    P("newdir/sub");
    err_clear(&e);
    CHECK(io_write_matrix(P("newdir/sub/x.csv"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("newdir/sub/x.csv"), "1.0\n");
    put_file(P("afile"), "x");
    err_clear(&e);
    CHECK(io_write_matrix(P("afile/x.csv"), a, &o, &e) == TSR_IO && strstr(e.msg, "cannot write"));
    MatBlock *empty = mb_new(3, 0, &e);
    IoMeta ls = opts(IO_FMT_LIBSVM);   /* no owned strings */
    err_clear(&e);
    CHECK(io_write_matrix(P("e.svm"), empty, &ls, &e) == TSR_IO && strstr(e.msg, "the label"));
    mb_free(empty);
    mkdir(P("adir"), 0700);
    err_clear(&e);
    CHECK(io_write_matrix(P("adir"), a, &o, &e) == TSR_IO && strstr(e.msg, "is a directory"));
    mb_free(a);
    io_meta_free(&o);
}

/* A larger csv: exercises buffering and the two-pass dimension inference. */
static void test_csv_large(void)
{
    int64_t r = 2000, c = 50;
    Err e;
    MatBlock *a = mb_new(r, c, &e), *b;
    for (int64_t i = 0; i < r; i++)
        for (int64_t j = 0; j < c; j++) mb_set(a, i, j, (i % 7 == 0) ? 0.0 : (double)i / (j + 1));
    IoMeta o = opts(IO_FMT_CSV);
    CHECK(io_write_matrix(P("big.csv"), a, &o, &e) == TSR_OK);
    unlink(P("big.csv.mtd"));                 /* force dimension inference */
    b = rd(P("big.csv"), &o, &e);
    CHECK(same(a, b, 0));
    mb_free(a);
    mb_free(b);
    io_meta_free(&o);
}

/* ---- sparse blocks -------------------------------------------------------------------- */

/* Converts m to CSR (the format under test) and returns it. */
static MatBlock *sp(MatBlock *m)
{
    Err e;
    if (mb_to_sparse_inplace(m, &e) != TSR_OK) { printf("to sparse: %s\n", e.msg); exit(2); }
    return m;
}

/* Whether a CSR block satisfies every invariant of matrix.h. */
static int csr_ok(const MatBlock *m)
{
    if (!m->sparse || m->ptr[0] != 0 || m->ptr[m->rows] != m->nnz) return 0;
    for (int64_t i = 0; i < m->rows; i++) {
        if (m->ptr[i + 1] < m->ptr[i]) return 0;
        for (int64_t k = m->ptr[i]; k < m->ptr[i + 1]; k++)
            if (m->idx[k] < 0 || m->idx[k] >= m->cols || m->val[k] == 0.0 ||
                (k > m->ptr[i] && m->idx[k] <= m->idx[k - 1]))
                return 0;
    }
    return 1;
}

/* Same cells, compared through the non-zeros only (usable for huge shapes). */
static int same_sparse(const MatBlock *a, const MatBlock *b)
{
    if (!a || !b || !a->sparse || !b->sparse || a->rows != b->rows || a->cols != b->cols ||
        a->nnz != b->nnz || !csr_ok(a) || !csr_ok(b))
        return 0;
    for (int64_t i = 0; i <= a->rows; i++)
        if (a->ptr[i] != b->ptr[i]) return 0;
    for (int64_t k = 0; k < a->nnz; k++) {
        double x = a->val[k], y = b->val[k];
        if (a->idx[k] != b->idx[k] || !(x == y || (isnan(x) && isnan(y)))) return 0;
    }
    return 1;
}

/* A 60x50 matrix of density ~3% with NaN/Inf cells, the last row and column
 * used, row 1 empty. */
static MatBlock *sparse_sample(void)
{
    Err e;
    MatBlock *d = mb_new(60, 50, &e);
    for (int64_t i = 0; i < 60; i++)
        for (int64_t j = 0; j < 50; j++)
            if (i != 1 && (i * 7 + j * 13) % 31 == 0) mb_set(d, i, j, (double)(i + 1) - j / 4.0);
    mb_set(d, 0, 0, NAN);
    mb_set(d, 5, 3, INFINITY);
    mb_set(d, 9, 49, -INFINITY);
    mb_set(d, 59, 49, 0.125);
    mb_set(d, 59, 0, -1e-300);
    return sp(d);
}

/* Writes the sparse block and its dense twin: identical files, and the
 * read-back block is CSR with the same cells. */
static void sparse_roundtrip(IoFormat f, const MatBlock *s, int line)
{
    char n1[64], n2[64];
    snprintf(n1, sizeof n1, "sp_%s_%lldx%lld", io_format_name(f), (long long)s->rows,
             (long long)s->cols);
    snprintf(n2, sizeof n2, "dn_%s_%lldx%lld", io_format_name(f), (long long)s->rows,
             (long long)s->cols);
    MatBlock *d = mb_copy(s, NULL), *b = NULL;
    mb_to_dense_inplace(d, NULL);
    IoMeta o = opts(f);
    Err e;
    err_clear(&e);
    int ok = io_write_matrix(P(n1), s, &o, &e) == TSR_OK && io_write_matrix(P(n2), d, &o, &e) == TSR_OK;
    check_at(ok, n1, __FILE__, line);
    if (!ok) fprintf(stderr, "  write: %s\n", e.msg);
    char *t1 = get_file(P(n1)), *t2 = get_file(P(n2));
    int same_file = f == IO_FMT_BINARY || strcmp(t1, t2) == 0;   /* binary: layouts differ */
    check_at(same_file, n1, __FILE__, line);
    free(t1);
    free(t2);
    IoMeta none;
    io_meta_init(&none);
    b = rd(P(n1), &none, &e);
    int want_sparse = f == IO_FMT_BINARY || mb_prefers_sparse(s->rows, s->cols, s->nnz);
    ok = b && b->sparse == want_sparse && same(s, b, 0) && (!b->sparse || csr_ok(b));
    check_at(ok, n1, __FILE__, line);
    if (!ok) fprintf(stderr, "  read: %s\n", b ? "cells or format differ" : e.msg);
    mb_free(b);
    b = rd(P(n2), &none, &e);   /* the dense twin reads back the same */
    check_at(b && same(s, b, 0), n2, __FILE__, line);
    mb_free(b);
    mb_free(d);
    io_meta_free(&o);
}

static void test_sparse_roundtrips(void)
{
    IoFormat fmts[] = { IO_FMT_TEXT, IO_FMT_CSV, IO_FMT_MM, IO_FMT_BINARY, IO_FMT_LIBSVM };
    MatBlock *s = sparse_sample();
    Err e;
    MatBlock *z = mb_new_sparse(7, 9, 0, &e), *e0 = mb_new_sparse(0, 4, 0, &e);
    MatBlock *e1 = mb_new_sparse(3, 0, 0, &e), *one = sp(mk(1, 1, (double[]){ 2.5 }));
    MatBlock *full = sp(mk(2, 2, (double[]){ 1, 2, 3, 4 }));   /* CSR, but dense data */
    for (size_t k = 0; k < sizeof fmts / sizeof fmts[0]; k++) {
        sparse_roundtrip(fmts[k], s, __LINE__);
        sparse_roundtrip(fmts[k], z, __LINE__);
        sparse_roundtrip(fmts[k], e0, __LINE__);
        sparse_roundtrip(fmts[k], one, __LINE__);
        sparse_roundtrip(fmts[k], full, __LINE__);
        if (fmts[k] != IO_FMT_LIBSVM) sparse_roundtrip(fmts[k], e1, __LINE__);
    }
    /* csv with header, another separator and sparse=TRUE from a CSR block */
    IoMeta o = opts(IO_FMT_CSV);
    o.has_header = o.header = 1;
    o.sep = xstrdup(";");
    o.sparse = 1;
    MatBlock *a = sp(mk(2, 4, (double[]){ 0, 1.5, 0, 0, 0, 0, 0, -2 }));
    CHECK(io_write_matrix(P("sp_h.csv"), a, &o, &e) == TSR_OK);
    CHECK_FILE(P("sp_h.csv"), "C1;C2;C3;C4\n;1.5;;\n;;;-2.0\n");
    MatBlock *b = rd(P("sp_h.csv"), &o, &e);
    CHECK(b && same(a, b, 0));
    mb_free(b);
    io_meta_free(&o);
    mb_free(a);
    mb_free(s);
    mb_free(z);
    mb_free(e0);
    mb_free(e1);
    mb_free(one);
    mb_free(full);
}

/* Builds the expected block from (i, j, v) triples, 1-based, last wins. */
static MatBlock *from_cells(int64_t r, int64_t c, const double *t, int n)
{
    Err e;
    MatBlock *m = mb_new(r, c, &e);
    for (int k = 0; k < n; k++) mb_set(m, (int64_t)t[3 * k] - 1, (int64_t)t[3 * k + 1] - 1, t[3 * k + 2]);
    return m;
}

static void test_cell_order(void)
{
    Err e;
    IoMeta o = opts(IO_FMT_TEXT);
    o.rows = 30;
    o.cols = 40;
    /* sorted with a repeated cell (held back, replaced) and skipped rows */
    put_file(P("o1.ijv"), "1 2 1\n1 2 5\n1 40 2\n7 1 3\n30 40 4\n30 40 -4\n");
    MatBlock *m = rd(P("o1.ijv"), &o, &e);
    MatBlock *want = from_cells(30, 40, (double[]){ 1, 2, 5, 1, 40, 2, 7, 1, 3, 30, 40, -4 }, 4);
    CHECK(m && m->sparse && csr_ok(m) && same(m, want, 0));
    mb_free(m);
    mb_free(want);
    /* out of order after a sorted prefix, duplicates across the switch */
    put_file(P("o2.ijv"), "2 3 1\n2 5 2\n4 4 3\n2 3 9\n1 1 7\n4 4 0\n30 1 8\n2 5 6\n");
    m = rd(P("o2.ijv"), &o, &e);
    want = from_cells(30, 40, (double[]){ 2, 3, 9, 2, 5, 6, 4, 4, 3, 1, 1, 7, 30, 1, 8 }, 5);
    CHECK(m && m->sparse && csr_ok(m) && same(m, want, 0) && m->nnz == 5);
    mb_free(m);
    mb_free(want);
    /* reverse order, a long row (sorted with qsort in the COO) */
    StrBuf b;
    sb_init(&b);
    for (int j = 40; j >= 1; j--) sb_printf(&b, "3 %d %d\n", j, j);
    for (int i = 30; i >= 1; i -= 3) sb_printf(&b, "%d 1 %d\n", i, -i);
    put_file(P("o3.ijv"), b.s ? b.s : "");
    sb_free(&b);
    m = rd(P("o3.ijv"), &o, &e);
    int ok = m && m->sparse && csr_ok(m) && m->nnz == 40 + 10 - 1;   /* (3,1): last wins */
    for (int j = 2; ok && j <= 40; j++) ok = mb_get(m, 2, j - 1) == j;
    CHECK(ok && mb_get(m, 2, 0) == -3 && mb_get(m, 29, 0) == -30 && mb_get(m, 0, 0) == 0);
    mb_free(m);
    /* dense data stays dense; an .mtd nnz larger than the file is bounded */
    o.rows = 2;
    o.cols = 2;
    o.nnz = 1000000000;
    put_file(P("o4.ijv"), "2 2 1\n1 1 2\n1 2 3\n");
    m = rd(P("o4.ijv"), &o, &e);
    CHECK(m && !m->sparse && m->nnz == 3 && mb_get(m, 0, 1) == 3);
    mb_free(m);
    io_meta_free(&o);

    /* Matrix Market: column-major general file and a symmetric one */
    o = opts(IO_FMT_MM);
    put_file(P("o5.mtx"), "%%MatrixMarket matrix coordinate real general\n20 30 4\n"
             "3 1 1\n1 2 2\n20 2 3\n1 30 4\n");
    m = rd(P("o5.mtx"), &o, &e);
    want = from_cells(20, 30, (double[]){ 3, 1, 1, 1, 2, 2, 20, 2, 3, 1, 30, 4 }, 4);
    CHECK(m && m->sparse && csr_ok(m) && same(m, want, 0));
    mb_free(m);
    mb_free(want);
    put_file(P("o6.mtx"), "%%MatrixMarket matrix coordinate real symmetric\n20 20 4\n"
             "1 1 1\n5 2 2\n20 5 3\n20 20 4\n");
    m = rd(P("o6.mtx"), &o, &e);
    want = from_cells(20, 20, (double[]){ 1, 1, 1, 5, 2, 2, 2, 5, 2, 20, 5, 3, 5, 20, 3,
                                          20, 20, 4 }, 6);
    CHECK(m && m->sparse && csr_ok(m) && same(m, want, 0) && m->nnz == 6);
    mb_free(m);
    mb_free(want);
    put_file(P("o7.mtx"), "%%MatrixMarket matrix coordinate pattern skew-symmetric\n20 20 2\n"
             "3 1\n20 19\n");
    m = rd(P("o7.mtx"), &o, &e);
    CHECK(m && m->sparse && m->nnz == 4 && mb_get(m, 0, 2) == -1 && mb_get(m, 18, 19) == -1 &&
          mb_get(m, 19, 18) == 1);
    mb_free(m);
    put_file(P("o8.mtx"), "%%MatrixMarket matrix coordinate real general\n0 0 0\n");
    m = rd(P("o8.mtx"), &o, &e);
    CHECK(m && m->rows == 0 && m->cols == 0);
    mb_free(m);
    put_file(P("o9.mtx"), "%%MatrixMarket matrix coordinate real general\n4 0 0\n");
    m = rd(P("o9.mtx"), &o, &e);
    CHECK(m && m->rows == 4 && m->cols == 0);
    mb_free(m);
    io_meta_free(&o);
}

/* csv: the row builder stays sparse, turns dense at once, or turns dense
 * after a sparse start (more rows than its sample). */
static void test_csv_formats(void)
{
    Err e;
    IoMeta o = opts(IO_FMT_CSV);
    StrBuf b;
    sb_init(&b);
    for (int i = 0; i < 400; i++) {
        for (int j = 0; j < 30; j++)
            sb_printf(&b, "%s%s", j ? "," : "", (i >= 250 || (i + j) % 17 == 0) ? "1.5" : "0");
        sb_putn(&b, "\n", 1);
    }
    put_file(P("f1.csv"), b.s);
    sb_free(&b);
    MatBlock *m = rd(P("f1.csv"), &o, &e);
    int64_t nz = 150 * 30;
    for (int i = 0; i < 250; i++)
        for (int j = 0; j < 30; j++) nz += (i + j) % 17 == 0;
    CHECK(m && !m->sparse && m->nnz == nz && mb_get(m, 0, 17) == 1.5 && mb_get(m, 399, 29) == 1.5);
    CHECK(m && mb_get(m, 0, 1) == 0 && mb_get(m, 16, 1) == 1.5);
    mb_free(m);

    sb_init(&b);
    for (int i = 0; i < 500; i++) sb_printf(&b, "%s\n", i % 50 ? "0,0,0,0,0,0,0,0" : "0,0,NaN,0,0,0,0,-3");
    put_file(P("f2.csv"), b.s);
    sb_free(&b);
    m = rd(P("f2.csv"), &o, &e);
    CHECK(m && m->sparse && csr_ok(m) && m->nnz == 20 && isnan(mb_get(m, 450, 2)) &&
          mb_get(m, 450, 7) == -3);
    mb_free(m);
    /* fill with a non-zero default makes empty cells non-zeros */
    o.has_default = 1;
    o.default_value = 2;
    m = csv("f3.csv", "1,,0\n,0,\n", &o, &e);
    CHECK(m && m->nnz == 4 && mb_get(m, 0, 1) == 2 && mb_get(m, 1, 2) == 2 && mb_get(m, 1, 1) == 0);
    mb_free(m);
    io_meta_free(&o);
    /* one column with sparse=TRUE: zeros are empty lines, also at the end; the
     * .mtd row count brings the trailing ones back */
    o = opts(IO_FMT_CSV);
    o.sparse = 1;
    MatBlock *col = sp(mk(5, 1, (double[]){ 0, 2, 0, 0, 0 }));
    CHECK(io_write_matrix(P("f6.csv"), col, &o, &e) == TSR_OK);
    CHECK_FILE(P("f6.csv"), "\n2.0\n\n\n\n");
    m = rd(P("f6.csv"), NULL, &e);
    CHECK(m && same(m, col, 0));
    mb_free(m);
    mb_free(col);
    o.sparse = 0;
    o.rows = 3;
    put_file(P("f7.csv"), "1,2\n\n\n\n");
    EXPECT_FAIL(P("f7.csv"), &o, "f7.csv:2: expected 2 cells but found 1");
    o.rows = -1;                      /* without a row count they vanish */
    m = rd(P("f7.csv"), &o, &e);
    CHECK(m && m->rows == 1 && m->cols == 2);
    mb_free(m);
    io_meta_free(&o);

    /* libsvm: unsorted features, a repeated index (last wins) */
    o = opts(IO_FMT_LIBSVM);
    o.cols = 40;
    m = csv("f4.svm", "1 30:2 3:1 30:5\n0\n-1 2:0.5 1:7\n\n2 39:1\n", &o, &e);
    CHECK(m && m->sparse && csr_ok(m) && m->rows == 4 && m->nnz == 8 && mb_get(m, 0, 29) == 5);
    CHECK(m && mb_get(m, 2, 0) == 7 && mb_get(m, 2, 39) == -1 && mb_get(m, 3, 38) == 1);
    mb_free(m);
    m = csv("f5.svm", "1 3:2 3:0\n", &o, &e);   /* a repeated index set to 0 removes the cell */
    CHECK(m && m->nnz == 1 && mb_get(m, 0, 2) == 0);
    mb_free(m);
    m = csv("f6.svm", "1 2:1\n , ,\n3 4:1\n", &o, &e);   /* a line of separators: zero row */
    CHECK(m && m->rows == 3 && m->nnz == 4 && mb_get(m, 2, 3) == 1 && mb_get(m, 2, 39) == 3);
    mb_free(m);
    io_meta_free(&o);
}

/* Writes bytes to a file. */
static void put_bytes(const char *path, const unsigned char *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fwrite(b, 1, n, f);
    fclose(f);
}

static void set_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void set_f64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    set_u64(p, u);
}

/* Every corruption of a sparse binary file is an error naming the file. */
static void test_binary_sparse(void)
{
    Err e;
    /* 3x5: row 0 {1:1.5, 4:-2}, row 1 empty, row 2 {0:NaN} */
    MatBlock *a = sp(mk(3, 5, (double[]){ 0, 1.5, 0, 0, -2, 0, 0, 0, 0, 0, NAN, 0, 0, 0, 0 }));
    IoMeta o = opts(IO_FMT_BINARY);
    CHECK(io_write_matrix(P("s.bin"), a, &o, &e) == TSR_OK);
    unsigned char *full = (unsigned char *)get_file(P("s.bin"));
    size_t len = 40 + 8 * 4 + 12 * 3;
    struct stat st;
    CHECK(stat(P("s.bin"), &st) == 0 && (size_t)st.st_size == len && full[32] == 1);
    char *mtd = get_file(P("s.bin.mtd"));
    CHECK(strstr(mtd, "\"nnz\": 3") != NULL);
    free(mtd);
    const size_t ptr = 40, idx = 40 + 32, val = idx + 12;
    struct { size_t off; int kind; uint64_t v; const char *msg; } bad[] = {
        { ptr, 0, 1, "row pointer 0 is not 0" },
        { ptr + 16, 0, 1, "row pointer out of order in row 2" },    /* ptr = 0 2 1 3 */
        { ptr + 8, 0, 4, "row pointer out of order in row 1" },     /* beyond nnz */
        { ptr + 24, 0, 2, "last row pointer differs from nnz in row 3" },
        { ptr + 8, 0, 3, "column indexes not increasing in row 1" },    /* ptr = 0 3 2 3 */
        { idx, 1, 5, "column index out of range in row 1" },
        { idx, 1, 0xffffffffu, "column index out of range in row 1" },
        { idx + 4, 1, 1, "column indexes not increasing in row 1" },
        { val + 8, 2, 0, "stored zero in row 1" },
        { val + 16, 3, 0, "stored zero in row 3" },                 /* -0.0 */
        { 24, 0, 4, "truncated or corrupt binary matrix file" },    /* nnz vs length */
        { 16, 0, (uint64_t)1 << 33, "corrupt binary matrix header" },   /* cols > int32 */
        { 8, 0, (uint64_t)1 << 62, "corrupt binary matrix header" },
    };
    unsigned char *b = xmalloc(len);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        memcpy(b, full, len);
        if (bad[k].kind == 0) set_u64(b + bad[k].off, bad[k].v);
        else if (bad[k].kind == 1) {
            for (int i = 0; i < 4; i++) b[bad[k].off + (size_t)i] = (unsigned char)(bad[k].v >> (8 * i));
        } else set_f64(b + bad[k].off, bad[k].kind == 2 ? 0.0 : -0.0);
        put_bytes(P("sx.bin"), b, len);
        Err e2;
        MatBlock *m = rd(P("sx.bin"), &o, &e2);
        int ok = !m && e2.code == TSR_IO && strstr(e2.msg, bad[k].msg) && strstr(e2.msg, "sx.bin");
        check_at(ok, bad[k].msg, __FILE__, __LINE__);
        if (!ok) fprintf(stderr, "  message was: %s\n", m ? "<no error>" : e2.msg);
        mb_free(m);
    }
    /* every truncation and every single-byte change fails cleanly or reads a valid block */
    int clean = 1;
    for (size_t n = 0; n < len; n++) {
        put_bytes(P("sx.bin"), full, n);
        MatBlock *m = rd(P("sx.bin"), &o, &e);
        clean &= m == NULL && e.code == TSR_IO && strstr(e.msg, "sx.bin") != NULL;
        mb_free(m);
    }
    for (size_t n = 0; n < len; n++)
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(b, full, len);
            b[n] ^= (unsigned char)(1u << bit);
            put_bytes(P("sx.bin"), b, len);
            MatBlock *m = rd(P("sx.bin"), &o, &e);
            clean &= m ? (csr_ok(m) || !m->sparse) : (e.code == TSR_IO && strstr(e.msg, "sx.bin"));
            mb_free(m);
        }
    CHECK(clean);
    free(b);
    free(full);

    /* a dense-layout file of sparse data reads as CSR */
    MatBlock *d = sparse_sample();
    mb_to_dense_inplace(d, &e);
    CHECK(io_write_matrix(P("ds.bin"), d, &o, &e) == TSR_OK);
    MatBlock *m = rd(P("ds.bin"), &o, &e);
    CHECK(m && m->sparse && csr_ok(m) && same(m, d, 0));
    mb_free(m);
    mb_free(d);
    mb_free(a);
    io_meta_free(&o);
}

/* Shapes whose dense form would need terabytes: reading and writing must
 * go through the non-zeros only. */
static void test_huge_sparse(void)
{
    Err e;
    int64_t r = 1000000, c = 100000;
    StrBuf b;
    sb_init(&b);
    for (int64_t k = 0; k < 2000; k++)
        sb_printf(&b, "%lld %lld %lld\n", (long long)(k * 499 + 1), (long long)(k * 37 % c + 1),
                  (long long)k + 1);
    put_file(P("huge_sp.ijv"), b.s);
    sb_free(&b);
    IoMeta o = opts(IO_FMT_TEXT);
    o.rows = r;
    o.cols = c;
    MatBlock *m = rd(P("huge_sp.ijv"), &o, &e);
    CHECK(m && m->sparse && m->nnz == 2000 && csr_ok(m) && mb_bytes(m) < 64 * r);
    if (!m) fprintf(stderr, "  read: %s\n", e.msg);
    IoFormat fmts[] = { IO_FMT_TEXT, IO_FMT_MM, IO_FMT_BINARY, IO_FMT_LIBSVM };
    for (size_t k = 0; m && k < sizeof fmts / sizeof fmts[0]; k++) {
        char name[64];
        snprintf(name, sizeof name, "huge_out.%s", io_format_name(fmts[k]));
        IoMeta w = opts(fmts[k]);
        err_clear(&e);
        check_at(io_write_matrix(P(name), m, &w, &e) == TSR_OK, name, __FILE__, __LINE__);
        MatBlock *back = rd(P(name), NULL, &e);
        check_at(same_sparse(m, back), name, __FILE__, __LINE__);
        mb_free(back);
        io_meta_free(&w);
    }
    /* csv of a wide sparse block (sparse=TRUE) */
    MatBlock *wide = mb_new_sparse(3, c, 2, &e);
    mb_csr_end_row(wide, 0);
    mb_csr_push(wide, 0, 1.0, &e);
    mb_csr_push(wide, (int32_t)(c - 1), 2.0, &e);
    mb_csr_end_row(wide, 1);
    mb_csr_end_row(wide, 2);
    IoMeta w = opts(IO_FMT_CSV);
    w.sparse = 1;
    CHECK(io_write_matrix(P("wide.csv"), wide, &w, &e) == TSR_OK);
    MatBlock *back = rd(P("wide.csv"), &w, &e);
    CHECK(back && back->sparse && same_sparse(wide, back));
    mb_free(back);
    mb_free(wide);
    mb_free(m);
    io_meta_free(&o);
}

int main(void)
{
    if (tmpdir_open("tsr_io")) return 2;
    test_roundtrips();
    test_written_text();
    test_mtd_written();
    test_mtd_lenient();
    test_mtd_driven_reads();
    test_csv_read();
    test_csv_errors();
    test_text();
    test_mm();
    test_binary();
    test_libsvm();
    test_scalars();
    test_write_errors();
    test_csv_large();
    test_sparse_roundtrips();
    test_cell_order();
    test_csv_formats();
    test_binary_sparse();
    test_huge_sparse();
    tmpdir_close();
    return check_summary();
}
