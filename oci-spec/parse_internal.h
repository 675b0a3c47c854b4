/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to oci-spec: the pieces of the config parser, writer and cleanup. */
#ifndef WARD_OCI_PARSE_INTERNAL_H
#define WARD_OCI_PARSE_INTERNAL_H

#include "../common/jsonw.h"
#include "json_read.h"
#include "oci_config.h"

/* Value sets of runtime-spec v1.2 enumerations (config_enums.c). */
struct oci_enum {
	const char *const *names;
	size_t n;
};
extern const struct oci_enum oci_enum_ns_types;
extern const struct oci_enum oci_enum_rootfs_propagation;
extern const struct oci_enum oci_enum_device_types;
extern const struct oci_enum oci_enum_seccomp_actions;
extern const struct oci_enum oci_enum_seccomp_ops;
extern const struct oci_enum oci_enum_seccomp_archs;
extern const struct oci_enum oci_enum_seccomp_flags;
extern const struct oci_enum oci_enum_sched_policies;
extern const struct oci_enum oci_enum_sched_flags;
extern const struct oci_enum oci_enum_ioprio_classes;
extern const struct oci_enum oci_enum_personality_domains;

static inline int jcheck_oci_enum(const struct jctx *cx, const struct jpath *p, const char *v,
				  const struct oci_enum *en)
{
	return jcheck_enum(cx, p, v, en->names, en->n);
}

/* Parsers of sub-objects: o is the JSON object at path p; the output is zeroed. */
int oci_parse_process_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			  struct oci_process *out);
int oci_parse_linux_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			struct oci_linux *out);
int oci_parse_resources_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			    struct oci_resources *out);
int oci_parse_seccomp_obj(const struct jctx *cx, const struct jpath *p, const struct jnode *o,
			  struct oci_seccomp *out);
/* An array of {containerID, hostID, size} (linux and mount id mappings). */
int oci_parse_id_mappings(const struct jctx *cx, const struct jpath *up, const struct jnode *obj,
			  const char *name, struct oci_id_mapping **out, size_t *n);

/* Release what a struct owns (not the struct itself); safe on partly filled ones. */
void oci_process_release(struct oci_process *p);
void oci_linux_release(struct oci_linux *l);
void oci_resources_release(struct oci_resources *r);
void oci_seccomp_release(struct oci_seccomp *s);
void oci_kv_release(struct oci_kv *kv, size_t n);
void oci_strv_release(char **v, size_t n);

/* Writers of sub-objects (config_write.c, linux_write.c). */
void oci_write_process(struct jsonw *w, const struct oci_process *p);
void oci_write_linux(struct jsonw *w, const struct oci_linux *l);
void oci_write_kv(struct jsonw *w, const char *key, const struct oci_kv *kv, size_t n);
void oci_write_strv(struct jsonw *w, const char *key, char *const *v, size_t n);
void oci_write_id_mappings(struct jsonw *w, const char *key, const struct oci_id_mapping *m,
			   size_t n);

#endif
