/* SIP status to Q.850 cause names, as FreeSWITCH maps them
 * (sofia_glue_sip_cause_to_freeswitch), so that applications written for
 * FreeSWITCH see the causes they know. */
#include "skypeconnect/sc_call.h"

SC_API const char *sc_sip_cause(int code)
{
    switch (code) {
    case 200: return "NORMAL_CLEARING";
    case 401: case 402: case 403: case 407: case 603: case 608:
    case 904: /* Sofia: the credentials did not answer the challenge */
        return "CALL_REJECTED";
    case 404: return "UNALLOCATED_NUMBER";
    case 485: case 604: return "NO_ROUTE_DESTINATION";
    case 408: case 504: return "RECOVERY_ON_TIMER_EXPIRE";
    case 410: return "NUMBER_CHANGED";
    case 413: case 414: case 416: case 420: case 421: case 423: case 505: case 513:
        return "INTERWORKING";
    case 480: return "NO_USER_RESPONSE";
    case 400: case 481: case 500: case 503: return "NORMAL_TEMPORARY_FAILURE";
    case 486: case 600: return "USER_BUSY";
    case 484: return "INVALID_NUMBER_FORMAT";
    case 488: case 606: return "INCOMPATIBLE_DESTINATION";
    case 502: return "NETWORK_OUT_OF_ORDER";
    case 405: return "SERVICE_UNAVAILABLE";
    case 406: case 415: case 501: return "SERVICE_NOT_IMPLEMENTED";
    case 482: case 483: return "EXCHANGE_ROUTING_ERROR";
    case 487: return "ORIGINATOR_CANCEL";
    default: return "NORMAL_UNSPECIFIED";
    }
}
