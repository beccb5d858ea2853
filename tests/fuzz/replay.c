/* replay.c - runs a fuzz target over seed files when libFuzzer is absent. */
#include <config.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int main(int argc, char *argv[]);

static int replay_file(const char *path)
{
	uint8_t *data;
	struct stat st;
	FILE *fp;
	size_t n;

	fp = fopen(path, "rb");
	if (!fp || fstat(fileno(fp), &st) < 0) {
		perror(path);
		if (fp)
			fclose(fp);
		return 1;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		fclose(fp);
		return 1;
	}
	n = fread(data, 1, (size_t)st.st_size, fp);
	fclose(fp);
	(void)LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

int main(int argc, char *argv[])
{
	int failed = 0, n = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *de;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed |= replay_file(argv[i]);
			n++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d) {
			perror(argv[i]);
			return 1;
		}
		while ((de = readdir(d))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			failed |= replay_file(path);
			n++;
		}
		closedir(d);
	}
	printf("replayed %d inputs\n", n);
	return failed || n == 0;
}
