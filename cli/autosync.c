/* sync = auto (the config file): a write pushes, and an unlock pulls, in a process of its own,
 * so a slow or unreachable remote never holds up the command. After a write the sync goes on
 * in the background; an unlock waits for it a little (AUTO_WAIT_MS), then leaves it running.
 * A sync cut short loses nothing (kura/sync.h), and what did not go out goes with the next. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "cli.h"

#define AUTO_WAIT_MS 2000

/* The child: the vault the command opened (unlocked) synced with its only or first remote. */
static void sync_here(ctx *c, const char *remote)
{
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO), dup2(null, STDOUT_FILENO), dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO) close(null);
    }
    kura_sync_report rep;
    kura_sync_opts o = {.remote = remote, .device_name = c->settings.device_name};
    int rc = kura_sync(c->v, &o, &rep);
    kura_sync_report_free(&rep);
    kura_vault_close(c->v);
    _exit(rc == KURA_OK ? EX_OK : exit_code(rc));
}

void auto_sync(ctx *c, int wait)
{
    if (!c->settings.sync_auto || !c->v || !kura_vault_is_unlocked(c->v)) return;
    kura_remotes *r = NULL;
    if (kura_remote_list(c->v, &r) != KURA_OK) return;
    char remote[KURA_REMOTE_NAME_MAX + 1];
    int some = r->count > 0;
    if (some) snprintf(remote, sizeof remote, "%s", r->remotes[0].name);
    kura_remotes_free(r);
    if (!some) return;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return;
    if (pid == 0) {
        randombytes_stir(); /* libsodium's generator, reseeded: a child never repeats a nonce */
        setsid(); /* on its own: the shell does not wait for it, a Ctrl-C does not reach it */
        sync_here(c, remote);
    }
    if (!wait) return;
    struct timespec step = {0, 20 * 1000 * 1000};
    for (int waited = 0; waited < AUTO_WAIT_MS; waited += 20) {
        int status;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid) {
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                note("kura: the automatic sync did not finish (exit %d); 'kura sync' says why",
                     WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            return;
        }
        nanosleep(&step, NULL);
    }
    note("kura: the remote is slow: the automatic sync goes on in the background");
}
