/*
 * mod_littlepbx: an INVITE's Replaces reaches only a call of the caller's own organization.
 *
 * FreeSWITCH's Sofia takes an INVITE with Replaces to mean "take over the call named": it looks
 * the call up by its Call-ID (tags when they match, else the Call-ID alone, on every profile)
 * and routes the new call to an inline dialplan that answers and intercepts it, whoever's it is;
 * a Replaces naming no call routes as an ordinary call. Its dialplan never asks LittlePBX.
 *
 * This module's state handler runs when such a call is first routed, before any dialplan: unless
 * every call with that Call-ID (or with that session id: sofia looks that up too) belongs to the
 * caller's organization (the lp_org channel variable, which LittlePBX's directory gives a phone's
 * channels and its dialplan the calls it routes; the legs it places to phones carry none, so they
 * are never named), the call is answered 481 (Call/Transaction Does Not Exist), as one naming a
 * call that does not exist is: the answer tells nothing of other organizations' calls and takes
 * none over.
 *
 * What sofia does before any routing stays done: it takes the named call off hold, and hangs it
 * up when it is not bridged (in a menu, voicemail, a queue, a conference, parked), to hand its
 * application to the new call. LittlePBX's change to sofia (scripts/freeswitch-sofia.patch) does
 * that only when both calls have the same lp_org, and then marks the new call (IN_SCOPE, a name no
 * SIP header can set): such a call is let through, though the call it named may be gone already,
 * unless its Replaces asks (a-leg) for a session by its id and that session is another's.
 * With an unchanged sofia this module is all there is (README: FreeSWITCH).
 *
 * Written for LittlePBX; built at configuration against the FreeSWITCH it runs in (provision.py).
 */

#include <switch.h>

SWITCH_MODULE_LOAD_FUNCTION(mod_littlepbx_load);
SWITCH_MODULE_SHUTDOWN_FUNCTION(mod_littlepbx_shutdown);
SWITCH_MODULE_DEFINITION(mod_littlepbx, mod_littlepbx_load, mod_littlepbx_shutdown, NULL);

#define NO_CALL "respond:481 Call/Transaction Does Not Exist"
/* Set once the call's Replaces was looked at (a transfer later routes the call again). */
#define CHECKED "lp_replaces_checked"
/* Set by LittlePBX's sofia when the call it names is of the caller's scope and was handed over. */
#define IN_SCOPE "replaces_in_scope"

/* Whether session uuid is of organization org (no such session: yes). */
static switch_bool_t session_of(const char *org, const char *uuid)
{
	switch_core_session_t *other = switch_core_session_locate(uuid);
	switch_bool_t same = SWITCH_TRUE;

	if (other) {
		/* a copy in the other session's pool, compared while the session is held */
		const char *other_org = switch_channel_get_variable(switch_core_session_get_channel(other), "lp_org");

		same = !zstr(other_org) && !strcmp(org, other_org);
		switch_core_session_rwunlock(other);
	}
	return same;
}

/* Whether there is a call whose SIP Call-ID is call_id, and every such call, and the session whose
 * id it is if any, is of organization org. */
static switch_bool_t calls_of(const char *org, const char *call_id)
{
	switch_console_callback_match_t *matches = switch_core_session_findall_matching_var("sip_call_id", call_id);
	switch_console_callback_match_node_t *node;
	switch_bool_t all = session_of(org, call_id);

	if (!matches) {
		return SWITCH_FALSE;  /* no such call */
	}
	for (node = matches->head; node; node = node->next) {
		all = all && session_of(org, node->val);
	}
	switch_console_free_matches(&matches);
	return all;
}

static switch_status_t on_routing(switch_core_session_t *session)
{
	switch_channel_t *channel = switch_core_session_get_channel(session);
	const char *call_id = switch_channel_get_variable(channel, "sip_replaces_call_id");
	const char *org;
	switch_caller_profile_t *profile;

	if (zstr(call_id) || switch_channel_direction(channel) != SWITCH_CALL_DIRECTION_INBOUND
		|| switch_channel_var_true(channel, CHECKED)) {
		return SWITCH_STATUS_SUCCESS;  /* no Replaces, or decided when the call was first routed */
	}
	switch_channel_set_variable(channel, CHECKED, "true");
	org = switch_channel_get_variable(channel, "lp_org");
	/* Sofia found the call it acted on in scope (it may be gone now); its Replaces may still name,
	   with a-leg, a session by its id: that one too must be the caller's organization's */
	if (!zstr(org) && (switch_channel_var_true(channel, IN_SCOPE) ? session_of(org, call_id) : calls_of(org, call_id))) {
		return SWITCH_STATUS_SUCCESS;
	}
	switch_log_printf(SWITCH_CHANNEL_SESSION_LOG(session), SWITCH_LOG_NOTICE,
					  "Replaces names no call of organization '%s': answered as naming none\n", zstr(org) ? "" : org);
	profile = switch_channel_get_caller_profile(channel);
	profile->dialplan = "inline";
	profile->destination_number = NO_CALL;
	return SWITCH_STATUS_SUCCESS;
}

static switch_state_handler_table_t state_handlers = {
	/*.on_init */ NULL,
	/*.on_routing */ on_routing,
};

SWITCH_MODULE_LOAD_FUNCTION(mod_littlepbx_load)
{
	*module_interface = switch_loadable_module_create_module_interface(pool, modname);
	if (switch_core_add_state_handler(&state_handlers) < 0) {
		return SWITCH_STATUS_FALSE;  /* loaded as critical: FreeSWITCH does not run without it */
	}
	return SWITCH_STATUS_SUCCESS;
}

SWITCH_MODULE_SHUTDOWN_FUNCTION(mod_littlepbx_shutdown)
{
	switch_core_remove_state_handler(&state_handlers);
	return SWITCH_STATUS_SUCCESS;
}
