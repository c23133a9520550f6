/* cli.h: what the command files share: the command table entry, the run context, exit
 * codes, and the few helpers that talk to people (only cli/ prints, prompts or exits). */
#ifndef KURA_CLI_H
#define KURA_CLI_H

#include <pthread.h>
#include <stdio.h>
#include <jansson.h>

#include "kura/import.h"
#include "kura/kura.h"
#include "options.h"

/* Exit codes: DESIGN.md "Errors and exit codes", docs/kura.1 EXIT STATUS. */
enum {
    EX_OK = 0,
    EX_FAIL = 1,
    EX_USAGE = 2,
    EX_WRONG_KEY = 3,
    EX_BAD_KEY = 4,
    EX_NOT_FOUND = 5,
    EX_DAMAGED = 6,
    EX_TOO_NEW = 7,
    EX_LOCKED = 8,
    EX_CANCELLED = 9,
};

/* The config file's settings (config.c): defaults that options and the environment override. */
typedef struct settings {
    char *vault;         /* vault = PATH, or NULL */
    int session_timeout; /* kura unlock's idle timeout, minutes */
    int clipboard_time;  /* seconds before get --copy clears the clipboard; 0 never */
    int history_keep;    /* versions of an item kept at least ... */
    int history_days;    /* ... and every version of these last days */
    char *device_name;   /* how other devices name this one (NULL: the host name) */
    int sync_auto;       /* sync = auto: writes push, unlock pulls */
    int kit_paper;       /* KURA_PAPER_* */
    int kit_lang;        /* KURA_LANG_* */
} settings;

/* --kit, given once for a kit, or once for each share of a split kit. */
typedef struct kit_list {
    const char *files[KURA_SHARES_MAX];
    int n;
} kit_list;

typedef struct ctx {
    /* the options for every command (commands.c's global rows) */
    const char *vault_option;    /* --vault */
    const char *key_file;        /* --key-file or KURA_CLIENT_KEY_FILE */
    const char *kit_file;        /* --kit: the key from a kit image (the first --kit) */
    kit_list kits;               /* every --kit: a kit, or the shares of a split kit */
    const char *passphrase_file; /* --passphrase-file or KURA_PASSPHRASE_FILE */
    int use_key;                 /* --key: the client key, not this device's passphrase */
    int json;                    /* --json */
    int trust_file;              /* --trust-file: accept a rolled-back or re-signed file */
    int help, version;           /* --help, --version */

    settings settings;
    char *vault_path;  /* --vault, KURA_VAULT, the config's vault, or the default */
    int by_passphrase; /* set when this device's passphrase unlocked the vault */
    char *device_dir;  /* device slots */
    char *state_dir;   /* records of the newest state seen (the rollback guard) */
    char *runtime_dir; /* sessions */
    kura_vault *v;     /* opened (and unlocked) by main for commands that ask */
} ctx;

enum {
    CMD_OPEN = 1,    /* the vault must exist: main opens it */
    CMD_UNLOCK = 2,  /* and unlocks it (session, key file, or a prompt) */
    CMD_ITEM = 4,    /* the first argument names an item (completion offers titles) */
    CMD_BARE = 8,    /* with subcommands: the command alone is one too ("kura kit") */
    CMD_WRITES = 16, /* changes items: with sync = auto, a sync follows */
};

/* A command: its name and help, and one table of option rows (options.h) whose values land
 * in the command's own args struct, zeroed before parsing and handed to exec. */
typedef struct cmd {
    const char *name;
    const char *summary;
    const char *args; /* the arguments after the name and subcommand, for usage ("ITEM") */
    const char *more; /* a paragraph after the options in help, or NULL */
    unsigned flags;
    int min_args, max_args; /* positional arguments (-1: no limit); a subcommand row's own */
    const opt_row *rows;
    size_t args_size;
    int (*exec)(ctx *c, void *args, int argc, char **argv);
} cmd;

extern const cmd cmd_init, cmd_unlock, cmd_lock, cmd_add, cmd_get, cmd_edit, cmd_rm, cmd_cp, cmd_ls,
    cmd_search, cmd_import, cmd_export, cmd_check, cmd_otp, cmd_generate, cmd_status, cmd_kit,
    cmd_key, cmd_device, cmd_reset, cmd_recover, cmd_salvage, cmd_history, cmd_restore, cmd_remote,
    cmd_sync, cmd_clone, cmd_audit, cmd_attach, cmd_detach;

/* ---- commands.c: the table, and what comes from its rows ---- */
const cmd *find_cmd(const char *name);
/* The global options before the command's name (into c); *next: the command's index. */
int parse_globals(ctx *c, int argc, char **argv, int *next);
/* Parses a command line (argv[0]: its name) into args and c, and its subcommand; checks the
 * number of arguments; *first: the first of them. An exit code, the message printed. */
int parse_command(ctx *c, const cmd *cm, void *args, int argc, char **argv, int *first);
void print_help(FILE *f);
void print_cmd_help(FILE *f, const cmd *cm);
/* kura __complete WHAT [COMMAND]: what a shell offers next. */
int complete(int argc, char **argv);
/* KURA_VAULT, the config's vault, or the default (malloc'd; NULL: none, or out of memory). */
char *unnamed_vault_path(const settings *s);

/* ---- io.c ---- */
/* 1 when f (stdout or stderr) may take colour: a terminal, NO_COLOR unset or empty, TERM not
 * "dumb". */
int colour(FILE *f);
#define COLOUR_ERROR "\033[1;31m"
#define COLOUR_WARN "\033[1;33m"
#define COLOUR_BOLD "\033[1m"
#define COLOUR_DIM "\033[2m"
#define COLOUR_OFF "\033[0m"
/* Control characters as text a terminal shows and never obeys (an escape sequence in an
 * imported title or note): C0 and DEL as \xHH, C1 as \uHHHH; newlines and tabs kept when
 * keep_lines. escaped() writes into out (cap bytes; longer text is cut) and returns it;
 * print_escaped() prints s so to stdout. */
const char *escaped(char *out, size_t cap, const char *s, int keep_lines);
void print_escaped(const char *s, int keep_lines);
/* s as one shell word, so that a shell reads it back as it is ('it'\''s'); into out (cap
 * bytes), or "''"-quoted and cut when longer. A path in a command kura prints to be typed. */
const char *shell_word(char *out, size_t cap, const char *s);
/* The command that starts a session with the kit at path (or the n shares of a split kit),
 * as it works when typed in a shell: eval "$(kura [--vault V] unlock --kit K...)". Into out
 * (cap bytes). */
const char *kit_unlock_command(char *out, size_t cap, const ctx *c, const char *const *paths,
                               size_t n);
/* Prints "kura: <message>" to stderr and returns code. */
int fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports a library failure on the vault: the mapped exit code and a one-line message. */
int fail_vault(ctx *c, int rc, const char *doing);
int exit_code(int rc);
/* Reports that kura-kit.so did not load (KURA_ERR_NO_MODULE): exit 1, and why
 * (kura_error_detail, read right after the failing call). */
int fail_kit_module(void);
/* The same for kura-import.so (KURA_ERR_NO_MODULE from kura/import.h), why it did not. */
int fail_import_module(const char *why);
/* Warns on stderr when the vault is on a network filesystem (kura_vault_network_fs). */
void warn_network_fs(ctx *c);
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The controlling terminal: -1 when there is none (scripts, CI). */
int tty_open(void);
/* Reads a line from the terminal with echo off into sodium_malloc memory (NUL-terminated,
 * newline dropped). NULL if there is no terminal or on end of input. */
char *tty_secret(const char *prompt);
/* Asks for a line on the terminal, echoed (sodium_malloc memory); NULL if no terminal. */
char *tty_ask(const char *prompt);
/* Asks a yes/no question on the terminal: 1 yes, 0 no, -1 no terminal. */
int tty_confirm(const char *question);

/* Reads a secret from a file ("-": stdin) into sodium_malloc memory, NUL-terminated, one
 * trailing newline dropped. Returns an exit code; message printed. what: "password" etc. */
int read_secret_file(char **out, const char *path, const char *what, size_t max);
void secret_free(char *s);

/* Reports a change to an item: "<verb> "TITLE" (id8)", or its id and title as JSON. */
void report_item(const ctx *c, const char *verb, const kura_item *item);
/* The file overwritten with zeros, synced and removed (a form the editor had, a partial
 * attachment). */
void wipe_file(const char *path);

/* At most bytes of jansson's memory at once from now on (0: no limit): an import's reader. */
void json_limit(size_t bytes);
/* 1 if an allocation was refused for that limit since it was set. */
int json_limit_hit(void);
/* JSON: print with a newline and free. Strings are wiped when freed. */
void json_print(json_t *j);
void json_init(void);
/* "2026-11-22T02:37:11Z" */
void format_time(char out[32], int64_t t);

/* ---- clipboard.c ---- */
/* Puts value (what: "password", or a field's name) on the clipboard and starts what clears
 * it; prints what it did. An exit code. */
int clipboard_copy(ctx *c, const kura_item *it, const char *what, const char *value);
/* The item's current one-time password (cmd_otp.c): an exit code, the message printed. */
int otp_code(const kura_item *item, kura_totp_code *code);
/* The hidden command "kura __clipboard-clear TOOL SECONDS" (fd 3: key and tag). */
int clipboard_clear_main(int argc, char **argv);

/* ---- config.c: $XDG_CONFIG_HOME/kura/config ---- */
/* Fills s with the built-in defaults, then with the config file if there is one: an exit code,
 * the message printed. settings_free releases what it holds. */
int load_config(settings *s);
void settings_free(settings *s);

/* ---- autosync.c ---- */
/* With sync = auto and a remote: syncs c->v (unlocked) in a process of its own; wait: give it
 * a moment (an unlock pulls), else it runs on in the background (a write pushes). */
void auto_sync(ctx *c, int wait);

/* ---- unlock.c ---- */
/* Unlocks without a session: --kit, --key-file (KURA_CLIENT_KEY_FILE), this device's
 * passphrase when enrolled (--passphrase-file, or asked; --key skips it), else the client
 * key asked on the terminal (3 tries), else exit 8. */
int unlock_with_key(ctx *c);
/* A new passphrase for this device: from file (if not NULL) or asked twice. At least 8
 * bytes. sodium_malloc memory in *out. */
int new_passphrase(char **out, const char *file);
/* Asks on a terminal whether to enroll this device after a client-key unlock. */
void offer_enroll(ctx *c);
/* For CMD_UNLOCK commands: the session first, then unlock_with_key. */
int unlock_vault(ctx *c);
/* Finds the one item ref means; lists the matches and returns 2 when there are several. */
int resolve_item(ctx *c, kura_item **out, const char *ref);

/* Explains a client key that did not parse (kura_key_parse's rc and bad position), without
 * echoing it; source: "you typed", "in FILE". An exit code. */
int key_parse_error(int rc, const char *text, size_t bad, const char *source);
/* Reads the key and vault id from a kit image; exit code, message printed (5: no image or
 * no kura QR code in it). */
int read_kit(kura_client_key *key, char *vault_id, const char *file);
/* The message (and exit code) for a kit read that failed with rc, errno e, having seen. */
int kit_unread(int rc, int e, const kura_kit_seen *seen, const char *file);
/* Reads a kit or a share kit into *found; an exit code, the message printed. */
int read_found(kura_kit_found *found, const char *file);
/* The client key of vault_id from c's --kit files: one kit, or K shares of a split kit
 * (shares.c). An exit code, the message printed: another vault's, too few, mixed splits.
 * *share_gen: the key generation the shares name (0: a kit, no shares). */
int key_from_kits(ctx *c, kura_client_key *key, const char *vault_id, unsigned *share_gen);
/* The same from typed text (a key file or the terminal) that holds shares, a line each. */
int key_from_typed_shares(kura_client_key *key, const char *vault_id, const char *text,
                          const char *source, unsigned *share_gen);
/* 1 if text's first line that is not empty is as long as a split kit's share. */
int shares_typed(const char *text);
/* At the terminal, after one share typed where the key was asked: the others, one at a time,
 * until there are as many as the share says open vault_id; *text grows a line for each. */
int ask_more_shares(char **text, const char *vault_id);
/* The words for a key from shares (of key generation gen, 0 if from a kit) that does not
 * open vault_id: an older key's shares, or another vault's. An exit code. */
int shares_do_not_open(unsigned gen, const char *vault_id);

/* ---- ways.c: the ways into a vault left on this machine (recover, reset) ---- */
enum {
    KIT_OPENS,
    KIT_OLD,
    KIT_OTHER,
    KIT_UNREADABLE,
    KIT_DAMAGED,
    KIT_UNCHECKED,
    KIT_SHARE_OPENS, /* a share of a split kit: with the others found, it opens the vault */
    KIT_SHARE,       /* a share of this vault: too few found, or of another split */
    KIT_SHARE_OLD,   /* with the others found, a key from before a rotation */
};
extern const char *const kit_status_words[]; /* for --json, by KIT_* */
typedef struct ways {
    int session;  /* KURA_SESSION opens this vault */
    int enrolled; /* this device has a slot for it */
    char **paths; /* kits found in the usual places, and what each is (KIT_*) */
    size_t n;
    int *status;
    char (*ids)[KURA_VAULT_ID_TEXT + 1];
    int opening;   /* index of a kit that opens the vault, or -1 */
    size_t looked; /* other images and PDFs read: no kura QR code in them (not listed) */
    /* Shares of a split kit of this vault: the most of one split found (share_have of the
     * share_need that open), and when enough, the ones combined (share_files) and whether
     * they open it. */
    unsigned share_have, share_need;
    size_t share_files[KURA_SHARES_MAX], share_count;
    int share_opens;
} ways;
/* The paths that open the vault: the kit, or the shares that together do; how many (0:
 * none). At most KURA_SHARES_MAX into out. */
size_t ways_open_paths(const ways *w, const char **out);
/* Finds the kits and checks each against c->v (vault_ok: c->v is open): exit code. */
int ways_find_kits(ctx *c, ways *w, int vault_ok);
/* Every way into c->v (NULL: none can be checked): the session, the slot, the kits. */
int ways_find(ctx *c, ways *w);
/* {"session", "device_enrolled", "kits": [paths of kits that open it]} */
json_t *ways_json(const ways *w);
void ways_free(ways *w);

/* ---- the kit, shared by init, kit, key rotate, recover and reset (cmd_kit.c) ---- */
typedef struct kit_opts {
    const char *dir, *pdf, *png; /* NULL: the download folder, the usual names */
    int paper, lang;             /* 1 + KURA_PAPER_*, 1 + KURA_LANG_*; 0: the settings' */
    int none;                    /* --no-kit */
} kit_opts;
extern const char *const paper_words[], *const lang_words[];
#define KIT_ROW_PAPER(T, f)                                                                        \
    OPT_CHOICE("paper", T, f.paper, paper_words,                                                   \
               "the kit's paper size (default a4, or kit_paper in the config file)")
#define KIT_ROW_LANG(T, f)                                                                         \
    OPT_CHOICE("lang", T, f.lang, lang_words,                                                      \
               "the kit's language (default en, or kit_lang in the config file)")
/* --kit-dir, and --dir, its old name, kept working (not shown). */
#define KIT_ROWS_DIR(T, f, help)                                                                   \
    OPT_STRING("kit-dir", T, f.dir, "DIR", help), OPT_STRING("dir", T, f.dir, "DIR", NULL)
#define KIT_DIR_HELP "the folder for the kit (default: your download folder)"
#define KIT_ROW_NO_KIT(T, f, help) OPT_FLAG("no-kit", T, f.none, help)
/* The kit rows of a command that makes a new vault (init, reset). */
#define KIT_ROWS_NEW_VAULT(T, f)                                                                   \
    KIT_ROWS_DIR(T, f, KIT_DIR_HELP), KIT_ROW_PAPER(T, f), KIT_ROW_LANG(T, f),                     \
        KIT_ROW_NO_KIT(T, f, "do not save a kit now ('kura kit' saves one later)")
/* The kit's folder, resolved into dir: --kit-dir, else the user's download folder
 * (XDG_DOWNLOAD_DIR in user-dirs.dirs, else ~/Downloads; the current folder without HOME).
 * A missing folder is made, 0700, with a note. An exit code, the message printed. */
int kit_folder(const kit_opts *k, char dir[4096]);
/* The kit's two paths as a JSON array, or [] when none was saved. */
json_t *kit_json(int saved, char paths[2][4096]);
/* Said wherever a kit is saved: print it, and do not leave it beside the vault. */
#define KIT_DOORMAT                                                                                \
    "Print the PDF and keep it somewhere safe, then delete both files: a kit on the\n"             \
    "same disk as the vault is a key under the doormat.\n"

/* What a kit says of its vault besides the key: which key it is, and where the vault lives
 * (its first remote's URL, else the file's path). */
typedef struct kit_about {
    kura_key_gen gen;
    char where[4096];
    int remote;
} kit_about;
/* The open, unlocked vault's now. */
void kit_about_vault(ctx *c, kit_about *a);
/* Writes the kit of the open vault with key, about it as about says (NULL: as it is now);
 * paths[0] the PDF, paths[1] the PNG; fresh (NULL: not wanted) says which of them did not
 * exist before. A PDF made now is removed again when its PNG fails. */
int save_kit(ctx *c, const kit_opts *k, const kura_client_key *key, const kit_about *about,
             char paths[2][4096], int fresh[2]);

/* ---- item editing, shared by add and edit (cmd_add.c) ---- */
#define MAX_EDITS 512
typedef struct item_edits {
    struct edit {
        int id;
        const char *arg;
    } list[MAX_EDITS]; /* in the order given */
    size_t n;
    int length, words;                       /* --generate's --length, --words */
    int no_symbols, no_digits, no_ambiguous; /* and which characters it leaves out */
    int show, copy;                          /* --generate: print or copy what it made */
    int allow_empty;
} item_edits;
/* The item as a text form in $VISUAL or $EDITOR (editor.c): parsed back into item when the
 * editor finishes; *changed 0 when nothing was. The form is wiped whatever happens. */
int edit_in_editor(ctx *c, kura_item *item, int is_new, int *changed);
/* 1 when an editor can be run: a terminal, or VISUAL or EDITOR set. */
int editor_usable(void);
/* After add or edit: the report (verb: "added", "updated"), and the generated password
 * printed (--show) or copied (--copy). */
int item_edit_after(ctx *c, const item_edits *e, const kura_item *item, const char *verb);
enum { E_TITLE = 1 };
/* The rows of add, edit's too; and the call that records a change (value E_*). */
extern const opt_row item_edit_rows[];
int item_edit_call(void *edits, const opt_row *row, const char *value);
int item_edit_apply(const item_edits *e, kura_item *item, int is_new);
/* Sets (value NULL: removes) one field, a type's own checked as add checks it: a card's expiry
 * made MM/YYYY, an SSH key's fingerprint from its public key. An exit code, said in one line
 * that starts with where ("line 7 of the form: ", or ""). */
int item_field_set(kura_item *item, const char *name, const char *value, int hidden,
                   const char *where);

/* The order an item's fields are shown in (cmd_get.c): its type's own, in the type's order,
 * then the others as they are; order gets indexes into it->fields. */
size_t item_field_order(const kura_item *it, size_t order[KURA_MAX_LIST]);
/* The item as JSON (cmd_get.c): secrets only when with_secrets. */
json_t *item_json(const kura_item *it, int with_secrets);
/* get's views of an item: whole (secrets masked unless reveal), or one field raw for scripts
 * (an exit code). */
void print_item(const kura_item *it, int reveal);
/* ---- cmd_attach.c ---- */
/* "12 bytes", "3.4 KiB", "5.0 MiB". */
void format_size(char *out, size_t cap, uint64_t n);
/* Attachment name of item to output (a new file, 0600), or to stdout when it is not a
 * terminal: an exit code. */
int get_attachment(ctx *c, const kura_item *item, const char *name, const char *output);
int print_field(ctx *c, const kura_item *it, const char *field);

/* ---- ring.c: an import read on one thread, stored on the main one ---- */
#define RING_SLOTS 64
#define RING_PAST 32 /* older versions kept with an item */
typedef struct ring {
    /* set before ring_start */
    const kura_import_format *format;
    const char *text;
    size_t len;
    int named; /* --from named the format */
    /* the ring */
    pthread_t thread;
    int started;
    pthread_mutex_t mu;
    pthread_cond_t can_put, can_take;
    kura_item *item[RING_SLOTS];
    const char *why[RING_SLOTS]; /* the reason an element is skipped, or NULL */
    size_t index[RING_SLOTS];    /* its place in the file */
    struct files {               /* each slot's attachments: name NUL size (8) bytes ... */
        unsigned char *p;        /* sodium_malloc */
        size_t n, cap;
    } files[RING_SLOTS];
    int files_failed;                       /* an attachment did not fit in memory */
    kura_item *past[RING_SLOTS][RING_PAST]; /* each slot's older versions (made on first use) */
    size_t n_past[RING_SLOTS];
    size_t head, tail;  /* taken so far, filled so far: tail - head slots wait */
    size_t given;       /* elements the reader has read (skipped ones too) */
    size_t done;        /* bytes of the file read, as the reader last said */
    int finished, stop; /* the reader finished; the main thread stopped taking */
    /* what the reader ended with */
    int read_rc;   /* kura_import_read's result */
    char err[300]; /* and its reason */
    struct drop {  /* kinds of data dropped, and from how many items */
        char kind[80];
        size_t items;
    } drops[16];
    size_t n_drops, more_drops; /* more_drops: items that lost a kind past the table */
    struct item_drop {          /* each item that lost data: its place in the file, its title */
        size_t index;           /* and the kinds (bits: drops[i]) */
        unsigned kinds;
        char *title; /* malloc'd when the item is put */
    } * item_drops;
    size_t n_item_drops, cap_item_drops;
} ring;
/* Starts the reader on r's text: KURA_OK or KURA_ERR_NOMEM (ring_end cleans up either way). */
int ring_start(ring *r);
/* Waits for the next slot in order: 1 with *slot (r->item[*slot] filled, or r->why[*slot]
 * says why it is skipped); 0 when the reader has finished and nothing is left. */
int ring_take(ring *r, size_t *slot);
/* Gives the slot back; stop: take no more (the reader stops too). */
void ring_release(ring *r, int stop);
/* Stops the reader without taking anything. */
void ring_stop(ring *r);
/* Bytes of the text read so far. */
size_t ring_done(ring *r);
/* Waits for the reader and frees the slots (what was dropped stays for the report). */
void ring_end(ring *r);
/* Frees the list of the items that lost data. */
void ring_free_drops(ring *r);

/* ---- progress.c: a line on stderr that shows how far a long command is ---- */
typedef struct progress {
    int on;    /* stderr is a terminal and --json is off */
    int drawn; /* a line is on the screen */
    double start, last;
} progress;
void progress_start(progress *p, int on);
/* Draws done of total bytes and items so far (at most ten times a second, after half a
 * second). */
void progress_draw(progress *p, size_t done, size_t total, size_t items);
void progress_clear(progress *p);

/* ---- generate (cmd_generate.c), words (wordlist.c) ---- */
extern const char *const kura_words[];
extern const size_t kura_words_count;
/* Generates a password into sodium_malloc memory. */
int generate_password(char **out, double *bits, int length, int words, unsigned classes,
                      const char *sep);
/* Character classes; CL_NO_AMBIGUOUS leaves out look-alikes (0 O o 1 l I | and quotes). */
enum { CL_LOWER = 1, CL_UPPER = 2, CL_DIGIT = 4, CL_SYMBOL = 8, CL_NO_AMBIGUOUS = 16 };

#endif
