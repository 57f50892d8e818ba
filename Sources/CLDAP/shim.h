#ifndef GATEHOUSE_CLDAP_SHIM_H
#define GATEHOUSE_CLDAP_SHIM_H
#include <sys/time.h>
#define LDAP_DEPRECATED 0
#include <ldap.h>

/* Macros with casts, which Swift does not import: each is given here as a typed value. */

static inline const void *gatehouse_ldap_opt_off(void) { return LDAP_OPT_OFF; }
static inline int gatehouse_ldap_scope_subtree(void) { return (int)LDAP_SCOPE_SUBTREE; }
static inline int gatehouse_ldap_scope_base(void) { return (int)LDAP_SCOPE_BASE; }

/* Sets an int-valued option: ldap_set_option takes a pointer to it. */
static inline int gatehouse_ldap_set_int(LDAP *ld, int option, int value) {
    return ldap_set_option(ld, option, &value);
}

/* Sets a timeval option (LDAP_OPT_NETWORK_TIMEOUT, LDAP_OPT_TIMEOUT) in milliseconds. */
static inline int gatehouse_ldap_set_timeout(LDAP *ld, int option, long milliseconds) {
    struct timeval value = { milliseconds / 1000, (milliseconds % 1000) * 1000 };
    return ldap_set_option(ld, option, &value);
}
#endif
