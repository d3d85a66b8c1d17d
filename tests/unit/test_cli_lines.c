/* The command line's stdin reader (cli/line_reader.c): over-long lines and
 * lines with a NUL are refused whole, whatever the chunking, and the lines
 * after them still come. The reader is compiled into this test directly: it
 * belongs to the command, not to the library this test links. */
#include <glib.h>

#include "sc_test.h"
#include "../../cli/line_reader.c"

typedef struct seen {
    GPtrArray *lines;   /* "L:<line>" or "E:<error>" */
} seen;

static bool collect(char *line, const char *error, void *user)
{
    seen *s = user;
    g_ptr_array_add(s->lines, line ? g_strconcat("L:", line, NULL) : g_strconcat("E:", error, NULL));
    return line && !strcmp(line, "quit");
}

/* Feeds data in chunks of size step; returns every line and error seen. */
static GPtrArray *feed(const char *data, size_t len, size_t step)
{
    static cli_line_reader r;   /* 4 KiB: not on the stack */
    seen s = { g_ptr_array_new_with_free_func(g_free) };
    cli_line_reader_init(&r);
    for (size_t off = 0; off < len; off += step)
        if (cli_line_reader_feed(&r, data + off, MIN(step, len - off), collect, &s)) break;
    return s.lines;
}

static void test_overlong_tail_never_runs(void)
{
    GString *in = g_string_new(NULL);
    g_string_append_printf(in, "%*s", 4096 - 23, "");
    g_string_append(in, "dial skype 004930123456\nstatus\n");
    for (size_t step = 1; step <= 8192; step = step * 3 + 1) {
        GPtrArray *got = feed(in->str, in->len, step);
        CHECK_EQ_INT(got->len, 2);
        if (got->len == 2) {
            CHECK_CONTAINS(g_ptr_array_index(got, 0), "E:the line is longer than 4095 bytes");
            CHECK_STR(g_ptr_array_index(got, 1), "L:status");
        }
        g_ptr_array_free(got, TRUE);
    }
    g_string_free(in, TRUE);
}

static void test_longest_line_runs(void)
{
    GString *in = g_string_new(NULL);
    g_string_append_printf(in, "%*s", 4095 - 6, "");
    g_string_append(in, "status\n");
    GPtrArray *got = feed(in->str, in->len, 1000);
    CHECK_EQ_INT(got->len, 1);
    if (got->len == 1) CHECK(g_str_has_suffix(g_ptr_array_index(got, 0), " status"));
    g_ptr_array_free(got, TRUE);
    g_string_free(in, TRUE);
}

static void test_nul_refused_later_lines_run(void)
{
    static const char in[] = "dial skype 0044\0" "999\n\0\nstatus\nquit\nstatus\n";
    GPtrArray *got = feed(in, sizeof in - 1, 5);
    CHECK_EQ_INT(got->len, 4);
    if (got->len == 4) {
        CHECK_CONTAINS(g_ptr_array_index(got, 0), "E:the line holds a NUL byte");
        CHECK_CONTAINS(g_ptr_array_index(got, 1), "E:the line holds a NUL byte");
        CHECK_STR(g_ptr_array_index(got, 2), "L:status");
        CHECK_STR(g_ptr_array_index(got, 3), "L:quit");   /* and nothing after quit */
    }
    g_ptr_array_free(got, TRUE);
}

SC_TEST_MAIN(TEST(test_overlong_tail_never_runs), TEST(test_longest_line_runs),
             TEST(test_nul_refused_later_lines_run))
