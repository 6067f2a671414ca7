/*
 * Replays a fuzz target's corpus without libFuzzer, so `make check` runs
 * every stored input (and every former crash) through each parser.
 * With no arguments it reads $CHORUS_SRCDIR/tests/fuzz/corpus/<argv0 name>/.
 * Prints TAP: one line per corpus, failing if the corpus is empty.
 */
#include <dirent.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096 + 256 + 2];
	int count = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (replay_file(path) == 0)
			count++;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	char dir[4096];
	const char *src = getenv("CHORUS_SRCDIR");
	char *self = strdup(argv[0]);
	int count;

	if (argc > 1)
		snprintf(dir, sizeof(dir), "%s", argv[1]);
	else
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src ? src : ".",
		         basename(self));
	free(self);
	count = replay_dir(dir);
	printf("1..1\n");
	if (count <= 0) {
		printf("not ok 1 - corpus %s missing or empty\n", dir);
		return 1;
	}
	printf("ok 1 - replayed %d inputs from %s\n", count, dir);
	return 0;
}
