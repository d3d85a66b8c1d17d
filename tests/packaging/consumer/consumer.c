/* A program outside the project using an installed libskypeconnect. Built by
 * tests/packaging/check_install.sh with pkg-config and with find_package(). */
#include <skypeconnect/skypeconnect.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    const char *v = sc_version();
    const char *e;
    sc_gateway *gw;
    int rc;

    if (v == NULL || strcmp(v, SC_VERSION_STRING) != 0) {
        fprintf(stderr, "sc_version() is '%s', the header says '%s'\n",
                v ? v : "(null)", SC_VERSION_STRING);
        return 1;
    }
    e = sc_strerror(SC_EINVAL);
    if (e == NULL || e[0] == '\0') {
        fprintf(stderr, "sc_strerror(SC_EINVAL) is empty\n");
        return 1;
    }
    gw = sc_gateway_new("skype");
    if (gw == NULL) {
        fprintf(stderr, "sc_gateway_new failed: %s\n", sc_last_error());
        return 1;
    }
    rc = sc_gateway_set(gw, "username", "u");
    if (rc != SC_OK) {
        fprintf(stderr, "sc_gateway_set(username) = %d: %s\n", rc, sc_last_error());
        sc_gateway_free(gw);
        return 1;
    }
    sc_gateway_free(gw);
    printf("libskypeconnect %s: %s\n", v, e);
    printf("OK\n");
    return 0;
}
