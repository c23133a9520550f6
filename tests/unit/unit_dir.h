/* unit_dir.h: a unit test's own folder under /tmp, with the device records (the rollback
 * guard) under it too, made before the tests and removed after. */
#ifndef KURA_UNIT_DIR_H
#define KURA_UNIT_DIR_H

#include <stdio.h>
#include <stdlib.h>

static char dir[256];

static int unit_dir_make(void)
{
    snprintf(dir, sizeof dir, "/tmp/kura-unit-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    char data[300];
    snprintf(data, sizeof data, "%s/data", dir);
    setenv("XDG_DATA_HOME", data, 1);
    snprintf(data, sizeof data, "%s/state", dir);
    setenv("XDG_STATE_HOME", data, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
