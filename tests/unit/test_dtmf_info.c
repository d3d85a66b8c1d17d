/* DTMF bodies of SIP INFO (lib/sip/dtmf_info.c): the digit of each accepted
 * form, and 400/415 naming what was wrong for the rest. */
#include <string.h>
#include "sc_test.h"
#include "dtmf_info.h"

typedef struct {
    const char *type, *body;
    int code;
    char digit;
    const char *why;   /* a part of the reason, for 400 and 415 */
} info_case;

static const info_case cases[] = {
    { "application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", 200, '5', "" },
    { "Application/DTMF-Relay", "signal = #\nduration= 250", 200, '#', "" },
    { "application/dtmf-relay", "Signal=*", 200, '*', "" },
    { "application/dtmf-relay", "Signal=11\r\n", 200, '#', "" },
    { "application/dtmf-relay", "Signal=d\r\nVolume=10\r\n", 200, 'D', "" },
    { "application/dtmf", "9", 200, '9', "" },
    { "application/dtmf", " A\r\n", 200, 'A', "" },
    { NULL, NULL, 200, '\0', "" },   /* a keep-alive */
    { "application/dtmf-relay", "Signal=X\r\nDuration=160\r\n", 400, '\0', "Signal 'X'" },
    { "application/dtmf-relay", "Duration=160\r\n", 400, '\0', "no Signal" },
    { "application/dtmf-relay", "Signal=1\r\nDuration=long\r\n", 400, '\0', "Duration 'long'" },
    { "application/dtmf-relay", "Signal 1\r\n", 400, '\0', "'Signal 1' is not NAME=VALUE" },
    { "application/dtmf-relay", "Signal=12", 400, '\0', "Signal '12'" },
    { "application/dtmf-relay", "", 400, '\0', "no body" },
    { "application/dtmf", "55", 400, '\0', "body '55'" },
    { "text/plain", "Signal=5", 415, '\0', "'text/plain'" },
    { NULL, "Signal=5", 415, '\0', "without a Content-Type" },
    { "application/media_control+xml", "<x/>", 415, '\0', "media_control" },
};

static void each_body(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const info_case *t = &cases[i];
        char d = 'x', why[200];
        int code = sc_dtmf_info_parse(t->type, t->body, t->body ? strlen(t->body) : 0, &d, why, sizeof why);
        if (code != t->code || d != t->digit) fprintf(stderr, "  case %zu: %d '%c' (%s)\n", i, code, d, why);
        CHECK_EQ_INT(code, t->code);
        CHECK_EQ_INT(d, t->digit);
        CHECK_CONTAINS(why, t->why);
    }
}

static void nul_in_body_is_400(void)
{
    char d, why[200];
    CHECK_EQ_INT(sc_dtmf_info_parse("application/dtmf", "5\0", 2, &d, why, sizeof why), 400);
    CHECK_CONTAINS(why, "NUL");
}

SC_TEST_MAIN(TEST(each_body), TEST(nul_in_body_is_400))
