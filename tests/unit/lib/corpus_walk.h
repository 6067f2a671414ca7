/*
 * Test helper: calls fn on every file of tests/fuzz/corpus/<target>/ whose
 * name starts with prefix (e.g. "cap-" for the captured messages), found
 * through CHORUS_SRCDIR. Returns how many files fn counted (fn increments
 * *count), or -1 when the directory cannot be opened.
 */
#ifndef CHORUS_TEST_CORPUS_WALK_H
#define CHORUS_TEST_CORPUS_WALK_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int corpus_walk(const char *target, const char *prefix,
                       void (*fn)(const char *path, int *count))
{
	const char *src = getenv("CHORUS_SRCDIR");
	char dir[4096], path[4096 + 300];
	struct dirent *e;
	DIR *d;
	int count = 0;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", src ? src : ".", target);
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fn(path, &count);
	}
	closedir(d);
	return count;
}

#endif
