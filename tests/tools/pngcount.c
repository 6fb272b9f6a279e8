/* pngcount: a PNG's size and how many of its pixels are exactly one colour, so that the tests of
 * paretoplot can check what was drawn (the chosen point is the picture's only pure red).
 * usage: pngcount FILE R,G,B   prints "WIDTHxHEIGHT COUNT"; exit 1 for a file that is no PNG. */
#include <gd.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int r, g, b;
	if (argc != 3 || sscanf(argv[2], "%d,%d,%d", &r, &g, &b) != 3) {
		fprintf(stderr, "usage: pngcount FILE R,G,B\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	gdImagePtr im = gdImageCreateFromPng(f);
	fclose(f);
	if (!im) {
		fprintf(stderr, "pngcount: %s: not a PNG\n", argv[1]);
		return 1;
	}
	long count = 0;
	int w = gdImageSX(im), h = gdImageSY(im);
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int c = gdImageGetTrueColorPixel(im, x, y);
			count += gdTrueColorGetRed(c) == r && gdTrueColorGetGreen(c) == g && gdTrueColorGetBlue(c) == b;
		}
	gdImageDestroy(im);
	printf("%dx%d %ld\n", w, h, count);
	return 0;
}
