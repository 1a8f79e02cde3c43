/* shtpl.h: the shell files of src/sh/, embedded at build time by
 * tools/embed.sh into $(B)/sh_templates.c. sh_lib is lib.sh whole; every
 * other is the body of one template (what follows its
 * "# --- step body ---" line): a step's, or run.sh's. emit_scripts.c puts the step's values in
 * front of a body; it never writes shell code of its own. */
#ifndef REPLC_SHTPL_H
#define REPLC_SHTPL_H

extern const char sh_lib[];
extern const char sh_pgpass[];
extern const char sh_hba[];
extern const char sh_restart[];
extern const char sh_raise[];
extern const char sh_basebackup[];
extern const char sh_copy_table[];
extern const char sh_wait_publisher[];
extern const char sh_wait_columns[];
extern const char sh_slot[];
extern const char sh_wait_sync[];
extern const char sh_promote[];
extern const char sh_run[];
extern const char sh_prune[];

#endif
