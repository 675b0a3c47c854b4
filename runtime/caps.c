/* SPDX-License-Identifier: Apache-2.0 */
/*
 * process.capabilities through libcap: names, validation and the five sets.
 *
 * Names are matched exactly ("CAP_SYS_ADMIN"): libcap's cap_from_name() also
 * accepts lower case and bare numbers, which the OCI spec does not, so every
 * lookup is checked against libcap's canonical spelling.
 *
 * Inheritable capabilities are only ever set for the ambient ones (see caps_apply_sets).  A name
 * this kernel does not have is ignored with a warning, like runc: engines send the names they know,
 * which may be newer than the kernel they run on.
 */
#include "process_attrs.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "../common/log.h"
#include "../common/util.h"

/* Number of capabilities the running kernel has (libcap probes it once). */
static unsigned int caps_count(void)
{
	unsigned int n = cap_max_bits();
	return n > 64 ? 64 : n;
}

/* libcap's name for v in OCI spelling ("CAP_CHOWN"); NULL when libcap has no name. */
static char *cap_oci_name(cap_value_t v)
{
	char *n = cap_to_name(v);
	if (!n)
		return NULL;
	char *r = NULL;
	if (strncmp(n, "cap_", 4) == 0) {
		r = xstrdup(n);
		for (char *p = r; *p; p++)
			*p = (char)toupper((unsigned char)*p);
	}
	cap_free(n);
	return r;
}

int caps_from_name(const char *name)
{
	cap_value_t v;
	if (!name || strncmp(name, "CAP_", 4) != 0 || cap_from_name(name, &v) < 0)
		return -1;
	if (v < 0 || (unsigned int)v >= caps_count())
		return -1;
	char *canon = cap_oci_name(v);
	bool exact = canon && strcmp(canon, name) == 0;
	free(canon);
	return exact ? (int)v : -1;
}

char **caps_known_names(void)
{
	unsigned int n = caps_count();
	char **v = xcalloc(n + 1, sizeof(*v));
	size_t k = 0;
	for (unsigned int i = 0; i < n; i++) {
		char *name = cap_oci_name((cap_value_t)i);
		if (name)
			v[k++] = name;
	}
	v[k] = NULL;
	return v;
}

/* The sets of one capabilities object as bit masks (unknown names dropped). */
struct cap_masks {
	uint64_t bnd, eff, inh, prm, amb;
};

static uint64_t names_mask(char *const *names, size_t n)
{
	uint64_t m = 0;
	for (size_t i = 0; i < n; i++) {
		int v = caps_from_name(names[i]);
		if (v >= 0)
			m |= UINT64_C(1) << v;
		else
			log_debug("ignoring unknown or unavailable capability %s",
				  names[i] ? names[i] : "(null)");
	}
	return m;
}

static void caps_masks(const struct oci_capabilities *c, struct cap_masks *m)
{
	m->bnd = names_mask(c->bounding, c->n_bounding);
	m->eff = names_mask(c->effective, c->n_effective);
	m->inh = names_mask(c->inheritable, c->n_inheritable);
	m->prm = names_mask(c->permitted, c->n_permitted);
	m->amb = names_mask(c->ambient, c->n_ambient);
}

static const char *cap_label(int v, char *buf, size_t len)
{
	char *n = cap_oci_name(v);
	snprintf(buf, len, "%s", n ? n : "?");
	free(n);
	return buf;
}

static int validate_set(const char *set, char *const *names, size_t n, struct werr *e)
{
	for (size_t i = 0; i < n; i++) {
		if (!names[i] || !names[i][0])
			return werr_set(e, 0, "process.capabilities.%s[%zu]: empty capability name",
					set, i);
		if (caps_from_name(names[i]) < 0)
			log_warn("ignoring unknown or unavailable capability %s in "
				 "process.capabilities.%s",
				 names[i], set);
	}
	return 0;
}

int caps_validate(const struct oci_capabilities *c, struct werr *e)
{
	if (!c->present)
		return 0;
	if (validate_set("bounding", c->bounding, c->n_bounding, e) < 0 ||
	    validate_set("effective", c->effective, c->n_effective, e) < 0 ||
	    validate_set("inheritable", c->inheritable, c->n_inheritable, e) < 0 ||
	    validate_set("permitted", c->permitted, c->n_permitted, e) < 0 ||
	    validate_set("ambient", c->ambient, c->n_ambient, e) < 0)
		return -1;

	struct cap_masks m;
	caps_masks(c, &m);
	char buf[64];
	/* capset(2) refuses an effective capability that is not permitted. */
	uint64_t bad = m.eff & ~m.prm;
	if (bad)
		return werr_set(e, 0,
				"process.capabilities.effective: %s is not in the permitted set",
				cap_label(__builtin_ctzll(bad), buf, sizeof(buf)));
	/* The kernel raises an ambient capability only if it is permitted and inheritable. */
	for (uint64_t amb = m.amb & ~(m.prm & m.inh); amb; amb &= amb - 1)
		log_warn("process.capabilities.ambient: %s is not both permitted and "
			 "inheritable; it will not be raised",
			 cap_label(__builtin_ctzll(amb), buf, sizeof(buf)));
	return 0;
}

int caps_apply_bounding(const struct oci_capabilities *c, struct werr *e)
{
	if (!c->present)
		return 0;
	uint64_t keep = names_mask(c->bounding, c->n_bounding);
	unsigned int n = caps_count();
	for (unsigned int v = 0; v < n; v++) {
		if (keep & (UINT64_C(1) << v))
			continue;
		/* dropping one already gone succeeds, with CAP_SETPCAP: asked only without it */
		if (cap_drop_bound((cap_value_t)v) < 0 && cap_get_bound((cap_value_t)v) > 0) {
			char buf[64];
			return werr_sys(e, "drop %s from the bounding set",
					cap_label((int)v, buf, sizeof(buf)));
		}
	}
	return 0;
}

static int set_flags(cap_t caps, cap_flag_t flag, uint64_t mask)
{
	for (uint64_t m = mask; m; m &= m - 1) {
		cap_value_t v = __builtin_ctzll(m);
		if (cap_set_flag(caps, flag, 1, &v, CAP_SET) < 0)
			return -1;
	}
	return 0;
}

static int raise_ambient(const struct cap_masks *m)
{
	char buf[64];
	for (uint64_t amb = m->amb; amb; amb &= amb - 1) {
		int v = __builtin_ctzll(amb);
		if (!(m->prm & m->inh & (UINT64_C(1) << v))) {
			log_warn("not raising ambient capability %s: it is not both permitted "
				 "and inheritable",
				 cap_label(v, buf, sizeof(buf)));
			continue;
		}
		if (cap_set_ambient((cap_value_t)v, CAP_SET) < 0)
			log_warn("cannot raise ambient capability %s: %s",
				 cap_label(v, buf, sizeof(buf)), strerror(errno));
	}
	return 0;
}

int caps_apply_sets(const struct oci_capabilities *c, struct werr *e)
{
	cap_t caps;
	if (!c->present) {
		/* Keep E and P as they are, but never pass on inheritable or ambient. */
		caps = cap_get_proc();
		if (!caps)
			return werr_sys(e, "read the process capabilities");
		if (cap_clear_flag(caps, CAP_INHERITABLE) < 0 || cap_set_proc(caps) < 0) {
			int err = errno;
			cap_free(caps);
			return werr_set(e, err, "clear the inheritable capabilities");
		}
		cap_free(caps);
		if (cap_reset_ambient() < 0)
			return werr_sys(e, "clear the ambient capabilities");
		return 0;
	}

	struct cap_masks m;
	caps_masks(c, &m);
	/*
	 * No inheritable capabilities beyond the ambient ones (CVE-2022-29162, crun
	 * CVE-2022-27650): the kernel never sets them itself, and a non-root process holding
	 * them gains them in its permitted set by executing any file whose inheritable file
	 * capabilities name them. Ambient capabilities need theirs: the config asked for those
	 * to reach the process's programs anyway.
	 */
	uint64_t dropped = m.inh & ~m.amb;
	if (dropped) {
		char buf[64];
		log_warn("process.capabilities.inheritable: %s%s not set (inheritable capabilities "
			 "are only kept for ambient ones)",
			 cap_label(__builtin_ctzll(dropped), buf, sizeof(buf)),
			 (dropped & (dropped - 1)) ? " and others" : "");
		m.inh &= m.amb;
	}
	caps = cap_init();
	if (!caps)
		return werr_sys(e, "allocate capabilities");
	if (set_flags(caps, CAP_EFFECTIVE, m.eff) < 0 ||
	    set_flags(caps, CAP_PERMITTED, m.prm) < 0 ||
	    set_flags(caps, CAP_INHERITABLE, m.inh) < 0) {
		int err = errno;
		cap_free(caps);
		return werr_set(e, err, "build the capability sets");
	}
	if (cap_set_proc(caps) < 0) {
		int err = errno;
		cap_free(caps);
		return werr_set(e, err,
				"set effective/permitted/inheritable capabilities (an "
				"inheritable capability must also be in the bounding set)");
	}
	cap_free(caps);
	if (cap_reset_ambient() < 0)
		return werr_sys(e, "clear the ambient capabilities");
	return raise_ambient(&m);
}

static void strv_append_unique(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] && strcmp((*v)[i], s) == 0)
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

int caps_add_exec_cap(struct oci_capabilities *c, const char *name, struct werr *e)
{
	if (!name || !name[0])
		return werr_set(e, 0, "--cap: empty capability name");
	c->present = true;
	strv_append_unique(&c->bounding, &c->n_bounding, name);
	strv_append_unique(&c->effective, &c->n_effective, name);
	strv_append_unique(&c->permitted, &c->n_permitted, name);
	if (c->n_inheritable > 0)
		strv_append_unique(&c->ambient, &c->n_ambient, name);
	return 0;
}
