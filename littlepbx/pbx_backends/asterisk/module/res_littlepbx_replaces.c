/*
 * res_littlepbx_replaces: a phone names only its own organization's calls.
 *
 * Two SIP requests act on a call by naming its dialog (Call-ID and both tags): an INVITE with a
 * Replaces header takes the call over, and a REFER whose Refer-To carries Replaces (a phone's
 * attended transfer) joins the transferred party to it. Asterisk's res_pjsip_refer does either
 * for any call on the PBX, before any dialplan runs, whoever's call it is.
 *
 * This session supplement runs first. When the dialog a request names exists but is not a call of
 * the requesting endpoint's organization, it makes the request name a dialog that does not exist,
 * so res_pjsip_refer answers exactly as it answers a request naming no call at all: the answer
 * tells nothing of other organizations' calls and starts nothing.
 *
 * An endpoint's organization is its tenantid (LittlePBX sets it on every phone and trunk of an
 * organization). The one endpoint without one, lp-upstream, which every organization's calls
 * from upstreams share, belongs to none: its requests name no one's call.
 *
 * Written for LittlePBX; built at install against the Asterisk it runs in (provision.py).
 */

#include "asterisk.h"

#include <pjsip.h>
#include <pjsip_ua.h>

#include "asterisk/module.h"
#include "asterisk/res_pjsip.h"
#include "asterisk/res_pjsip_session.h"
#include "asterisk/sorcery.h"

/* Stands in for a dialog of another organization: no dialog has it, Asterisk's tags are random. */
#define NO_CALL "littlepbx-no-such-call"
#define NO_TAG "none"
static const pj_str_t NO_CALL_ID = { NO_CALL, sizeof(NO_CALL) - 1 };
static const pj_str_t NO_TAG_STR = { NO_TAG, sizeof(NO_TAG) - 1 };
static const pj_str_t STR_REPLACES = { "Replaces", 8 };
static const pj_str_t STR_REFER_TO = { "Refer-To", 8 };
static const pj_str_t STR_REFER_TO_SHORT = { "r", 1 };

/*! \brief Whether two endpoints belong to one organization (the same, non-empty tenantid). */
static int same_org(const struct ast_sip_endpoint *one, const struct ast_sip_endpoint *other)
{
	return !ast_strlen_zero(one->tenantid) && !ast_strlen_zero(other->tenantid)
		&& !strcmp(one->tenantid, other->tenantid);
}

/*!
 * \brief Whether the dialog a Replaces names may be acted on by the session's endpoint: it
 * exists on this PBX as a call of the same organization, or it does not exist at all (then
 * res_pjsip_refer answers as for any unknown call).
 */
static int may_name(struct ast_sip_session *session, const pjsip_replaces_hdr *replaces)
{
	pjsip_dialog *dlg;
	struct ast_sip_session *other;
	int allowed;

	/* The Replaces header's to-tag is the tag this PBX gave the dialog (RFC 3891). */
	dlg = pjsip_ua_find_dialog(&replaces->call_id, &replaces->to_tag, &replaces->from_tag, PJ_TRUE);
	if (!dlg) {
		return 1;
	}
	other = ast_sip_dialog_get_session(dlg);
	pjsip_dlg_dec_lock(dlg);

	allowed = other && session->endpoint && other->endpoint && same_org(session->endpoint, other->endpoint);
	if (!allowed) {
		ast_log(LOG_NOTICE, "Endpoint '%s' named a call that is not its organization's in Replaces: treated as no call\n",
			session->endpoint ? ast_sorcery_object_get_id(session->endpoint) : "(none)");
	}
	ao2_cleanup(other);
	return allowed;
}

/*! \brief An INVITE with Replaces: another organization's call becomes no call (481). */
static void check_invite(struct ast_sip_session *session, pjsip_rx_data *rdata)
{
	pjsip_replaces_hdr *replaces = pjsip_msg_find_hdr_by_name(rdata->msg_info.msg, &STR_REPLACES, NULL);

	if (replaces && !may_name(session, replaces)) {
		replaces->call_id = NO_CALL_ID;
		replaces->to_tag = NO_TAG_STR;
		replaces->from_tag = NO_TAG_STR;
	}
}

/*!
 * \brief One Refer-To header: when its URI's Replaces (a header or a parameter of the URI, as
 * res_pjsip_refer reads it) names another organization's call, it is written again naming none.
 * Returns 0, or -1 when it cannot be written again.
 */
static int check_refer_to(struct ast_sip_session *session, pjsip_rx_data *rdata, pjsip_generic_string_hdr *refer_to)
{
	pj_pool_t *pool = rdata->tp_info.pool;
	pjsip_uri *target;
	pjsip_sip_uri *target_uri;
	pjsip_param *param;
	pjsip_replaces_hdr *replaces;
	pj_str_t text;
	pj_ssize_t size;
	char *printed;
	int parsed_len, len;

	pj_strdup_with_null(pool, &text, &refer_to->hvalue);
	target = pjsip_parse_uri(pool, text.ptr, pj_strlen(&text), 0);
	if (!target || (!PJSIP_URI_SCHEME_IS_SIP(target) && !PJSIP_URI_SCHEME_IS_SIPS(target))) {
		return 0;  /* res_pjsip_refer refuses it (400) */
	}
	target_uri = pjsip_uri_get_uri(target);
	param = pjsip_param_find(&target_uri->header_param, &STR_REPLACES);
	if (!param) {
		param = pjsip_param_find(&target_uri->other_param, &STR_REPLACES);
	}
	if (!param) {
		return 0;
	}
	pj_strdup_with_null(pool, &text, &param->value);
	replaces = pjsip_parse_hdr(pool, &STR_REPLACES, text.ptr, pj_strlen(&text), &parsed_len);
	if (!replaces || may_name(session, replaces)) {
		return 0;
	}
	/* The same Refer-To, naming a call that does not exist (printed with its URI headers; escaping
	 * makes a character at most three). */
	pj_strdup2_with_null(pool, &param->value, NO_CALL ";to-tag=" NO_TAG ";from-tag=" NO_TAG);
	size = 3 * pj_strlen(&refer_to->hvalue) + 256;
	printed = pj_pool_alloc(pool, size);
	len = pjsip_uri_print(PJSIP_URI_IN_OTHER, target, printed, size - 1);
	if (len < 1) {
		return -1;
	}
	refer_to->hvalue.ptr = printed;
	refer_to->hvalue.slen = len;
	return 0;
}

/*!
 * \brief A REFER: each Refer-To naming another organization's call names none. Should one not be
 * written again, or should there be several (RFC 3515 allows one), none is left: res_pjsip_refer
 * refuses a REFER without Refer-To (400), whatever it named.
 */
static void check_refer(struct ast_sip_session *session, pjsip_rx_data *rdata)
{
	pjsip_msg *msg = rdata->msg_info.msg;
	pjsip_generic_string_hdr *refer_to, *next;
	int count = 0, failed = 0;

	for (refer_to = pjsip_msg_find_hdr_by_names(msg, &STR_REFER_TO, &STR_REFER_TO_SHORT, NULL); refer_to;
		refer_to = pjsip_msg_find_hdr_by_names(msg, &STR_REFER_TO, &STR_REFER_TO_SHORT, refer_to->next)) {
		count++;
		failed |= check_refer_to(session, rdata, refer_to);
	}
	if (count > 1 || failed) {
		for (refer_to = pjsip_msg_find_hdr_by_names(msg, &STR_REFER_TO, &STR_REFER_TO_SHORT, NULL); refer_to; refer_to = next) {
			next = pjsip_msg_find_hdr_by_names(msg, &STR_REFER_TO, &STR_REFER_TO_SHORT, refer_to->next);
			pj_list_erase(refer_to);
		}
	}
}

static int incoming_request(struct ast_sip_session *session, pjsip_rx_data *rdata)
{
	const pjsip_method *method = &rdata->msg_info.msg->line.req.method;

	if (!pjsip_method_cmp(method, &pjsip_invite_method)) {
		check_invite(session, rdata);
	} else if (!pjsip_method_cmp(method, pjsip_get_refer_method())) {
		check_refer(session, rdata);
	}
	return 0;
}

static struct ast_sip_session_supplement replaces_supplement = {
	/* Before res_pjsip_refer's (AST_SIP_SUPPLEMENT_PRIORITY_CHANNEL + 1) and any channel. */
	.priority = AST_SIP_SUPPLEMENT_PRIORITY_FIRST,
	.incoming_request = incoming_request,
};

static int load_module(void)
{
	/* Parses Replaces headers; res_pjsip_refer (required) has done it already. */
	pjsip_replaces_init_module(ast_sip_get_pjsip_endpoint());
	ast_sip_session_register_supplement(&replaces_supplement);
	/* Loaded, it stays until Asterisk stops: no "module unload" takes the check away. */
	ast_module_shutdown_ref(AST_MODULE_SELF);
	return AST_MODULE_LOAD_SUCCESS;
}

static int unload_module(void)
{
	ast_sip_session_unregister_supplement(&replaces_supplement);
	return 0;
}

AST_MODULE_INFO(ASTERISK_GPL_KEY, AST_MODFLAG_LOAD_ORDER, "LittlePBX: Replaces within an organization only",
	.support_level = AST_MODULE_SUPPORT_EXTENDED,
	.load = load_module,
	.unload = unload_module,
	.load_pri = AST_MODPRI_APP_DEPEND,
	.requires = "res_pjsip,res_pjsip_session,res_pjsip_refer",
);
