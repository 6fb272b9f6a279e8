/* flipbits: test helper. Damages a file as a disk could: flips the lowest bit of the byte at
 * FROM, FROM + STRIDE, FROM + 2 STRIDE, ... up to (not into) the file's last 16 bytes, in place.
 * Prints how many bytes it changed. (The table cache tests damage every block of a grid, so
 * that whatever blocks a case reads, some are damaged.) */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: flipbits FILE FROM STRIDE\n");
		return 2;
	}
	long from = atol(argv[2]), stride = atol(argv[3]);
	FILE *f = fopen(argv[1], "r+b");
	if (!f || from < 0 || stride <= 0 || fseek(f, 0, SEEK_END) != 0) {
		perror(argv[1]);
		return 1;
	}
	long size = ftell(f), n = 0;
	for (long at = from; at < size - 16; at += stride) {
		int c;
		if (fseek(f, at, SEEK_SET) != 0 || (c = getc(f)) == EOF || fseek(f, at, SEEK_SET) != 0 ||
		    putc(c ^ 1, f) == EOF) {
			perror(argv[1]);
			return 1;
		}
		n++;
	}
	if (fclose(f) != 0) {
		perror(argv[1]);
		return 1;
	}
	printf("%ld\n", n);
	return 0;
}
