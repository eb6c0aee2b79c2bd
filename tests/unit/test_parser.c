/*
 * test_parser.c - unit tests of the DML front end: lexer, parser (through
 * ast_dump), placeholder typing, error messages with line:col, and the
 * module loader (source/setwd resolution on temporary files).
 *
 * Standalone: prints "N passed, M failed" and returns non-zero on failure.
 * The loader tests create a temporary directory under /tmp and chdir into
 * it (relative source() paths are relative to the process), then return.
 */
#include "lang/lang.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static void ok(int cond, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ok(int cond, const char *name, const char *fmt, ...)
{
    if (check_count(cond))
        return;
    printf("FAIL %s: ", name);
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* Parses src and returns the malloc'd dump, or the rendered error. */
static char *parse_dump(const char *src, const ParseArgs *args, Err *e)
{
    Arena a;
    ar_init(&a);
    err_clear(e);
    StrBuf sb;
    sb_init(&sb);
    AstFile *f = prs_parse(&a, "t.dml", src, args, e);
    if (f)
        ast_dump(f, &sb);
    else
        sb_printf(&sb, "ERROR %d:%d: %s", e->span.line, e->span.col, e->msg);
    e->span.file = NULL; /* points into the arena freed below */
    ar_free(&a);
    return sb_take(&sb);
}

/* Whole-file dump comparison (expected without the final newline). */
static void check_dump(const char *name, const char *src, const char *expect)
{
    Err e;
    char *got = parse_dump(src, NULL, &e);
    size_t n = strlen(got);
    if (n && got[n - 1] == '\n') got[n - 1] = '\0';
    ok(strcmp(got, expect) == 0, name, "\n  src:      %s\n  expected: %s\n  got:      %s", src,
       expect, got);
    free(got);
}

/* `x = <expr>` must dump as `(= x <expect>)`. */
static void check_expr(const char *expr, const char *expect)
{
    char src[512], want[512];
    snprintf(src, sizeof src, "x = %s", expr);
    snprintf(want, sizeof want, "(= x %s)", expect);
    check_dump(expr, src, want);
}

static void check_expr_args(const char *name, const char *expr, const ParseArgs *args,
                            const char *expect)
{
    char src[512], want[512];
    snprintf(src, sizeof src, "x = %s", expr);
    snprintf(want, sizeof want, "(= x %s)\n", expect);
    Err e;
    char *got = parse_dump(src, args, &e);
    ok(strcmp(got, want) == 0, name, "\n  src: %s\n  expected: %s  got:      %s", src, want,
       got);
    free(got);
}

/* Expects a syntax (or other `code`) error with exact message and position. */
static void check_err_code(const char *name, const char *src, const ParseArgs *args,
                           tsr_status code, int line, int col, const char *msg)
{
    Arena a;
    ar_init(&a);
    Err e;
    err_clear(&e);
    AstFile *f = prs_parse(&a, "t.dml", src, args, &e);
    if (f) {
        ok(0, name, "expected error '%s' but parsed fine", msg);
    } else {
        int good = e.code == code && e.span.line == line && e.span.col == col &&
                   strcmp(e.msg, msg) == 0 && e.span.file && strcmp(e.span.file, "t.dml") == 0;
        ok(good, name, "\n  expected: [%d] %d:%d: %s\n  got:      [%d] %d:%d: %s", code, line,
           col, msg, e.code, e.span.line, e.span.col, e.msg);
    }
    ar_free(&a);
}

static void check_err(const char *name, const char *src, int line, int col, const char *msg)
{
    check_err_code(name, src, NULL, TSR_SYNTAX, line, col, msg);
}

/* ---- expressions ----------------------------------------------------------- */

static void test_precedence(void)
{
    check_expr("1 + 2 * 3", "(+ 1 (* 2 3))");
    check_expr("2^3^2", "(^ 2 (^ 3 2))");
    check_expr("-2^2", "(- (^ 2 2))");
    check_expr("2^-1", "(^ 2 -1)");
    check_expr("-a^b", "(- (^ a b))");
    check_expr("2^-x*3", "(* (^ 2 (- x)) 3)");
    check_expr("-2 * X %*% t(X)", "(* -2 (%*% X (call t X)))");
    check_expr("A %*% B + C * 2.1", "(+ (%*% A B) (* C 2.1))");
    check_expr("a %/% b * c", "(* (%/% a b) c)");
    check_expr("a * b %% c", "(* a (%% b c))");
    check_expr("a %% b %*% c", "(%% a (%*% b c))");
    check_expr("a - b - c", "(- (- a b) c)");
    check_expr("a / b * c", "(* (/ a b) c)");
    check_expr("a < b < c", "(< (< a b) c)");
    check_expr("a == b != c", "(!= (== a b) c)");
    check_expr("a + b >= c - d", "(>= (+ a b) (- c d))");
    check_expr("!a > b", "(! (> a b))");
    check_expr("!x + 1", "(! (+ x 1))");
    check_expr("!a & b", "(& (! a) b)");
    check_expr("a & !b | c", "(| (& a (! b)) c)");
    check_expr("x + !a * b", "(+ x (! (* a b)))");
    check_expr("a | b & c", "(| a (& b c))");
    check_expr("a & b & c", "(& (& a b) c)");
    check_expr("(a + b) * c", "(* (+ a b) c)");
    check_expr("-x", "(- x)");
    check_expr("+x", "(+ x)");
    check_expr("-x * y", "(* (- x) y)");
    check_expr("a * -b", "(* a (- b))");
    check_expr("2*n+1", "(+ (* 2 n) 1)");
    check_expr("--x", "(- (- x))");
}

static void test_sign_folding(void)
{
    check_expr("-2", "-2");
    check_expr("+5", "5");
    check_expr("-(2)", "-2");
    check_expr("- -2", "2");
    check_expr("-2.5e3", "-2500.0");
    check_expr("-2 * 3", "(* -2 3)");
    check_expr("1 - -1", "(- 1 -1)");
    check_expr("-Inf", "-Inf");
    check_expr("-TRUE", "(- TRUE)");
    check_expr("-9223372036854775807", "-9223372036854775807");
}

static void test_literals(void)
{
    check_expr("10", "10");
    check_expr("007", "7");
    check_expr("1e-3", "0.001");
    check_expr("5.", "5.0");
    check_expr(".5", "0.5");
    check_expr("1E6", "1000000.0");
    check_expr("1e-7", "1e-07");
    check_expr("0.1 + 1e20", "(+ 0.1 1e+20)");
    check_expr("1.e2", "100.0");
    check_expr("1e999", "Inf");
    check_expr("TRUE & FALSE", "(& TRUE FALSE)");
    check_expr("9223372036854775807", "9223372036854775807");
    check_expr("pi", "3.141592653589793");
    check_expr("NaN", "NaN");
    check_expr("Inf", "Inf");
    check_expr("T + F", "(+ T F)");
    check_err("int overflow", "x = 9223372036854775808", 1, 5,
              "cannot parse the int value: '9223372036854775808'");
    check_err("neg int overflow", "x = -9223372036854775808", 1, 6,
              "cannot parse the int value: '9223372036854775808'");
    check_err("L suffix int", "x = 5L", 1, 5, "cannot parse the int value: '5L'");
    check_err("L suffix dbl", "x = 5.0L", 1, 5, "cannot parse the float value: '5.0L'");
}

static void test_strings(void)
{
    check_expr("\"a\\tb\"", "\"a\\tb\"");
    check_expr("'it\\'s'", "\"it's\"");
    check_expr("\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\"");
    check_expr("'a\"b'", "\"a\\\"b\"");
    /* \\ is not unescaped: stays two backslashes */
    check_expr("\"a\\\\c\"", "\"a\\\\\\\\c\"");
    /* ... but its second backslash pairs with a following b/t/n/f/r */
    check_expr("\"a\\\\b\"", "\"a\\\\\\x08\"");
    /* textual replacement: \\n becomes backslash + newline */
    check_expr("\"\\\\n\"", "\"\\\\\\n\"");
    check_expr("\"x\ny\"", "\"x\\ny\"");
    check_expr("\"\"", "\"\"");
    check_expr("\"\\r\\f\\b\"", "\"\\x0D\\x0C\\x08\"");
    check_err("bad escape", "s = \"a\\qb\"", 1, 7,
              "invalid escape sequence '\\q' in string literal");
    check_err("unterminated string", "x = 1\ns = 'abc\n", 2, 5, "unterminated string literal");
    check_dump("multi-line string then statement", "s = \"a\nb\"; y = 2",
               "(= s \"a\\nb\")\n(= y 2)");
}

static void test_lexical(void)
{
    check_dump("line comment", "x = 1 # comment\ny = 2", "(= x 1)\n(= y 2)");
    check_dump("comment at eof", "x = 1 # no newline", "(= x 1)");
    check_dump("block comment", "x /* c\n c */ = /**/ 1", "(= x 1)");
    check_err("unterminated block comment", "x = 1\n  /* oops", 2, 3,
              "unterminated block comment");
    check_expr("as.scalar(X[1, 1])", "(call as.scalar (index X 1 1))");
    check_expr("is.nan(x) | is.na(y)", "(| (call is.nan x) (call is.na y))");
    check_expr("order(target=X, index.return=TRUE)", "(call order target=X index.return=TRUE)");
    check_expr("ns::f(1)", "(call ns::f 1)");
    check_expr("continue + check", "(+ continue check)");
    check_err("read.csv not an identifier", "x = read.csv(f)", 1, 9, "unexpected character '.'");
    check_err("ns with spaces", "x = ns :: f(1)", 1, 8,
              "unexpected '::' (expected a statement)");
    check_err("reserved word", "in = 3", 1, 1, "unexpected 'in' (expected a statement)");
    check_err("reserved type word", "x = Double + 1", 1, 5,
              "unexpected 'Double' (expected an expression)");
    check_err("tab is one column", "\tx = = 1", 1, 6, "unexpected '=' (expected an expression)");
    check_err("utf8 is one column", "s = \"\xC3\xA9\" = 2", 1, 9,
              "unexpected '=' (expected a statement)");
    check_dump("CRLF", "x = 1\r\ny = 2\r\n", "(= x 1)\n(= y 2)");
    check_err("bad char", "x = 1 @ 2", 1, 7, "unexpected character '@'");
    check_err("bad dollar", "x = $ + 1", 1, 5,
              "'$' must be followed by a parameter name or number");
}

/* ---- statements --------------------------------------------------------- */

static void test_newline_traps(void)
{
    check_dump("x = 1 newline -1", "x = 1\n-1", "(= x (- 1 1))");
    check_dump("y = a newline (b)", "y = a\n(b)", "(= y (call a b))");
    check_dump("y = a newline [b, c] = f()", "y = a\n[b, c] = f(x)",
               "(= y a)\n(= [b c] (call f x))");
    check_dump("y = X[1] newline [b] = f()", "y = X[1]\n[b] = f(x)",
               "(= y (index X 1))\n(= [b] (call f x))");
    check_dump("semicolons", "x = 1;;; y = 2;", "(= x 1)\n(= y 2)");
}

static void test_if_while(void)
{
    check_dump("if brace-less", "if (c) s1 = 1; s2 = 2", "if c\n  (= s1 1)\nend\n(= s2 2)");
    check_dump("if else brace-less", "if (a > 1) x = 1 else y = 2",
               "if (> a 1)\n  (= x 1)\nelse\n  (= y 2)\nend");
    check_dump("kmeans else trap", "if (p) { C = 1 } else C_old = C; C = C_new;",
               "if p\n  (= C 1)\nelse\n  (= C_old C)\nend\n(= C C_new)");
    check_dump("else if", "if (a) { x = 1 } else if (b) { x = 2 } else { x = 3 }",
               "if a\n  (= x 1)\nelse\n  if b\n    (= x 2)\n  else\n    (= x 3)\n  end\nend");
    check_dump("empty braces", "if (a) { } else { }", "if a\nelse\nend");
    check_dump("while", "while (i < 10) { i = i + 1; print(i) }",
               "while (< i 10)\n  (= i (+ i 1))\n  (call print i)\nend");
    check_err("missing }", "x = 1\nif (a) {\n  y = 2\n", 4, 1,
              "missing '}' (to close '{' at 2:8)");
    check_err("missing ) in if", "if (a > 1 { x = 1 }", 1, 11,
              "unexpected '{' (expected ')' to close '(' at 1:4)");
    check_err("bad token in block", "while (a) { x = 1 ) }", 1, 19,
              "unexpected ')' (expected a statement or '}' to close '{' at 1:11)");
    check_err("else without if", "else x = 1", 1, 1, "unexpected 'else' (expected a statement)");
}

static void test_for(void)
{
    check_dump("for range", "for (i in 1:n) x = i", "for i 1 n\n  (= x i)\nend");
    check_dump("for range expr", "for (i in 2*n+1:10) { }", "for i (+ (* 2 n) 1) 10\nend");
    check_dump("for seq", "for (i in seq(1, 10, 2)) { x = i }",
               "for i 1 10 2 seq\n  (= x i)\nend");
    check_dump("for seq 2 args", "for (i in seq(n, 1)) { }", "for i n 1 seq\nend");
    check_dump("for options ignored", "for (i in 1:3, check=0) { }", "for i 1 3\nend");
    check_dump("parfor options",
               "parfor (i in 1:n, check=0, par=4, mode=local, opt=\"constrained\") { }",
               "parfor i 1 n check=0 par=4 mode=LOCAL opt=CONSTRAINED\nend");
    check_dump("parfor repeated option", "parfor (i in 1:n, par=2, par=8) { }",
               "parfor i 1 n par=8\nend");
    check_err("for other function", "for (i in foo(1, 2)) { }", 1, 11,
              "incorrect function:'foo'. expected 'seq'");
    check_err("for bad seq arity", "for (i in seq(1)) { }", 1, 11,
              "seq() in a loop header takes 2 or 3 unnamed arguments: seq(from, to[, increment])");
    check_err("for no range", "for (i in x) { }", 1, 12,
              "unexpected ')' (expected ':' in the loop range (from:to))");
    check_err("parfor bad option", "parfor (i in 1:3, foo=1) { }", 1, 19,
              "PARFOR: The specified parameter 'foo' is no valid parfor parameter.");
    check_err(
        "parfor bad value", "parfor (i in 1:3, mode=FAST) { }", 1, 19,
        "Error parsing specified ParFOR parameters: 'FAST' is no valid value for parameter 'mode'");
    check_err("parfor par=k", "parfor (i in 1:3, par=k) { }", 1, 19,
              "Error parsing specified ParFOR parameters: 'K' is not an integer value for "
              "parameter 'par'");
    check_err("for missing )", "for (i in 1:3 { }", 1, 15,
              "unexpected '{' (expected ',' or ')' to close '(' at 1:5)");
    check_err("loop var constant", "for (pi in 1:3) { }", 1, 6,
              "Cannot assign a value to the builtin constant pi.");
}

static void test_assignments(void)
{
    check_dump("arrow", "x <- 3", "(= x 3)");
    check_dump("accumulate", "x += 1", "(+= x 1)");
    check_dump("indexed accumulate", "X[i, j] += v", "(+= (index X i j) v)");
    check_dump("left index range", "X[1:2, ] = Y", "(= (index X [1:2] _) Y)");
    check_dump("left index col", "X[, j] = v", "(= (index X _ j) v)");
    check_dump("left index list", "L[\"k\"] = 3", "(= (index L \"k\") 3)");
    check_dump("left index no comma", "X[i] = 1", "(= (index X i) 1)");
    check_dump("multi assign", "[a, b] = f(x)", "(= [a b] (call f x))");
    check_dump("multi assign arrow ns", "[a] <- ns::f()", "(= [a] (call ns::f))");
    check_dump("call statement", "print(\"a\" + b)", "(call print (+ \"a\" b))");
    check_dump("nested calls", "y = f(g(x), h(1, k=2))",
               "(= y (call f (call g x) (call h 1 k=2)))");
    check_dump("right indexing forms", "y = X[, ] + X[] + X[a:b, c:d]",
               "(= y (+ (+ (index X _ _) (index X _)) (index X [a:b] [c:d])))");
    check_dump("bracket list arg", "y = conv2d(X, W, input_shape=[N, C, H, W], stride=[1,1])",
               "(= y (call conv2d X W input_shape=[N C H W] stride=[1 1]))");
    check_err("chained assignment", "a = b = 3", 1, 7, "unexpected '=' (expected a statement)");
    check_err("expression statement", "x + 1", 1, 3,
              "unexpected '+' (expected '=', '<-', '+=' or '(' after 'x')");
    check_err("range missing bound", "y = X[1:, ]", 1, 9,
              "incomplete index range: a range needs both bounds (a:b)");
    check_err("list outside call", "x = [1, 2]", 1, 5,
              "a bracket list [a, b, ...] is only allowed as a function call argument");
    check_err("multi assign non-call", "[a, b] = x", 1, 10,
              "the right-hand side of a multi-assignment must be a function call");
    check_err("assign to Inf", "Inf = 3", 1, 1,
              "Cannot assign a value to the builtin constant Inf.");
    check_err("multi assign to pi", "[a, pi] = f()", 1, 5,
              "Cannot assign a value to the builtin constant pi.");
    check_err("call of call", "y = f(x)(1)", 1, 9, "unexpected '(' (expected a statement)");
    check_err("missing ) in call", "y = f(x, 2", 1, 11, "missing ')' (to close '(' at 1:6)");
    check_err("arg separator", "y = f(x 2)", 1, 9,
              "unexpected '2' (expected ',' or ')' to close '(' at 1:6)");
    check_err("&&", "x = a && b", 1, 7, "Conditional AND (&&) not supported.");
    check_err("||", "if (a || b) { }", 1, 7, "Conditional OR (||) not supported.");
    check_err("empty expression", "x = ", 1, 5,
              "unexpected end of input (expected an expression)");
}

static void test_functions(void)
{
    check_dump(
        "function with defaults",
        "f = function(Matrix[Double] X, Double reg = 1e-7, Integer k = ncol(X), Boolean v=TRUE)\n"
        "  return (Matrix[Double] B, Double s) {\n  B = X; s = reg\n}",
        "function f(Matrix[Double] X, Double reg=1e-07, Integer k=(call ncol X), Boolean v=TRUE)"
        " return (Matrix[Double] B, Double s)\n  (= B X)\n  (= s reg)\nend");
    check_dump("arrow function, procedure",
               "g <- function(frame[string] F, list[unknown] L, int i, String s) { print(s) }",
               "function g(Frame[String] F, List[Unknown] L, Integer i, String s)\n"
               "  (call print s)\nend");
    check_dump("external function",
               "e = externalFunction(Matrix[Double] A) return (Matrix[Double] B)\n"
               "  implemented in (classname=\"org.x.Y\", execlocation=\"master\")\nx = 1",
               "externalFunction e(Matrix[Double] A) return (Matrix[Double] B)\nend\n(= x 1)");
    check_dump("function after statements",
               "x = f(1)\nf = function(int a) return (int b) { b = a }",
               "function f(Integer a) return (Integer b)\n  (= b a)\nend\n(= x (call f 1))");
    check_err("empty function", "f = function(int a) {\n}", 1, 1,
              "functions with no statements are not allowed");
    check_err("nested function", "if (a) {\n  f = function() { x = 1 }\n}", 2, 3,
              "function definitions are only allowed at the top level of a file");
    check_err("duplicate function",
              "f = function() { x = 1 }\n\n  f = function(int a) { x = 2 }", 3, 3,
              "Function Name Conflict: 'f' already defined in t.dml");
    check_err("bool type", "f = function(Matrix[bool] X) { x = 1 }", 1, 21,
              "invalid valuetype bool (Quickfix: use 'boolean' instead)");
    check_err("bare bool type", "f = function(bool b) { x = 1 }", 1, 14,
              "invalid valuetype bool (Quickfix: use 'boolean' instead)");
    check_err("bad datatype", "f = function(Vector[Double] v) { x = 1 }", 1, 14,
              "incorrect datatype (expected matrix, frame, list, or scalar)");
    check_err("bad valuetype", "f = function(Matrix[Float] v) { x = 1 }", 1, 21,
              "invalid valuetype Float");
}

static void test_source_setwd_syntax(void)
{
    check_dump("source and setwd", "setwd(\"lib\")\nsource(\"nn/layers/affine.dml\") as affine",
               "(setwd \"lib\")\n(source \"nn/layers/affine.dml\" affine)");
    check_err("source without ns", "source(\"a.dml\")\nx = 1", 2, 1,
              "missing namespace: source(...) must be followed by 'as <name>'");
    check_err("source with param", "source($p) as a", 1, 8,
              "unexpected '$p' (expected a string literal path in source())");
}

/* ---- placeholders ------------------------------------------------------- */

static void test_placeholders(void)
{
    const char *pos[] = {"5",    "TRUE", "3.5",     "hello",    "\"quoted\"", "-7",  "NaN",
                         "1e-3", "",     "'a\\tb'", "Infinity", "\"\"",       "true"};
    const char *keys[] = {"X", "empty", "mode"};
    const char *vals[] = {"data/X.csv", "", "remote_spark"};
    ParseArgs args = {pos, 13, keys, vals, 3};
    check_expr_args("$1 int", "$1 + 1", &args, "(+ 5 1)");
    check_expr_args("$2 bool", "$2", &args, "TRUE");
    check_expr_args("$3 double", "$3", &args, "3.5");
    check_expr_args("$4 string", "$4", &args, "\"hello\"");
    check_expr_args("$5 quotes removed", "$5", &args, "\"quoted\"");
    check_expr_args("$6 negative int", "$6", &args, "-7");
    check_expr_args("$7 NaN", "$7", &args, "NaN");
    check_expr_args("$8 1e-3 double", "$8", &args, "0.001");
    check_expr_args("$10 escapes", "$10", &args, "\"a\\tb\"");
    check_expr_args("$11 Infinity", "-$11", &args, "-Inf");
    check_expr_args("$12 empty quotes", "$12", &args, "\"\"");
    check_expr_args("$13 true is a string", "$13", &args, "\"true\"");
    check_expr_args("$X named", "read($X)", &args, "(call read \"data/X.csv\")");
    check_expr_args("ifdef bound", "ifdef($1, 10)", &args, "5");
    check_expr_args("ifdef unbound", "ifdef($k, 10)", &args, "10");
    check_expr_args("ifdef empty value", "ifdef($empty, \"d\")", &args, "\"d\"");
    check_expr_args("ifdef empty positional", "ifdef($9, 0.5)", &args, "0.5");
    check_expr_args("-$6 folds", "-$6", &args, "7");
    check_err_code(
        "unbound $", "x = 1\ny = $k + 1", &args, TSR_SYNTAX, 2, 5,
        "The parameter $k either needs to be passed through commandline or initialized to "
        "default value.");
    check_err_code(
        "empty named is unbound", "y = $empty", &args, TSR_SYNTAX, 1, 5,
        "The parameter $empty either needs to be passed through commandline or initialized to "
        "default value.");
    check_err_code(
        "unbound $ without args", "y = $1", NULL, TSR_SYNTAX, 1, 5,
        "The parameter $1 either needs to be passed through commandline or initialized to "
        "default value.");
    check_err_code(
        "ifdef first arg", "y = ifdef(x, 1)", &args, TSR_SYNTAX, 1, 11,
        "the first argument of ifdef function should be a commandline argument parameter "
        "(which starts with $)");
    check_err_code("ifdef inside expression", "y = 1 + ifdef($1, 2)", &args, TSR_SYNTAX, 1, 9,
                   "ifdef(...) is only allowed as the complete right-hand side of an assignment");
    check_err_code("ifdef then more", "y = ifdef($1, 2) + 1", &args, TSR_SYNTAX, 1, 18,
                   "unexpected '+' (expected a statement)");
    check_err_code("assign to $", "$x = 3", &args, TSR_SYNTAX, 1, 1,
                   "assignment of commandline parameters is not allowed. (Quickfix: try using "
                   "someLocalVariable=ifdef($x, default value))");
    check_err_code("multi assign to $", "[a, $1] = f()", &args, TSR_SYNTAX, 1, 5,
                   "assignment of commandline parameters is not allowed. (Quickfix: try using "
                   "someLocalVariable=ifdef($1, default value))");

    Err e;
    char *got = parse_dump("parfor (i in 1:3, mode=$mode, par=$1) { }", &args, &e);
    ok(strcmp(got, "parfor i 1 3 mode=REMOTE_SPARK par=5\nend\n") == 0, "parfor $ option",
       "got %s", got);
    free(got);
}

static void test_limits(void)
{
    StrBuf sb;
    sb_init(&sb);
    sb_puts(&sb, "x = ");
    for (int i = 0; i < 300; i++) sb_putc(&sb, '(');
    sb_putc(&sb, '1');
    for (int i = 0; i < 300; i++) sb_putc(&sb, ')');
    Arena a;
    ar_init(&a);
    Err e;
    err_clear(&e);
    AstFile *f = prs_parse(&a, "t.dml", sb.s, NULL, &e);
    ok(!f && e.code == TSR_LIMIT && strstr(e.msg, "nesting too deep"), "deep parens",
       "code %d msg %s", e.code, e.msg);
    ar_free(&a);

    sb_clear(&sb);
    for (int i = 0; i < 300; i++) sb_puts(&sb, "if (a) ");
    sb_puts(&sb, "x = 1");
    ar_init(&a);
    f = prs_parse(&a, "t.dml", sb.s, NULL, &e);
    ok(!f && e.code == TSR_LIMIT, "deep ifs", "code %d msg %s", e.code, e.msg);
    ar_free(&a);

    sb_clear(&sb);
    sb_puts(&sb, "x = 1");
    for (int i = 0; i < 1500; i++) sb_puts(&sb, " + 1");
    ar_init(&a);
    f = prs_parse(&a, "t.dml", sb.s, NULL, &e);
    ok(f != NULL, "long flat chain is not nesting", "err %s", e.msg);
    ar_free(&a);

    /* ... but the tree depth of a chain is bounded for later passes */
    sb_clear(&sb);
    sb_puts(&sb, "x = 1");
    for (int i = 0; i < 2500; i++) sb_puts(&sb, " + f(1 * 2)");
    ar_init(&a);
    f = prs_parse(&a, "t.dml", sb.s, NULL, &e);
    ok(
       !f && e.code == TSR_LIMIT && strstr(e.msg, "expression too deep") && e.span.line == 1 &&
           e.span.col == 5,
       "very long chain", "code %d %d:%d %s", e.code, e.span.line, e.span.col, e.msg);
    ar_free(&a);

    sb_clear(&sb);
    sb_puts(&sb, "x = ");
    for (int i = 0; i < 3000; i++) sb_puts(&sb, "-");
    sb_puts(&sb, "y");
    ar_init(&a);
    f = prs_parse(&a, "t.dml", sb.s, NULL, &e);
    ok(!f && e.code == TSR_LIMIT, "many unary minus", "code %d %s", e.code, e.msg);
    ar_free(&a);

    sb_clear(&sb);
    for (int i = 0; i < 50; i++) sb_puts(&sb, "if (a) { ");
    sb_puts(&sb, "x = ((((1))))");
    for (int i = 0; i < 50; i++) sb_puts(&sb, " }");
    ar_init(&a);
    f = prs_parse(&a, "t.dml", sb.s, NULL, &e);
    ok(f != NULL, "moderate nesting ok", "err %s", e.msg);
    ar_free(&a);
    sb_free(&sb);
}

/* 0 if `src` parses or fails with a located, non-empty error; else 1. */
static int parse_is_sane(const char *src, const ParseArgs *args)
{
    Arena a;
    ar_init(&a);
    Err e;
    err_clear(&e);
    AstFile *f = prs_parse(&a, "r.dml", src, args, &e);
    int bad = !f && (e.code == TSR_OK || e.span.line < 1 || e.span.col < 1 || !e.msg[0]);
    ar_free(&a);
    return bad;
}

/* Every prefix and every one-byte deletion of a realistic script either
 * parses or fails with a located error (never crashes; run under ASan). */
static void test_robustness(void)
{
    static const char script[] =
        "# k-means step\nsource(\"nn/util.dml\") as util\n"
        "f = function(Matrix[Double] X, Integer k = 3, Double eps=1e-6) return (Matrix[Double] C) "
        "{\n"
        "  C = X[1:k, ]; /* init */ i = 0\n"
        "  while (i < 10 & !(eps > 1)) { D = -2 * X %*% t(C) + t(rowSums(C^2)); i += 1 }\n"
        "  if (k > 1) C[1, ] = colMeans(X) else C_old = C; C = C\n"
        "}\n"
        "parfor (j in seq(1, 4, 1), check=0) { R[j, 1] = as.scalar(L[\"a\"]) }\n"
        "[a, b] = util::g(x=$1, y='s\\t')\nprint(\"done\" + a)\n";
    const char *pos[] = {"5"};
    ParseArgs args = {pos, 1, NULL, NULL, 0};
    size_t n = strlen(script);
    char *buf = malloc(n + 1);
    int bad = 0;
    /* pass 0: prefixes of length i; pass 1: the text without byte i */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i <= n; i++) {
            size_t k = 0;
            for (size_t j = 0; j < n; j++)
                if (pass == 0 ? j < i : j != i) buf[k++] = script[j];
            buf[k] = '\0';
            bad += parse_is_sane(buf, &args);
        }
    }
    free(buf);
    ok(bad == 0, "prefixes and deletions give located errors", "%d bad results", bad);
    Err e;
    char *got = parse_dump(script, &args, &e);
    ok(strncmp(got, "ERROR", 5) != 0, "robustness script parses", "%s", got);
    free(got);
}

/* Spans of nodes. */
static void test_spans(void)
{
    Arena a;
    ar_init(&a);
    Err e;
    AstFile *f = prs_parse(&a, "s.dml", "x = 1\n  y = -a + f(b, k=2)\n", NULL, &e);
    ok(f && f->stmts.n == 2, "span parse", "parse failed: %s", e.msg);
    if (f && f->stmts.n == 2) {
        const Stmt *s = f->stmts.items[1];
        const Expr *v = s->u.assign.value;
        ok(s->span.line == 2 && s->span.col == 3 && strcmp(s->span.file, "s.dml") == 0,
           "stmt span", "%d:%d", s->span.line, s->span.col);
        ok(v->kind == EX_BINARY && v->span.col == 7, "binary span = left start", "%d",
           v->span.col);
        const Expr *call = v->u.bin.r;
        ok(
           call->kind == EX_CALL && call->span.col == 12 && call->u.call.nargs == 2 &&
               call->u.call.builtin_id == -1 && call->u.call.args[1].span.col == 17,
           "call/arg spans", "%d", call->span.col);
        ok(s->end.line == 2 && s->end.col == 20 && f->stmts.items[0]->end.col == 5,
           "stmt end", "%d:%d", s->end.line, s->end.col);
    }
    ar_free(&a);
}

/* Stmt.end: the last character of a statement, over lines, multi-byte
 * characters and nested bodies; separating ';' are not part of it. */
static void test_stmt_end(void)
{
    static const struct { const char *src; int line, col; } cases[] = {
        {"assert(x > 2);;", 1, 13},
        {"x = \"a\nb\"", 2, 2},
        {"s = \"\xc3\xa9\xc3\xa9\" ;", 1, 8},
        {"if (c) x = 1; else {\n  y = 2;\n}", 3, 1},
        {"if (c) x = 1;", 1, 12},
        {"for (i in 1:3)\n  z = i ;", 2, 7},
        {"[a, b] = f(1,\n  2)", 2, 4},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        Arena a;
        ar_init(&a);
        Err e;
        AstFile *f = prs_parse(&a, "e.dml", cases[k].src, NULL, &e);
        const Stmt *s = f && f->stmts.n == 1 ? f->stmts.items[0] : NULL;
        ok(s && s->end.line == cases[k].line && s->end.col == cases[k].col, cases[k].src,
           "end %d:%d, expected %d:%d", s ? s->end.line : -1, s ? s->end.col : -1,
           cases[k].line, cases[k].col);
        ar_free(&a);
    }
}

/* ---- loader ------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static AstModule *import_of(AstModule *m, const char *ns)
{
    return m ? hm_get(&m->imports, ns) : NULL;
}

static void test_loader_basic(const char *bundle)
{
    Err e;
    err_clear(&e);
    const char *pos[] = {"42"};
    ParseArgs args = {pos, 1, NULL, NULL, 0};
    AstProgram *p = prs_load_program(
        "main.dml",
        "source(\"a.dml\") as a\nsource(\"e.dml\") as e\nsetwd(\"sub\")\nsource(\"c.dml\") as c\n"
        "source(\"a.dml\") as a2\nsource(\"nn/x.dml\") as x\nsource(\"scripts/nn/x.dml\") as x2\n"
        "m = function() { y = 1 }\nz = a::f(1)\n",
        &args, bundle, &e);
    ok(p != NULL, "load program", "error %s", e.msg);
    if (!p) return;
    AstModule *a = import_of(p->main, "a"), *c = import_of(p->main, "c");
    AstModule *a2 = import_of(p->main, "a2"), *ee = import_of(p->main, "e");
    AstModule *x = import_of(p->main, "x"), *x2 = import_of(p->main, "x2");
    ok(hm_get(&p->main->funcs, "m") != NULL, "main funcs", "m missing");
    FuncDef *f = a ? hm_get(&a->funcs, "f") : NULL;
    ok(
       f && f->ns && strcmp(f->ns, "a") == 0 && f->file == a->file && f->nparams == 1 &&
           f->params[0].defval && f->params[0].defval->kind == EX_INT &&
           f->params[0].defval->u.ival == 42,
       "a::f loaded with ns, file and $1 default", "f=%p", (void *)f);
    ok(import_of(a, "b") != NULL && hm_get(&import_of(a, "b")->funcs, "g") != NULL,
       "recursive source", "b not loaded");
    ok(c && hm_get(&c->funcs, "inSub") != NULL, "setwd applies to later source", "c=%p",
       (void *)c);
    ok(a2 && a2 != a && hm_get(&a2->funcs, "subA") != NULL, "setwd changes resolution of a.dml",
       "a2=%p", (void *)a2);
    ok(ee && hm_get(&ee->funcs, "fromScripts") != NULL, "scripts/ fallback relative to cwd",
       "e=%p", (void *)ee);
    ok(x && hm_get(&x->funcs, "bundled") != NULL, "bundled scripts dir", "x=%p", (void *)x);
    ok(x2 == x, "scripts/ prefix in bundled dir reuses module", "x2=%p x=%p", (void *)x2,
       (void *)x);
    ok(a && import_of(import_of(a, "b"), "a") == a, "cycle a->b->a terminates", "no cycle link");
    int nmod = 0;
    size_t it = 0;
    while (hm_next(&p->modules, &it, NULL, NULL)) nmod++;
    ok(nmod == 7, "each file loaded once", "%d modules", nmod);

    AstModule *bi = prs_load_builtin(p, "foo", &e);
    AstModule *bi2 = prs_load_builtin(p, "foo", &e);
    ok(bi && bi == bi2 && hm_get(&bi->funcs, "m_foo") && import_of(bi, "x") == x,
       "builtin loaded once, its source resolved", "bi=%p", (void *)bi);
    err_clear(&e);
    ok(prs_load_builtin(p, "nosuch", &e) == NULL && e.code == TSR_OK, "missing builtin",
       "code %d", e.code);
    ok(prs_load_builtin(p, "../a", &e) == NULL && e.code == TSR_OK, "builtin name with path",
       "code %d", e.code);
    AstModule *bad = prs_load_builtin(p, "broken", &e);
    ok(!bad && e.code == TSR_SYNTAX && e.span.line == 2, "broken builtin reports error",
       "code %d %s", e.code, e.msg);
    err_clear(&e);
    AstModule *mm = prs_load_module(p, "a.dml", &e);
    ok(mm == a, "prs_load_module reuses cache", "mm=%p", (void *)mm);
    ok(prs_load_module(p, "zzz.dml", &e) == NULL && e.code == TSR_IO, "prs_load_module missing",
       "code %d", e.code);
    prs_free_program(p);
}

static void test_loader_errors(void)
{
    Err e;
    err_clear(&e);
    const char *pos[] = {"1"};
    ParseArgs one = {pos, 1, NULL, NULL, 0}, *args = &one;
    AstProgram *p =
        prs_load_program("main.dml", "x = 1\n  source(\"nope.dml\") as n\n", args, "bundle", &e);
    ok(
       !p && e.code == TSR_IO && e.span.line == 2 && e.span.col == 3 &&
           strcmp(e.span.file, "main.dml") == 0 &&
           strstr(e.msg, "cannot find the sourced file 'nope.dml'"),
       "missing sourced file", "%d:%d %s", e.span.line, e.span.col, e.msg);

    p = prs_load_program("main.dml", "source(\"a.dml\") as n\nsource(\"d.dml\") as n\n", args,
                         "bundle", &e);
    ok(
       !p && e.code == TSR_SYNTAX && e.span.line == 2 &&
           strcmp(e.msg, "Namespace Conflict: 'n' already defined as ./a.dml") == 0,
       "namespace conflict", "%d:%d %s", e.span.line, e.span.col, e.msg);

    p = prs_load_program("main.dml", "source(\"a.dml\") as n\nsource(\"./a.dml\") as n\n", args,
                         "bundle", &e);
    ok(p != NULL, "same file twice under one ns", "%s", e.msg);
    prs_free_program(p);

    p = prs_load_program("main.dml", "source(\"bad.dml\") as b\n", args, "bundle", &e);
    ok(
       !p && e.code == TSR_SYNTAX && e.span.file && strcmp(e.span.file, "./bad.dml") == 0 &&
           e.span.line == 2 && e.span.col == 7 &&
           strcmp(e.msg, "unexpected '*' (expected an expression)") == 0,
       "syntax error in sourced file keeps its file name", "%s:%d:%d %s",
       e.span.file ? e.span.file : "(null)", e.span.line, e.span.col, e.msg);

    p = prs_load_program("main.dml", "x = = 1", args, "bundle", &e);
    ok(!p && e.span.file && strcmp(e.span.file, "main.dml") == 0 && e.span.col == 5,
       "syntax error in main text", "%s", e.msg);

    p = prs_load_program("missing_main.dml", NULL, args, "bundle", &e);
    ok(!p && e.code == TSR_IO && e.span.line == 0, "missing main file", "code %d", e.code);

    p = prs_load_program("a.dml", NULL, args, "bundle", &e);
    ok(p && p->main && hm_get(&p->main->funcs, "f"), "main read from file", "%s", e.msg);
    prs_free_program(p);
}

static void test_loader(void)
{
    char cwd[4096], dir[] = "/tmp/tsr_parser_XXXXXX";
    if (!getcwd(cwd, sizeof cwd) || !mkdtemp(dir) || chdir(dir) != 0) {
        ok(0, "loader setup", "cannot create temp dir");
        return;
    }
    mkdir("sub", 0755);
    mkdir("scripts", 0755);
    mkdir("bundle", 0755);
    mkdir("bundle/nn", 0755);
    mkdir("bundle/builtin", 0755);
    write_file("a.dml",
               "source(\"b.dml\") as b\nf = function(Integer k = $1) return (Integer r) { r = k }\n"
               "print(\"top-level of a: ignored\")\n");
    write_file("b.dml", "source(\"a.dml\") as a\ng = function() { x = 1 }\n");
    write_file("d.dml", "h = function() { x = 1 }\n");
    write_file("bad.dml", "f = function() {\n  x = * }\n");
    write_file("sub/c.dml", "inSub = function() { x = 1 }\n");
    write_file("sub/a.dml", "subA = function() { x = 1 }\n");
    write_file("scripts/e.dml", "fromScripts = function() { x = 1 }\n");
    write_file("bundle/nn/x.dml", "bundled = function() { x = 1 }\n");
    write_file("bundle/builtin/foo.dml",
               "source(\"nn/x.dml\") as x\nm_foo = function(Matrix[Double] X) "
               "return (Matrix[Double] Y) { Y = X }\n");
    write_file("bundle/builtin/broken.dml", "m_broken = function() {\n  = }\n");
    test_loader_basic("bundle");
    test_loader_errors();
    if (chdir(cwd) != 0) perror("chdir");
    const char *files[] = {"a.dml",
                           "b.dml",
                           "d.dml",
                           "bad.dml",
                           "sub/c.dml",
                           "sub/a.dml",
                           "scripts/e.dml",
                           "bundle/nn/x.dml",
                           "bundle/builtin/foo.dml",
                           "bundle/builtin/broken.dml"};
    const char *dirs[] = {"sub", "scripts", "bundle/nn", "bundle/builtin", "bundle"};
    char buf[8192];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(buf, sizeof buf, "%s/%s", dir, files[i]);
        unlink(buf);
    }
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(buf, sizeof buf, "%s/%s", dir, dirs[i]);
        rmdir(buf);
    }
    rmdir(dir);
}

int main(void)
{
    test_precedence();
    test_sign_folding();
    test_literals();
    test_strings();
    test_lexical();
    test_newline_traps();
    test_if_while();
    test_for();
    test_assignments();
    test_functions();
    test_source_setwd_syntax();
    test_placeholders();
    test_limits();
    test_spans();
    test_stmt_end();
    test_robustness();
    test_loader();
    return check_summary();
}
