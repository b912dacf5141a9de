/*
 * What CmdlineCaptureTest runs: it is told what to do by its environment,
 * so that its command line can be anything, argc 0 included.
 *
 *   (nothing)                 print "held", wait until stdin closes, exit 0
 *   HOLDER_REWRITE=1          first overwrite its own arguments' bytes with 'x'
 *                             (as setproctitle() does), then hold
 *   HOLDER_EXEC=<path>        exec <path> "after" "exec" instead (a wrapper), the
 *                             variable removed: the program exec'd holds
 *   HOLDER_SPAWN=<p1>:<p2>..  fork a child per path that execs it with "spawned",
 *                             the variable removed; print "spawned", then wait for
 *                             them and exit 0 (the children hold)
 *   HOLDER_EXECVEAT=<path>    execveat() an O_PATH descriptor of <path> with
 *                             "by" "fd" instead, the variable removed
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int hold(void)
{
	char buf[64];

	printf("held\n");
	fflush(stdout);
	while (read(0, buf, sizeof(buf)) > 0) {
	}
	return 0;
}

static int spawn_all(char *paths)
{
	int children = 0;

	unsetenv("HOLDER_SPAWN");
	for (char *path = strtok(paths, ":"); path; path = strtok(NULL, ":")) {
		pid_t pid = fork();

		if (pid == 0) {
			char *argv[] = { path, "spawned", NULL };

			execv(path, argv);
			_exit(127);
		}
		if (pid > 0)
			children++;
	}
	printf("spawned\n");
	fflush(stdout);
	while (children > 0 && wait(NULL) > 0)
		children--;
	return 0;
}

int main(int argc, char **argv)
{
	char *exec_path = getenv("HOLDER_EXEC");
	char *spawn = getenv("HOLDER_SPAWN");
	char *by_fd = getenv("HOLDER_EXECVEAT");

	if (exec_path) {
		char *args[] = { exec_path, "after", "exec", NULL };

		unsetenv("HOLDER_EXEC");
		execv(exec_path, args);
		return 127;
	}
	if (by_fd) {
		char *args[] = { "by", "fd", NULL };
		int fd = open(by_fd, O_PATH | O_CLOEXEC);

		unsetenv("HOLDER_EXECVEAT");
		/* O_CLOEXEC: the fd is gone once the program runs, as fexecve() leaves it. */
		syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
		return 127;
	}
	if (spawn)
		return spawn_all(spawn);
	if (getenv("HOLDER_REWRITE")) {
		for (int i = 0; i < argc; i++)
			memset(argv[i], 'x', strlen(argv[i]));
	}
	return hold();
}
