/* Address lists (CIDR): who may call. */
#ifndef SC_ACL_H
#define SC_ACL_H

#include <stdbool.h>

typedef struct sc_acl sc_acl;
sc_acl *sc_acl_parse(const char *text, char **error);      /* NULL + *error on failure */
void sc_acl_free(sc_acl *acl);
bool sc_acl_allows(const sc_acl *acl, const char *ip);
bool sc_ip_equal(const char *a, const char *b);

#endif
