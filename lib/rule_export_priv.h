/* What rule_export.c needs to see of a dial rule and of the emergency tables:
 * the parts the rule was built from, read-only. Kept out of dialrule_priv.h
 * so that the export is the only code that looks inside a rule from outside
 * dialrule.c. */
#ifndef SC_RULE_EXPORT_PRIV_H
#define SC_RULE_EXPORT_PRIV_H

#include <stddef.h>
#include "skypeconnect/sc_dialrule.h"
#include "dialrule_priv.h"

typedef struct sc_dialrule_parts {
    int is_prefix;              /* 1: prefix rule, 0: pattern rule */
    const char *prefix;         /* prefix rules: "00" */
    const char *pattern;        /* pattern rules: the regex as compiled (anchored form) */
    const char *format;         /* pattern rules: "$1" (resolved, never NULL) */
    const sc_emerg_set *emerg;  /* the rule's extra emergency numbers */
} sc_dialrule_parts;

/* dialrule.c: fills @p out with borrowed pointers into @p rule. */
void sc_dialrule_get_parts(const sc_dialrule *rule, sc_dialrule_parts *out);

/* emergency.c: the built-in emergency numbers every rule refuses. */
size_t sc_emerg_default_count(void);
const sc_emerg_entry *sc_emerg_default_at(size_t i);

#endif
