/* libFuzzer target: the FreeSWITCH gateway XML loader and parameter setter.
 * Input: XML for sc_config_load_string; and, read as "param=value" lines,
 * calls of sc_gateway_set on a fresh gateway. Whatever the input, nothing
 * may crash, leak, or quote a password back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "skypeconnect/skypeconnect.h"

#define SECRET "Fz-Secret-0192837465"

/* Set when the input itself carries the secret (libFuzzer learns the
 * constant): then a message quoting the input is no leak. */
static int input_has_secret;

static void check_no_secret(const char *text)
{
    if (!input_has_secret && text && strstr(text, SECRET)) abort();
}

static void exercise_config(const char *xml)
{
    sc_config *cfg = sc_config_new();
    sc_config_load_string(cfg, xml, "<fuzz>");
    for (size_t i = 0; i < sc_config_diag_count(cfg); i++) {
        check_no_secret(sc_config_diag_text(cfg, i));
        check_no_secret(sc_config_diag_message(cfg, i));
    }
    for (size_t i = 0; i < sc_config_gateway_count(cfg); i++) {
        const sc_gateway *gw = sc_config_gateway_at(cfg, i);
        for (size_t p = 0; p < sc_gateway_param_count(); p++)
            check_no_secret(sc_gateway_get(gw, sc_gateway_param_name(p)));
        sc_gateway_validate(gw);
        check_no_secret(sc_last_error());
    }
    sc_config_free(cfg);
}

static void exercise_setter(char *text)
{
    sc_gateway *gw = sc_gateway_new("fuzz");
    char *save = NULL, *warnings;
    sc_gateway_set(gw, "password", SECRET);
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');
        if (!eq) continue;
        *eq = '\0';
        if (!strcmp(line, "password")) continue;
        sc_gateway_set(gw, line, eq + 1);
        check_no_secret(sc_last_error());
    }
    sc_gateway_validate(gw);
    check_no_secret(sc_last_error());
    warnings = sc_gateway_warnings(gw);
    check_no_secret(warnings);
    sc_free(warnings);
    sc_gateway_free(gw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *xml;
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    input_has_secret = memmem(data, size, SECRET, strlen(SECRET)) != NULL;
    /* Half the time, plant the secret as a password the loader must hide. */
    if (size && data[0] & 1) {
        size_t n = strlen(text) + 200;
        xml = malloc(n);
        snprintf(xml, n, "<gateway name=\"g\"><param name=\"password\" value=\"" SECRET "\"/>%s</gateway>", text);
    } else {
        xml = strdup(text);
    }
    exercise_config(xml);
    exercise_setter(text);
    free(xml);
    free(text);
    return 0;
}
