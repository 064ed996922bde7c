/*
 * mod_littlepbx: an INVITE's Replaces reaches only a call of the caller's own organization.
 *
 * FreeSWITCH's Sofia takes an INVITE with Replaces to mean "take over the call named": it looks
 * the call up by its Call-ID (tags when they match, else the Call-ID alone, on every profile, else
 * the session whose id it is) and routes the new call to an inline dialplan that answers and
 * takes it over ("intercept:<uuid>" of the call bridged to it, or with the a-leg parameter of the
 * session whose id the Call-ID is; "sofia_sla:<uuid>"), whoever's it is; a Replaces naming no call
 * routes as an ordinary call. Its dialplan never asks LittlePBX.
 *
 * This module's state handler runs when such a call is first routed, before any dialplan. The
 * call is answered 481 (Call/Transaction Does Not Exist), as one naming a call that does not exist
 * is, so the answer tells nothing of other organizations' calls and takes none over, unless every
 * call with that Call-ID (and the session with that id, if any) belongs to the caller's
 * organization, and so does what the inline dialplan would take over: the session named there
 * must be there, and it or the call bridged to it (which intercept hangs up) must be the caller's
 * organization's, neither another's. An organization is the lp_org channel variable, which
 * LittlePBX's directory gives a phone's channels and its dialplan the calls it routes; the legs it
 * places to phones carry none. The Call-ID is read where no parameter of the Replaces header can
 * write (sofia's sip_replaces_call_id is overwritten by one named call_id): LittlePBX's sofia
 * keeps it apart (NAMED_CALL_ID).
 *
 * What sofia does before any routing stays done: it takes the named call off hold, and hangs it
 * up when it is not bridged (in a menu, voicemail, a queue, a conference, parked), to hand its
 * application to the new call. LittlePBX's change to sofia (scripts/freeswitch-sofia.patch) does
 * that only when both calls have the same lp_org, and then marks the new call (IN_SCOPE, a name no
 * SIP header can set): such a call is let through, though the call it named may be gone already,
 * as long as what it takes over is the caller's organization's. With an unchanged sofia this
 * module is all there is (README: FreeSWITCH).
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
/* Set by LittlePBX's sofia: the Call-ID the Replaces names (an unchanged sofia sets only CALL_ID). */
#define NAMED_CALL_ID "replaces_named_call_id"
#define CALL_ID "sip_replaces_call_id"
/* What sofia's inline dialplan for a Replaces takes over, each followed by a session id. */
static const char *TAKEOVERS[] = {"intercept:", "sofia_sla:"};

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

/* Whether session uuid is there and is, or is bridged to, a call of organization org, and neither
 * it nor the call bridged to it is another organization's. */
static switch_bool_t takeover_of(const char *org, const char *uuid)
{
	switch_core_session_t *target = switch_core_session_locate(uuid);
	char partner[256] = "";
	const char *target_org;
	switch_bool_t ours, others;

	if (!target) {
		return SWITCH_FALSE;  /* nothing to take over: as for no call */
	}
	target_org = switch_channel_get_variable(switch_core_session_get_channel(target), "lp_org");
	ours = !zstr(target_org) && !strcmp(org, target_org);
	others = !zstr(target_org) && !ours;
	switch_channel_get_partner_uuid_copy(switch_core_session_get_channel(target), partner, sizeof(partner));
	switch_core_session_rwunlock(target);
	if (!others && !zstr(partner)) {
		switch_core_session_t *other = switch_core_session_locate(partner);

		if (other) {
			const char *other_org = switch_channel_get_variable(switch_core_session_get_channel(other), "lp_org");

			ours = ours || (!zstr(other_org) && !strcmp(org, other_org));
			others = !zstr(other_org) && strcmp(org, other_org);
			switch_core_session_rwunlock(other);
		}
	}
	return ours && !others;
}

/* The session id that sofia's inline dialplan (destination) takes over, copied into buf; NULL
 * when it names none (the named call was not bridged: sofia hung it up and hands over its
 * application). */
static const char *taken_over(const char *destination, char *buf, size_t len)
{
	size_t i, n;

	for (i = 0; destination && i < sizeof(TAKEOVERS) / sizeof(TAKEOVERS[0]); i++) {
		const char *found = strstr(destination, TAKEOVERS[i]);

		if (found) {
			found += strlen(TAKEOVERS[i]);
			n = strcspn(found, ",");
			if (n >= len) {
				n = len - 1;  /* longer than any session id: matches none */
			}
			memcpy(buf, found, n);
			buf[n] = '\0';
			return buf;
		}
	}
	return NULL;
}

static switch_status_t on_routing(switch_core_session_t *session)
{
	switch_channel_t *channel = switch_core_session_get_channel(session);
	switch_caller_profile_t *profile = switch_channel_get_caller_profile(channel);
	const char *call_id, *org, *target = NULL;
	char buf[256];
	switch_bool_t handed;

	if (switch_channel_direction(channel) != SWITCH_CALL_DIRECTION_INBOUND || switch_channel_var_true(channel, CHECKED)
		|| strncmp(switch_channel_get_name(channel), "sofia/", 6)) {
		return SWITCH_STATUS_SUCCESS;  /* not a call from SIP, or decided when the call was first routed */
	}
	switch_channel_set_variable(channel, CHECKED, "true");
	call_id = switch_channel_get_variable(channel, NAMED_CALL_ID);
	if (!call_id) {
		call_id = switch_channel_get_variable(channel, CALL_ID);
	}
	/* before any dialplan, only sofia routes a call inline: to take over the call a Replaces names */
	handed = profile && !zstr(profile->dialplan) && !strcasecmp(profile->dialplan, "inline");
	if (!call_id && !handed) {
		return SWITCH_STATUS_SUCCESS;  /* no Replaces */
	}
	org = switch_channel_get_variable(channel, "lp_org");
	if (handed) {
		target = taken_over(profile->destination_number, buf, sizeof(buf));
	}
	if (!zstr(org) && !zstr(call_id)
		&& (switch_channel_var_true(channel, IN_SCOPE) ? session_of(org, call_id) : calls_of(org, call_id))
		&& (!target || takeover_of(org, target))) {
		return SWITCH_STATUS_SUCCESS;
	}
	switch_log_printf(SWITCH_CHANNEL_SESSION_LOG(session), SWITCH_LOG_NOTICE,
					  "Replaces names no call of organization '%s': answered as naming none\n", zstr(org) ? "" : org);
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
