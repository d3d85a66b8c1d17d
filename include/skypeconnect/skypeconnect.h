/**
 * @file skypeconnect.h
 * @brief libskypeconnect: connect an application to a SIP trunk, the way
 * FreeSWITCH's "Skype Connect" gateway does. Include only this header.
 */
#ifndef SKYPECONNECT_H
#define SKYPECONNECT_H

#include "sc_version.h"
#include "sc_common.h"
#include "sc_gateway.h"
#include "sc_config.h"
#include "sc_event.h"
#include "sc_dialrule.h"
#include "sc_dialplan.h"
#include "sc_session.h"
#include "sc_call.h"
#include "sc_media.h"
#include "sc_trunk.h"
#include "sc_policy.h"
#include "sc_rule_export.h"
#include "sc_gateway_secret.h"

#endif
