/* Reads and writes of the vault as transactions: a read sees one version of the file with its
 * state checked; a write checks the state and the bucket it touches, upgrades an older format
 * with its first change, re-signs and commits, or rolls everything back. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "state.h"

int kura_vault_read_begin(kura_vault *v, int whole)
{
    if (!v->keys) return kura_fail(KURA_ERR_LOCKED, "the vault is locked");
    int rc = kura_db_begin_read(v->db);
    if (rc != KURA_OK) return kura_state_fail(v, rc);
    if (v->as_is) return KURA_OK;
    rc = kura_state_check_root(v);
    if (rc == KURA_OK && whole) rc = kura_state_check_all(v);
    if (rc != KURA_OK) kura_db_rollback(v->db);
    return rc;
}

void kura_vault_read_end(kura_vault *v)
{
    kura_db_rollback(v->db); /* only read */
}

int kura_vault_write_begin(kura_vault *v, const unsigned char *id)
{
    if (!v->keys) return kura_fail(KURA_ERR_LOCKED, "the vault is locked");
    if (v->as_is)
        return kura_fail(KURA_ERR_CORRUPT,
                         "vault %s is damaged and read as it is, so nothing is written to "
                         "it; 'kura salvage' saves what still reads into a new vault",
                         v->id_text);
    v->n_dirty = 0;
    v->n_sweep = 0;
    kura_buf_return(v, &v->touched);
    kura_state_forget_checks(v, 0); /* a write is checked afresh, and changes the file */
    int rc = kura_db_begin(v->db);
    if (rc != KURA_OK) return kura_state_fail(v, rc);
    kura_detail_clear();
    rc = kura_state_check_root(v);
    /* A format 1 file gets its title index, and a format 2 file its chain, with its first
     * write (reads never write). */
    if (rc == KURA_OK && kura_db_format(v->db) < 2)
        rc = v->upgrade_items ? v->upgrade_items(v)
                              : kura_fail(KURA_ERR_INVALID, "no format 1 upgrade");
    if (rc == KURA_OK && kura_db_format(v->db) < 3) rc = kura_state_upgrade_chain(v);
    if (rc == KURA_OK && kura_db_format(v->db) < 4) rc = kura_state_upgrade_past(v);
    if (rc == KURA_OK && kura_db_format(v->db) < 5) {
        rc = kura_db_upgrade5(v->db); /* typed items: no table changes */
        if (rc != KURA_OK) rc = kura_state_fail(v, rc);
    }
    if (rc == KURA_OK && kura_db_format(v->db) < 6) {
        rc = kura_db_upgrade6(v->db); /* attachments: a table of their own, empty */
        if (rc != KURA_OK) rc = kura_state_fail(v, rc);
    }
    if (rc == KURA_OK && id) rc = kura_state_check_item(v, id);
    if (rc == KURA_OK && id) rc = kura_state_check_bucket(v, kura_past_bucket_of(v, id));
    if (rc != KURA_OK) kura_db_rollback(v->db);
    return rc;
}

int kura_vault_write_end(kura_vault *v, int rc, const unsigned char *id)
{
    uint64_t gen = v->state_gen;
    unsigned char tag[KURA_STATE_TAG];
    memcpy(tag, v->state_tag, KURA_STATE_TAG);
    if (rc == KURA_OK && (v->n_dirty || v->n_sweep) && v->before_commit) rc = v->before_commit(v);
    v->n_dirty = v->n_sweep = 0;
    if (rc == KURA_OK && id) rc = kura_state_put_item(v, STATE_KEY(v), id);
    if (rc == KURA_OK) rc = kura_state_put(v, STATE_KEY(v), gen + 1);
    if (rc == KURA_OK) {
        rc = kura_db_commit(v->db);
        if (rc != KURA_OK) kura_fail(rc, "%s", kura_db_error(v->db));
    }
    if (rc != KURA_OK) {
        kura_db_rollback(v->db);
        v->state_gen = gen;
        kura_buf_return(v, &v->touched);
        return rc;
    }
    kura_state_seen(v, 0);
    kura_cache_note(v, gen, tag);
    kura_buf_return(v, &v->touched);
    return KURA_OK;
}
