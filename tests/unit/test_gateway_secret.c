/* sc_gateway_password(): the value back, where sc_gateway_get() hides it. */
#include <glib.h>

#include "sc_test.h"
#include "skypeconnect/sc_gateway.h"
#include "skypeconnect/sc_gateway_secret.h"

static void password_comes_back_only_here(void)
{
    sc_gateway *gw = sc_gateway_new("skype");
    char *pw;
    CHECK(sc_gateway_password(gw) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_ENOTFOUND);
    CHECK_CONTAINS(sc_last_error(), "'skype' has no password");
    CHECK_EQ_INT(sc_gateway_set(gw, "password", "s3cr:et"), SC_OK);
    CHECK_STR(sc_gateway_get(gw, "password"), "<hidden>");
    pw = sc_gateway_password(gw);
    CHECK_STR(pw, "s3cr:et");
    CHECK_EQ_INT(sc_last_status(), SC_OK);
    sc_free(pw);
    sc_gateway_free(gw);
    CHECK(sc_gateway_password(NULL) == NULL);
    CHECK_EQ_INT(sc_last_status(), SC_EINVAL);
}

SC_TEST_MAIN(TEST(password_comes_back_only_here))
